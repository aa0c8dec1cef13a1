// The sweep configuration of `privtune sweep --config sweep.toml` (format: docs/sweep_config.md).
//
// A sweep file names defaults (base model, dataset, seeds, flags for every train and eval)
// and the runs to compare: grids, expanded as cartesian products, and explicit runs. This
// module turns the file into a flat, de-duplicated list of runs; running them is the
// sweep runner's job. Flag names and values are checked by callbacks from the command line
// module, so that this module does not need to know every flag of `privtune train`.
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "privtune/core/json_util.h"

namespace privtune::experiment {

// One flag of `privtune train` or `privtune eval`: the name with dashes and without the
// leading "--" (`lora-r`), and its value as the command line would receive it (list flags
// joined by commas: "q,v"). TOML booleans have boolean = true and text "true" or "false".
struct SweepFlag {
  std::string name;
  std::string text;
  bool boolean = false;
};

// Command-line arguments for `flags`: {"--name", "text"} per flag; a boolean flag is
// {"--name=true"} or {"--name=false"} (so that `eval = false` switches a default-on flag off).
std::vector<std::string> flag_args(const std::vector<SweepFlag>& flags);

struct SweepRun {
  // "<method>-<8 lowercase hex>" from settings(): the same on every machine for the same
  // file text (model and data paths enter as written, not resolved), so that shards run
  // elsewhere merge.
  std::string run_id;
  // For tables and charts: the method, then only the settings that differ between the
  // runs of this sweep, then the seed when runs have different seeds
  // ("lora lr=0.001 lora-r=16 seed=0").
  std::string label;
  // model and data resolved: a relative path is relative to the config file's folder.
  std::string method, model, data;
  std::string model_as_written, data_as_written;
  int64_t seed = 0;
  // Flags of `privtune train`, sorted by name; never method, model, data or seed.
  std::vector<SweepFlag> train;
  // Flags of `privtune audit` of an audited run (the [audit] table), sorted; empty: no audit.
  std::vector<SweepFlag> audit;

  // {"method", "model" (as written), "data" (as written), "seed", "train": {name: text}},
  // and "audit": {name: text} for an audited run.
  core::Json settings() const;
};

struct SweepConfig {
  std::string path;  // the config file, as given
  std::string text;  // its contents, to record with the results
  std::string name;  // `name`, or the file's stem
  std::string out;   // `out` resolved like model paths; "" when not set
  std::vector<SweepFlag> eval;  // flags of every `privtune eval`, sorted by name
  std::vector<SweepRun> runs;   // grids in file order, then explicit runs, each repeated per seed
};

// Validates one flag value: throws any std::exception whose what() says why when the flag
// is unknown or its value is invalid. The parser adds the file, line and key:
// privtune::Error("<path>:<line>: key '<table>.<key>': <what()>").
using FlagCheck = std::function<void(const std::string& flag, const SweepFlag& value)>;

// Parses a sweep file's text; `path` names it in errors and anchors relative paths.
// Throws privtune::Error naming the file, line and key for every mistake. The flags of an
// [audit] table go through `check_audit` (none accepted when it is empty).
SweepConfig parse_sweep_config(const std::string& text, const std::string& path, const FlagCheck& check_train,
                               const FlagCheck& check_eval, const FlagCheck& check_audit = {});

// Reads and parses `path`; Error("<path>: cannot open: ...") when it cannot be read.
SweepConfig load_sweep_config(const std::string& path, const FlagCheck& check_train, const FlagCheck& check_eval,
                              const FlagCheck& check_audit = {});

}  // namespace privtune::experiment
