// The optimizers of `privtune train`: torch's AdamW (decoupled weight decay) and SGD with
// momentum, with weight decay on matrices only (as Hugging Face's Trainer: biases and norm
// weights are not decayed), a settable learning rate, and byte-level state for checkpoints.
// On a GPU, AdamW updates every parameter of a group with a handful of multi-tensor kernels
// (torch's _foreach ops, as PyTorch's own default there) instead of about ten kernels per
// parameter (Pythia-160M has about 150 parameter tensors). The state stays torch's (same
// moments, same step counts, same checkpoint bytes).
#pragma once

#include <torch/torch.h>

#include <memory>
#include <string>
#include <vector>

namespace privtune::train {

struct OptimizerOptions {
  std::string kind = "adamw";  // adamw | sgd
  double lr = 1e-4;
  double weight_decay = 0.0;
  double momentum = 0.9;
  double beta1 = 0.9, beta2 = 0.999, eps = 1e-8;
  // AdamW with multi-tensor kernels: kAuto uses them for parameters on a GPU (on a CPU they
  // loop over the tensors anyway, and would hold every denominator at once).
  enum class MultiTensor { kAuto, kOn, kOff } multi_tensor = MultiTensor::kAuto;
};

class Optimizer {
 public:
  Optimizer(const std::vector<torch::Tensor>& parameters, const OptimizerOptions& options);
  void set_lr(double lr);
  void step();
  void zero_grad();  // drops the gradients (set to undefined)
  std::string save() const;  // the state (moments, step counts) as bytes
  void load(const std::string& bytes);

 private:
  void step_adamw_multi_tensor();

  std::unique_ptr<torch::optim::Optimizer> impl_;
  bool multi_tensor_ = false;
};

}  // namespace privtune::train
