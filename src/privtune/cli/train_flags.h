// The flags of `privtune train` (DESIGN.md section 7), shared with `privtune audit`, which
// trains the same way with its canaries added.
#pragma once

#include <CLI/CLI.hpp>
#include <cstdint>
#include <string>

#include "privtune/train/options.h"

namespace privtune::cli {

struct TrainFlags {
  train::TrainOptions o;
  std::string config, resume;
  bool json = false, quiet = false;
  int64_t stop_after = 0;  // > 0: stop after this step, leaving a checkpoint to resume from
};

// Every training flag, --config, --json and --quiet; `out_help` describes --out.
void add_train_flags(CLI::App& cmd, TrainFlags& flags, const std::string& out_help);

// With --resume only --quiet, --json and --stop-after may be given: what is resumed (`what`:
// "a run", "an audit") keeps the settings it started with. privtune::Error naming the flag.
void check_resume_flags(const CLI::App& cmd, const std::string& what);

}  // namespace privtune::cli
