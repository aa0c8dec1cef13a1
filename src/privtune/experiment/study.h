// A study: several fine-tuning runs of one base model on one dataset, each trained and then
// evaluated against the base, every step a `privtune train` / `privtune eval` child process
// (its peak memory its own, a crash contained, its log kept). The demo runs one; sweeps
// run many.
//
//   OUT/runs/<name>/          the run's output folder (model or adapter, run.json, ...)
//   OUT/runs/<name>/metrics.json
//   OUT/logs/<name>.train.log, OUT/logs/<name>.eval.log   the children's stderr
#pragma once

#include <string>
#include <vector>

#include "privtune/core/json_util.h"

namespace privtune::experiment {

struct StudyRun {
  std::string name;                      // folder name and table label, e.g. "dp-lora"
  std::string method;                    // --method
  std::vector<std::string> train_flags;  // flags of this run only (learning rate, ...)
};

struct StudyPlan {
  std::string model_dir, data_dir, out_dir;
  std::vector<StudyRun> runs;
  std::vector<std::string> train_flags;  // flags of every run
  std::vector<std::string> eval_flags;
  bool progress = true;  // a line per step of the study on stderr
};

struct RunOutcome {
  std::string name;
  core::Json run;      // run.json
  core::Json metrics;  // metrics.json
  double train_seconds = 0, eval_seconds = 0;  // wall time of each child process
};

// Runs every run in order. A child that fails is an Error naming the run, the exit code,
// the child's last error line and its log.
std::vector<RunOutcome> run_study(const StudyPlan& plan);

}  // namespace privtune::experiment
