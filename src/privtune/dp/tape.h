// The recorder dp/ attaches to the model's layers (model/recorder.h): during the forward it
// keeps, for each use of a trainable parameter, what multiplied the parameter and the
// layer's output; backward() then runs the one backward pass, capturing the gradients of
// those outputs, and turns each use into its per-example gradient form (parameter_uses.h):
//
//   linear weight:  outer product, rows = output gradient (B, L, out), cols = input (B, L, in)
//   linear bias:    per row, sum over positions of the output gradient (B, out)
//   embedding:      outer product, rows = one-hot token ids (B, L), cols = output gradient (B, L, C)
//   tied LM head:   a linear weight on the embedding matrix (a second use of it)
//   norm weight:    per row, sum over positions of output gradient * normalised input (B, dim)
//   norm bias:      per row, sum over positions of the output gradient (B, dim)
#pragma once

#include <torch/torch.h>

#include <unordered_map>
#include <vector>

#include "privtune/dp/parameter_uses.h"
#include "privtune/model/recorder.h"

namespace privtune::dp {

class Tape : public model::LayerRecorder {
 public:
  // Records uses of these parameters only (the trainable ones); others are ignored.
  explicit Tape(const std::vector<torch::Tensor>& parameters);

  void linear(const torch::Tensor& weight, const torch::Tensor& bias, const torch::Tensor& x,
              const torch::Tensor& y) override;
  void embedding(const torch::Tensor& weight, const torch::Tensor& ids, const torch::Tensor& y) override;
  void scale(const torch::Tensor& weight, const torch::Tensor& bias, const torch::Tensor& normed,
             const torch::Tensor& y) override;

  bool empty() const { return outputs_.empty(); }
  // The rows of every recorded output; std::logic_error if they disagree.
  int64_t batch_size() const;
  // Backpropagates `total_loss` (a scalar) once, capturing every recorded output's gradient,
  // and returns each parameter's uses, in the constructor's order (no uses: not reached).
  // Leaves the tape empty, as does clear().
  std::vector<ParameterUses> backward(const torch::Tensor& total_loss);
  void clear();

 private:
  enum class Form { kWeightTimesInput, kIdsTimesGradient, kGradientSum, kGradientTimesInput };
  struct Use {
    size_t parameter;     // index into parameters_
    size_t output;        // index into outputs_
    Form form;
    torch::Tensor input;  // x (B, L, in) | ids (B, L) | normed (B, L, dim) | undefined; detached
  };

  // A layer computing y = (weight term of `weight_form`, with `input`) + bias.
  void add_weight_and_bias(const torch::Tensor& weight, const torch::Tensor& bias, Form weight_form,
                           const torch::Tensor& input, const torch::Tensor& y);
  size_t add_output(const torch::Tensor& y);
  const size_t* index_of(const torch::Tensor& parameter) const;

  std::vector<torch::Tensor> parameters_;
  std::unordered_map<const void*, size_t> index_;  // parameter's TensorImpl -> index
  std::vector<torch::Tensor> outputs_;             // layer outputs whose gradients backward captures
  std::vector<Use> uses_;
};

}  // namespace privtune::dp
