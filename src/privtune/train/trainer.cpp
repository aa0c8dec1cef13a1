#include "privtune/train/trainer.h"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <map>
#include <random>
#include <sstream>

#include "privtune/core/error.h"
#include "privtune/core/file_io.h"
#include "privtune/data/batching.h"
#include "privtune/data/rng.h"
#include "privtune/dist/communicator.h"
#include "privtune/dp/calibrate.h"
#include "privtune/eval/token_losses.h"
#include "privtune/model/checkpoint.h"
#include "privtune/model/device.h"
#include "privtune/train/batch_loss.h"
#include "privtune/train/checkpoint.h"
#include "privtune/train/device_stats.h"
#include "privtune/train/step.h"

namespace privtune::train {

namespace fs = std::filesystem;

namespace {

constexpr const char* kLogFile = "train_log.jsonl";

double seconds_since(std::chrono::steady_clock::time_point start) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
}

// The model files a run reads, in a fixed order, for the fingerprint.
std::vector<std::string> model_files(const std::string& dir) {
  std::vector<std::string> files{core::join_path(dir, "config.json")};
  std::vector<std::string> weights;
  for (const auto& entry : fs::directory_iterator(dir))
    if (entry.path().extension() == ".safetensors") weights.push_back(entry.path().string());
  std::sort(weights.begin(), weights.end());
  files.insert(files.end(), weights.begin(), weights.end());
  return files;
}

// Keeps the log lines of steps <= `step`: a resumed run rewrites what came after its
// checkpoint.
void truncate_log(const std::string& path, int64_t step) {
  if (!core::path_exists(path)) return;
  std::istringstream in(core::read_text_file(path));
  std::string kept, line;
  while (std::getline(in, line)) {
    core::Json j = core::Json::parse(line, nullptr, false);
    if (j.is_discarded() || !j.contains("step") || j["step"].get<int64_t>() > step) break;
    kept += line + "\n";
  }
  core::write_file_atomic(path, kept);
}

}  // namespace

Trainer::Trainer(TrainOptions options) : options_(std::move(options)) {
  if (options_.resume) {
    // The run's own settings, device included, so that the resumed run is the run that
    // was started; only the progress display may differ.
    const TrainOptions given = options_;
    resume_state_ = read_checkpoint_state(given.out_dir);
    options_ = TrainOptions::from_json(
        core::json_require<core::Json>(resume_state_, "settings", core::join_path(given.out_dir, kCheckpointDir)));
    options_.resume = true;
    options_.out_dir = given.out_dir;
    options_.progress = given.progress;
  }
  options_.validate();
  method_ = parse_method(options_.method);
  loss_on_ = parse_loss_on(options_.loss_on);
  device_ = model::parse_device(options_.device);
  dtype_ = model::parse_dtype(options_.dtype, device_);
  autocast_ = options_.autocast == "bf16" || (options_.autocast == "auto" && device_.is_cuda());
  const std::optional<dist::World> world = dist::world_from_environment();
  // One GPU per worker of a machine, as torchrun does: cuda:LOCAL_RANK (round-robin when
  // there are fewer GPUs than workers, which only Gloo can share). cuda:N stays as given.
  if (world && device_.is_cuda() && options_.device.find(':') == std::string::npos)
    device_ = torch::Device(torch::kCUDA, static_cast<c10::DeviceIndex>(world->local_rank % torch::cuda::device_count()));
  use_device(device_);
  // Joined before anything can fail on one worker only, so that a failure reaches the
  // others as a closed connection instead of a wait for a worker that never comes.
  if (world) {
    comm_ = dist::Communicator::connect(*world, options_.dist_timeout, dist::parse_backend(options_.dist_backend),
                                        device_);
    if (comm_->rank() != 0) options_.progress = false;  // one progress display
    if (options_.dp_unit == "user")
      throw Error("--dp-unit user is not supported in data-parallel runs yet (WORLD_SIZE > 1): a user's examples "
                  "must be clipped together on one worker");
  }
  if (!options_.resume && writes()) check_output();

  tokenizer_ = std::make_unique<tokenizer::Tokenizer>(tokenizer::Tokenizer::from_folder(options_.model_dir));
  RunDataOptions data_options;
  data_options.scrub = method_ == Method::kScrub;
  data_options.require_users = options_.dp_unit == "user";
  data_ = read_run_data(options_.data_dir, *tokenizer_, data_options);
  if (options_.eval && options_.eval_every > 0 && data_.test.empty())
    throw Error(core::join_path(options_.data_dir, "test.jsonl") +
                ": no test examples, but --eval-every asks for evaluation (pass --no-eval to train without)");
  pad_id_ = tokenizer_->pad_id().value_or(tokenizer_->eos_id().value_or(0));

  model_ = model::load_model(options_.model_dir, {device_, dtype_});
  model_fingerprint_ = fingerprint_files(model_files(options_.model_dir));
  trainable_ = prepare_trainable(model_, options_);
  plan_steps();
  // Only now, with every input read and every setting checked, does OUT change.
  if (!options_.resume && writes()) prepare_output();
  OptimizerOptions opt;
  opt.kind = options_.optimizer;
  opt.lr = options_.lr;
  opt.weight_decay = options_.weight_decay;
  opt.momentum = options_.momentum;
  opt.beta1 = options_.beta1, opt.beta2 = options_.beta2, opt.eps = options_.adam_eps;
  optimizer_ = std::make_unique<Optimizer>(trainable_.tensors, opt);
  if (options_.resume) restore_checkpoint();
  if (comm_) {
    // Every worker starts from rank 0's weights (LoRA's random A, a resumed checkpoint).
    std::vector<torch::Tensor> weights = trainable_.tensors;
    comm_->broadcast(weights, 0);
  }
}

