#include "privtune/experiment/study.h"

#include <chrono>
#include <cstdio>
#include <fstream>

#include "privtune/core/error.h"
#include "privtune/core/file_io.h"
#include "privtune/core/progress.h"
#include "privtune/core/subprocess.h"

namespace privtune::experiment {

namespace {

double run_child(const std::string& what, const std::vector<std::string>& argv, const std::string& log,
                 const std::vector<std::string>& env) {
  const auto start = std::chrono::steady_clock::now();
  const int code = core::run_process(argv, "/dev/null", log, env);
  if (code != 0) {
    std::string reason = core::last_line(log);
    if (reason.empty()) reason = "no message";
    throw Error(what + " failed (exit " + std::to_string(code) + "): " + reason + " [log: " + log + "]");
  }
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
}

std::vector<core::Json> read_log(const std::string& path) {
  std::vector<core::Json> lines;
  std::ifstream in(path);
  std::string line;
  while (std::getline(in, line))
    if (!line.empty()) lines.push_back(core::parse_json(line, path));
  return lines;
}

}  // namespace

RunOutcome run_train_eval(const TrainEvalJob& job, const std::function<void(const std::string&)>& say) {
  const std::string self = core::self_executable();
  RunOutcome outcome;
  outcome.name = job.name;

  // --overwrite: the folder is this run's own (a retry replaces what a failed try left).
  const bool audited = !job.audit_flags.empty();
  const std::string command = audited ? "audit" : "train";
  std::vector<std::string> train = {self,         command, "--model", job.model_dir, "--data",
                                    job.data_dir, "--out", job.out_dir, "--method",  job.method,
                                    "--overwrite", "--quiet"};
  train.insert(train.end(), job.train_flags.begin(), job.train_flags.end());
  train.insert(train.end(), job.audit_flags.begin(), job.audit_flags.end());
  const std::string what = job.name + ": privtune " + command;
  const std::string train_log = core::join_path(job.logs_dir, job.name + ".train.log");
  bool trained = false;
  if (job.resumable && core::is_directory(job.out_dir) && job.resumable(job.out_dir, audited)) {
    say("continuing the interrupted run (" + job.method + ")");
    try {
      outcome.train_seconds =
          run_child(what + " --resume", {self, command, "--resume", job.out_dir, "--quiet"}, train_log, job.env);
      trained = true;
    } catch (const Error& e) {
      say(std::string("could not continue it, starting over: ") + e.what());
    }
  }
  if (!trained) {
    say(std::string(audited ? "training with audit canaries" : "training") + " (" + job.method + ")");
    outcome.train_seconds = run_child(what, train, train_log, job.env);
  }
  const std::string model_dir = audited ? core::join_path(job.out_dir, "model") : job.out_dir;
  outcome.run = core::read_json_file(core::join_path(model_dir, "run.json"));
  outcome.log = read_log(core::join_path(model_dir, "train_log.jsonl"));
  if (audited) outcome.audit = core::read_json_file(core::join_path(job.out_dir, "audit.json"));

  // A LoRA run wrote an adapter for the base; the others wrote a whole model.
  const bool adapter = outcome.run.value("output", "model") == "adapter";
  const std::string metrics = core::join_path(job.out_dir, "metrics.json");
  std::vector<std::string> eval = {self, "eval", "--model", adapter ? job.model_dir : model_dir};
  if (adapter) eval.insert(eval.end(), {"--adapter", model_dir});
  eval.insert(eval.end(), {"--base", job.model_dir, "--data", job.data_dir, "--out", metrics, "--overwrite", "--quiet"});
  eval.insert(eval.end(), job.eval_flags.begin(), job.eval_flags.end());
  say("trained in " + core::format_duration(outcome.train_seconds) + ", evaluating");
  outcome.eval_seconds = run_child(job.name + ": privtune eval", eval,
                                   core::join_path(job.logs_dir, job.name + ".eval.log"), job.env);
  outcome.metrics = core::read_json_file(metrics);
  say("evaluated in " + core::format_duration(outcome.eval_seconds));
  return outcome;
}

std::vector<RunOutcome> run_study(const StudyPlan& plan) {
  const std::string runs_dir = core::join_path(plan.out_dir, "runs");
  const std::string logs_dir = core::join_path(plan.out_dir, "logs");
  core::make_directories(runs_dir);
  core::make_directories(logs_dir);

  std::vector<RunOutcome> outcomes;
  for (size_t i = 0; i < plan.runs.size(); ++i) {
    const StudyRun& run = plan.runs[i];
    const std::string tag = "[" + std::to_string(i + 1) + "/" + std::to_string(plan.runs.size()) + "] " + run.name;
    TrainEvalJob job{run.name, run.method, plan.model_dir, plan.data_dir, core::join_path(runs_dir, run.name),
                     logs_dir, plan.train_flags, plan.eval_flags, {}, plan.audit_flags, nullptr};
    job.train_flags.insert(job.train_flags.end(), run.train_flags.begin(), run.train_flags.end());
    outcomes.push_back(run_train_eval(job, [&](const std::string& line) {
      if (plan.progress) std::fprintf(stderr, "%s: %s\n", tag.c_str(), line.c_str());
    }));
  }
  return outcomes;
}

}  // namespace privtune::experiment
