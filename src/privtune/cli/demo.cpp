// privtune demo [--out DIR] [--quick] [--model DIR] [--overwrite] [--seed N]: the study the
// project exists for, end to end on a laptop: generate a customer-support dataset with
// canaries, fine-tune the built-in base model with full, lora, dp and dp-lora (epsilon 8),
// each run audited in one run (an empirical epsilon lower bound beside DP's theoretical
// one), evaluate each against the base, and write and print the summary, the results
// database and the HTML report (docs/demo.md).
#include <CLI/CLI.hpp>
#include <cstdio>
#include <filesystem>

#include "privtune/cli/commands.h"
#include "privtune/cli/common.h"
#include "privtune/core/error.h"
#include "privtune/core/file_io.h"
#include "privtune/data/generator.h"
#include "privtune/experiment/report.h"
#include "privtune/experiment/results_db.h"
#include "privtune/experiment/study.h"
#include "privtune/experiment/summary.h"

namespace privtune::cli {

namespace {

constexpr const char* kMarker = "demo.json";  // written first: this folder is a demo's

// Sizes and hyper-parameters of the study; docs/demo.md explains the choices.
struct DemoPreset {
  int64_t train, test, canaries_per_repetition, canary_length;
  std::string audit_canaries;  // random-token canaries of every run's one-run audit
  std::vector<int64_t> canary_repetitions;
  std::string max_length, bootstrap, extraction_spans, lora_r, lora_alpha;
  std::string epochs, dp_epochs;                      // DP learns less per step: more epochs
  std::string batch, dp_batch;                        // examples per step (expected, for DP)
  std::string dp_micro_batch;  // DP examples per forward/backward: bounds the memory of a Poisson batch
  std::string lr_full, lr_lora, lr_dp, lr_dp_lora;  // tuned per method
};

DemoPreset preset(bool quick) {
  if (quick)
    return {16, 8, 1, 3, "16", {1, 4}, "512", "100", "all", "8", "16", "1", "1", "8", "8", "8", "1e-3", "5e-3", "2e-3", "1e-2"};
  return {128, 64, 2, 3, "32", {2, 8, 32}, "512", "1000", "all", "16", "32", "2", "8", "8", "64", "8", "1.5e-4", "1.5e-3", "4e-3", "2e-2"};
}

// The model committed under models/ (found next to the sources this binary was built
// from, or in ./models when run from a checkout).
std::string builtin_model() {
  const std::string built = std::string(PRIVTUNE_SOURCE_DIR) + "/models/privtune-tiny";
  if (core::path_exists(built + "/config.json")) return built;
  if (core::path_exists("models/privtune-tiny/config.json")) return "models/privtune-tiny";
  throw Error("the built-in model was not found at " + built + " (pass --model DIR)");
}

void prepare_out(const std::string& out, bool overwrite) {
  if (core::path_exists(out) && !core::is_directory(out)) throw Error(out + ": exists and is not a folder");
  if (core::is_directory(out) && !std::filesystem::is_empty(out)) {
    if (!overwrite) throw Error(out + ": not empty (pass --overwrite to replace an earlier demo's results)");
    // Only an earlier demo's folder is cleared: never a folder of the user's own files.
    if (!core::path_exists(core::join_path(out, kMarker)))
      throw Error(out + ": not a privtune demo folder (no " + std::string(kMarker) + "); choose another --out");
    core::remove_tree(out);
  }
  core::make_directories(out);
}

// Every run into OUT/results.db, the store sweeps use, and its report into OUT/report.html
// (when this privtune has the chart libraries).
std::string record_results(const experiment::StudyPlan& plan, const std::vector<experiment::RunOutcome>& outcomes,
                           int64_t seed) {
  experiment::ResultsDb db(core::join_path(plan.out_dir, "results.db"));
  db.record_sweep("demo", "", "", "1/1");
  for (size_t i = 0; i < outcomes.size(); ++i) {
    const experiment::StudyRun& run = plan.runs[i];
    core::Json train = core::Json::object();
    std::vector<std::string> flags = plan.train_flags;
    flags.insert(flags.end(), run.train_flags.begin(), run.train_flags.end());
    for (size_t k = 0; k + 1 < flags.size(); k += 2)
      if (flags[k] != "--seed") train[flags[k].substr(2)] = flags[k + 1];  // the seed has its own column
    core::Json settings{{"method", run.method}, {"model", plan.model_dir}, {"data", plan.data_dir},
                        {"seed", seed}, {"train", train}};
    core::Json audit = core::Json::object();
    for (size_t k = 0; k + 1 < plan.audit_flags.size(); k += 2) audit[plan.audit_flags[k].substr(2)] = plan.audit_flags[k + 1];
    if (!audit.empty()) settings["audit"] = audit;
    db.plan_run({run.name, "demo", run.name, run.method, plan.model_dir, plan.data_dir, seed, settings,
                 core::join_path(plan.out_dir, "runs/" + run.name)});
    db.mark_running(run.name, "");
    db.record_done(run.name, outcomes[i]);
  }
  if (!experiment::report_bundles_embedded()) {
    std::fprintf(stderr, "demo: no report.html: this privtune was built without the chart libraries "
                         "(run scripts/fetch_report_js and rebuild)\n");
    return "";
  }
  core::Json input = db.report_input();
  input["title"] = "privtune demo: full, LoRA, DP-SGD and DP-LoRA on customer-support chats";
  const std::string report = core::join_path(plan.out_dir, "report.html");
  core::write_file_atomic(report, experiment::render_report(input));
  return report;
}

}  // namespace

void add_demo_command(CLI::App& root) {
  struct Flags {
    std::string out = "privtune-demo", model;
    bool quick = false, overwrite = false, json = false;
    int64_t seed = 0;
  };
  auto f = std::make_shared<Flags>();
  CLI::App* cmd = root.add_subcommand("demo", "Fine-tune with full, lora, dp and dp-lora and compare privacy, utility, cost");
  cmd->add_option("--out", f->out, "Results folder")->capture_default_str();
  cmd->add_option("--model", f->model, "Base model folder (default: the built-in models/privtune-tiny)");
  cmd->add_flag("--quick", f->quick, "A small smoke run (about 2 minutes) instead of the full study");
  cmd->add_flag("--overwrite", f->overwrite, "Replace an earlier demo's results in --out");
  cmd->add_flag("--json", f->json, "Print summary.json instead of the table");
  cmd->add_option("--seed", f->seed, "Seed of the data, training and evaluation")->capture_default_str();
  cmd->callback([f] {
    if (f->seed < 0) throw Error("--seed must be >= 0");
    const std::string model = f->model.empty() ? builtin_model() : f->model;
    if (!core::path_exists(core::join_path(model, "config.json")))
      throw Error(model + ": not a model folder (no config.json)");
    prepare_out(f->out, f->overwrite);
    const DemoPreset p = preset(f->quick);
    core::write_file_atomic(core::join_path(f->out, kMarker),
                            core::Json({{"command", "demo"}, {"quick", f->quick}, {"model", model}, {"seed", f->seed}})
                                    .dump(2) + "\n");

    std::fprintf(stderr, "demo: generating a customersim dataset (%lld train, %lld test examples, canaries)\n",
                 static_cast<long long>(p.train), static_cast<long long>(p.test));
    data::GenerateOptions generate;
    generate.train = p.train;
    generate.test = p.test;
    generate.seed = static_cast<uint64_t>(f->seed);
    generate.canaries.per_repetition = p.canaries_per_repetition;
    generate.canaries.repetitions = p.canary_repetitions;
    generate.canaries.secret_length = p.canary_length;
    const std::string data_dir = core::join_path(f->out, "data");
    data::write_dataset(data_dir, data::generate_dataset(generate), false);

    experiment::StudyPlan plan;
    plan.model_dir = model;
    plan.data_dir = data_dir;
    plan.out_dir = f->out;
    const std::string seed = std::to_string(f->seed);
    plan.train_flags = {"--max-length", p.max_length, "--seed", seed, "--eval-every", "0"};
    plan.audit_flags = {"--canaries", p.audit_canaries, "--canary-kind", "random", "--audit-seed", seed};
    plan.eval_flags = {"--bootstrap", p.bootstrap, "--extraction-max-spans", p.extraction_spans,
                       "--max-length", p.max_length, "--seed", seed};
    const std::vector<std::string> lora = {"--lora-r", p.lora_r, "--lora-alpha", p.lora_alpha, "--lora-targets",
                                           "all-linear"};
    const std::vector<std::string> dp = {"--target-epsilon", "8", "--max-grad-norm", "1.0", "--batch-size", p.dp_batch,
                                         "--micro-batch-size", p.dp_micro_batch, "--epochs", p.dp_epochs};
    auto join = [](std::vector<std::string> a, const std::vector<std::string>& b) {
      a.insert(a.end(), b.begin(), b.end());
      return a;
    };
    plan.runs = {{"full", "full", {"--lr", p.lr_full, "--batch-size", p.batch, "--epochs", p.epochs}},
                 {"lora", "lora", join({"--lr", p.lr_lora, "--batch-size", p.batch, "--epochs", p.epochs}, lora)},
                 {"dp", "dp", join({"--lr", p.lr_dp}, dp)},
                 {"dp-lora", "dp-lora", join(join({"--lr", p.lr_dp_lora}, dp), lora)}};
    const std::vector<experiment::RunOutcome> outcomes = experiment::run_study(plan);

    const std::string report = record_results(plan, outcomes, f->seed);
    const core::Json summary = experiment::study_summary(outcomes);
    core::write_file_atomic(core::join_path(f->out, "summary.csv"), experiment::summary_csv(summary));
    core::write_file_atomic(core::join_path(f->out, "summary.json"), summary.dump(2) + "\n");  // last: complete
    if (f->json) {
      print_json(summary);
    } else {
      std::fputs(experiment::format_summary_table(summary).c_str(), stdout);
      std::printf("Results in %s (summary.csv, summary.json, results.db, runs/)\n", f->out.c_str());
      if (!report.empty()) std::printf("Report: %s (open it in a browser)\n", report.c_str());
    }
  });
}

}  // namespace privtune::cli
