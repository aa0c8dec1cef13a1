// format_eval_table (evaluate.h): the terminal view of a metrics document.
#include <cstdio>
#include <string>
#include <vector>

#include "privtune/eval/evaluate.h"

namespace privtune::eval {

namespace {

std::string fixed(double x, int decimals) {
  char buffer[64];
  std::snprintf(buffer, sizeof buffer, "%.*f", decimals, x);
  return buffer;
}

// "1.234 [1.200, 1.270]", or "n/a" for null.
std::string with_interval(const core::Json& estimate, int decimals = 3, double scale = 1.0) {
  if (estimate.is_null()) return "n/a";
  std::string out = fixed(estimate["value"].get<double>() * scale, decimals);
  const core::Json& ci = estimate["ci"];
  if (ci.is_array() && !ci[0].is_null() && !ci[1].is_null())
    out += " [" + fixed(ci[0].get<double>() * scale, decimals) + ", " + fixed(ci[1].get<double>() * scale, decimals) +
           "]";
  return out;
}

std::string pad(const std::string& s, size_t width) { return s.size() >= width ? s + " " : s + std::string(width - s.size(), ' '); }

}  // namespace

std::string format_eval_table(const core::Json& m) {
  std::string out;
  const core::Json& leakage = m["leakage"];
  const core::Json& utility = leakage["utility"];
  out += "Utility  U = L(test, nonsens) " + with_interval(utility["U"]) + "   perplexity " +
         with_interval(utility["perplexity"], 2) + "   gain over base " + with_interval(utility["gain"]) + "\n\n";

  out += "Leakage (nats; P = base - model on train, G = same on test, M = test - train, X = P - G)\n";
  out += pad("class", 14) + pad("tokens tr/te", 14) + pad("L model train", 24) + pad("L model test", 24) +
         pad("P", 24) + pad("M", 24) + "X\n";
  // nonsens and sens first, then the labels (JSON objects keep keys sorted).
  std::vector<std::string> keys = {"nonsens", "sens"};
  for (const auto& item : leakage["classes"].items())
    if (item.key() != "nonsens" && item.key() != "sens") keys.push_back(item.key());
  for (const std::string& key : keys) {
    const core::Json& c = leakage["classes"][key];
    const std::string tokens =
        std::to_string(c["tokens"]["train"].get<int64_t>()) + "/" + std::to_string(c["tokens"]["test"].get<int64_t>());
    out += pad(key, 14) + pad(tokens, 14) + pad(with_interval(c["model_train"]), 24) +
           pad(with_interval(c["model_test"]), 24) + pad(with_interval(c["P"]), 24) + pad(with_interval(c["M"]), 24) +
           with_interval(c["X"]) + "\n";
  }
  out += "\nMembership inference, train vs test (ROC AUC [95% CI] / TPR at 1% FPR)\n";
  const char* scores[] = {"loss", "reference", "zlib", "min_k"};
  out += pad("scope", 14);
  for (const char* s : scores) out += pad(s, 28);
  out += "\n";
  for (const char* scope : {"whole", "sensitive"}) {
    out += pad(scope, 14);
    for (const char* s : scores) {
      const core::Json& e = m["membership"][scope][s];
      out += pad(e.is_null() ? "n/a" : with_interval(e["auc"]) + " / " + fixed(e["tpr_at_1pct_fpr"].get<double>(), 3), 28);
    }
    out += "\n";
  }

  out += "\nCanary exposure (bits) by repetitions: ";
  if (m["exposure"].is_null()) {
    out += "n/a (no canaries.jsonl)\n";
  } else {
    out += "\n";
    for (const core::Json& r : m["exposure"]["by_repetitions"])
      out += "  x" + pad(std::to_string(r["repetitions"].get<int64_t>()), 4) + " " +
             with_interval(r["mean_exposure"], 2) + "  (" + std::to_string(r["canaries"].get<int64_t>()) +
             " canaries)\n";
  }

  out += "\nExtraction (exact greedy match of sensitive spans): ";
  const core::Json& ex = m["extraction"];
  if (ex.is_null()) {
    out += "n/a (no sensitive spans, or --extraction-max-spans 0)\n";
  } else {
    out += "train " + with_interval(ex["train"]["rate"], 1, 100.0) + " % of " +
           std::to_string(ex["train"]["spans"].get<int64_t>()) + " spans, test " +
           with_interval(ex["test"]["rate"], 1, 100.0) + " % of " + std::to_string(ex["test"]["spans"].get<int64_t>()) +
           "\n";
  }
  const core::Json& eff = m["efficiency"];
  out += "\nEvaluation took " + fixed(eff["seconds"]["total"].get<double>(), 1) + " s (scoring " +
         fixed(eff["scoring_tokens_per_second"].get<double>(), 0) + " tokens/s)\n";
  return out;
}

}  // namespace privtune::eval
