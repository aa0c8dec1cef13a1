#include "privtune/train/aggregation.h"

#include <limits>

namespace privtune::train {

namespace {

class PlainAggregator final : public GradientAggregator {
 public:
  PlainAggregator(std::vector<torch::Tensor> trainable, double max_grad_norm, GradientReduce reduce)
      : trainable_(std::move(trainable)), max_grad_norm_(max_grad_norm), reduce_(std::move(reduce)) {}

  void begin_step(int64_t rows) override { rows_ = static_cast<double>(rows); }

  void backward(const torch::Tensor& per_example_loss, const torch::Tensor&) override {
    (per_example_loss.sum() / rows_).backward();
  }

  torch::Tensor finish_step() override {
    if (reduce_) {
      // Every worker sends every gradient, including ones its examples did not reach.
      std::vector<torch::Tensor> grads;
      for (torch::Tensor& p : trainable_) {
        if (!p.grad().defined()) p.mutable_grad() = torch::zeros_like(p);
        grads.push_back(p.mutable_grad());
      }
      reduce_(grads);
    }
    // torch's clip_grad_norm_ (norm 2, 1e-6 guard), which reads the norm back to the host:
    // fine on a CPU, a stall on a GPU. There, the norm is made with multi-tensor kernels
    // and stays on the device.
    if (trainable_.empty() || !trainable_.front().is_cuda()) {
      const double limit = max_grad_norm_ > 0 ? max_grad_norm_ : std::numeric_limits<double>::infinity();
      return torch::tensor(torch::nn::utils::clip_grad_norm_(trainable_, limit), torch::kDouble);
    }
    torch::NoGradGuard no_grad;
    std::vector<torch::Tensor> grads;
    for (const torch::Tensor& p : trainable_)
      if (p.grad().defined()) grads.push_back(p.grad());
    const auto on_device = torch::TensorOptions().dtype(torch::kDouble).device(trainable_.front().device());
    if (grads.empty()) return torch::zeros({}, on_device);
    const torch::Tensor norm = torch::stack(torch::_foreach_norm(grads)).to(torch::kDouble).norm();
    if (max_grad_norm_ > 0) {
      const torch::Tensor factor = (max_grad_norm_ / (norm + 1e-6)).clamp_max(1.0);
      for (torch::Tensor& grad : grads) grad.mul_(factor);  // a 0-dim factor keeps each grad's dtype
    }
    return norm;
  }

 private:
  std::vector<torch::Tensor> trainable_;
  double max_grad_norm_;
  GradientReduce reduce_;
  double rows_ = 1.0;
};

}  // namespace

std::unique_ptr<GradientAggregator> make_plain_aggregator(const std::vector<torch::Tensor>& trainable,
                                                          double max_grad_norm, GradientReduce reduce) {
  return std::make_unique<PlainAggregator>(trainable, max_grad_norm, std::move(reduce));
}

}  // namespace privtune::train
