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

  double finish_step() override {
    if (reduce_) {
      // Every worker sends every gradient, including ones its examples did not reach.
      std::vector<torch::Tensor> grads;
      for (torch::Tensor& p : trainable_) {
        if (!p.grad().defined()) p.mutable_grad() = torch::zeros_like(p);
        grads.push_back(p.mutable_grad());
      }
      reduce_(grads);
    }
    // clip_grad_norm_ with an infinite limit still returns the norm without scaling.
    const double limit = max_grad_norm_ > 0 ? max_grad_norm_ : std::numeric_limits<double>::infinity();
    return torch::nn::utils::clip_grad_norm_(trainable_, limit);
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
