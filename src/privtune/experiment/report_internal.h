// Pieces of render_report (report.h), shared by its source files and not part of the API.
//
//   report_input.cpp   checks the input and gives each run the fields every view needs
//   report_charts.cpp  the Vega-Lite specs, or why a chart is left out
//   report_tables.cpp  the tables (runs, metrics, efficiency) as columns and rows
//   report_page.cpp    the HTML page around them, and the escaping of inlined text
//   report_script.cpp  the page's own style sheet and script (tables, CSV, chart embedding)
#pragma once

#include <initializer_list>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "privtune/core/json_util.h"

namespace privtune::experiment::report_detail {

using core::Json;

// One run of the input, checked. Pointers refer into the input document, which outlives
// every use; they are null where the input has null or nothing.
struct ReportRun {
  std::string run_id;
  std::string name;      // the label, made unique with the run id when two runs share it
  std::string label;
  std::string method;
  std::string status;    // done, failed, running or pending
  std::string settings;  // "lr=0.001, lora-r=16": shown in every tooltip
  const Json* input = nullptr;    // the run's object in the input
  const Json* run = nullptr;      // run.json
  const Json* metrics = nullptr;  // metrics.json
  const Json* steps = nullptr;    // array of step events (maybe empty)
  const Json* evals = nullptr;    // array of eval events (maybe empty)
  const Json* audit = nullptr;    // audit.json of an audited run
};

// Checks the input's structure; Error("report input: runs[2]: key 'status' ...") if wrong.
std::vector<ReportRun> read_runs(const Json& input);

// The value at `path` below `root`, or null when a key is absent, null, or a parent is not
// an object: metrics.json leaves undefined numbers null (docs/eval.md).
const Json* find_path(const Json* root, std::initializer_list<std::string_view> path);

// A number at `path`, or null.
const Json* find_number(const Json* root, std::initializer_list<std::string_view> path);

// An estimate {"value", "ci": [low, high]} at `path`, returned as that object with the
// same keys (ci null when malformed), or null when it is absent or has no numeric value.
Json find_estimate(const Json* root, std::initializer_list<std::string_view> path);

// The membership-inference attack and scope the report shows first: the strongest
// calibrated attack on sensitive tokens when those exist. {attack, scope}, empty if none.
std::pair<std::string, std::string> main_attack(const std::vector<ReportRun>& runs);

// [{"id", "title", "description", "spec": Vega-Lite spec or null, "omitted": reason or null}].
Json build_charts(const std::vector<ReportRun>& runs);

// [{"id", "title", "columns": [{"key", "label", "kind": text|number|estimate}], "rows": [...]}].
Json build_tables(const std::vector<ReportRun>& runs);

// The whole page; `model` is {"title", "generated", "source", "charts", "tables"}.
std::string page_html(const Json& model, std::string_view bundle);

// The page's style sheet and script (report_script.cpp).
std::string_view page_style();
std::string_view page_script();

// Text escaped for HTML content and attribute values.
std::string escape_html(std::string_view text);

// JSON text that is safe inside <script type="application/json">: '<', '>' and '&' become
// \u003c, \u003e and \u0026, which only occur inside JSON strings, so the data means the same.
std::string json_for_script(const Json& value);

// JavaScript that is safe inside <script>: every "</script" (any case) becomes "<\/script",
// which means the same inside the string, regular expression or comment it can occur in.
std::string script_for_html(std::string_view js);

}  // namespace privtune::experiment::report_detail
