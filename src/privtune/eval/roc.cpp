#include "privtune/eval/roc.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <stdexcept>
#include <string>

namespace privtune::eval {

namespace {

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

void check_scores(const std::vector<double>& scores, const char* side) {
  for (double s : scores) {
    if (std::isnan(s)) throw std::invalid_argument(std::string("ROC: NaN score among the ") + side);
  }
}

// The members and nonmembers sharing one distinct score.
struct TieGroup {
  double score;
  int64_t members = 0, nonmembers = 0;
};

// Distinct scores in descending order with their counts: everything below is a walk over
// these groups, so ties are handled in one place.
std::vector<TieGroup> tie_groups_descending(const std::vector<double>& members,
                                            const std::vector<double>& nonmembers) {
  check_scores(members, "members");
  check_scores(nonmembers, "nonmembers");
  std::vector<std::pair<double, bool>> all;  // (score, is_member)
  all.reserve(members.size() + nonmembers.size());
  for (double s : members) all.emplace_back(s, true);
  for (double s : nonmembers) all.emplace_back(s, false);
  std::sort(all.begin(), all.end(), [](const auto& a, const auto& b) { return a.first > b.first; });
  std::vector<TieGroup> groups;
  for (const auto& [score, is_member] : all) {
    if (groups.empty() || groups.back().score != score) groups.push_back(TieGroup{score});
    (is_member ? groups.back().members : groups.back().nonmembers) += 1;
  }
  return groups;
}

// Index of the last curve point with fpr <= max_fpr; the curve's fpr never decreases.
size_t last_point_within(const std::vector<RocPoint>& curve, double max_fpr) {
  size_t last = 0;
  while (last + 1 < curve.size() && curve[last + 1].fpr <= max_fpr) ++last;
  return last;
}

// `count` entries of `candidates` spread evenly, first and last included.
std::vector<size_t> spread_evenly(const std::vector<size_t>& candidates, size_t count) {
  if (count >= candidates.size()) return candidates;
  if (count == 0) return {};
  if (count == 1) return {candidates[candidates.size() / 2]};
  std::vector<size_t> picked;
  // Steps of (n-1)/(count-1) >= 1, so the picks are distinct.
  for (size_t i = 0; i < count; ++i) picked.push_back(candidates[i * (candidates.size() - 1) / (count - 1)]);
  return picked;
}

}  // namespace

double weighted_auc(const std::vector<double>& members, const std::vector<uint32_t>& member_counts,
                    const std::vector<double>& nonmembers, const std::vector<uint32_t>& nonmember_counts) {
  struct Entry {
    double score;
    double member_weight, nonmember_weight;
  };
  std::vector<Entry> entries;
  double total_members = 0, total_nonmembers = 0;
  for (size_t i = 0; i < members.size(); ++i) {
    entries.push_back({members[i], static_cast<double>(member_counts[i]), 0.0});
    total_members += member_counts[i];
  }
  for (size_t i = 0; i < nonmembers.size(); ++i) {
    entries.push_back({nonmembers[i], 0.0, static_cast<double>(nonmember_counts[i])});
    total_nonmembers += nonmember_counts[i];
  }
  for (const Entry& e : entries)
    if (std::isnan(e.score)) throw std::invalid_argument("ROC: NaN score");
  if (total_members == 0 || total_nonmembers == 0) return kNaN;
  std::sort(entries.begin(), entries.end(), [](const Entry& a, const Entry& b) { return a.score < b.score; });
  // Walk tie groups upwards: a member beats every non-member below its group and ties
  // half of those inside it.
  double wins = 0, nonmembers_below = 0;
  for (size_t i = 0; i < entries.size();) {
    size_t end = i;
    double group_members = 0, group_nonmembers = 0;
    while (end < entries.size() && entries[end].score == entries[i].score) {
      group_members += entries[end].member_weight;
      group_nonmembers += entries[end].nonmember_weight;
      ++end;
    }
    wins += group_members * (nonmembers_below + 0.5 * group_nonmembers);
    nonmembers_below += group_nonmembers;
    i = end;
  }
  return wins / (total_members * total_nonmembers);
}

double roc_auc(const std::vector<double>& members, const std::vector<double>& nonmembers) {
  return weighted_auc(members, std::vector<uint32_t>(members.size(), 1u), nonmembers,
                      std::vector<uint32_t>(nonmembers.size(), 1u));
}

std::vector<RocPoint> roc_curve(const std::vector<double>& members, const std::vector<double>& nonmembers) {
  const auto groups = tie_groups_descending(members, nonmembers);
  if (members.empty() || nonmembers.empty()) return {};
  const double n_members = static_cast<double>(members.size());
  const double n_nonmembers = static_cast<double>(nonmembers.size());
  std::vector<RocPoint> curve;
  curve.reserve(groups.size() + 1);
  curve.push_back({0.0, 0.0});
  int64_t true_positives = 0, false_positives = 0;
  for (const auto& g : groups) {
    true_positives += g.members;
    false_positives += g.nonmembers;
    // Dividing the counts (not accumulating rates) makes the last point exactly (1, 1).
    curve.push_back({static_cast<double>(false_positives) / n_nonmembers,
                     static_cast<double>(true_positives) / n_members});
  }
  return curve;
}

double tpr_at_fpr(const std::vector<double>& members, const std::vector<double>& nonmembers, double max_fpr) {
  if (!(max_fpr >= 0.0)) throw std::invalid_argument("tpr_at_fpr: max_fpr must be >= 0");
  const auto curve = roc_curve(members, nonmembers);
  if (curve.empty()) return kNaN;
  return curve[last_point_within(curve, max_fpr)].tpr;
}

RocSummary summarize_roc(const std::vector<double>& members, const std::vector<double>& nonmembers,
                         size_t max_points) {
  if (max_points < 2) throw std::invalid_argument("summarize_roc: max_points must be >= 2");
  RocSummary summary;
  summary.auc = roc_auc(members, nonmembers);
  summary.members = static_cast<int64_t>(members.size());
  summary.nonmembers = static_cast<int64_t>(nonmembers.size());
  const auto curve = roc_curve(members, nonmembers);
  if (curve.empty()) return summary;  // rates undefined: NaN
  const size_t at_1pct = last_point_within(curve, 0.01), at_01pct = last_point_within(curve, 0.001);
  summary.tpr_at_1pct = curve[at_1pct].tpr;
  summary.tpr_at_01pct = curve[at_01pct].tpr;
  if (curve.size() <= max_points) {
    summary.points = curve;
    return summary;
  }

  // Points that are always kept, in order of priority.
  std::vector<size_t> keep;
  for (size_t index : {size_t{0}, curve.size() - 1, at_1pct, at_01pct}) {
    if (keep.size() < max_points && std::find(keep.begin(), keep.end(), index) == keep.end()) keep.push_back(index);
  }
  std::vector<size_t> low, rest;  // the other points with fpr <= 1%, and beyond
  for (size_t i = 1; i + 1 < curve.size(); ++i) {
    if (std::find(keep.begin(), keep.end(), i) != keep.end()) continue;
    (i <= at_1pct ? low : rest).push_back(i);
  }
  // Half of the budget each, a region short of its half leaving the surplus to the other.
  const size_t budget = max_points - keep.size();
  const size_t low_take = std::min(low.size(), std::max(budget / 2, budget - std::min(budget, rest.size())));
  const size_t rest_take = std::min(rest.size(), budget - low_take);
  for (size_t i : spread_evenly(low, low_take)) keep.push_back(i);
  for (size_t i : spread_evenly(rest, rest_take)) keep.push_back(i);
  std::sort(keep.begin(), keep.end());
  summary.points.reserve(keep.size());
  for (size_t i : keep) summary.points.push_back(curve[i]);
  return summary;
}

}  // namespace privtune::eval
