#include "privtune/experiment/study.h"

#include <chrono>
#include <cstdio>

#include "privtune/core/error.h"
#include "privtune/core/file_io.h"
#include "privtune/core/progress.h"
#include "privtune/core/subprocess.h"

namespace privtune::experiment {

namespace {

double run_child(const std::string& what, const std::vector<std::string>& argv, const std::string& log) {
  const auto start = std::chrono::steady_clock::now();
  const int code = core::run_process(argv, "/dev/null", log);
  if (code != 0) {
    std::string reason = core::last_line(log);
    if (reason.empty()) reason = "no message";
    throw Error(what + " failed (exit " + std::to_string(code) + "): " + reason + " [log: " + log + "]");
  }
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
}

}  // namespace

std::vector<RunOutcome> run_study(const StudyPlan& plan) {
  const std::string self = core::self_executable();
  const std::string runs_dir = core::join_path(plan.out_dir, "runs");
  const std::string logs_dir = core::join_path(plan.out_dir, "logs");
  core::make_directories(runs_dir);
  core::make_directories(logs_dir);
  auto say = [&](const std::string& line) {
    if (plan.progress) std::fprintf(stderr, "%s\n", line.c_str());
  };

  std::vector<RunOutcome> outcomes;
  for (size_t i = 0; i < plan.runs.size(); ++i) {
    const StudyRun& run = plan.runs[i];
    const std::string tag = "[" + std::to_string(i + 1) + "/" + std::to_string(plan.runs.size()) + "] " + run.name;
    const std::string out = core::join_path(runs_dir, run.name);
    RunOutcome outcome;
    outcome.name = run.name;

    std::vector<std::string> train = {self,         "train",  "--model", plan.model_dir, "--data",
                                      plan.data_dir, "--out", out,       "--method",     run.method,
                                      "--overwrite", "--quiet"};
    train.insert(train.end(), plan.train_flags.begin(), plan.train_flags.end());
    train.insert(train.end(), run.train_flags.begin(), run.train_flags.end());
    say(tag + ": training (" + run.method + ")");
    outcome.train_seconds = run_child(run.name + ": privtune train", train, core::join_path(logs_dir, run.name + ".train.log"));
    outcome.run = core::read_json_file(core::join_path(out, "run.json"));

    // A LoRA run wrote an adapter for the base; the others wrote a whole model.
    const bool adapter = outcome.run.value("output", "model") == "adapter";
    const std::string metrics = core::join_path(out, "metrics.json");
    std::vector<std::string> eval = {self, "eval", "--model", adapter ? plan.model_dir : out};
    if (adapter) eval.insert(eval.end(), {"--adapter", out});
    eval.insert(eval.end(), {"--base", plan.model_dir, "--data", plan.data_dir, "--out", metrics, "--overwrite", "--quiet"});
    eval.insert(eval.end(), plan.eval_flags.begin(), plan.eval_flags.end());
    say(tag + ": trained in " + core::format_duration(outcome.train_seconds) + ", evaluating");
    outcome.eval_seconds = run_child(run.name + ": privtune eval", eval, core::join_path(logs_dir, run.name + ".eval.log"));
    outcome.metrics = core::read_json_file(metrics);
    say(tag + ": evaluated in " + core::format_duration(outcome.eval_seconds));
    outcomes.push_back(std::move(outcome));
  }
  return outcomes;
}

}  // namespace privtune::experiment
