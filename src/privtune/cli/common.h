// Flags and helpers shared by the subcommands (DESIGN.md section 7: one flag name, one
// meaning, everywhere).
#pragma once

#include <CLI/CLI.hpp>
#include <string>

#include "privtune/core/json_util.h"

namespace privtune::cli {

struct ModelFlags {
  std::string model;
  std::string adapter;  // optional LoRA adapter folder (PEFT layout)
  std::string device = "auto";
  std::string dtype = "auto";
};

// --model DIR (required), --adapter DIR (optional), --device, --dtype.
void add_model_flags(CLI::App& command, ModelFlags& flags);

// Prints JSON to stdout (pretty, one trailing newline).
void print_json(const core::Json& j);

// Human-readable byte counts: 1.5 GiB.
std::string format_bytes(double bytes);
// 124.4M, 7.0B.
std::string format_count(double count);

}  // namespace privtune::cli
