// What a finished run leaves behind: the trained weights (a model folder or a PEFT
// adapter) and run.json, the record a report or a reader needs to trust and compare runs.
#include <algorithm>
#include <cmath>

#include "privtune/core/version.h"
#include "privtune/model/checkpoint.h"
#include "privtune/model/device.h"
#include "privtune/peft/adapter_io.h"
#include "privtune/train/device_stats.h"
#include "privtune/train/trainer.h"

namespace privtune::train {

namespace {

// Matmul FLOPs of one token through the model: 2 per weight of every linear layer, the LM
// head included (the embedding lookup is free). Attention's T^2 terms are left out.
double forward_flops_per_token(model::CausalLM& model, int64_t total_parameters) {
  const auto& c = model->config();
  const int64_t embedding = c.vocab_size * c.hidden_size;
  const int64_t matmul_weights = c.tie_embeddings ? total_parameters : total_parameters - embedding;
  return 2.0 * static_cast<double>(matmul_weights);
}

}  // namespace

void Trainer::save_outputs() {
  if (trainable_.lora) {
    peft::save_adapter(model_, *trainable_.lora, options_.out_dir, torch::kFloat);
    return;
  }
  model::SaveOptions save;
  save.dtype = dtype_;
  save.copy_files_from = options_.model_dir;
  model::save_model(model_, options_.out_dir, save);
}

core::Json Trainer::run_report() {
  const double tokens = static_cast<double>(tokens_seen_);
  // Forward 2N per token; backward 2N for the activations' gradients through every layer
  // the gradient must cross, and 2 per trainable weight for the weights' own gradients.
  const double forward = forward_flops_per_token(model_, trainable_.total - (trainable_.lora ? trainable_.count : 0));
  double backward = forward + 2.0 * static_cast<double>(trainable_.count);
  if (method_ == Method::kHead) {
    const double share = static_cast<double>(options_.head_blocks) / static_cast<double>(model_->config().num_layers);
    backward = share * forward + 2.0 * static_cast<double>(trainable_.count);
  }
  const int64_t peak_device = device_peak_bytes(device_);
  core::Json efficiency{{"trainable_parameters", trainable_.count},
                        {"total_parameters", trainable_.total},
                        {"trainable_fraction", static_cast<double>(trainable_.count) / static_cast<double>(trainable_.total)},
                        {"train_time_s", train_seconds_},
                        {"steps", step_},
                        {"time_per_step_s", step_ > 0 ? train_seconds_ / static_cast<double>(step_) : 0.0},
                        {"tokens", tokens_seen_},
                        {"tokens_per_s", train_seconds_ > 0 ? tokens / train_seconds_ : 0.0},
                        {"peak_rss_bytes", peak_rss_bytes()},
                        {"peak_device_memory_bytes", peak_device},
                        {"peak_memory_bytes", device_.is_cuda() ? peak_device : peak_rss_bytes()},
                        {"estimated_flops", tokens * (forward + backward)},
                        {"device", device_.str()},
                        {"dtype", model::dtype_name(dtype_)},
                        {"autocast", autocast_ ? "bf16" : "off"}};
  int64_t train_tokens = 0;
  for (int64_t n : data_.train_lengths) train_tokens += n;

  core::Json report{
      {"privtune", {{"version", kVersion}, {"commit", kGitCommit}}},
      {"status", "complete"},
      {"method", options_.method},
      {"settings", options_.to_json()},
      {"model",
       {{"dir", options_.model_dir},
        {"model_type", model_->config().model_type},
        {"fingerprint", model_fingerprint_},
        {"parameters", trainable_.total - (trainable_.lora ? trainable_.count : 0)}}},
      {"data",
       {{"dir", options_.data_dir},
        {"fingerprint", data_.fingerprint},
        {"train_examples", data_.train.size()},
        {"test_examples", data_.test.size()},
        {"users", data_.users},
        {"train_tokens", train_tokens},
        {"scrubbed_spans", data_.scrubbed_spans},
        {"labels", data_.labels.names()}}},
      {"output", trainable_.lora ? "adapter" : "model"},
      {"training",
       {{"steps", step_},
        {"epochs", sampler_->epochs()},
        {"sampling", data::sampling_name(sampling_kind_)},
        {"final_loss", last_loss_},
        {"trainable", trainable_.names}}},
      {"efficiency", efficiency},
      {"evaluations", evaluations_},
  };
  if (!evaluations_.empty()) report["final_eval"] = evaluations_.back();
  if (trainable_.lora) report["lora"] = {{"r", trainable_.lora->r},
                                         {"alpha", trainable_.lora->alpha},
                                         {"dropout", trainable_.lora->dropout},
                                         {"rslora", trainable_.lora->rslora},
                                         {"targets", trainable_.lora->targets.describe()}};
  if (dp_) {
    const double epsilon = accountant_->epsilon(dp_->delta);
    std::vector<int64_t> marks;
    for (int i = 1; i <= 10; ++i) marks.push_back(std::max<int64_t>(1, step_ * i / 10));
    marks.erase(std::unique(marks.begin(), marks.end()), marks.end());
    const auto curve = step_ > 0 ? dp::epsilon_over_steps(accountant_->kind(), dp_->q, dp_->sigma, marks, dp_->delta)
                                 : std::vector<double>{};
    core::Json over_steps = core::Json::array();
    for (size_t i = 0; i < curve.size(); ++i) over_steps.push_back({{"step", marks[i]}, {"epsilon", curve[i]}});
    report["dp"] = {{"epsilon", std::isfinite(epsilon) ? core::Json(epsilon) : core::Json("inf")},
                    {"delta", dp_->delta},
                    {"accountant", accountant_->name()},
                    {"unit", options_.dp_unit},
                    {"units", dp_->units},
                    {"q", dp_->q},
                    {"sigma", dp_->sigma},
                    {"max_grad_norm", options_.max_grad_norm},
                    {"expected_batch", dp_->expected_batch},
                    {"steps", step_},
                    {"epochs", static_cast<double>(step_) * dp_->q},
                    {"private_sampling", dp_->private_sampling},
                    {"for_release", dp_->private_sampling && options_.seed < 0},
                    {"epsilon_over_steps", over_steps}};
    if (!dp_->private_sampling)
      report["dp"]["note"] = "sampling is not Poisson: the epsilon assumes Poisson sampling and does not hold";
    else if (options_.seed >= 0)
      report["dp"]["note"] = "--seed makes sampling and noise reproducible: not for release";
  }
  return report;
}

}  // namespace privtune::train
