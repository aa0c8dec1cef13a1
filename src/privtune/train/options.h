// Every setting of a training run (the `privtune train` flags, DESIGN.md section 7), with
// their validation and their run.json form.
#pragma once

#include <cstdint>
#include <string>

#include "privtune/core/json_util.h"

namespace privtune::train {

enum class Method { kFull, kLora, kHead, kScrub, kDp, kDpLora };
Method parse_method(const std::string& name);  // Error for an unknown name
const char* method_name(Method method);
bool is_dp(Method method);
bool uses_lora(Method method);

enum class LossOn { kAll, kNonsensitive };
LossOn parse_loss_on(const std::string& name);
const char* loss_on_name(LossOn loss_on);

// The default DP delta for N privacy units, below 1/N: the largest power of ten <= 1 / (10 N).
double default_delta(int64_t units);

struct TrainOptions {
  // Inputs and outputs.
  std::string model_dir, data_dir, out_dir;
  bool overwrite = false;
  bool resume = false;  // continue the run in out_dir from its last checkpoint
  std::string device = "auto";
  std::string dtype = "float32";   // weights and optimizer state
  std::string autocast = "auto";   // auto (bf16 on CUDA), off, bf16
  std::string method = "full";
  int64_t seed = -1;  // < 0: not given (non-DP runs use 0; DP runs draw sampling from OS entropy)

  // Amount of training.
  double epochs = 1.0;
  int64_t max_steps = 0;  // > 0 overrides epochs
  int64_t batch_size = 8;  // rows per step (the expected batch under Poisson sampling)
  int64_t micro_batch_size = 0;  // rows per forward/backward; 0: batch_size
  int64_t max_length = 512;      // tokens per example, longer ones truncated; 0: no limit
  std::string sampling = "auto";  // auto: poisson for DP methods, shuffle otherwise

  // Optimisation.
  std::string optimizer = "adamw";
  double lr = 1e-4;
  double weight_decay = 0.0;
  double momentum = 0.9;  // SGD
  double beta1 = 0.9, beta2 = 0.999, adam_eps = 1e-8;
  std::string schedule = "linear";
  int64_t warmup_steps = 0;
  double max_grad_norm = 0.0;  // DP: per-example C (required); otherwise whole-batch clipping, 0: off

  // Methods.
  int64_t lora_r = 8;
  double lora_alpha = 16.0;
  double lora_dropout = 0.0;
  std::string lora_targets;  // empty: the family's PEFT defaults
  bool rslora = false;
  int64_t head_blocks = 1;   // head: trainable last blocks
  bool head_lm = true;       // head: train the final norm and LM head too
  std::string loss_on = "all";

  // Differential privacy.
  double noise_multiplier = -1.0;  // sigma; -1: not given
  double target_epsilon = 0.0;     // > 0: calibrate sigma for it
  double delta = 0.0;              // 0: 1 / (10 N) rounded down to a power of ten
  std::string accountant = "rdp";
  std::string dp_unit = "example";
  std::string clip_method = "auto";  // per-example norms: auto|ghost|materialized

  // Training details.
  int64_t eval_every = 0;        // steps; 0: only at the end
  int64_t checkpoint_every = 0;  // steps; 0: no checkpoints
  int64_t log_every = 10;        // steps between progress lines off a terminal
  int64_t eval_batch_size = 16;
  bool eval = true;              // evaluate the test split (periodically and at the end)
  bool progress = true;          // progress bar on a terminal
  double dist_timeout = 300.0;   // seconds a data-parallel worker waits for the others
  std::string dist_backend = "auto";  // collectives of data-parallel runs: auto|gloo|nccl

  // Error naming the flag for any impossible value; called before any work.
  void validate() const;
  core::Json to_json() const;
  static TrainOptions from_json(const core::Json& json);  // for --resume; Error for a bad run file
};

}  // namespace privtune::train
