// The report's tables as data: the page draws them, sorts them and turns them into CSV, so
// the numbers in a downloaded file are the full-precision values, not the rounded text shown.
#include "privtune/experiment/report_internal.h"

namespace privtune::experiment::report_detail {

namespace {

Json column(const std::string& key, const std::string& label, const std::string& kind) {
  return {{"key", key}, {"label", label}, {"kind", kind}};
}

Json value_or_null(const Json* value) { return value != nullptr ? *value : Json(nullptr); }

Json input_field(const ReportRun& run, const char* key) {
  auto it = run.input->find(key);
  return it != run.input->end() ? *it : Json(nullptr);
}

// Every run, whatever its state: a failed run shows its error here and nowhere else.
Json runs_table(const std::vector<ReportRun>& runs) {
  Json rows = Json::array();
  for (const ReportRun& run : runs) {
    rows.push_back({{"run_id", run.run_id}, {"label", run.label},
                    {"sweep", input_field(run, "sweep")}, {"method", run.method},
                    {"model", input_field(run, "model")}, {"data", input_field(run, "data")},
                    {"seed", input_field(run, "seed")}, {"status", run.status},
                    {"error", input_field(run, "error")},
                    {"train_seconds", input_field(run, "train_seconds")},
                    {"eval_seconds", input_field(run, "eval_seconds")},
                    {"settings", run.settings}});
  }
  return {{"id", "runs"}, {"title", "Runs"}, {"rows", rows},
          {"columns", {column("run_id", "run", "text"), column("label", "label", "text"),
                       column("sweep", "sweep", "text"), column("method", "method", "text"),
                       column("model", "model", "text"), column("data", "data", "text"),
                       column("seed", "seed", "number"), column("status", "status", "text"),
                       column("error", "error", "text"),
                       column("train_seconds", "train (s)", "number"),
                       column("eval_seconds", "eval (s)", "number"),
                       column("settings", "settings", "text")}}};
}

// The main numbers of each evaluated run, each with its 95% interval.
Json metrics_table(const std::vector<ReportRun>& runs) {
  auto [attack, scope] = main_attack(runs);
  const std::string mia = attack.empty() ? "MIA" : "MIA " + attack + ", " + scope;
  Json rows = Json::array();
  for (const ReportRun& run : runs) {
    if (run.metrics == nullptr) continue;
    const Json* m = run.metrics;
    // The final epsilon of a DP run is in run.json; the last logged step has it too.
    const Json* eps = find_number(run.run, {"dp", "epsilon"});
    rows.push_back(
        {{"label", run.label}, {"method", run.method},
         {"U", find_estimate(m, {"leakage", "utility", "U"})},
         {"perplexity", find_estimate(m, {"leakage", "utility", "perplexity"})},
         {"gain", find_estimate(m, {"leakage", "utility", "gain"})},
         {"P", find_estimate(m, {"leakage", "classes", "sens", "P"})},
         {"G", find_estimate(m, {"leakage", "classes", "sens", "G"})},
         {"X", find_estimate(m, {"leakage", "classes", "sens", "X"})},
         {"M_sens", find_estimate(m, {"leakage", "classes", "sens", "M"})},
         {"M_nonsens", find_estimate(m, {"leakage", "classes", "nonsens", "M"})},
         {"auc", attack.empty() ? Json(nullptr) : find_estimate(m, {"membership", scope, attack, "auc"})},
         {"tpr1", attack.empty() ? Json(nullptr)
                                 : value_or_null(find_number(m, {"membership", scope, attack, "tpr_at_1pct_fpr"}))},
         {"exposure", find_estimate(m, {"exposure", "inserted_mean_exposure"})},
         {"extraction_train", find_estimate(m, {"extraction", "train", "rate"})},
         {"extraction_test", find_estimate(m, {"extraction", "test", "rate"})},
         {"epsilon", value_or_null(eps)},
         {"epsilon_audit", value_or_null(find_number(run.audit, {"audit", "epsilon_lower_bound"}))}});
  }
  return {{"id", "metrics"}, {"title", "Metrics (end of training, 95% intervals)"}, {"rows", rows},
          {"columns",
           {column("label", "run", "text"), column("method", "method", "text"),
            column("U", "utility U (nats)", "estimate"), column("perplexity", "perplexity", "estimate"),
            column("gain", "utility gain", "estimate"), column("P", "leakage P (sens)", "estimate"),
            column("G", "generalisation G (sens)", "estimate"),
            column("X", "excess memorization X (sens)", "estimate"),
            column("M_sens", "gap M (sens)", "estimate"), column("M_nonsens", "gap M (non-sens)", "estimate"),
            column("auc", mia + " AUC", "estimate"), column("tpr1", mia + " TPR at 1% FPR", "number"),
            column("exposure", "exposure (bits, inserted)", "estimate"),
            column("extraction_train", "extraction rate (train)", "estimate"),
            column("extraction_test", "extraction rate (test)", "estimate"),
            column("epsilon", "epsilon (DP accountant)", "number"),
            column("epsilon_audit", "empirical epsilon >= (audit)", "number")}}};
}

// Training and evaluation cost, from run.json and metrics.json.
Json efficiency_table(const std::vector<ReportRun>& runs) {
  Json rows = Json::array();
  for (const ReportRun& run : runs) {
    const Json* eff = find_path(run.run, {"efficiency"});
    if (eff == nullptr) continue;
    const Json* device = find_number(eff, {"peak_device_memory_bytes"});
    const Json* memory = device != nullptr && device->get<double>() > 0 ? device
                                                                       : find_number(eff, {"peak_memory_bytes"});
    const Json* eval_s = find_number(run.metrics, {"efficiency", "seconds", "total"});
    rows.push_back(
        {{"label", run.label}, {"method", run.method},
         {"device", value_or_null(find_path(eff, {"device"}))},
         {"dtype", value_or_null(find_path(eff, {"dtype"}))},
         {"trainable", value_or_null(find_number(eff, {"trainable_parameters"}))},
         {"total", value_or_null(find_number(eff, {"total_parameters"}))},
         {"fraction", value_or_null(find_number(eff, {"trainable_fraction"}))},
         {"train_s", value_or_null(find_number(eff, {"train_time_s"}))},
         {"step_s", value_or_null(find_number(eff, {"time_per_step_s"}))},
         {"tokens_per_s", value_or_null(find_number(eff, {"tokens_per_s"}))},
         {"memory_mib", memory != nullptr ? Json(memory->get<double>() / (1024.0 * 1024.0)) : Json(nullptr)},
         {"flops", value_or_null(find_number(eff, {"estimated_flops"}))},
         {"eval_s", eval_s != nullptr ? *eval_s : input_field(run, "eval_seconds")}});
  }
  return {{"id", "efficiency"}, {"title", "Efficiency"}, {"rows", rows},
          {"columns",
           {column("label", "run", "text"), column("method", "method", "text"),
            column("device", "device", "text"), column("dtype", "dtype", "text"),
            column("trainable", "trainable parameters", "number"),
            column("total", "total parameters", "number"), column("fraction", "trainable fraction", "number"),
            column("train_s", "training time (s)", "number"), column("step_s", "time per step (s)", "number"),
            column("tokens_per_s", "tokens/s", "number"), column("memory_mib", "peak memory (MiB)", "number"),
            column("flops", "estimated FLOPs", "number"), column("eval_s", "evaluation time (s)", "number")}}};
}

}  // namespace

Json build_tables(const std::vector<ReportRun>& runs) {
  return Json::array({runs_table(runs), metrics_table(runs), efficiency_table(runs)});
}

}  // namespace privtune::experiment::report_detail
