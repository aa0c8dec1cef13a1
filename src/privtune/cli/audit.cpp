// privtune audit --model DIR --data DIR --method M [train flags] --canaries M --out DIR:
// an empirical lower bound on epsilon for one training run of any method (the one-run audit
// of Steinke, Nasr and Jagielski 2023; eval/audit_bound.h). Layout of --out (docs/audit.md):
//
//   OUT/data/          the training set of the run: the dataset's train records followed by
//                      the canaries whose coin came up "in" (test.jsonl copied)
//   OUT/model/         the trained model or adapter, exactly as `privtune train --out`
//   OUT/audit_plan.json while the audit runs: the training settings, the audit settings and
//                      every canary with its coin, which `--resume OUT` continues from
//   OUT/canaries.jsonl every canary: its record, coin, losses and score
//   OUT/audit.json     the result, written last: a folder without it is an unfinished audit
#include <CLI/CLI.hpp>
#include <cstdio>
#include <filesystem>
#include <random>
#include <set>
#include <sstream>

#include "privtune/cli/commands.h"
#include "privtune/cli/common.h"
#include "privtune/cli/config_file.h"
#include "privtune/cli/model_input.h"
#include "privtune/cli/train_flags.h"
#include "privtune/core/error.h"
#include "privtune/core/file_io.h"
#include "privtune/data/audit_canaries.h"
#include "privtune/data/dataset.h"
#include "privtune/data/encode.h"
#include "privtune/data/record_json.h"
#include "privtune/eval/audit_report.h"
#include "privtune/eval/token_losses.h"
#include "privtune/train/checkpoint.h"
#include "privtune/train/trainer.h"

