// DP-SGD's update direction (DESIGN.md section 6):
//   (sum_i min(1, C / ||g_i||) g_i + N(0, sigma^2 C^2 I)) / expected_batch
// with the clipped sum from dp::PerExampleClipper (one backward per micro-batch) and the
// noise from dp::GaussianNoise (ChaCha20; keyed from OS entropy unless the run is seeded).
#include <cmath>
#include <optional>

#include "privtune/dp/noise.h"
#include "privtune/dp/per_example.h"
#include "privtune/train/aggregation.h"

namespace privtune::train {

namespace {

class DpAggregator final : public GradientAggregator {
 public:
  DpAggregator(model::CausalLM& model, std::vector<torch::Tensor> trainable, const DpAggregatorOptions& options)
      : trainable_(std::move(trainable)),
        options_(options),
        clipper_(model, dp::ClipOptions{options.max_grad_norm, dp::parse_norm_method(options.clip_method)}),
        noise_(options.seeded ? dp::GaussianNoise::seeded(options.seed) : dp::GaussianNoise::secure()) {}

  void begin_step(int64_t) override {
    norm_sum_ = torch::Tensor();
    units_ = 0;
  }

  void backward(const torch::Tensor& per_example_loss, const torch::Tensor& units) override {
    const torch::Tensor norms = clipper_.backward(per_example_loss, units);  // (G) float64, on the device
    norm_sum_ = norm_sum_.defined() ? norm_sum_ + norms.sum() : norms.sum();
    units_ += norms.size(0);
  }

  torch::Tensor finish_step() override {
    const double stddev = options_.noise_multiplier * options_.max_grad_norm;
    torch::NoGradGuard no_grad;
    std::vector<torch::Tensor> grads;
    for (torch::Tensor& p : trainable_) {
      // An empty draw (or a parameter no example reached) still gets its noise.
      if (!p.grad().defined()) p.mutable_grad() = torch::zeros_like(p);
      torch::Tensor grad = p.mutable_grad();
      if (stddev > 0 && options_.add_noise) noise_.add(grad, stddev);
      grads.push_back(grad);
    }
    if (options_.reduce) options_.reduce(grads);  // sum of every worker's clipped sum, noise once
    torch::_foreach_div_(grads, options_.expected_batch);  // one kernel on a GPU
    if (units_ == 0 || !norm_sum_.defined()) {  // on the parameters' device, like a step's mean norm
      const torch::Device device = trainable_.empty() ? torch::Device(torch::kCPU) : trainable_.front().device();
      return torch::zeros({}, torch::TensorOptions().dtype(torch::kDouble).device(device));
    }
    return norm_sum_ / static_cast<double>(units_);
  }

  core::Json state() const override { return {{"noise", noise_.state()}}; }
  void restore(const core::Json& state) override {
    if (state.contains("noise")) noise_.restore(state["noise"]);
  }

 private:
  std::vector<torch::Tensor> trainable_;
  DpAggregatorOptions options_;
  dp::PerExampleClipper clipper_;
  dp::GaussianNoise noise_;
  torch::Tensor norm_sum_;  // 0-dim float64: the sum of this step's per-unit norms
  int64_t units_ = 0;
};

}  // namespace

std::unique_ptr<GradientAggregator> make_dp_aggregator(model::CausalLM& model,
                                                       const std::vector<torch::Tensor>& trainable,
                                                       const DpAggregatorOptions& options) {
  return std::make_unique<DpAggregator>(model, trainable, options);
}

}  // namespace privtune::train
