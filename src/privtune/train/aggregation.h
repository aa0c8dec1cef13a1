// How one logical batch's per-example losses become the update direction: the seam between
// the trainer and differential privacy. The trainer runs the micro-batches and hands each
// one's per-example losses to an aggregator; the aggregator owns the backward pass and the
// final gradient in every trainable parameter's .grad.
//   non-private: grad = (1 / rows) sum_i grad L_i, then optional whole-batch norm clipping;
//   DP-SGD (DESIGN.md section 6): grad = (sum_i clip_C(g_i) + N(0, sigma^2 C^2 I)) / expected_batch.
#pragma once

#include <torch/torch.h>

#include <functional>
#include <memory>
#include <vector>

#include "privtune/core/json_util.h"
#include "privtune/model/causal_lm.h"

namespace privtune::train {

class GradientAggregator {
 public:
  virtual ~GradientAggregator() = default;
  // Before the first micro-batch of a step; `rows` is the logical batch's row count.
  virtual void begin_step(int64_t rows) = 0;
  // One micro-batch: (B) per-example losses from a forward run in grad mode, and optional
  // (B) int64 privacy-unit ids (user-level DP) local to this micro-batch.
  virtual void backward(const torch::Tensor& per_example_loss, const torch::Tensor& units) = 0;
  // After the last micro-batch: leaves the update direction in .grad. Returns the gradient
  // norm before clipping (non-private) or the mean per-unit norm (DP), for the log: a 0-dim
  // float64 tensor on the parameters' device, so that a GPU step need not wait for it
  // before the optimizer's kernels are queued.
  virtual torch::Tensor finish_step() = 0;
  // State to checkpoint (noise stream) and restore.
  virtual core::Json state() const { return core::Json::object(); }
  virtual void restore(const core::Json&) {}
};

// Data-parallel training: sums the gradients in place over the workers (every worker calls
// it once per step, with every trainable parameter's gradient, in the same order).
using GradientReduce = std::function<void(std::vector<torch::Tensor>& grads)>;

// Mean of per-example losses over the logical batch; max_grad_norm > 0 clips the whole
// gradient's norm (torch's clip_grad_norm_). With `reduce`, `rows` of begin_step is the
// row count over all workers and the gradients are summed over them before clipping.
std::unique_ptr<GradientAggregator> make_plain_aggregator(const std::vector<torch::Tensor>& trainable,
                                                          double max_grad_norm, GradientReduce reduce = nullptr);

struct DpAggregatorOptions {
  double max_grad_norm = 1.0;  // C
  double noise_multiplier = 0.0;  // sigma
  double expected_batch = 1.0;    // q N: the divisor of the noisy sum
  std::string clip_method = "auto";
  bool seeded = false;  // reproducible noise (not for release)
  uint64_t seed = 0;
  // Data-parallel: each worker clips its own examples, one worker adds the noise
  // (add_noise), and the noisy sum is summed over the workers: noise enters once per step.
  bool add_noise = true;
  GradientReduce reduce;
};

// DP-SGD through dp::PerExampleClipper (book-keeping, one backward) and dp::GaussianNoise.
std::unique_ptr<GradientAggregator> make_dp_aggregator(model::CausalLM& model,
                                                       const std::vector<torch::Tensor>& trainable,
                                                       const DpAggregatorOptions& options);

}  // namespace privtune::train
