// The training loop of `privtune train` (DESIGN.md sections 1 and 6): one object owns the
// model, the data, the sampler, the optimizer, the gradient aggregator (plain or DP-SGD)
// and the output folder.
//
//   OUT/train_log.jsonl   one line per step ({"event": "step", ...}) and per evaluation
//   OUT/checkpoint/       every --checkpoint-every steps (checkpoint.h), for --resume
//   OUT/<model or adapter files>, OUT/run.json   at the end; run.json last, so a folder
//                         without run.json is an unfinished run
#pragma once

#include <torch/torch.h>

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "privtune/core/json_util.h"
#include "privtune/core/progress.h"
#include "privtune/data/sampler.h"
#include "privtune/dp/accountant.h"
#include "privtune/model/causal_lm.h"
#include "privtune/train/aggregation.h"
#include "privtune/train/optimizer.h"
#include "privtune/train/options.h"
#include "privtune/train/run_data.h"
#include "privtune/train/schedule.h"
#include "privtune/train/trainable.h"

namespace privtune::dist {
class Communicator;
}

namespace privtune::train {

// DP settings resolved at start-up.
struct DpPlan {
  double q = 0.0;            // sampling rate of the privacy unit
  double sigma = 0.0;        // noise multiplier
  double delta = 0.0;
  double expected_batch = 0.0;  // units per step, q * N
  int64_t units = 0;         // N: examples or users
  bool private_sampling = true;  // false for shuffle/sequential (the run is then not private)
};

class Trainer {
 public:
  // Validates the options, prepares OUT (refusing a non-empty one without --overwrite),
  // reads the data and the model, and with options.resume restores the checkpoint in OUT
  // (the settings, device included, then come from the checkpoint; `options` only names OUT).
  explicit Trainer(TrainOptions options);
  ~Trainer();

  // Trains to the last step and writes the outputs; returns run.json's content.
  core::Json run();
  // For tests: stop (as if killed) after the step with this number has been checkpointed.
  void stop_after_step(int64_t step) { stop_after_ = step; }

  model::CausalLM& model() { return model_; }
  const TrainableSet& trainable() const { return trainable_; }
  int64_t total_steps() const { return total_steps_; }
  const TrainOptions& options() const { return options_; }

 private:
  void check_output() const;
  void prepare_output();
  void plan_steps();
  void restore_checkpoint();
  void write_checkpoint();
  double train_step(const std::vector<int64_t>& batch);
  std::vector<std::vector<int64_t>> split_micro_batches(const std::vector<int64_t>& batch) const;
  void evaluate(int64_t step);
  void log_line(const core::Json& line);
  core::Json run_report();
  void save_outputs();

  TrainOptions options_;
  Method method_ = Method::kFull;
  LossOn loss_on_ = LossOn::kAll;
  torch::Device device_ = torch::kCPU;
  torch::ScalarType dtype_ = torch::kFloat;
  bool autocast_ = false;

  model::CausalLM model_{nullptr};
  std::unique_ptr<tokenizer::Tokenizer> tokenizer_;
  RunData data_;
  TrainableSet trainable_;
  std::unique_ptr<data::Sampler> sampler_;
  std::unique_ptr<Optimizer> optimizer_;
  std::unique_ptr<GradientAggregator> aggregator_;
  std::unique_ptr<dp::Accountant> accountant_;
  std::optional<DpPlan> dp_;
  Schedule schedule_;
  int64_t pad_id_ = 0;
  std::string model_fingerprint_;

  int64_t total_steps_ = 0;
  int64_t step_ = 0;             // steps done
  int64_t tokens_seen_ = 0;      // real tokens trained on
  double train_seconds_ = 0.0;   // time in steps, accumulated over resumes
  double last_loss_ = 0.0;
  core::Json evaluations_ = core::Json::array();
  int64_t stop_after_ = -1;
  uint64_t sampler_seed_ = 0;
  data::SamplingKind sampling_kind_ = data::SamplingKind::kShuffle;
  int64_t step_tokens_ = 0;      // real tokens of the current step
  double last_grad_norm_ = 0.0;
  core::Json resume_state_ = core::Json::object();  // the checkpoint's state.json when resuming
  std::unique_ptr<core::Progress> progress_;

  // Data-parallel training (WORLD_SIZE > 1, docs/distributed.md): this worker's examples
  // (rank, rank + W, rank + 2W, ...) and its link to the others. Only rank 0 writes.
  std::unique_ptr<dist::Communicator> comm_;
  std::vector<int64_t> shard_;
  int64_t step_rows_ = 0;  // rows of the current step over all workers
  bool writes() const;
};

}  // namespace privtune::train