Trainer::~Trainer() = default;

bool Trainer::writes() const { return !comm_ || comm_->rank() == 0; }

void Trainer::check_output() const {
  const std::string& out = options_.out_dir;
  if (core::path_exists(out) && !core::is_directory(out)) throw Error(out + ": exists and is not a folder");
  if (core::is_directory(out) && !fs::is_empty(out) && !options_.overwrite)
    throw Error(out + ": not empty (pass --overwrite to write into it, --resume to continue it)");
}

void Trainer::prepare_output() {
  const std::string& out = options_.out_dir;
  if (core::is_directory(out) && !fs::is_empty(out)) {
    // The folder no longer describes a finished run until this one finishes.
    core::remove_tree(core::join_path(out, kRunFile));
    core::remove_tree(core::join_path(out, kCheckpointDir));
  }
  core::make_directories(out);
  core::write_file_atomic(core::join_path(out, kLogFile), "");
}

void Trainer::plan_steps() {
  const bool private_method = is_dp(method_);
  const bool user_level = options_.dp_unit == "user";
  const int64_t examples = static_cast<int64_t>(data_.train.size());
  const int64_t units = user_level ? data_.users : examples;

  // A data-parallel worker samples from its own shard: rank, rank + W, rank + 2W, ...
  const int64_t world = comm_ ? comm_->world_size() : 1;
  const int64_t rank = comm_ ? comm_->rank() : 0;
  shard_.clear();
  for (int64_t i = rank; i < examples; i += world) shard_.push_back(i);

  data::SamplerOptions so;
  const std::string sampling = options_.sampling == "auto" ? (private_method ? "poisson" : "shuffle") : options_.sampling;
  so.kind = data::parse_sampling(sampling);
  so.n = static_cast<int64_t>(shard_.size());
  so.batch_size = options_.batch_size / world;
  if (so.kind != data::SamplingKind::kPoisson && options_.batch_size % world != 0)
    throw Error("--batch-size " + std::to_string(options_.batch_size) + " is not a multiple of WORLD_SIZE " +
                std::to_string(world) + " (each worker takes an equal share of a step's rows)");
  if (resume_state_.contains("sampler_seed")) {
    so.seed = resume_state_["sampler_seed"].get<uint64_t>();
  } else if (options_.seed >= 0) {
    so.seed = static_cast<uint64_t>(options_.seed);
  } else if (private_method) {
    // Which examples a DP step samples must be as unpredictable as the noise.
    std::random_device entropy;
    so.seed = (static_cast<uint64_t>(entropy()) << 32) ^ entropy();
  }
  if (so.kind == data::SamplingKind::kPoisson) {
    // Every worker keeps each of its examples with the same global q: together, one
    // Poisson draw over the whole dataset, which is what the accountant assumes.
    so.q = std::min(1.0, static_cast<double>(options_.batch_size) / static_cast<double>(units));
    if (user_level) so.groups = data_.train_users;
  }
  sampler_seed_ = so.seed;  // what a checkpoint keeps; each worker draws from its own stream
  if (rank > 0) so.seed ^= data::fnv1a64("rank " + std::to_string(rank));
  sampler_ = data::make_sampler(so);
  sampling_kind_ = so.kind;

  const double steps_per_epoch = so.kind == data::SamplingKind::kPoisson
                                     ? 1.0 / so.q
                                     : std::ceil(static_cast<double>(examples) / static_cast<double>(options_.batch_size));
  total_steps_ = options_.max_steps > 0 ? options_.max_steps
                                        : std::max<int64_t>(1, static_cast<int64_t>(std::ceil(options_.epochs * steps_per_epoch - 1e-9)));
  schedule_ = Schedule{options_.schedule, options_.lr, options_.warmup_steps, total_steps_};

  GradientReduce reduce;
  if (comm_) reduce = [this](std::vector<torch::Tensor>& grads) { comm_->all_reduce_sum(grads); };
  if (!private_method) {
    aggregator_ = make_plain_aggregator(trainable_.tensors, options_.max_grad_norm, reduce);
    return;
  }
  DpPlan plan;
  plan.units = units;
  plan.private_sampling = so.kind == data::SamplingKind::kPoisson;
  plan.q = plan.private_sampling ? so.q : std::min(1.0, static_cast<double>(options_.batch_size) / static_cast<double>(units));
  plan.expected_batch = plan.q * static_cast<double>(units);
  plan.delta = options_.delta > 0 ? options_.delta : default_delta(units);
  if (plan.delta >= 1.0 / static_cast<double>(units))
    std::fprintf(stderr, "privtune: warning: --delta %g is not below 1/N = 1/%lld: the guarantee is weak\n", plan.delta,
                 static_cast<long long>(units));
  const dp::AccountantKind kind = dp::parse_accountant_kind(options_.accountant);
  if (options_.noise_multiplier >= 0) {
    plan.sigma = options_.noise_multiplier;
  } else {
    plan.sigma = dp::calibrate_sigma(kind, plan.q, total_steps_, plan.delta, options_.target_epsilon).sigma;
  }
  accountant_ = dp::make_accountant(kind);
  DpAggregatorOptions agg;
  agg.max_grad_norm = options_.max_grad_norm;
  agg.noise_multiplier = plan.sigma;
  agg.expected_batch = plan.expected_batch;
  agg.clip_method = options_.clip_method;
  agg.seeded = options_.seed >= 0;
  agg.seed = static_cast<uint64_t>(std::max<int64_t>(0, options_.seed));
  agg.add_noise = rank == 0;  // noise once per step, not once per worker
  agg.reduce = reduce;
  aggregator_ = make_dp_aggregator(model_, trainable_.tensors, agg);
  dp_ = plan;
}

