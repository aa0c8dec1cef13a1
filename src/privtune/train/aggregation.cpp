#include "privtune/train/aggregation.h"

#include <limits>

namespace privtune::train {

namespace {

class PlainAggregator final : public GradientAggregator {
 public:
  PlainAggregator(std::vector<torch::Tensor> trainable, double max_grad_norm)
      : trainable_(std::move(trainable)), max_grad_norm_(max_grad_norm) {}

  void begin_step(int64_t rows) override { rows_ = static_cast<double>(rows); }

  void backward(const torch::Tensor& per_example_loss, const torch::Tensor&) override {
    (per_example_loss.sum() / rows_).backward();
  }

  double finish_step() override {
    // clip_grad_norm_ with an infinite limit still returns the norm without scaling.
    const double limit = max_grad_norm_ > 0 ? max_grad_norm_ : std::numeric_limits<double>::infinity();
    return torch::nn::utils::clip_grad_norm_(trainable_, limit);
  }

 private:
  std::vector<torch::Tensor> trainable_;
  double max_grad_norm_;
  double rows_ = 1.0;
};

}  // namespace

std::unique_ptr<GradientAggregator> make_plain_aggregator(const std::vector<torch::Tensor>& trainable,
                                                          double max_grad_norm) {
  return std::make_unique<PlainAggregator>(trainable, max_grad_norm);
}

}  // namespace privtune::train
