// `privtune report`: one self-contained HTML file of a study's runs. It inlines the chart
// libraries (report_bundle.h), the data and a small hand-written script, so it opens
// offline in any browser: interactive Vega-Lite charts (privacy vs utility, memorization
// gap, membership-inference ROC, exposure vs repetitions, epsilon vs steps, efficiency,
// learning curves) and sortable tables with a CSV download each.
#pragma once

#include <string>

#include "privtune/core/json_util.h"
#include "privtune/experiment/report_bundle.h"

namespace privtune::experiment {

// `input` is {"title", "generated", "source", "runs": [...]}: one object per run with its
// identity (run_id, label, sweep, method, model, data, seed, settings), its status and
// error, and what it produced (run.json as "run", metrics.json as "metrics", the step and
// eval events of train_log.jsonl as "steps" and "evals"; null or empty when absent).
// Returns the HTML page. Throws Error on malformed input, and when this privtune was built
// without the chart libraries.
std::string render_report(const core::Json& input);

}  // namespace privtune::experiment
