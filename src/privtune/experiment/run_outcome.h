// What one fine-tuning run of a study or sweep left behind once trained and evaluated.
#pragma once

#include <string>
#include <vector>

#include "privtune/core/json_util.h"

namespace privtune::experiment {

struct RunOutcome {
  std::string name;
  core::Json run;               // run.json
  core::Json metrics;           // metrics.json
  std::vector<core::Json> log;  // train_log.jsonl: "step" and "eval" events
  core::Json audit;             // audit.json of an audited run; null otherwise
  double train_seconds = 0, eval_seconds = 0;  // wall time of each child process
};

}  // namespace privtune::experiment
