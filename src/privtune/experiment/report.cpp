// render_report: checks the input, builds the charts and tables, and writes the page.
#include "privtune/experiment/report.h"

#include "privtune/experiment/report_internal.h"

namespace privtune::experiment {

std::string render_report(const core::Json& input) {
  using namespace report_detail;
  if (!report_bundles_embedded()) {
    throw Error("this privtune was built without the chart libraries: run scripts/fetch_report_js "
                "and rebuild");
  }
  const std::vector<ReportRun> runs = read_runs(input);
  Json counts = {{"done", 0}, {"failed", 0}, {"running", 0}, {"pending", 0}};
  for (const ReportRun& run : runs) counts[run.status] = counts[run.status].get<int>() + 1;
  const Json model = {
      {"title", core::json_value<std::string>(input, "title", "privtune report", "report input")},
      {"generated", core::json_value<std::string>(input, "generated", "", "report input")},
      {"source", core::json_value<std::string>(input, "source", "", "report input")},
      {"counts", counts},
      {"charts", build_charts(runs)},
      {"tables", build_tables(runs)}};
  return page_html(model, report_bundle());
}

}  // namespace privtune::experiment
