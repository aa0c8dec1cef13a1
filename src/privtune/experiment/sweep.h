// Running a sweep (sweep_config.h): every run of the config that belongs to this shard is
// trained and evaluated (study.h's run_train_eval) and recorded in the results database.
//
//   OUT/results.db                    every run, its settings, status and results
//   OUT/runs/<run_id>/                each run's output folder (run.json, metrics.json, ...)
//   OUT/logs/<run_id>.{train,eval}.log  the children's stderr
//   OUT/sweep.lock                    held while a sweep runs in OUT
//
// Runs already 'done' in the database are skipped; 'failed' ones, and 'running' ones left by
// a sweep that was killed, are run again.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "privtune/experiment/study.h"
#include "privtune/experiment/sweep_config.h"

namespace privtune::experiment {

struct SweepOptions {
  std::string out_dir;
  int jobs = 1;  // runs in flight at once
  int shard_index = 1, shard_count = 1;  // this process runs runs i, i+n, i+2n, ... (1-based)
  bool progress = true;                  // a line per run event on stderr
  ResumableTest resumable;               // set: runs interrupted in an earlier sweep continue (study.h)
};

struct SweepTally {
  int64_t in_shard = 0, skipped = 0, succeeded = 0, failed = 0;
  std::vector<std::string> failures;  // "run_id: error"
};

// "i/n" (1 <= i <= n) as {i, n}; Error naming `flag` otherwise.
std::pair<int, int> parse_shard(const std::string& text, const std::string& flag);

// Runs the shard's runs; a failing run is recorded and counted, the others go on.
SweepTally run_sweep(const SweepConfig& config, const SweepOptions& options);

}  // namespace privtune::experiment
