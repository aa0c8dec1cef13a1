// The study's summary table (one row per run): utility, privacy leakage, memorization,
// membership inference, canary exposure, extraction, epsilon and cost, each mean with its
// 95% interval. The same rows become summary.json, summary.csv and the terminal table.
#pragma once

#include <string>
#include <vector>

#include "privtune/core/json_util.h"
#include "privtune/experiment/study.h"

namespace privtune::experiment {

// {"note", "columns": [...], "runs": [{column: value or {"value", "ci"} or null}]}.
core::Json study_summary(const std::vector<RunOutcome>& outcomes);

// One CSV line per run; an estimate becomes three columns (name, name_low, name_high);
// undefined values are empty.
std::string summary_csv(const core::Json& summary);

// A fixed-width table for the terminal.
std::string format_summary_table(const core::Json& summary);

}  // namespace privtune::experiment
