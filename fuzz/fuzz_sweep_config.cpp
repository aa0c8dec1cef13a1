// A sweep file: the TOML parser and the grid expansion either refuse it (file, line, key)
// or give runs. Flag values are accepted as the command line would before its own checks.
// Grids expand as cartesian products, so the input size is capped to keep runs short.
#include <string>

#include "fuzz_common.h"
#include "privtune/experiment/sweep_config.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size > 4096) return 0;
  const auto any = [](const std::string&, const privtune::experiment::SweepFlag&) {};
  privtune::fuzz::accept_or_refuse([&] {
    const privtune::experiment::SweepConfig config =
        privtune::experiment::parse_sweep_config(privtune::fuzz::text_of(data, size), "fuzz/sweep.toml", any, any, any);
    for (const auto& run : config.runs) (void)run.settings().dump();
  });
  return 0;
}