std::vector<std::vector<int64_t>> Trainer::split_micro_batches(const std::vector<int64_t>& batch) const {
  const int64_t size = options_.micro_batch_size > 0 ? options_.micro_batch_size : options_.batch_size;
  if (options_.dp_unit != "user") return data::micro_batches(batch, size, &data_.train_lengths);
  // User-level DP clips a user's summed gradient, so a user's examples share a
  // micro-batch; a user with more examples than `size` gets one of its own.
  std::map<int64_t, std::vector<int64_t>> by_user;
  for (int64_t i : batch) by_user[data_.train_users[static_cast<size_t>(i)]].push_back(i);
  std::vector<std::vector<int64_t>> out;
  for (auto& [user, rows] : by_user) {
    if (out.empty() || static_cast<int64_t>(out.back().size() + rows.size()) > size) out.emplace_back();
    out.back().insert(out.back().end(), rows.begin(), rows.end());
  }
  return out;
}

double Trainer::train_step(const std::vector<int64_t>& batch) {
  // Dropout (LoRA) draws from torch's generator: seeding it per step makes a resumed run
  // draw what the uninterrupted one drew.
  torch::manual_seed(data::fnv1a64("step") ^ (sampler_seed_ * 0x9e3779b97f4a7c15ULL) ^ static_cast<uint64_t>(step_));
  optimizer_->set_lr(schedule_.lr_at(step_));
  const data::BatchOptions batch_options{options_.max_length, pad_id_};
  step_rows_ = static_cast<int64_t>(batch.size());
  if (comm_) step_rows_ = std::llround(comm_->sum({static_cast<double>(batch.size())})[0]);
  aggregator_->begin_step(step_rows_);
  torch::Tensor step_loss = torch::zeros({}, torch::TensorOptions().dtype(torch::kDouble).device(device_));
  for (const auto& rows : split_micro_batches(batch)) {
    DeviceBatch db = to_device(data::collate(data_.train, rows, batch_options), loss_on_, device_, dtype_);
    step_tokens_ += db.tokens;
    torch::Tensor units;
    if (options_.dp_unit == "user") {
      std::map<int64_t, int64_t> local;
      std::vector<int64_t> ids;
      for (int64_t i : rows)
        ids.push_back(local.emplace(data_.train_users[static_cast<size_t>(i)], local.size()).first->second);
      units = torch::tensor(ids, torch::kLong).to(device_);
    }
    step_loss += accumulate_micro_batch(model_, *aggregator_, db, units, autocast_);
  }
  // A Poisson draw can be empty: DP-SGD still takes its (pure noise) step, which the
  // accountant counts; a non-private run has nothing to learn from.
  torch::Tensor grad_norm;
  if (step_rows_ > 0 || dp_) {
    grad_norm = aggregator_->finish_step();
    optimizer_->step();
  }
  optimizer_->zero_grad();
  // Read only now: on a GPU the whole step is queued before the host waits for it.
  double loss_sum = step_loss.item<double>();
  if (grad_norm.defined()) last_grad_norm_ = grad_norm.item<double>();
  if (dp_) accountant_->step(dp_->q, dp_->sigma);
  ++step_;
  if (comm_) {  // the step's loss and tokens over all workers, for the log
    const std::vector<double> totals = comm_->sum({loss_sum, static_cast<double>(step_tokens_)});
    loss_sum = totals[0];
    step_tokens_ = std::llround(totals[1]);
  }
  return step_rows_ == 0 ? std::nan("") : loss_sum / static_cast<double>(step_rows_);
}

