// Per-example gradient clipping for DP-SGD (DESIGN.md section 6), with book-keeping: one
// forward and one backward pass per micro-batch give every example's gradient norm over all
// trainable parameters and the sum of the clipped gradients, without a second backward and
// without materialising per-example gradients where that is dearer (ghost norms).
//
//   dp::PerExampleClipper clipper(model, {/*max_grad_norm=*/1.0});
//   for (micro-batch) {
//     torch::Tensor logits = model->forward(ids, mask);      // recorded
//     torch::Tensor loss = dp::per_example_loss(...);       // (B): row i's mean token loss
//     torch::Tensor norms = clipper.backward(loss);         // .grad += sum_i min(1, C/||g_i||) g_i
//   }
//   noise.add(p.grad, sigma * C) for each trainable p; divide by the expected batch; step.
//
// How the rules work and how they are checked: docs/dp-clipping.md.
#pragma once

#include <torch/torch.h>

#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "privtune/model/causal_lm.h"

namespace privtune::dp {

// How linear weights' per-example norms are computed: ghost (from Gram matrices of inputs
// and output gradients), materialized (per-example gradients by one batched matmul), or per
// layer whichever the cost model finds cheaper for the shapes at hand.
enum class NormMethod { kAuto, kGhost, kMaterialized };
NormMethod parse_norm_method(const std::string& name);  // "auto"|"ghost"|"materialized", else privtune::Error
std::string to_string(NormMethod method);

struct ClipOptions {
  double max_grad_norm = 1.0;             // C; must be > 0; +infinity means no clipping
  NormMethod method = NormMethod::kAuto;  // per layer: ghost or materialized, whichever is cheaper for the shapes
};

class Tape;

class PerExampleClipper {
 public:
  // Installs per-example rules on every trainable parameter (requires_grad) of `model`:
  // weights and biases of model::Linear (LoRA's A and B included), model::Embedding (tied
  // to the LM head or not) and model::Norm. privtune::Error naming the first trainable
  // parameter without a rule (never skipped silently), for C <= 0 or NaN, or when the model
  // already has a clipper attached. Freeze parameters before constructing it.
  PerExampleClipper(model::CausalLM& model, const ClipOptions& options);
  ~PerExampleClipper();  // detaches everything; the model behaves exactly as before
  PerExampleClipper(const PerExampleClipper&) = delete;
  PerExampleClipper& operator=(const PerExampleClipper&) = delete;

  // Call after a forward pass of one micro-batch run while this clipper is alive and grad
  // mode is on (forwards under torch::NoGradGuard record nothing). per_example_loss: (B),
  // row i's loss, a function of row i's forward only. groups: undefined, or (B) int64 group
  // ids 0..G-1 (user-level DP: rows of a group are clipped together, i.e. the norm of the
  // group's summed gradient).
  // Adds sum_g min(1, C / ||g_g||) * g_g to every trainable parameter's .grad (creating it
  // if undefined; so calling it for several micro-batches accumulates), in the same backward
  // pass. Returns the per-group (or per-row) gradient norms before clipping: (G) float64 on
  // the parameters' device (left there: reading them would make a GPU step wait).
  // privtune::Error for a loss or groups of the wrong shape.
  torch::Tensor backward(const torch::Tensor& per_example_loss, const torch::Tensor& groups = torch::Tensor());

  // Which rule each trainable parameter uses, by parameter name, for run reports: "ghost" or
  // "materialized" for linear weights (under kAuto: as chosen by the last backward, "auto"
  // before the first), "ghost (embedding)", "ghost (tied embedding and LM head)",
  // "materialized (bias)", "materialized (norm weight)".
  std::vector<std::pair<std::string, std::string>> rules() const;

 private:
  enum class Kind { kLinearWeight, kEmbedding, kTiedEmbedding, kBias, kNormWeight };
  struct Parameter {
    std::string name;
    torch::Tensor tensor;
    Kind kind;
    std::string last_rule;  // set by backward for kLinearWeight under kAuto
  };

  void check_unchanged_trainable_set();

  model::CausalLM model_;
  ClipOptions options_;
  std::vector<Parameter> parameters_;
  std::unique_ptr<Tape> tape_;
  std::vector<std::shared_ptr<torch::nn::Module>> attached_;  // the layers carrying tape_, kept alive
};

}  // namespace privtune::dp