namespace privtune::cli {

namespace {

struct AuditFlags {
  TrainFlags train;
  int64_t canaries = 0;
  std::string kind = "random";
  int64_t canary_length = 0;
  std::vector<int64_t> guesses;
  double audit_delta = 0.0;
  double confidence = 0.95;
  int64_t audit_seed = -1;
};

// The vocabulary random canaries draw from: every ordinary token the model can embed.
std::vector<int64_t> ordinary_tokens(const tokenizer::Tokenizer& tok) {
  std::vector<int64_t> ids;
  for (int32_t id = 0; id < tok.vocab_size(); ++id)
    if (!tok.is_special(id)) ids.push_back(id);
  return ids;
}

// The delta the audit tests: --audit-delta, else the DP run's own (--delta or the
// trainer's default for its N units), else that default for the examples.
double audit_delta(const AuditFlags& f, const CLI::App& cmd, const std::vector<data::Example>& train_set) {
  if (cmd.count("--audit-delta") > 0) return f.audit_delta;
  const train::TrainOptions& o = f.train.o;
  const bool dp = train::is_dp(train::parse_method(o.method));
  if (dp && o.delta > 0) return o.delta;
  if (dp && o.dp_unit == "user") {
    std::set<std::string> users;
    for (size_t i = 0; i < train_set.size(); ++i)
      users.insert(train_set[i].user.empty() ? "\x01#" + std::to_string(i) : train_set[i].user);
    return train::default_delta(static_cast<int64_t>(users.size()));
  }
  return train::default_delta(static_cast<int64_t>(train_set.size()));
}

// Mean loss of each canary over its scored targets (all of a random canary's tokens, the
// AUDIT_CANARY digits of a secret one: not its host's own spans), and how many there are.
// Error if --max-length leaves a canary without one.
struct CanaryLosses {
  std::vector<double> mean;
  std::vector<int64_t> tokens;
};
CanaryLosses canary_losses(model::CausalLM& model, const std::vector<data::TokenizedExample>& encoded,
                           const data::LabelVocab& labels, const eval::EvalOptions& options) {
  const int32_t audit_label = labels.find(data::kAuditCanaryLabel);  // -1 for random canaries
  auto scored = [&](const data::TokenizedExample& e, size_t t) {
    return e.sensitive[t] && !e.special[t] && (audit_label < 0 || e.labels[t] == audit_label);
  };
  const std::vector<std::vector<float>> losses = eval::score_examples(model, encoded, options);
  CanaryLosses out;
  for (size_t i = 0; i < encoded.size(); ++i) {
    double sum = 0;
    int64_t tokens = 0;
    for (size_t j = 0; j < losses[i].size(); ++j)
      if (scored(encoded[i], j + 1)) sum += losses[i][j], ++tokens;
    if (tokens == 0)
      throw Error("canary " + encoded[i].id + " has no sensitive target left within --max-length " +
                  std::to_string(options.max_length) + " (raise it or shorten --canary-length)");
    out.mean.push_back(sum / static_cast<double>(tokens));
    out.tokens.push_back(tokens);
  }
  return out;
}

std::string canaries_jsonl(const std::vector<data::AuditCanary>& canaries,
                           const std::vector<eval::CanaryOutcome>& outcomes) {
  std::string out;
  for (size_t i = 0; i < canaries.size(); ++i) {
    nlohmann::ordered_json j;
    j["id"] = outcomes[i].id;
    j["included"] = canaries[i].included;
    j["scored_tokens"] = outcomes[i].tokens;
    j["base_loss"] = outcomes[i].base_loss;
    j["model_loss"] = outcomes[i].model_loss;
    j["score"] = outcomes[i].score();
    j["record"] = nlohmann::ordered_json::parse(data::record_to_json(canaries[i].record));
    out += data::dump_json_line(j) + "\n";
  }
  return out;
}

void check_flags(const AuditFlags& f, const CLI::App& cmd) {
  if (const char* world = std::getenv("WORLD_SIZE"); world && std::string(world) != "1")
    throw Error("audit runs in one process (WORLD_SIZE is " + std::string(world) + ")");
  if (f.train.stop_after < 0) throw Error("--stop-after must be >= 1");
  if (!f.train.resume.empty()) return;
  const train::TrainOptions& o = f.train.o;
  if (o.model_dir.empty()) throw Error("--model is required");
  if (o.data_dir.empty()) throw Error("--data is required");
  if (o.out_dir.empty()) throw Error("--out is required");
  if (cmd.count("--canaries") == 0) throw Error("--canaries is required");
  if (f.audit_seed < -1) throw Error("--audit-seed must be >= 0");
  if (core::is_directory(o.out_dir) && !std::filesystem::is_empty(o.out_dir) && !o.overwrite)
    throw Error(o.out_dir + ": not empty (pass --overwrite to replace the audit in it)");
}

// What an unfinished audit needs to go on (OUT/audit_plan.json): the audited training run's
// settings (its data OUT/data, its output OUT/model), the audit's settings, every canary with
// its coin, and the inputs as given.
constexpr const char* kPlanFile = "audit_plan.json";

struct AuditPlan {
  train::TrainOptions train;
  eval::AuditSettings settings;
  std::vector<data::AuditCanary> canaries;
  core::Json inputs;
};

core::Json plan_json(const AuditPlan& plan) {
  const eval::AuditSettings& s = plan.settings;
  core::Json canaries = core::Json::array();
  for (const data::AuditCanary& c : plan.canaries)
    canaries.push_back({{"included", c.included}, {"record", data::record_to_json(c.record)}});
  return {{"train", plan.train.to_json()},
          {"settings",
           {{"canaries", s.canaries}, {"kind", s.kind}, {"canary_length", s.canary_length}, {"ks", s.ks},
            {"delta", s.delta}, {"confidence", s.confidence}, {"seed", s.seed}}},
          {"canaries", canaries},
          {"inputs", plan.inputs}};
}

AuditPlan read_plan(const std::string& out) {
  const std::string path = core::join_path(out, kPlanFile);
  if (!core::path_exists(path))
    throw Error(path + ": missing, so " + out + " is not an unfinished audit (nothing to resume)");
  const core::Json j = core::read_json_file(path);
  AuditPlan plan;
  try {
    plan.train = train::TrainOptions::from_json(j.at("train"));
    const core::Json& s = j.at("settings");
    plan.settings = {s.at("canaries").get<int64_t>(),  s.at("kind").get<std::string>(),
                     s.at("canary_length").get<int64_t>(), s.at("ks").get<std::vector<int64_t>>(),
                     s.at("delta").get<double>(),      s.at("confidence").get<double>(),
                     s.at("seed").get<uint64_t>()};
    for (const core::Json& c : j.at("canaries"))
      plan.canaries.push_back({data::parse_record(c.at("record").get<std::string>()), c.at("included").get<bool>()});
    plan.inputs = {{"model", j.at("inputs").at("model").get<std::string>()},
                   {"data", j.at("inputs").at("data").get<std::string>()}};
  } catch (const Error& e) {
    throw Error(path + ": " + e.what());
  } catch (const std::exception& e) {
    throw Error(path + ": malformed (" + std::string(e.what()) + ")");
  }
  if (static_cast<int64_t>(plan.canaries.size()) != plan.settings.canaries)
    throw Error(path + ": lists " + std::to_string(plan.canaries.size()) + " canaries, its settings " +
                std::to_string(plan.settings.canaries));
  return plan;
}

// The model the audited run trained, read back from a finished run's OUT/model (an adapter
// folder for LoRA methods, else a model folder).
model::CausalLM load_trained(const train::TrainOptions& o) {
  if (core::path_exists(core::join_path(o.out_dir, "adapter_config.json")))
    return load_flagged_model({o.model_dir, o.out_dir, o.device, o.dtype});
  return load_flagged_model({o.out_dir, "", o.device, o.dtype});
}

struct RunOutput {
  bool quiet = false, json = false;
  int64_t stop_after = 0;
};

// Scores the canaries under the base, trains (or continues training), scores them under the
// trained model, writes canaries.jsonl and audit.json, and removes the plan. `resume`: the
// run in OUT/model continues from its checkpoint, restarts when it has none, or is read
// back when it had finished.
void run_audit(const AuditPlan& plan, const std::string& out, const RunOutput& how, bool resume) {
  const train::TrainOptions& planned = plan.train;
  const tokenizer::Tokenizer tok = tokenizer::Tokenizer::from_folder(planned.model_dir);
  data::LabelVocab labels;
  std::vector<data::TokenizedExample> encoded;
  for (const data::AuditCanary& c : plan.canaries) encoded.push_back(data::encode_example(tok, c.record, true, labels));
  eval::EvalOptions scoring{planned.eval_batch_size, planned.max_length, tok.pad_id().value_or(tok.eos_id().value_or(0))};

  CanaryLosses before;
  {
    if (!how.quiet)
      std::fprintf(stderr, "audit: scoring %lld canaries under the base model\n", (long long)plan.settings.canaries);
    model::CausalLM base = load_flagged_model({planned.model_dir, "", planned.device, planned.dtype});
    before = canary_losses(base, encoded, labels, scoring);
  }

  core::Json run;
  CanaryLosses after;
  if (resume && train::settle_finished_run(planned.out_dir)) {
    run = core::read_json_file(core::join_path(planned.out_dir, "run.json"));
    model::CausalLM trained = load_trained(planned);
    after = canary_losses(trained, encoded, labels, scoring);
  } else {
    train::TrainOptions o = planned;
    o.progress = !how.quiet;
    o.resume = resume && train::has_checkpoint(o.out_dir);
    o.overwrite = true;  // the audit folder is this audit's own (checked when it started)
    if (resume && !how.quiet)
      std::fprintf(stderr, o.resume ? "audit: continuing the training run from its checkpoint\n"
                                    : "audit: the training run left no checkpoint; training again from step 0 "
                                      "(same canaries and coins)\n");
    train::Trainer trainer(o);
    if (how.stop_after > 0) trainer.stop_after_step(how.stop_after);
    run = trainer.run();
    if (run.contains("stopped_at_step")) {
      std::printf("stopped after step %lld; continue with privtune audit --resume %s\n",
                  static_cast<long long>(run["stopped_at_step"].get<int64_t>()), out.c_str());
      return;
    }
    after = canary_losses(trainer.model(), encoded, labels, scoring);
  }

  std::vector<eval::CanaryOutcome> outcomes;
  for (size_t i = 0; i < plan.canaries.size(); ++i)
    outcomes.push_back(
        {plan.canaries[i].record.id, plan.canaries[i].included, after.tokens[i], before.mean[i], after.mean[i]});
  core::Json doc = eval::audit_document(plan.settings, outcomes, run);
  doc["inputs"] = {{"model", plan.inputs.at("model")}, {"data", plan.inputs.at("data")}, {"trained", planned.out_dir}};
  const std::string result_path = core::join_path(out, "audit.json");
  core::write_file_atomic(core::join_path(out, "canaries.jsonl"), canaries_jsonl(plan.canaries, outcomes));
  core::write_file_atomic(result_path, doc.dump(2) + "\n");
  core::remove_tree(core::join_path(out, kPlanFile));
  if (how.json) {
    print_json(doc);
  } else {
    std::fputs(eval::format_audit_summary(doc).c_str(), stdout);
    std::printf("wrote %s\n", result_path.c_str());
  }
}

// --resume OUT: the audit's own settings come from its plan; only the display and
// --stop-after may be given.
void resume_audit(const AuditFlags& f, const CLI::App& cmd) {
  check_resume_flags(cmd, "an audit");
  const std::string out = f.train.resume;
  if (core::path_exists(core::join_path(out, "audit.json"))) {
    core::remove_tree(core::join_path(out, kPlanFile));  // killed between the result and this removal
    std::printf("%s: the audit is complete (audit.json); nothing to resume\n", out.c_str());
    return;
  }
  const AuditPlan plan = read_plan(out);
  if (plan.train.out_dir != core::join_path(out, "model") || plan.train.data_dir != core::join_path(out, "data"))
    throw Error(core::join_path(out, kPlanFile) + ": its run lives in " + plan.train.out_dir +
                ", not in this folder (was the audit folder moved? resume it where it was made)");
  run_audit(plan, out, {f.train.quiet, f.train.json, f.train.stop_after}, /*resume=*/true);
}

}  // namespace

bool audit_can_resume(const std::string& dir) {
  return core::path_exists(core::join_path(dir, kPlanFile)) || core::path_exists(core::join_path(dir, "audit.json"));
}

void add_audit_command(CLI::App& root) {
  auto f = std::make_shared<AuditFlags>();
  CLI::App* cmd = root.add_subcommand(
      "audit", "Empirical epsilon lower bound of one training run (one-run audit with canaries), any method");
  add_train_flags(*cmd, f->train, "Audit folder (data/, model/, canaries.jsonl, audit.json)");
  cmd->add_option("--canaries", f->canaries,
                  "Audit canaries m; each joins the training set with probability 1/2 (required unless --resume)");
  cmd->add_option("--canary-kind", f->kind, "random (token sequences) | secret (PIN sentences in dataset records)")
      ->capture_default_str();
  cmd->add_option("--canary-length", f->canary_length, "Tokens of a random canary (16) or digits of a secret (6)");
  cmd->add_option("--guesses", f->guesses,
                  "k: guess 'in' for the k highest scores and 'out' for the k lowest; several k are tested with "
                  "a Bonferroni correction (default: m/2)")
      ->delimiter(',');
  cmd->add_option("--audit-delta", f->audit_delta,
                  "delta of the bound (default: the DP run's delta; else the trainer's default for N)");
  cmd->add_option("--confidence", f->confidence, "Confidence of the lower bound")->capture_default_str();
  cmd->add_option("--audit-seed", f->audit_seed, "Seed of the canaries and their coins (default: from the OS)");
  cmd->callback([cmd, f] {
    apply_config_file(*cmd, f->train.config);
    check_flags(*f, *cmd);
    if (!f->train.resume.empty()) return resume_audit(*f, *cmd);
    train::TrainOptions o = f->train.o;
    o.validate();

    data::AuditCanaryOptions co;
    co.count = f->canaries;
    co.kind = data::parse_audit_canary_kind(f->kind);
    co.length = f->canary_length;
    co.seed = f->audit_seed >= 0 ? static_cast<uint64_t>(f->audit_seed)
                                 : (uint64_t{std::random_device{}()} << 32) ^ std::random_device{}();
    if (f->canary_length < 0) throw Error("--canary-length must be >= 1");

    const data::Dataset dataset = data::read_dataset(o.data_dir, data::OnBadRecord::kFail);
    const tokenizer::Tokenizer tok = tokenizer::Tokenizer::from_folder(o.model_dir);
    AuditPlan plan;
    plan.canaries = make_audit_canaries(co, dataset.train, ordinary_tokens(tok));
    data::Dataset audited{data::audit_training_set(dataset.train, plan.canaries), dataset.test, dataset.canaries};

    eval::AuditSettings& settings = plan.settings;
    settings.canaries = co.count;
    settings.kind = data::audit_canary_kind_name(co.kind);
    settings.canary_length = data::audit_canary_length(co);
    settings.ks = f->guesses.empty() ? std::vector<int64_t>{co.count / 2} : f->guesses;
    settings.delta = audit_delta(*f, *cmd, audited.train);
    settings.confidence = f->confidence;
    settings.seed = co.seed;
    eval::check_audit_settings(settings);

    // Nothing is written before every input has been checked.
    const std::string out = o.out_dir;
    plan.inputs = {{"model", o.model_dir}, {"data", o.data_dir}};
    plan.train = o;
    plan.train.data_dir = core::join_path(out, "data");
    plan.train.out_dir = core::join_path(out, "model");
    core::make_directories(out);
    core::remove_tree(core::join_path(out, "audit.json"));  // a stale result must not outlive a failed re-run
    data::write_dataset(plan.train.data_dir, audited, /*overwrite=*/true);
    core::write_file_atomic(core::join_path(out, kPlanFile), plan_json(plan).dump(1) + "\n");
    run_audit(plan, out, {f->train.quiet, f->train.json, f->train.stop_after}, /*resume=*/false);
  });
}

}  // namespace privtune::cli