void Trainer::log_line(const core::Json& line) {
  if (!writes()) return;
  std::ofstream log(core::join_path(options_.out_dir, kLogFile), std::ios::app);
  log << line.dump() << "\n";
  if (!log) throw Error(core::join_path(options_.out_dir, kLogFile) + ": cannot append to the log");
}

void Trainer::evaluate(int64_t step) {
  if (!writes()) return;  // the others go on to the next step and wait for rank 0 there
  eval::EvalOptions eo;
  eo.batch_size = options_.eval_batch_size;
  eo.max_length = options_.max_length;
  eo.pad_id = pad_id_;
  const eval::ClassLosses test = eval::evaluate_class_losses(model_, data_.test, data_.labels, eo);
  core::Json record{{"event", "eval"}, {"step", step}, {"test", test.to_json()}};
  log_line(record);
  evaluations_.push_back(record);
  if (progress_) {
    char text[160];
    std::snprintf(text, sizeof text, "eval step %lld: test loss nonsensitive %.4f, sensitive %.4f",
                  static_cast<long long>(step), test.nonsensitive.mean(), test.sensitive.mean());
    progress_->message(text);
  }
}

core::Json Trainer::run() {
  model_->train();
  progress_ = std::make_unique<core::Progress>("train", total_steps_, options_.log_every, options_.progress);
  const bool can_eval = options_.eval && !data_.test.empty();
  if (step_ == 0 && can_eval && options_.eval_every > 0) evaluate(0);
  while (step_ < total_steps_) {
    std::vector<int64_t> batch = sampler_->next();
    for (int64_t& i : batch) i = shard_[static_cast<size_t>(i)];  // shard position -> example
    step_tokens_ = 0;
    const auto start = std::chrono::steady_clock::now();
    const double loss = train_step(batch);
    if (device_.is_cuda()) torch::cuda::synchronize();
    const double step_s = seconds_since(start);
    train_seconds_ += step_s;
    tokens_seen_ += step_tokens_;
    if (!std::isnan(loss)) last_loss_ = loss;

    core::Json line{{"event", "step"},
                    {"step", step_},
                    {"epoch", sampler_->epochs()},
                    {"loss", std::isnan(loss) ? core::Json(nullptr) : core::Json(loss)},
                    {"lr", schedule_.lr_at(step_ - 1)},
                    {"rows", step_rows_},
                    {"tokens", step_tokens_},
                    {"grad_norm", last_grad_norm_},
                    {"step_s", step_s},
                    {"tokens_per_s", step_s > 0 ? static_cast<double>(step_tokens_) / step_s : 0.0},
                    {"elapsed_s", train_seconds_},
                    {"peak_memory_bytes", device_.is_cuda() ? device_peak_bytes(device_) : peak_rss_bytes()}};
    const bool log_point = step_ % options_.log_every == 0 || step_ == total_steps_;
    if (dp_ && log_point) line["epsilon"] = accountant_->epsilon(dp_->delta);
    log_line(line);
    char status[96];
    std::snprintf(status, sizeof status, "loss %.4f %.0f tok/s", last_loss_,
                  train_seconds_ > 0 ? static_cast<double>(tokens_seen_) / train_seconds_ : 0.0);
    progress_->update(step_, status);

    if (can_eval && options_.eval_every > 0 && step_ % options_.eval_every == 0) evaluate(step_);
    const bool checkpoint_due = options_.checkpoint_every > 0 && step_ % options_.checkpoint_every == 0;
    // Stopping early leaves a checkpoint of this very step to --resume from.
    if ((checkpoint_due || step_ == stop_after_) && step_ < total_steps_) write_checkpoint();
    if (step_ == stop_after_) {
      progress_->finish();
      return core::Json{{"stopped_at_step", step_}};
    }
  }
  progress_->finish();
  if (can_eval && (options_.eval_every == 0 || step_ % options_.eval_every != 0)) evaluate(step_);
  core::Json report = run_report();
  if (comm_) report["distributed"] = {{"world_size", comm_->world_size()}, {"rank", comm_->rank()}, {"backend", dist::backend_name(comm_->backend())}};
  if (!writes()) return report;
  save_outputs();
  core::write_file_atomic(core::join_path(options_.out_dir, kRunFile), report.dump(2) + "\n");
  core::remove_tree(core::join_path(options_.out_dir, kCheckpointDir));
  return report;
}

