// The report's charts as Vega-Lite specs with their data inlined. Every data row carries the
// run's name, label, method and settings, so every tooltip can say which run it is and how it
// was trained. A chart without data is not drawn; the page says why instead.
#include <algorithm>
#include <cstdint>
#include <map>

#include "privtune/experiment/report_internal.h"

namespace privtune::experiment::report_detail {

namespace {

// The fields that identify a run in a data row and its tooltip.
Json run_row(const ReportRun& run) {
  return {{"run", run.name}, {"run_id", run.run_id}, {"label", run.label},
          {"method", run.method}, {"settings", run.settings}};
}

Json field(const std::string& name, const std::string& type, const std::string& title) {
  return {{"field", name}, {"type", type}, {"title", title}};
}

// Tooltip: the run's identity, then the chart's own numbers.
Json tooltip(std::initializer_list<Json> numbers) {
  Json t = Json::array({field("label", "nominal", "run"), field("run_id", "nominal", "id"),
                        field("method", "nominal", "method"),
                        field("settings", "nominal", "settings")});
  for (const Json& n : numbers) t.push_back(n);
  return t;
}

Json number(const std::string& name, const std::string& title, const std::string& format = ".4~g") {
  Json f = field(name, "quantitative", title);
  f["format"] = format;
  return f;
}

// One colour per run, the same in every chart: the domain lists, in input order, every run
// with something to draw (a failed run without outputs would only clutter the legends).
Json run_colour(const std::vector<ReportRun>& runs) {
  Json domain = Json::array();
  for (const ReportRun& run : runs) {
    const bool has_data = run.run != nullptr || run.metrics != nullptr ||
                          (run.steps != nullptr && !run.steps->empty());
    if (has_data) domain.push_back(run.name);
  }
  return {{"field", "run"}, {"type", "nominal"}, {"title", "run"}, {"scale", {{"domain", domain}}}};
}

// Copies estimate {value, ci} into row[name], row[name_lo], row[name_hi]. False if absent.
bool put_estimate(Json& row, const std::string& name, const Json& estimate) {
  if (estimate.is_null()) return false;
  row[name] = estimate["value"];
  row[name + "_lo"] = estimate["ci"].is_array() ? estimate["ci"][0] : Json(nullptr);
  row[name + "_hi"] = estimate["ci"].is_array() ? estimate["ci"][1] : Json(nullptr);
  return true;
}

// Steps are whole numbers: no tick at step 1.5, no "2.000000" when there is a single step.
Json step_axis() {
  return {{"field", "step"}, {"type", "quantitative"}, {"title", "step"},
          {"axis", {{"format", "d"}, {"tickMinStep", 1}}}};
}

// One bar (group) per run along x, in input order, names slanted to fit.
Json run_axis() {
  return {{"field", "run"}, {"type", "nominal"}, {"title", nullptr}, {"sort", nullptr},
          {"axis", {{"labelAngle", -40}, {"labelLimit", 160}}}};
}

Json chart(const std::string& id, const std::string& title, const std::string& description) {
  return {{"id", id}, {"title", title}, {"description", description}, {"spec", nullptr},
          {"omitted", nullptr}};
}

bool any_metrics(const std::vector<ReportRun>& runs) {
  for (const ReportRun& run : runs) {
    if (run.metrics != nullptr) return true;
  }
  return false;
}

const char* kNoMetrics = "no run has metrics yet (none has finished its evaluation)";

// Privacy leakage P (and excess memorization X) of the sensitive training tokens against the
// utility gain on non-sensitive test tokens: the reference study's main figure.
Json privacy_utility(const std::vector<ReportRun>& runs) {
  Json c = chart("privacy-utility", "Privacy leakage vs utility",
                 "Each point is a run at the end of training (not at matched utility). "
                 "x: utility gain over the base on non-sensitive test tokens; y: privacy "
                 "leakage P on sensitive training tokens (left) and excess memorization "
                 "X = P - G (right), with 95% intervals. Up and right: more useful, more leaky.");
  Json values = Json::array();
  for (const ReportRun& run : runs) {
    Json row = run_row(run);
    if (!put_estimate(row, "gain", find_estimate(run.metrics, {"leakage", "utility", "gain"})) ||
        !put_estimate(row, "P", find_estimate(run.metrics, {"leakage", "classes", "sens", "P"}))) {
      continue;
    }
    put_estimate(row, "X", find_estimate(run.metrics, {"leakage", "classes", "sens", "X"}));
    values.push_back(row);
  }
  if (values.empty()) {
    c["omitted"] = any_metrics(runs) ? "no run has both a utility gain and a privacy leakage "
                                       "(the data may have no sensitive spans)"
                                     : kNoMetrics;
    return c;
  }
  const Json x = {{"field", "gain"}, {"type", "quantitative"}, {"scale", {{"zero", false}}},
                  {"title", "utility gain, non-sensitive test tokens (nats)"}};
  auto panel = [&](const std::string& y, const std::string& title) {
    Json colour = {{"field", "method"}, {"type", "nominal"}, {"title", "method"}};
    return Json{
        {"width", 320}, {"height", 260}, {"title", title},
        {"layer",
         {{{"mark", "rule"},
           {"encoding", {{"x", x}, {"y", {{"field", y + "_lo"}, {"type", "quantitative"}}},
                         {"y2", {{"field", y + "_hi"}}}, {"color", colour}}}},
          {{"mark", "rule"},
           {"encoding", {{"y", {{"field", y}, {"type", "quantitative"}}},
                         {"x", {{"field", "gain_lo"}, {"type", "quantitative"}}},
                         {"x2", {{"field", "gain_hi"}}}, {"color", colour}}}},
          {{"mark", {{"type", "point"}, {"filled", true}, {"size", 90}}},
           {"encoding",
            {{"x", x},
             {"y", {{"field", y}, {"type", "quantitative"}, {"scale", {{"zero", false}}},
                    {"title", title + " (nats)"}}},
             {"color", colour}, {"shape", {{"field", "method"}, {"type", "nominal"}}},
             {"tooltip", tooltip({number("gain", "utility gain"), number(y, y),
                                  number(y + "_lo", y + " low"), number(y + "_hi", y + " high")})}}}}}}};
  };
  c["spec"] = {{"data", {{"values", values}}},
               {"hconcat", {panel("P", "privacy leakage P, sensitive train tokens"),
                            panel("X", "excess memorization X, sensitive tokens")}}};
  return c;
}

// The memorization gap M = L(test) - L(train) of sensitive and non-sensitive tokens.
Json memorization_gap(const std::vector<ReportRun>& runs) {
  Json c = chart("memorization-gap", "Memorization gap, sensitive vs non-sensitive tokens",
                 "M = L(test) - L(train) for each run and token class, with 95% intervals; the "
                 "base model's own gap M_base is in the tooltip. A larger gap for sensitive "
                 "tokens means the model learned the training set's values, not just their format.");
  Json values = Json::array();
  for (const ReportRun& run : runs) {
    for (auto [cls, title] : {std::pair{"sens", "sensitive"}, std::pair{"nonsens", "non-sensitive"}}) {
      Json row = run_row(run);
      if (!put_estimate(row, "M", find_estimate(run.metrics, {"leakage", "classes", cls, "M"}))) continue;
      put_estimate(row, "M_base", find_estimate(run.metrics, {"leakage", "classes", cls, "M_base"}));
      row["class"] = title;
      values.push_back(row);
    }
  }
  if (values.empty()) {
    c["omitted"] = any_metrics(runs) ? "no run has a memorization gap" : kNoMetrics;
    return c;
  }
  const Json cls = {{"field", "class"}, {"type", "nominal"}, {"title", "tokens"},
                    {"sort", {"sensitive", "non-sensitive"}}};
  c["spec"] = {
      {"data", {{"values", values}}},
      {"width", {{"step", 56}}}, {"height", 260},
      {"encoding", {{"x", {{"field", "run"}, {"type", "nominal"}, {"title", nullptr},
                           {"sort", nullptr}, {"axis", {{"labelAngle", -30}, {"labelLimit", 220}}}}},
                    {"xOffset", cls}}},
      {"layer",
       {{{"mark", "bar"},
         {"encoding", {{"y", {{"field", "M"}, {"type", "quantitative"},
                              {"title", "memorization gap M (nats)"}}},
                       {"color", cls},
                       {"tooltip", tooltip({field("class", "nominal", "tokens"), number("M", "M"),
                                            number("M_lo", "M low"), number("M_hi", "M high"),
                                            number("M_base", "M_base")})}}}},
        {{"mark", {{"type", "rule"}, {"color", "#333"}}},
         {"encoding", {{"y", {{"field", "M_lo"}, {"type", "quantitative"}}},
                       {"y2", {{"field", "M_hi"}}}}}}}}};
  return c;
}

// ROC curves of the membership-inference attacks, one per run; two drop-downs choose the
// attack and the scope (whole sequence or sensitive tokens).
Json roc_curves(const std::vector<ReportRun>& runs) {
  Json c = chart("mia-roc", "Membership-inference ROC",
                 "True-positive rate against false-positive rate of each attack telling training "
                 "examples (members) from test examples; the diagonal is guessing. Choose the "
                 "attack and the scope below the chart; the AUC is in the tooltip.");
  Json values = Json::array();
  Json attacks = Json::array();
  Json scopes = Json::array();
  for (const char* scope : {"sensitive", "whole"}) {
    for (const char* attack : {"reference", "loss", "zlib", "min_k"}) {
      for (const ReportRun& run : runs) {
        const Json* roc = find_path(run.metrics, {"membership", scope, attack, "roc"});
        if (roc == nullptr || !roc->is_array()) continue;
        const Json* auc = find_number(run.metrics, {"membership", scope, attack, "auc", "value"});
        int64_t index = 0;
        for (const Json& point : *roc) {
          if (!point.is_array() || point.size() != 2 || !point[0].is_number() || !point[1].is_number()) {
            continue;
          }
          Json row = run_row(run);
          row["attack"] = attack;
          row["scope"] = scope;
          row["fpr"] = point[0];
          row["tpr"] = point[1];
          row["i"] = index++;
          row["auc"] = auc != nullptr ? *auc : Json(nullptr);
          values.push_back(row);
        }
        if (index == 0) continue;
        if (std::find(attacks.begin(), attacks.end(), attack) == attacks.end()) attacks.push_back(attack);
        if (std::find(scopes.begin(), scopes.end(), scope) == scopes.end()) scopes.push_back(scope);
      }
    }
  }
  if (values.empty()) {
    c["omitted"] = any_metrics(runs) ? "no run has membership-inference ROC points" : kNoMetrics;
    return c;
  }
  auto [attack, scope] = main_attack(runs);
  const Json axis_x = {{"field", "fpr"}, {"type", "quantitative"}, {"title", "false-positive rate"},
                       {"scale", {{"domain", {0, 1}}}}};
  const Json axis_y = {{"field", "tpr"}, {"type", "quantitative"}, {"title", "true-positive rate"},
                       {"scale", {{"domain", {0, 1}}}}};
  c["spec"] = {
      {"width", 380}, {"height", 340},
      {"params",
       {{{"name", "attack"}, {"value", attack},
         {"bind", {{"input", "select"}, {"options", attacks}, {"name", "attack "}}}},
        {{"name", "scope"}, {"value", scope},
         {"bind", {{"input", "select"}, {"options", scopes}, {"name", "scope "}}}}}},
      {"layer",
       {{{"data", {{"values", {{{"fpr", 0}, {"tpr", 0}}, {{"fpr", 1}, {"tpr", 1}}}}}},
         {"mark", {{"type", "line"}, {"color", "#bbb"}, {"strokeDash", {4, 4}}}},
         {"encoding", {{"x", axis_x}, {"y", axis_y}}}},
        {{"data", {{"values", values}}},
         {"transform", {{{"filter", "datum.attack === attack && datum.scope === scope"}}}},
         {"mark", {{"type", "line"}, {"point", {{"size", 18}}}}},
         {"encoding", {{"x", axis_x}, {"y", axis_y}, {"color", run_colour(runs)},
                       {"order", {{"field", "i"}, {"type", "quantitative"}}},
                       {"tooltip", tooltip({field("attack", "nominal", "attack"),
                                            field("scope", "nominal", "scope"), number("auc", "AUC"),
                                            number("fpr", "FPR"), number("tpr", "TPR")})}}}}}}};
  return c;
}

// Mean canary exposure per number of insertions (0 = reference canaries never inserted).
Json exposure(const std::vector<ReportRun>& runs) {
  Json c = chart("exposure", "Canary exposure vs repetitions",
                 "Mean exposure (bits) of the canaries inserted a given number of times, with "
                 "95% intervals over canaries; 0 repetitions are reference canaries that were "
                 "never inserted, the level of chance.");
  Json values = Json::array();
  for (const ReportRun& run : runs) {
    const Json* groups = find_path(run.metrics, {"exposure", "by_repetitions"});
    if (groups == nullptr || !groups->is_array()) continue;
    for (const Json& g : *groups) {
      const Json* reps = find_number(&g, {"repetitions"});
      Json row = run_row(run);
      if (reps == nullptr || !put_estimate(row, "exposure", find_estimate(&g, {"mean_exposure"}))) continue;
      row["repetitions"] = *reps;
      const Json* count = find_number(&g, {"canaries"});
      row["canaries"] = count != nullptr ? *count : Json(nullptr);
      values.push_back(row);
    }
  }
  if (values.empty()) {
    c["omitted"] = any_metrics(runs) ? "no run has canaries (exposure is null in every metrics.json)"
                                     : kNoMetrics;
    return c;
  }
  const Json x = {{"field", "repetitions"}, {"type", "ordinal"},
                  {"title", "times inserted in the training data"}};
  const Json offset = {{"field", "run"}, {"type", "nominal"}};
  c["spec"] = {
      {"data", {{"values", values}}},
      {"width", 420}, {"height", 260},
      {"encoding", {{"x", x}, {"xOffset", offset}, {"color", run_colour(runs)}}},
      {"layer",
       {{{"mark", "rule"},
         {"encoding", {{"y", {{"field", "exposure_lo"}, {"type", "quantitative"}}},
                       {"y2", {{"field", "exposure_hi"}}}}}},
        {{"mark", {{"type", "point"}, {"filled", true}, {"size", 70}}},
         {"encoding", {{"y", {{"field", "exposure"}, {"type", "quantitative"},
                              {"title", "mean exposure (bits)"}}},
                       {"tooltip", tooltip({number("repetitions", "repetitions", "d"),
                                            number("canaries", "canaries", "d"),
                                            number("exposure", "exposure"),
                                            number("exposure_lo", "low"),
                                            number("exposure_hi", "high")})}}}}}}};
  return c;
}

// Epsilon spent so far at each logged step of the DP runs.
Json epsilon(const std::vector<ReportRun>& runs) {
  Json c = chart("epsilon", "Privacy budget epsilon vs steps",
                 "The (epsilon, delta) guarantee spent up to each step of the DP runs, from "
                 "the training log and run.json.");
  Json values = Json::array();
  for (const ReportRun& run : runs) {
    // Step lines carry the epsilon every --log-every steps; run.json adds it after every
    // tenth of the steps, which gives short runs a curve too.
    std::map<double, double> by_step;
    const Json* history = find_path(run.run, {"dp", "epsilon_over_steps"});
    for (const Json* events : {run.steps, history}) {
      if (events == nullptr || !events->is_array()) continue;
      for (const Json& s : *events) {
        const Json* step = find_number(&s, {"step"});
        const Json* eps = find_number(&s, {"epsilon"});
        if (step != nullptr && eps != nullptr) by_step.emplace(step->get<double>(), eps->get<double>());
      }
    }
    for (const auto& [step, eps] : by_step) {
      Json row = run_row(run);
      row["step"] = step;
      row["epsilon"] = eps;
      values.push_back(row);
    }
  }
  if (values.empty()) {
    c["omitted"] = "no DP run in this study (no run logged an epsilon)";
    return c;
  }
  c["spec"] = {
      {"data", {{"values", values}}}, {"width", 420}, {"height", 260},
      {"mark", {{"type", "line"}, {"point", true}}},
      {"encoding", {{"x", step_axis()},
                    {"y", {{"field", "epsilon"}, {"type", "quantitative"}, {"title", "epsilon"}}},
                    {"color", run_colour(runs)},
                    {"tooltip", tooltip({number("step", "step", "d"), number("epsilon", "epsilon")})}}}};
  return c;
}

// The one-run audit of each audited run: the empirical epsilon lower bound, and beside it
// the accountant's epsilon of a DP run (at the same delta unless the audit's note says not).
Json audit_epsilon(const std::vector<ReportRun>& runs) {
  Json c = chart("audit", "Empirical epsilon (one-run audit) vs theoretical epsilon",
                 "The lower bound on epsilon each run's one-run audit (Steinke, Nasr and Jagielski 2023) proves "
                 "from its canaries, at the stated confidence and delta; for DP runs the accountant's "
                 "epsilon, an upper bound, beside it. A lower bound near 0 shows no leakage the audit could "
                 "prove; one above the theoretical epsilon would mean the DP implementation is broken.");
  Json values = Json::array();
  for (const ReportRun& run : runs) {
    const Json* lower = find_number(run.audit, {"audit", "epsilon_lower_bound"});
    if (lower == nullptr) continue;
    const Json& audit = (*run.audit)["audit"];
    const Json best = audit.value("best", Json::object());
    Json row = run_row(run);
    row["measure"] = "empirical lower bound (audit)";
    row["epsilon"] = *lower;
    row["confidence"] = audit.value("confidence", Json());
    row["delta"] = audit.value("delta", Json());
    row["guesses"] = best.value("guesses", Json());
    row["correct"] = best.value("correct", Json());
    values.push_back(row);
    if (const Json* theory = find_number(run.audit, {"theory", "epsilon"})) {
      Json t = row;
      t["measure"] = "theoretical (DP accountant)";
      t["epsilon"] = *theory;
      values.push_back(t);
    }
  }
  if (values.empty()) {
    c["omitted"] = "no run was audited (privtune audit, or an [audit] table in the sweep)";
    return c;
  }
  c["spec"] = {
      {"data", {{"values", values}}}, {"width", {{"step", 22}}}, {"height", 260}, {"mark", "bar"},
      {"encoding",
       {{"x", run_axis()},
        {"xOffset", {{"field", "measure"}, {"type", "nominal"}}},
        {"y", {{"field", "epsilon"}, {"type", "quantitative"}, {"title", "epsilon"}}},
        {"color", {{"field", "measure"}, {"type", "nominal"}, {"title", nullptr}}},
        {"tooltip", tooltip({field("measure", "nominal", "epsilon"), number("epsilon", "value"),
                             number("delta", "delta"), number("confidence", "confidence"),
                             number("correct", "right guesses", "d"), number("guesses", "guesses", "d")})}}}};
  return c;
}

// The audit's canary scores (base loss - model loss) of canaries in and out of training:
// the further apart, the more the run reveals of what it trained on.
Json audit_scores(const std::vector<ReportRun>& runs) {
  Json c = chart("audit-scores", "Audit canary scores, in vs out of training",
                 "Histogram of each audited run's canary scores (mean base loss minus mean model loss over the "
                 "canary's scored tokens, nats) for the canaries that were in its training set and those that "
                 "were not. The audit guesses 'in' for the highest scores and 'out' for the lowest.");
  Json values = Json::array();
  for (const ReportRun& run : runs) {
    const Json* bins = find_path(run.audit, {"audit", "histogram"});
    if (bins == nullptr || !bins->is_array()) continue;
    for (const Json& bin : *bins) {
      for (const char* side : {"included", "excluded"}) {
        Json row = run_row(run);
        row["low"] = bin.value("low", Json());
        row["high"] = bin.value("high", Json());
        row["canaries"] = std::string(side) == "included" ? "in training" : "not in training";
        row["count"] = bin.value(side, Json());
        values.push_back(row);
      }
    }
  }
  if (values.empty()) {
    c["omitted"] = "no run was audited";
    return c;
  }
  c["spec"] = {
      {"data", {{"values", values}}},
      {"facet", {{"field", "run"}, {"type", "nominal"}, {"title", nullptr}, {"sort", nullptr}}},
      {"columns", 3},
      {"spec",
       {{"width", 220}, {"height", 140}, {"mark", {{"type", "bar"}, {"opacity", 0.6}}},
        {"encoding",
         {{"x", {{"field", "low"}, {"type", "quantitative"}, {"title", "score (nats)"}, {"bin", {{"binned", true}}}}},
          {"x2", {{"field", "high"}}},
          {"y", {{"field", "count"}, {"type", "quantitative"}, {"title", "canaries"}, {"stack", nullptr}}},
          {"color", {{"field", "canaries"}, {"type", "nominal"}, {"title", nullptr}}},
          {"tooltip", tooltip({field("canaries", "nominal", "canaries"), number("low", "score from"),
                               number("high", "score to"), number("count", "count", "d")})}}}}},
      {"resolve", {{"scale", {{"x", "independent"}}}}}};
  return c;
}

// Training cost per run, from run.json: wall time, peak memory and trainable parameters.
Json efficiency(const std::vector<ReportRun>& runs) {
  Json c = chart("efficiency", "Efficiency",
                 "Training wall time, peak memory (the device's allocator peak on a GPU, the "
                 "process's resident memory on a CPU) and trainable parameters of each run.");
  Json values = Json::array();
  const char* measures[] = {"training time (s)", "peak memory (MiB)", "trainable parameters"};
  for (const ReportRun& run : runs) {
    const Json* eff = find_path(run.run, {"efficiency"});
    if (eff == nullptr) continue;
    const Json* time = find_number(eff, {"train_time_s"});
    const Json* device = find_number(eff, {"peak_device_memory_bytes"});
    const Json* memory = device != nullptr && device->get<double>() > 0 ? device
                                                                       : find_number(eff, {"peak_memory_bytes"});
    const Json* params = find_number(eff, {"trainable_parameters"});
    const Json* figures[] = {time, memory, params};
    for (int m = 0; m < 3; ++m) {
      if (figures[m] == nullptr) continue;
      Json row = run_row(run);
      row["measure"] = measures[m];
      row["value"] = m == 1 ? figures[m]->get<double>() / (1024.0 * 1024.0) : figures[m]->get<double>();
      values.push_back(row);
    }
  }
  if (values.empty()) {
    c["omitted"] = "no run has finished training (no run.json with efficiency figures)";
    return c;
  }
  c["spec"] = {
      {"data", {{"values", values}}},
      {"facet", {{"column", {{"field", "measure"}, {"type", "nominal"}, {"title", nullptr},
                             {"sort", Json(measures)}}}}},
      {"spec", {{"width", {{"step", 28}}}, {"height", 220}, {"mark", "bar"},
                {"encoding", {{"x", run_axis()},
                              {"y", {{"field", "value"}, {"type", "quantitative"}, {"title", nullptr}}},
                              {"color", run_colour(runs)},
                              {"tooltip", tooltip({field("measure", "nominal", "measure"),
                                                   number("value", "value", ",.4~g")})}}}}},
      {"resolve", {{"scale", {{"y", "independent"}}}}}};
  return c;
}

// Training loss per step and, where evaluated during training, the test loss of sensitive
// and non-sensitive tokens.
Json learning_curves(const std::vector<ReportRun>& runs) {
  Json c = chart("learning-curves", "Learning curves",
                 "Training loss per step (left) and mean test loss of sensitive and "
                 "non-sensitive tokens at each evaluation (right).");
  Json train = Json::array();
  Json test = Json::array();
  for (const ReportRun& run : runs) {
    for (const Json& s : run.steps != nullptr ? *run.steps : Json::array()) {
      const Json* step = find_number(&s, {"step"});
      const Json* loss = find_number(&s, {"loss"});
      if (step == nullptr || loss == nullptr) continue;
      Json row = run_row(run);
      row["step"] = *step;
      row["loss"] = *loss;
      train.push_back(row);
    }
    for (const Json& e : run.evals != nullptr ? *run.evals : Json::array()) {
      const Json* step = find_number(&e, {"step"});
      for (auto [cls, title] : {std::pair{"sens", "sensitive"}, std::pair{"nonsens", "non-sensitive"}}) {
        const Json* loss = find_number(&e, {"test", cls, "loss"});
        if (step == nullptr || loss == nullptr) continue;
        Json row = run_row(run);
        row["step"] = *step;
        row["loss"] = *loss;
        row["tokens"] = title;
        test.push_back(row);
      }
    }
  }
  if (train.empty() && test.empty()) {
    c["omitted"] = "no run has logged a training step yet";
    return c;
  }
  const Json step = step_axis();
  Json panels = Json::array();
  if (!train.empty()) {
    panels.push_back(
        {{"data", {{"values", train}}}, {"width", 380}, {"height", 260}, {"title", "training loss"},
         {"mark", {{"type", "line"}, {"point", train.size() <= 400}}},
         {"encoding", {{"x", step},
                       {"y", {{"field", "loss"}, {"type", "quantitative"}, {"scale", {{"zero", false}}},
                              {"title", "loss (nats)"}}},
                       {"color", run_colour(runs)},
                       {"tooltip", tooltip({number("step", "step", "d"), number("loss", "loss")})}}}});
  }
  if (!test.empty()) {
    panels.push_back(
        {{"data", {{"values", test}}}, {"width", 380}, {"height", 260}, {"title", "test loss"},
         {"mark", {{"type", "line"}, {"point", true}}},
         {"encoding", {{"x", step},
                       {"y", {{"field", "loss"}, {"type", "quantitative"}, {"scale", {{"zero", false}}},
                              {"title", "loss (nats)"}}},
                       {"color", run_colour(runs)},
                       {"strokeDash", {{"field", "tokens"}, {"type", "nominal"}, {"title", "tokens"}}},
                       {"shape", {{"field", "tokens"}, {"type", "nominal"}, {"title", "tokens"}}},
                       {"tooltip", tooltip({field("tokens", "nominal", "tokens"),
                                            number("step", "step", "d"), number("loss", "loss")})}}}});
  }
  c["spec"] = {{"hconcat", panels}};
  return c;
}

}  // namespace

Json build_charts(const std::vector<ReportRun>& runs) {
  return Json::array({privacy_utility(runs), memorization_gap(runs), roc_curves(runs),
                      exposure(runs), epsilon(runs), audit_epsilon(runs), audit_scores(runs),
                      efficiency(runs), learning_curves(runs)});
}

}  // namespace privtune::experiment::report_detail
