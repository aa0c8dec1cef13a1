// ROC statistics of a membership-inference attack (DESIGN.md section 5): AUC, the curve, and
// the true-positive rate at a low false-positive rate (1%, 0.1%), which is what matters for
// privacy -- an attack that confidently identifies a few members is a leak even when its AUC
// is close to 0.5 (Carlini et al. 2022, "Membership Inference Attacks From First Principles").
//
// Convention: members (training examples) are the positives, and a higher score means "more
// likely a member". A loss-based attack therefore passes negated losses. Scores may be
// infinite; a NaN score is a programmer error (std::invalid_argument), since it would
// silently fall out of every comparison.
#pragma once

#include <cstddef>
#include <cstdint>
#include <limits>
#include <vector>

namespace privtune::eval {

// Mann-Whitney AUC: P(member score > nonmember score) + 0.5 P(equal), over all
// member/nonmember pairs. NaN if either side is empty.
double roc_auc(const std::vector<double>& members, const std::vector<double>& nonmembers);

// ROC AUC of members vs non-members where each example counts as often as its
// multiplicity (a bootstrap resample); ties count one half.
double weighted_auc(const std::vector<double>& members, const std::vector<uint32_t>& member_counts,
                    const std::vector<double>& nonmembers, const std::vector<uint32_t>& nonmember_counts);

struct RocPoint {
  double fpr, tpr;
};

// One point per distinct score, used as the threshold of "member when score >= threshold",
// from the highest threshold down, preceded by (0, 0); the last point is (1, 1). Members and
// nonmembers that share a score move both rates in the same step. Empty if either side is
// empty (the rates are undefined).
std::vector<RocPoint> roc_curve(const std::vector<double>& members, const std::vector<double>& nonmembers);

// The largest TPR over the thresholds whose FPR is at most `max_fpr` (>= 0); 0 when only the
// (0, 0) point qualifies. No interpolation between thresholds: the rate is one an attacker
// can actually achieve. NaN if either side is empty.
double tpr_at_fpr(const std::vector<double>& members, const std::vector<double>& nonmembers, double max_fpr);

struct RocSummary {
  double auc = std::numeric_limits<double>::quiet_NaN();
  double tpr_at_1pct = std::numeric_limits<double>::quiet_NaN();   // TPR at FPR <= 1%
  double tpr_at_01pct = std::numeric_limits<double>::quiet_NaN();  // TPR at FPR <= 0.1%
  int64_t members = 0, nonmembers = 0;
  // The curve thinned for plots and reports; see summarize_roc.
  std::vector<RocPoint> points;
};

// Everything a report needs about one attack. `points` is the curve thinned to at most
// `max_points` (>= 2): it keeps (0, 0) and (1, 1), the points that attain the two reported
// TPRs (budget permitting), and splits the remaining budget evenly between the region
// FPR <= 1% and the rest of the curve, a region with fewer points than its half leaving the
// surplus to the other. The low-FPR region is where the attack matters, and a uniform thinning
// would keep almost nothing of it. Each region is thinned evenly by index; the whole curve is
// kept when it fits. With an empty side: NaN AUC and rates, no points.
RocSummary summarize_roc(const std::vector<double>& members, const std::vector<double>& nonmembers,
                         size_t max_points = 200);

}  // namespace privtune::eval
