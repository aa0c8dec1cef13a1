#include "privtune/train/options.h"

#include <cmath>

#include "privtune/core/error.h"

namespace privtune::train {

double default_delta(int64_t units) {
  return std::pow(10.0, std::floor(std::log10(1.0 / (10.0 * static_cast<double>(units)))));
}

namespace {

struct MethodName {
  Method method;
  const char* name;
};
constexpr MethodName kMethods[] = {{Method::kFull, "full"}, {Method::kLora, "lora"},    {Method::kHead, "head"},
                                   {Method::kScrub, "scrub"}, {Method::kDp, "dp"}, {Method::kDpLora, "dp-lora"}};

void require(bool ok, const std::string& message) {
  if (!ok) throw Error(message);
}

bool one_of(const std::string& value, std::initializer_list<const char*> names) {
  for (const char* n : names)
    if (value == n) return true;
  return false;
}

}  // namespace

Method parse_method(const std::string& name) {
  for (const auto& m : kMethods)
    if (name == m.name) return m.method;
  throw Error("--method: unknown method '" + name + "' (full, lora, head, scrub, dp, dp-lora)");
}

const char* method_name(Method method) {
  for (const auto& m : kMethods)
    if (method == m.method) return m.name;
  return "?";
}

bool is_dp(Method method) { return method == Method::kDp || method == Method::kDpLora; }
bool uses_lora(Method method) { return method == Method::kLora || method == Method::kDpLora; }

LossOn parse_loss_on(const std::string& name) {
  if (name == "all") return LossOn::kAll;
  if (name == "nonsensitive") return LossOn::kNonsensitive;
  throw Error("--loss-on: unknown value '" + name + "' (all, nonsensitive)");
}

const char* loss_on_name(LossOn loss_on) { return loss_on == LossOn::kAll ? "all" : "nonsensitive"; }

void TrainOptions::validate() const {
  require(!model_dir.empty(), "--model is required");
  require(!data_dir.empty(), "--data is required");
  require(!out_dir.empty(), "--out is required");
  const Method m = parse_method(method);
  parse_loss_on(loss_on);
  require(std::isfinite(epochs) && epochs > 0, "--epochs must be positive");
  require(max_steps >= 0, "--max-steps must be >= 0");
  require(batch_size >= 1, "--batch-size must be >= 1");
  require(micro_batch_size >= 0, "--micro-batch-size must be >= 1 (or 0 for --batch-size)");
  require(max_length >= 0 && max_length != 1, "--max-length must be >= 2 (or 0 for no limit)");
  require(one_of(sampling, {"auto", "poisson", "shuffle", "sequential"}),
          "--sampling: unknown value '" + sampling + "' (poisson, shuffle, sequential)");
  require(one_of(optimizer, {"adamw", "sgd"}), "--optimizer: unknown value '" + optimizer + "' (adamw, sgd)");
  require(std::isfinite(lr) && lr > 0, "--lr must be positive");
  require(std::isfinite(weight_decay) && weight_decay >= 0, "--weight-decay must be >= 0");
  require(std::isfinite(momentum) && momentum >= 0 && momentum < 1, "--momentum must be in [0, 1)");
  require(beta1 >= 0 && beta1 < 1 && beta2 >= 0 && beta2 < 1, "--beta1 and --beta2 must be in [0, 1)");
  require(adam_eps > 0, "--adam-eps must be positive");
  require(one_of(schedule, {"constant", "linear", "cosine"}),
          "--schedule: unknown value '" + schedule + "' (constant, linear, cosine)");
  require(warmup_steps >= 0, "--warmup-steps must be >= 0");
  require(!std::isnan(max_grad_norm) && max_grad_norm >= 0, "--max-grad-norm must be >= 0");
  require(lora_r >= 1, "--lora-r must be >= 1");
  require(std::isfinite(lora_alpha) && lora_alpha > 0, "--lora-alpha must be positive");
  require(lora_dropout >= 0 && lora_dropout < 1, "--lora-dropout must be in [0, 1)");
  require(head_blocks >= 0, "--head-blocks must be >= 0");
  require(m != Method::kHead || head_blocks > 0 || head_lm, "--method head trains nothing with --head-blocks 0 --no-head-lm");
  require(one_of(autocast, {"auto", "off", "bf16"}), "--autocast: unknown value '" + autocast + "' (auto, off, bf16)");
  require(eval_every >= 0 && checkpoint_every >= 0 && log_every >= 1 && eval_batch_size >= 1,
          "--eval-every, --checkpoint-every must be >= 0 and --log-every, --eval-batch-size >= 1");
  require(dist_timeout > 0 && std::isfinite(dist_timeout), "--dist-timeout must be positive (seconds)");
  require(one_of(dist_backend, {"auto", "gloo", "nccl"}),
          "--dist-backend: unknown value '" + dist_backend + "' (auto, gloo, nccl)");
  require(one_of(accountant, {"rdp", "pld"}), "--accountant: unknown value '" + accountant + "' (rdp, pld)");
  require(one_of(dp_unit, {"example", "user"}), "--dp-unit: unknown value '" + dp_unit + "' (example, user)");
  require(one_of(clip_method, {"auto", "ghost", "materialized"}),
          "--clip-method: unknown value '" + clip_method + "' (auto, ghost, materialized)");
  if (is_dp(m)) {
    require(max_grad_norm > 0, "--max-grad-norm (the per-example clipping norm C) must be > 0 for DP methods");
    require(noise_multiplier == -1.0 || noise_multiplier >= 0, "--noise-multiplier must be >= 0");
    require(noise_multiplier >= 0 || target_epsilon > 0,
            "DP methods need --noise-multiplier S (>= 0) or --target-epsilon E (> 0)");
    require(!(noise_multiplier >= 0 && target_epsilon > 0), "give --noise-multiplier or --target-epsilon, not both");
    require(target_epsilon >= 0 && std::isfinite(target_epsilon), "--target-epsilon must be positive");
    require(std::isfinite(noise_multiplier), "--noise-multiplier must be finite");
    require(delta >= 0 && delta < 1, "--delta must be in (0, 1)");
  } else {
    require(noise_multiplier < 0 && target_epsilon == 0, "--noise-multiplier and --target-epsilon need --method dp or dp-lora");
    require(dp_unit == "example", "--dp-unit needs --method dp or dp-lora");
  }
}

NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE_WITH_DEFAULT(TrainOptions, model_dir, data_dir, out_dir, overwrite, resume, device,
                                                dtype, autocast, method, seed, epochs, max_steps, batch_size,
                                                micro_batch_size, max_length, sampling, optimizer, lr, weight_decay,
                                                momentum, beta1, beta2, adam_eps, schedule, warmup_steps,
                                                max_grad_norm, lora_r, lora_alpha, lora_dropout, lora_targets, rslora,
                                                head_blocks, head_lm, loss_on, noise_multiplier, target_epsilon, delta,
                                                accountant, dp_unit, clip_method, eval_every, checkpoint_every,
                                                log_every, eval_batch_size, eval, progress, dist_timeout,
                                                dist_backend)

core::Json TrainOptions::to_json() const { return *this; }

TrainOptions TrainOptions::from_json(const core::Json& json) {
  try {
    return json.get<TrainOptions>();
  } catch (const core::Json::exception& e) {
    throw Error(std::string("run settings: ") + e.what());
  }
}

}  // namespace privtune::train
