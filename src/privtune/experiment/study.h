// A study: several fine-tuning runs of one base model on one dataset, each trained and then
// evaluated against the base, every step a `privtune train` / `privtune eval` child process
// (its peak memory its own, a crash contained, its log kept). The demo runs one; sweeps
// (sweep.h) run many through the same run_train_eval().
//
//   OUT/runs/<name>/          the run's output folder (model or adapter, run.json, ...)
//   OUT/runs/<name>/metrics.json
//   OUT/logs/<name>.train.log, OUT/logs/<name>.eval.log   the children's stderr
#pragma once

#include <functional>
#include <string>
#include <vector>

#include "privtune/experiment/run_outcome.h"

namespace privtune::experiment {

// One run: train `method` on `data_dir` from `model_dir` into `out_dir`, then evaluate the
// result against the base model into out_dir/metrics.json. With audit flags the training is
// `privtune audit` instead (its canaries added to the training set, its layout in out_dir:
// model/, data/, canaries.jsonl, audit.json); the evaluation still reads `data_dir`, so the
// canaries count in no metric but the audit's.
// Whether a run folder holds an interrupted run that `privtune train --resume` (or, for an
// audited run, `privtune audit --resume`) can continue. The trainer's and the audit's files
// are theirs to know, so the command line supplies the test.
using ResumableTest = std::function<bool(const std::string& out_dir, bool audited)>;

struct TrainEvalJob {
  std::string name;  // log file names and messages
  std::string method, model_dir, data_dir, out_dir, logs_dir;
  std::vector<std::string> train_flags, eval_flags;
  std::vector<std::string> env;  // extra NAME=VALUE for the children (thread counts)
  std::vector<std::string> audit_flags;  // --canaries M ...; empty: no audit
  // Set (sweeps): an interrupted run in out_dir is continued instead of started over; should
  // continuing fail, the run starts over.
  ResumableTest resumable;
};

// Runs the job's two children; `say` gets a line as each starts and ends. A child that
// fails is an Error naming the run, the exit code, the child's last error line and its log.
RunOutcome run_train_eval(const TrainEvalJob& job, const std::function<void(const std::string&)>& say);

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
  std::vector<std::string> audit_flags;  // every run audited when not empty
  bool progress = true;  // a line per step of the study on stderr
};

// Runs every run in order, stopping at the first that fails.
std::vector<RunOutcome> run_study(const StudyPlan& plan);

}  // namespace privtune::experiment
