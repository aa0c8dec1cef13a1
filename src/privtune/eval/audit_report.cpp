#include "privtune/eval/audit_report.h"

#include <algorithm>
#include <cmath>
#include <cstdio>

#include "privtune/core/error.h"
#include "privtune/eval/audit_bound.h"

namespace privtune::eval {

namespace {

core::Json guesses_json(const AuditGuesses& g, double bound) {
  return {{"k", g.k},
          {"guesses", g.guesses},
          {"correct", g.correct},
          {"correct_in", g.correct_in},
          {"correct_out", g.correct_out},
          {"accuracy", g.guesses > 0 ? static_cast<double>(g.correct) / static_cast<double>(g.guesses) : 0.0},
          {"epsilon_lower_bound", bound}};
}

std::string fmt(const char* format, double value) {
  char buf[64];
  std::snprintf(buf, sizeof buf, format, value);
  return buf;
}

}  // namespace

void check_audit_settings(const AuditSettings& s) {
  const std::string m = std::to_string(s.canaries);
  if (s.canaries < 2) throw Error("--canaries must be >= 2 (got " + m + ")");
  if (s.ks.empty()) throw Error("--guesses: give at least one k");
  for (int64_t k : s.ks) {
    if (k < 1) throw Error("--guesses: k must be >= 1 (got " + std::to_string(k) + ")");
    if (2 * k > s.canaries)
      throw Error("--guesses: k = " + std::to_string(k) + " guesses each way needs 2k <= --canaries (" + m +
                  "), i.e. k <= " + std::to_string(s.canaries / 2));
  }
  if (!(s.delta > 0 && s.delta < 1)) throw Error("--audit-delta must be in (0, 1) (got " + fmt("%g", s.delta) + ")");
  if (!(s.confidence > 0 && s.confidence < 1))
    throw Error("--confidence must be in (0, 1) (got " + fmt("%g", s.confidence) + ")");
  const double p = (1 - s.confidence) / static_cast<double>(s.ks.size());
  const int64_t k_max = *std::max_element(s.ks.begin(), s.ks.end());
  if (best_possible_bound(s.canaries, k_max, s.delta, p) <= 0) {
    // The smallest m whose every-guess-right outcome at k = m/2 gives a positive bound.
    int64_t needed = s.canaries;
    while (needed < (int64_t{1} << 40) && best_possible_bound(needed, needed / 2, s.delta, p) <= 0) needed *= 2;
    throw Error("--canaries " + m + " with --guesses up to " + std::to_string(k_max) +
                ": even all guesses right cannot give an epsilon bound above 0 at confidence " +
                fmt("%g", s.confidence) + " and delta " + fmt("%g", s.delta) + " (use more canaries, e.g. " +
                std::to_string(needed) + ", and a larger k)");
  }
}

core::Json score_histogram(const std::vector<CanaryOutcome>& canaries, int bins) {
  double lo = INFINITY, hi = -INFINITY;
  for (const CanaryOutcome& c : canaries) lo = std::min(lo, c.score()), hi = std::max(hi, c.score());
  if (canaries.empty()) lo = hi = 0;
  if (hi <= lo) hi = lo + 1e-9;
  const double width = (hi - lo) / bins;
  std::vector<int64_t> in(static_cast<size_t>(bins)), out(static_cast<size_t>(bins));
  for (const CanaryOutcome& c : canaries) {
    const int b = std::min(bins - 1, static_cast<int>((c.score() - lo) / width));
    ++(c.included ? in : out)[static_cast<size_t>(b)];
  }
  core::Json rows = core::Json::array();
  for (int b = 0; b < bins; ++b)
    rows.push_back({{"low", lo + b * width}, {"high", lo + (b + 1) * width}, {"included", in[b]}, {"excluded", out[b]}});
  return rows;
}

core::Json audit_document(const AuditSettings& s, const std::vector<CanaryOutcome>& canaries, const core::Json& run) {
  std::vector<double> scores;
  std::vector<bool> included;
  int64_t n_in = 0;
  for (const CanaryOutcome& c : canaries) {
    scores.push_back(c.score());
    included.push_back(c.included);
    n_in += c.included;
  }
  const AuditBound bound = audit_one_run(scores, included, s.ks, s.delta, 1 - s.confidence);
  core::Json per_k = core::Json::array();
  for (size_t i = 0; i < bound.all.size(); ++i) per_k.push_back(guesses_json(bound.all[i], bound.all_bounds[i]));

  core::Json audit = {
      {"procedure", "one-run (Steinke, Nasr, Jagielski 2023)"},
      {"canaries", s.canaries},
      {"included", n_in},
      {"kind", s.kind},
      {"canary_length", s.canary_length},
      {"score", "mean base loss - mean model loss over the canary's scored tokens (random: all; secret: its digits), nats"},
      {"delta", s.delta},
      {"confidence", s.confidence},
      {"significance_per_k", bound.significance_per_k},
      {"seed", s.seed},
      {"epsilon_lower_bound", bound.epsilon_lower},
      {"best", guesses_json(bound.best, bound.epsilon_lower)},
      {"per_k", per_k},
      {"histogram", score_histogram(canaries, 20)},
  };
  core::Json doc = {{"audit", audit}};
  doc["method"] = run.value("method", "");
  if (run.contains("dp")) {
    const core::Json& dp = run["dp"];
    doc["theory"] = {{"epsilon", dp["epsilon"]}, {"delta", dp["delta"]}, {"accountant", dp["accountant"]},
                     {"for_release", dp["for_release"]}};
    if (std::abs(dp["delta"].get<double>() - s.delta) > 1e-12 * s.delta)
      doc["theory"]["note"] = "the audit's delta differs from the run's: the two epsilons are not comparable";
  }
  return doc;
}

std::string format_audit_summary(const core::Json& doc) {
  const core::Json& a = doc["audit"];
  const core::Json& best = a["best"];
  std::string out;
  out += "one-run audit: " + std::to_string(a["canaries"].get<int64_t>()) + " " + a["kind"].get<std::string>() +
         " canaries, " + std::to_string(a["included"].get<int64_t>()) + " in training\n";
  out += "guesses: " + std::to_string(best["correct"].get<int64_t>()) + " of " +
         std::to_string(best["guesses"].get<int64_t>()) + " right (k = " + std::to_string(best["k"].get<int64_t>()) +
         " each way, accuracy " + fmt("%.3f", best["accuracy"].get<double>()) + ")\n";
  out += "empirical epsilon >= " + fmt("%.3f", a["epsilon_lower_bound"].get<double>()) + " at delta " +
         fmt("%g", a["delta"].get<double>()) + ", confidence " + fmt("%g", a["confidence"].get<double>()) + "\n";
  if (doc.contains("theory")) {
    const core::Json& eps = doc["theory"]["epsilon"];
    out += "theoretical epsilon (DP accountant): " + (eps.is_number() ? fmt("%.3f", eps.get<double>()) : eps.dump()) +
           "\n";
  }
  return out;
}

}  // namespace privtune::eval
