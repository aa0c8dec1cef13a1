// render_report: every chart is there when its data is, the DP and exposure charts are left
// out with a reason when theirs is not, nothing in the data can end a <script> element, the
// page loads nothing from the network, and failed runs are listed. The page is also opened
// in headless Chromium by tests/report/check_report_in_chromium.
#include <gtest/gtest.h>

#include <regex>
#include <string>

#include "privtune/core/error.h"
#include "privtune/experiment/report.h"
#include "privtune/experiment/report_internal.h"

namespace privtune::experiment {
namespace {

using core::Json;

const char* kChartIds[] = {"privacy-utility", "memorization-gap", "mia-roc", "exposure",
                           "epsilon", "audit", "audit-scores", "efficiency", "learning-curves"};

Json estimate(double value) { return {{"value", value}, {"ci", {value - 0.1, value + 0.1}}}; }

// A metrics.json with the numbers the report reads (docs/eval.md); exposure only when asked.
Json metrics(double gain, bool canaries) {
  Json roc = {{0.0, 0.0}, {0.25, 0.5}, {1.0, 1.0}};
  Json attack = {{"auc", estimate(0.6)}, {"tpr_at_1pct_fpr", 0.0}, {"tpr_at_0.1pct_fpr", 0.0},
                 {"members", 4}, {"nonmembers", 4}, {"roc", roc}};
  Json m = {
      {"leakage",
       {{"utility", {{"U", estimate(4.5)}, {"perplexity", estimate(90.0)}, {"gain", estimate(gain)}}},
        {"classes", {{"sens", {{"P", estimate(0.3)}, {"G", estimate(0.2)}, {"X", estimate(0.1)},
                               {"M", estimate(0.4)}, {"M_base", estimate(0.3)}}},
                     {"nonsens", {{"P", estimate(0.2)}, {"G", estimate(0.2)}, {"X", estimate(0.0)},
                                  {"M", estimate(0.05)}, {"M_base", estimate(0.05)}}}}}}},
      {"membership", {{"whole", {{"loss", attack}, {"reference", attack}}},
                      {"sensitive", {{"loss", attack}, {"reference", nullptr}}}}},
      {"exposure", nullptr},
      {"extraction", nullptr}};
  if (canaries) {
    m["exposure"] = {{"by_repetitions", {{{"repetitions", 0}, {"canaries", 2}, {"mean_exposure", estimate(1.0)}},
                                         {{"repetitions", 4}, {"canaries", 2}, {"mean_exposure", estimate(5.0)}}}},
                     {"inserted_mean_exposure", estimate(5.0)}, {"canaries", Json::array()}};
  }
  return m;
}

Json done_run(const std::string& id, const std::string& method, bool dp, bool canaries) {
  Json steps = Json::array();
  for (int s = 1; s <= 3; ++s) {
    Json step = {{"event", "step"}, {"step", s}, {"loss", 5.0 - 0.1 * s}, {"lr", 0.001}};
    if (dp) step["epsilon"] = 2.0 * s;
    steps.push_back(step);
  }
  Json evals = {{{"event", "eval"}, {"step", 3},
                 {"test", {{"sens", {{"loss", 5.2}, {"tokens", 10}}}, {"nonsens", {{"loss", 4.6}, {"tokens", 90}}}}}}};
  Json run_json = {{"efficiency", {{"train_time_s", 7.5}, {"peak_memory_bytes", 5e8},
                                   {"peak_device_memory_bytes", 0}, {"trainable_parameters", 65536},
                                   {"total_parameters", 1907456}, {"device", "cpu"}}}};
  Json run = {{"run_id", id}, {"label", method + " lr=0.001 seed=0"}, {"sweep", "s"}, {"method", method},
              {"model", "tiny"}, {"data", "customersim"}, {"seed", 0},
              {"settings", {{"lr", "0.001"}, {"lora-r", "16"}}}, {"status", "done"}, {"error", nullptr},
              {"train_seconds", 7.5}, {"eval_seconds", 3.0}, {"run", run_json},
              {"metrics", metrics(dp ? 0.1 : 0.3, canaries)}, {"steps", steps}, {"evals", evals}};
  if (canaries) {  // audited too (audit.json, docs/audit.md)
    Json bins = {{{"low", -0.5}, {"high", 0.5}, {"included", 10}, {"excluded", 30}},
                 {{"low", 0.5}, {"high", 1.5}, {"included", 22}, {"excluded", 2}}};
    run["audit"] = {{"audit", {{"epsilon_lower_bound", dp ? 0.0 : 1.2}, {"delta", 1e-3}, {"confidence", 0.95},
                               {"best", {{"guesses", 64}, {"correct", 50}}}, {"histogram", bins}}}};
    if (dp) run["audit"]["theory"] = {{"epsilon", 8.0}, {"delta", 1e-3}};
  }
  return run;
}

Json failed_run(const std::string& id, const std::string& label) {
  return {{"run_id", id}, {"label", label}, {"method", "lora"}, {"settings", {{"lr", "1"}}},
          {"status", "failed"}, {"error", "train: the loss became NaN at step 3"}, {"run", nullptr},
          {"metrics", nullptr}, {"steps", Json::array()}, {"evals", Json::array()}};
}

Json study(bool dp, bool canaries) {
  Json runs = {done_run("full-00000001", "full", false, canaries),
               done_run("lora-00000002", "lora", false, canaries),
               failed_run("lora-00000003", "lora lr=1 seed=0")};
  if (dp) runs.push_back(done_run("dp-00000004", "dp", true, canaries));
  return {{"title", "test study"}, {"generated", "2025-01-01T00:00:00Z"}, {"source", "/tmp/x.db"},
          {"runs", runs}};
}

// The page, or a skip when this build has no chart libraries (that branch is tested below).
#define RENDER_OR_SKIP(html, input)                                                       \
  if (!report_bundles_embedded()) GTEST_SKIP() << "built without scripts/fetch_report_js"; \
  const std::string html = render_report(input)

size_t count(const std::string& text, const std::string& what) {
  size_t n = 0;
  for (size_t at = text.find(what); at != std::string::npos; at = text.find(what, at + 1)) ++n;
  return n;
}

TEST(Report, WithoutBundlesSaysHowToGetThem) {
  if (report_bundles_embedded()) {
    EXPECT_FALSE(report_bundle().empty());
    GTEST_SKIP() << "the chart libraries are embedded";
  }
  try {
    render_report(study(true, true));
    FAIL() << "expected an Error";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("run scripts/fetch_report_js and rebuild"), std::string::npos);
  }
}

TEST(Report, DrawsEveryChartWhenItsDataIsThere) {
  RENDER_OR_SKIP(html, study(true, true));
  for (const char* id : kChartIds) {
    EXPECT_NE(html.find(std::string("id=\"vis-") + id + "\""), std::string::npos) << id;
    EXPECT_EQ(html.find(std::string("data-omitted=\"") + id + "\""), std::string::npos) << id;
  }
  EXPECT_NE(html.find("data-report-status"), std::string::npos);
  EXPECT_NE(html.find("vegaEmbed"), std::string::npos);
  // Tables and their CSV buttons are drawn by the page's script from this data.
  for (const char* table : {"\"id\":\"runs\"", "\"id\":\"metrics\"", "\"id\":\"efficiency\""}) {
    EXPECT_NE(html.find(table), std::string::npos) << table;
  }
  // Tooltips carry each run's settings.
  EXPECT_NE(html.find("\"settings\":\"lora-r=16, lr=0.001\""), std::string::npos);
}

TEST(Report, LeavesOutDpAndExposureChartsWithAReason) {
  RENDER_OR_SKIP(html, study(false, false));
  EXPECT_NE(html.find("data-omitted=\"epsilon\">Not shown: no DP run in this study"), std::string::npos);
  EXPECT_NE(html.find("data-omitted=\"exposure\">Not shown: no run has canaries"), std::string::npos);
  EXPECT_EQ(html.find("id=\"vis-epsilon\""), std::string::npos);
  EXPECT_EQ(html.find("id=\"vis-exposure\""), std::string::npos);
  EXPECT_NE(html.find("data-omitted=\"audit\">Not shown: no run was audited"), std::string::npos);
  for (const char* id : {"privacy-utility", "memorization-gap", "mia-roc", "efficiency", "learning-curves"}) {
    EXPECT_NE(html.find(std::string("id=\"vis-") + id + "\""), std::string::npos) << id;
  }
}

TEST(Report, ListsFailedRunsWithTheirError) {
  RENDER_OR_SKIP(html, study(false, false));
  EXPECT_NE(html.find("\"run_id\":\"lora-00000003\""), std::string::npos);
  EXPECT_NE(html.find("\"status\":\"failed\""), std::string::npos);
  EXPECT_NE(html.find("train: the loss became NaN at step 3"), std::string::npos);
  EXPECT_NE(html.find("2 done, 1 failed"), std::string::npos);
}

TEST(Report, NothingInTheDataCanEndAScriptElement) {
  Json input = study(true, true);
  input["title"] = "</script><script>alert('title')</script>";
  input["runs"][0]["label"] = "full </script><script>alert(1)</script> <!-- x";
  input["runs"][2]["error"] = "</SCRIPT> & more";
  RENDER_OR_SKIP(html, input);
  // Exactly the page's three script elements end: data, chart libraries, page script.
  EXPECT_EQ(count(html, "</script>"), 3u);
  std::string lower = html;
  for (char& c : lower) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  EXPECT_EQ(count(lower, "</script"), 3u);
  EXPECT_EQ(html.find("alert(1)</script>"), std::string::npos);
  EXPECT_NE(html.find("\\u003c/script\\u003e\\u003cscript\\u003ealert(1)"), std::string::npos);
  EXPECT_NE(html.find("<title>&lt;/script&gt;&lt;script&gt;alert(&#39;title&#39;)&lt;/script&gt;</title>"),
            std::string::npos);
}

TEST(Report, EscapingHelpers) {
  using report_detail::json_for_script;
  using report_detail::script_for_html;
  EXPECT_EQ(script_for_html("var s = \"</script>\", t = '</SCRIPT'; // <!-- x"),
            "var s = \"<\\/script>\", t = '<\\/SCRIPT'; // \\x3C!-- x");
  EXPECT_EQ(json_for_script(Json{{"a", "</b> & c"}}), "{\"a\":\"\\u003c/b\\u003e \\u0026 c\"}");
  EXPECT_EQ(Json::parse(json_for_script(Json{{"a", "</b> & c"}}))["a"], "</b> & c");
  EXPECT_EQ(report_detail::escape_html("<a href=\"x\">&'"), "&lt;a href=&quot;x&quot;&gt;&amp;&#39;");
}

TEST(Report, LoadsNothingFromTheNetwork) {
  RENDER_OR_SKIP(html, study(true, true));
  // The bundles mention URLs in strings (the SVG namespace, their editor); nothing may load one.
  const std::regex remote(R"((src|href|action)\s*=\s*["']?\s*(https?:)?//)", std::regex::icase);
  const std::string page_only = html.substr(0, html.find("<script>"));
  EXPECT_FALSE(std::regex_search(page_only, remote));
  EXPECT_EQ(html.find("<link"), std::string::npos);
  EXPECT_EQ(html.find("<script src"), std::string::npos);
  EXPECT_EQ(html.find("@import"), std::string::npos);
  // And the browser is told to refuse any load that slips through.
  EXPECT_NE(html.find("Content-Security-Policy\" content=\"default-src 'none'"), std::string::npos);
  EXPECT_NE(html.find("actions: false"), std::string::npos);  // no "open in editor" links
}

TEST(Report, RefusesMalformedInput) {
  if (!report_bundles_embedded()) GTEST_SKIP() << "built without scripts/fetch_report_js";
  auto message = [](const Json& input) {
    try {
      render_report(input);
    } catch (const Error& e) {
      return std::string(e.what());
    }
    return std::string("no error");
  };
  EXPECT_EQ(message(Json::array()), "report input: expected a JSON object");
  EXPECT_EQ(message(Json{{"title", "t"}}), "report input: key 'runs' is missing");
  Json bad = study(false, false);
  bad["runs"][1]["status"] = "exploded";
  EXPECT_EQ(message(bad), "report input: runs[1]: status 'exploded' is not done, failed, running or pending");
  bad = study(false, false);
  bad["runs"][0]["metrics"] = "none";
  EXPECT_EQ(message(bad), "report input: runs[0]: key 'metrics' has the wrong type (string)");
  bad = study(false, false);
  bad["runs"][2]["run_id"] = "full-00000001";
  EXPECT_EQ(message(bad), "report input: runs[2]: run_id 'full-00000001' appears twice");
}

TEST(Report, RunsSharingALabelStayApart) {
  Json input = study(false, false);
  input["runs"][1]["label"] = input["runs"][0]["label"];
  RENDER_OR_SKIP(html, input);
  EXPECT_NE(html.find("\"run\":\"full lr=0.001 seed=0 (full-00000001)\""), std::string::npos);
  EXPECT_NE(html.find("\"run\":\"full lr=0.001 seed=0 (lora-00000002)\""), std::string::npos);
}

}  // namespace
}  // namespace privtune::experiment
