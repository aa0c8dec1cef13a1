#include "privtune/eval/membership.h"

#include <algorithm>
#include <cmath>
#include <functional>
#include <limits>
#include <stdexcept>

#include "privtune/eval/bootstrap.h"
#include "privtune/eval/estimate.h"
#include "privtune/eval/roc.h"

namespace privtune::eval {

namespace {

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

const char* const kScores[] = {"loss", "reference", "zlib", "min_k"};

double mean_of(const std::vector<double>& v) {
  double s = 0;
  for (double x : v) s += x;
  return v.empty() ? kNaN : s / static_cast<double>(v.size());
}

// Mean of the max(1, floor(k n)) largest losses: the least likely tokens.
double top_fraction_mean(std::vector<double> losses, double k) {
  if (losses.empty()) return kNaN;
  const size_t take = std::max<size_t>(1, static_cast<size_t>(std::floor(k * static_cast<double>(losses.size()))));
  std::partial_sort(losses.begin(), losses.begin() + static_cast<std::ptrdiff_t>(take), losses.end(),
                    std::greater<double>());
  losses.resize(take);
  return mean_of(losses);
}

std::vector<double> without_nan(const std::vector<double>& v) {
  std::vector<double> out;
  for (double x : v)
    if (!std::isnan(x)) out.push_back(x);
  return out;
}

}  // namespace

std::vector<double> membership_scores(const MembershipSplit& split, bool sensitive_only, const std::string& score,
                                      double min_k_fraction) {
  const auto& examples = *split.examples;
  std::vector<double> scores(examples.size(), kNaN);
  for (size_t i = 0; i < examples.size(); ++i) {
    const data::TokenizedExample& e = examples[i];
    std::vector<double> model, base;
    for (size_t j = 1; j <= (*split.model_losses)[i].size(); ++j) {
      if (e.special[j] || (sensitive_only && !e.sensitive[j])) continue;
      model.push_back((*split.model_losses)[i][j - 1]);
      base.push_back((*split.base_losses)[i][j - 1]);
    }
    if (model.empty()) continue;
    const double loss = mean_of(model);
    double value = kNaN;
    if (score == "loss") {
      value = loss;
    } else if (score == "reference") {
      value = loss - mean_of(base);
    } else if (score == "zlib") {
      const std::vector<int64_t>& sizes = sensitive_only ? split.zlib_sensitive : split.zlib_text;
      if (i < sizes.size() && sizes[i] > 0) value = loss / static_cast<double>(sizes[i]);
    } else if (score == "min_k") {
      value = top_fraction_mean(model, min_k_fraction);
    } else {
      throw std::invalid_argument("membership_scores: unknown score " + score);
    }
    scores[i] = -value;  // lower loss: more likely a member
  }
  return scores;
}

core::Json membership_metrics(const MembershipSplit& members, const MembershipSplit& nonmembers,
                              const MembershipOptions& options) {
  core::Json result;
  for (bool sensitive_only : {false, true}) {
    core::Json scope;
    for (const char* name : kScores) {
      const std::vector<double> in = without_nan(membership_scores(members, sensitive_only, name, options.min_k_fraction));
      const std::vector<double> out =
          without_nan(membership_scores(nonmembers, sensitive_only, name, options.min_k_fraction));
      if (in.empty() || out.empty()) {
        scope[name] = nullptr;
        continue;
      }
      const RocSummary roc = summarize_roc(in, out, options.roc_points);
      Resamples member_draws(static_cast<int64_t>(in.size()), options.replicates, options.seed);
      Resamples nonmember_draws(static_cast<int64_t>(out.size()), options.replicates, options.seed + 1);
      std::vector<double> aucs;
      for (int64_t r = 0; r < options.replicates; ++r)
        aucs.push_back(weighted_auc(in, member_draws.counts(r), out, nonmember_draws.counts(r)));
      core::Json points = core::Json::array();
      for (const RocPoint& p : roc.points) points.push_back({p.fpr, p.tpr});
      scope[name] = {{"auc", estimate_json({roc.auc, percentile_interval(aucs)})},
                     {"tpr_at_1pct_fpr", roc.tpr_at_1pct},
                     {"tpr_at_0.1pct_fpr", roc.tpr_at_01pct},
                     {"members", roc.members},
                     {"nonmembers", roc.nonmembers},
                     {"roc", points}};
    }
    result[sensitive_only ? "sensitive" : "whole"] = scope;
  }
  return result;
}

}  // namespace privtune::eval