void Trainer::write_checkpoint() {
  // Every worker's sampler position, so that each can resume its own stream.
  const std::string sampler_state = sampler_->state().dump();
  const std::vector<std::string> samplers =
      comm_ ? comm_->all_gather_text("sampler/" + std::to_string(step_), sampler_state) : std::vector<std::string>{};
  if (!writes()) return;
  CheckpointData data;
  for (size_t i = 0; i < trainable_.names.size(); ++i)
    data.parameters.emplace_back(trainable_.names[i], trainable_.tensors[i].detach());
  data.optimizer = optimizer_->save();
  data.state = {{"settings", options_.to_json()},
                {"step", step_},
                {"tokens_seen", tokens_seen_},
                {"train_seconds", train_seconds_},
                {"last_loss", last_loss_},
                {"sampler", sampler_->state()},
                {"world_size", comm_ ? comm_->world_size() : 1},
                {"sampler_seed", sampler_seed_},
                {"aggregator", aggregator_->state()},
                {"evaluations", evaluations_}};
  if (accountant_) data.state["accountant"] = accountant_->to_json();
  if (comm_) {
    data.state["samplers"] = core::Json::array();
    for (const std::string& state : samplers) data.state["samplers"].push_back(core::Json::parse(state));
  }
  save_checkpoint(options_.out_dir, data, dtype_);
}

void Trainer::restore_checkpoint() {
  CheckpointData data = load_checkpoint(options_.out_dir, trainable_.names);
  const std::string where = core::join_path(options_.out_dir, kCheckpointDir);
  {
    torch::NoGradGuard no_grad;
    for (size_t i = 0; i < trainable_.tensors.size(); ++i) {
      const torch::Tensor& stored = data.parameters[i].second;
      if (stored.sizes() != trainable_.tensors[i].sizes())
        throw Error(where + ": tensor '" + trainable_.names[i] + "' has the wrong shape");
      trainable_.tensors[i].copy_(stored);
    }
  }
  optimizer_->load(data.optimizer);
  const core::Json& s = data.state;
  step_ = core::json_require<int64_t>(s, "step", where);
  tokens_seen_ = core::json_require<int64_t>(s, "tokens_seen", where);
  train_seconds_ = core::json_require<double>(s, "train_seconds", where);
  last_loss_ = core::json_value<double>(s, "last_loss", 0.0, where);
  evaluations_ = core::json_require<core::Json>(s, "evaluations", where);
  const int64_t world = comm_ ? comm_->world_size() : 1;
  if (core::json_value<int64_t>(s, "world_size", 1, where) != world)
    throw Error(where + ": written by a run of " + std::to_string(core::json_value<int64_t>(s, "world_size", 1, where)) +
                " worker(s); resume it with as many (WORLD_SIZE is " + std::to_string(world) + ")");
  if (comm_) {
    const core::Json samplers = core::json_require<core::Json>(s, "samplers", where);
    sampler_->restore(samplers.at(static_cast<size_t>(comm_->rank())));
  } else {
    sampler_->restore(core::json_require<core::Json>(s, "sampler", where));
  }
  aggregator_->restore(core::json_value<core::Json>(s, "aggregator", core::Json::object(), where));
  if (accountant_) accountant_ = dp::Accountant::from_json(core::json_require<core::Json>(s, "accountant", where), where);
  if (writes()) truncate_log(core::join_path(options_.out_dir, kLogFile), step_);
}

}  // namespace privtune::train
