// Membership-inference ROC: AUC, curve and low-FPR rates on cases computed by hand, against a
// brute-force pairwise AUC on random tied scores, the thinned curve of the report, and the
// zlib sizes behind the zlib-calibrated score.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <random>
#include <stdexcept>
#include <string>

#include "privtune/eval/roc.h"
#include "privtune/eval/zlib_size.h"

namespace {

using namespace privtune::eval;

const double kNaN = std::nan("");

// P(member > nonmember) + 0.5 P(equal) over every pair: the definition, O(n m).
double pairwise_auc(const std::vector<double>& members, const std::vector<double>& nonmembers) {
  double wins = 0;
  for (double a : members) {
    for (double b : nonmembers) wins += a > b ? 1.0 : a == b ? 0.5 : 0.0;
  }
  return wins / static_cast<double>(members.size() * nonmembers.size());
}

double trapezoid_area(const std::vector<RocPoint>& curve) {
  double area = 0;
  for (size_t i = 1; i < curve.size(); ++i) {
    area += (curve[i].fpr - curve[i - 1].fpr) * (curve[i].tpr + curve[i - 1].tpr) / 2;
  }
  return area;
}

// Integer scores in [0, range) -- few distinct values, so many ties. Members sit `shift` higher.
std::vector<double> tied_scores(std::mt19937_64& rng, size_t n, uint64_t range, double shift) {
  std::vector<double> scores;
  for (size_t i = 0; i < n; ++i) scores.push_back(static_cast<double>(rng() % range) + shift);
  return scores;
}

// Scores on a fine grid (distinct values almost everywhere): normal-ish by summing uniforms.
std::vector<double> smooth_scores(std::mt19937_64& rng, size_t n, double shift) {
  std::vector<double> scores;
  for (size_t i = 0; i < n; ++i) {
    double sum = 0;
    for (int k = 0; k < 12; ++k) sum += static_cast<double>(rng() >> 11) * 0x1p-53;
    scores.push_back(sum - 6 + shift);
  }
  return scores;
}

}  // namespace

TEST(RocAuc, TiesCountHalf) {
  // Pairs: 0.9 beats both (2); each 0.5 ties the 0.5 (2 x 0.5) and beats the 0.1 (2): 5 of 6.
  EXPECT_DOUBLE_EQ(roc_auc({0.9, 0.5, 0.5}, {0.5, 0.1}), 5.0 / 6.0);
}

TEST(RocAuc, SeparationReversalAndNoInformation) {
  EXPECT_DOUBLE_EQ(roc_auc({3, 4, 5}, {0, 1, 2}), 1.0);
  EXPECT_DOUBLE_EQ(roc_auc({0, 1}, {2, 3, 4}), 0.0);
  EXPECT_DOUBLE_EQ(roc_auc({7, 7, 7}, {7, 7}), 0.5);
  EXPECT_DOUBLE_EQ(roc_auc({-INFINITY, INFINITY}, {0}), 0.5);
}

TEST(RocAuc, MatchesPairwiseDefinitionWithManyTies) {
  std::mt19937_64 rng(11);
  for (int trial = 0; trial < 20; ++trial) {
    const auto members = tied_scores(rng, 50 + trial, 8, trial % 3);
    const auto nonmembers = tied_scores(rng, 70 - trial, 8, 0);
    EXPECT_NEAR(roc_auc(members, nonmembers), pairwise_auc(members, nonmembers), 1e-12) << trial;
  }
}

TEST(RocAuc, EmptySideIsNaNAndNaNScoreIsAnError) {
  EXPECT_TRUE(std::isnan(roc_auc({}, {1.0})));
  EXPECT_TRUE(std::isnan(roc_auc({1.0}, {})));
  EXPECT_THROW(roc_auc({1.0, kNaN}, {0.0}), std::invalid_argument);
  EXPECT_THROW(roc_auc({1.0}, {kNaN}), std::invalid_argument);
  EXPECT_THROW(roc_curve({kNaN}, {0.0}), std::invalid_argument);
  EXPECT_THROW(tpr_at_fpr({1.0}, {kNaN}, 0.1), std::invalid_argument);
  EXPECT_THROW(summarize_roc({1.0}, {kNaN}), std::invalid_argument);
}

TEST(RocCurve, OnePointPerDistinctScoreAndTiesMoveBothRates) {
  // Thresholds 0.9 (one member), 0.5 (two members and a nonmember at once), 0.1.
  const auto curve = roc_curve({0.9, 0.5, 0.5}, {0.5, 0.1});
  ASSERT_EQ(curve.size(), 4u);
  EXPECT_DOUBLE_EQ(curve[0].fpr, 0.0);
  EXPECT_DOUBLE_EQ(curve[0].tpr, 0.0);
  EXPECT_DOUBLE_EQ(curve[1].fpr, 0.0);
  EXPECT_DOUBLE_EQ(curve[1].tpr, 1.0 / 3.0);
  EXPECT_DOUBLE_EQ(curve[2].fpr, 0.5);
  EXPECT_DOUBLE_EQ(curve[2].tpr, 1.0);
  EXPECT_EQ(curve[3].fpr, 1.0);
  EXPECT_EQ(curve[3].tpr, 1.0);
  EXPECT_DOUBLE_EQ(trapezoid_area(curve), 5.0 / 6.0);
}

TEST(RocCurve, EndsExactlyAtOneAndAreaIsTheAuc) {
  std::mt19937_64 rng(5);
  const auto members = tied_scores(rng, 333, 40, 3), nonmembers = tied_scores(rng, 777, 40, 0);
  const auto curve = roc_curve(members, nonmembers);
  EXPECT_EQ(curve.front().fpr, 0.0);
  EXPECT_EQ(curve.front().tpr, 0.0);
  EXPECT_EQ(curve.back().fpr, 1.0);
  EXPECT_EQ(curve.back().tpr, 1.0);
  for (size_t i = 1; i < curve.size(); ++i) {
    EXPECT_GE(curve[i].fpr, curve[i - 1].fpr);
    EXPECT_GE(curve[i].tpr, curve[i - 1].tpr);
    EXPECT_TRUE(curve[i].fpr > curve[i - 1].fpr || curve[i].tpr > curve[i - 1].tpr);
  }
  EXPECT_NEAR(trapezoid_area(curve), roc_auc(members, nonmembers), 1e-12);
  EXPECT_TRUE(roc_curve({}, {1.0}).empty());
}

TEST(TprAtFpr, SmallCaseByHand) {
  // Descending: 10 m, 9 m, 8 n, 7 m, 6 n, 5 n, 4 m, then only nonmembers. With 4 members
  // and 10 nonmembers the curve is (0,0) (0,.25) (0,.5) (.1,.5) (.1,.75) (.2,.75) (.3,.75)
  // (.3,1) ... (1,1).
  const std::vector<double> members = {10, 9, 7, 4}, nonmembers = {8, 6, 5, 3, 2, 1, 0, -1, -2, -3};
  EXPECT_DOUBLE_EQ(tpr_at_fpr(members, nonmembers, 0.0), 0.5);
  EXPECT_DOUBLE_EQ(tpr_at_fpr(members, nonmembers, 0.05), 0.5);
  EXPECT_DOUBLE_EQ(tpr_at_fpr(members, nonmembers, 0.1), 0.75);
  EXPECT_DOUBLE_EQ(tpr_at_fpr(members, nonmembers, 0.25), 0.75);
  EXPECT_DOUBLE_EQ(tpr_at_fpr(members, nonmembers, 0.3), 1.0);
  EXPECT_DOUBLE_EQ(tpr_at_fpr(members, nonmembers, 1.0), 1.0);
}

TEST(TprAtFpr, ZeroWhenOnlyTheOriginQualifiesAndNaNWhenUndefined) {
  // The top score is a nonmember: any threshold that accepts a member has FPR 1.
  EXPECT_EQ(tpr_at_fpr({1.0}, {2.0}, 0.5), 0.0);
  // A tie at the top moves both rates: no threshold gets TPR without FPR 1/2.
  EXPECT_EQ(tpr_at_fpr({5.0, 1.0}, {5.0, 0.0}, 0.4), 0.0);
  EXPECT_TRUE(std::isnan(tpr_at_fpr({}, {1.0}, 0.01)));
  EXPECT_THROW(tpr_at_fpr({1.0}, {0.0}, -0.1), std::invalid_argument);
  EXPECT_THROW(tpr_at_fpr({1.0}, {0.0}, kNaN), std::invalid_argument);
}

TEST(SummarizeRoc, SmallCurveIsKeptWhole) {
  const auto summary = summarize_roc({0.9, 0.5, 0.5}, {0.5, 0.1});
  EXPECT_DOUBLE_EQ(summary.auc, 5.0 / 6.0);
  EXPECT_EQ(summary.members, 3);
  EXPECT_EQ(summary.nonmembers, 2);
  EXPECT_DOUBLE_EQ(summary.tpr_at_1pct, 1.0 / 3.0);
  EXPECT_DOUBLE_EQ(summary.tpr_at_01pct, 1.0 / 3.0);
  EXPECT_EQ(summary.points.size(), 4u);
}

TEST(SummarizeRoc, ThinnedCurveKeepsEndsReportedRatesAndTheLowFprRegion) {
  std::mt19937_64 rng(3);
  const auto members = smooth_scores(rng, 5000, 0.5), nonmembers = smooth_scores(rng, 20000, 0.0);
  const auto full = roc_curve(members, nonmembers);
  ASSERT_GT(full.size(), 20000u);
  const auto summary = summarize_roc(members, nonmembers, 200);
  const auto& points = summary.points;
  ASSERT_LE(points.size(), 200u);
  EXPECT_GE(points.size(), 190u);
  EXPECT_EQ(points.front().fpr, 0.0);
  EXPECT_EQ(points.front().tpr, 0.0);
  EXPECT_EQ(points.back().fpr, 1.0);
  EXPECT_EQ(points.back().tpr, 1.0);
  for (size_t i = 1; i < points.size(); ++i) {
    EXPECT_GE(points[i].fpr, points[i - 1].fpr);
    EXPECT_GE(points[i].tpr, points[i - 1].tpr);
  }

  EXPECT_DOUBLE_EQ(summary.auc, roc_auc(members, nonmembers));
  EXPECT_DOUBLE_EQ(summary.tpr_at_1pct, tpr_at_fpr(members, nonmembers, 0.01));
  EXPECT_DOUBLE_EQ(summary.tpr_at_01pct, tpr_at_fpr(members, nonmembers, 0.001));
  EXPECT_GT(summary.tpr_at_1pct, summary.tpr_at_01pct);
  // The thinned curve shows the reported rates: reading it gives the same numbers.
  const auto read = [&points](double max_fpr) {
    double tpr = 0;
    for (const auto& p : points) tpr = p.fpr <= max_fpr ? std::max(tpr, p.tpr) : tpr;
    return tpr;
  };
  EXPECT_EQ(read(0.01), summary.tpr_at_1pct);
  EXPECT_EQ(read(0.001), summary.tpr_at_01pct);
  // Uniform thinning would leave ~2 of 200 points below 1% FPR; the low region gets ~half.
  size_t low = 0;
  for (const auto& p : points) low += p.fpr <= 0.01;
  EXPECT_GE(low, 90u);
  EXPECT_LE(low, 110u);
  // Every kept point is a point of the full curve.
  for (const auto& p : points) {
    const bool found =
        std::any_of(full.begin(), full.end(), [&p](const RocPoint& q) { return q.fpr == p.fpr && q.tpr == p.tpr; });
    EXPECT_TRUE(found) << p.fpr << " " << p.tpr;
  }
}

TEST(SummarizeRoc, TinyBudgetAndEmptySides) {
  std::mt19937_64 rng(8);
  const auto members = smooth_scores(rng, 300, 1.0), nonmembers = smooth_scores(rng, 300, 0.0);
  const auto two = summarize_roc(members, nonmembers, 2);
  ASSERT_EQ(two.points.size(), 2u);
  EXPECT_EQ(two.points[0].fpr, 0.0);
  EXPECT_EQ(two.points[1].tpr, 1.0);
  EXPECT_EQ(summarize_roc(members, nonmembers, 5).points.size(), 5u);
  EXPECT_THROW(summarize_roc(members, nonmembers, 1), std::invalid_argument);

  const auto empty = summarize_roc({}, {1.0, 2.0});
  EXPECT_TRUE(std::isnan(empty.auc));
  EXPECT_TRUE(std::isnan(empty.tpr_at_1pct));
  EXPECT_TRUE(std::isnan(empty.tpr_at_01pct));
  EXPECT_EQ(empty.members, 0);
  EXPECT_EQ(empty.nonmembers, 2);
  EXPECT_TRUE(empty.points.empty());
}

// The denominator of the zlib-calibrated membership score.
TEST(ZlibSize, RepetitiveTextCompressesBetterThanRandomText) {
  std::mt19937_64 rng(2);
  std::string random_text, repeated_text;
  for (int i = 0; i < 2000; ++i) random_text += static_cast<char>('!' + rng() % 90);
  while (repeated_text.size() < random_text.size()) repeated_text += "my order number is 12345. ";
  repeated_text.resize(random_text.size());

  const int64_t random_bytes = zlib_compressed_bytes(random_text);
  const int64_t repeated_bytes = zlib_compressed_bytes(repeated_text);
  EXPECT_LT(repeated_bytes, 100);
  // 90 symbols carry log2(90) = 6.5 bits each: Huffman coding cannot go much below that.
  EXPECT_GT(random_bytes, 2000 * 6 / 8);
  EXPECT_LT(random_bytes, 2000 + 20);
  EXPECT_EQ(zlib_compressed_bytes(random_text), random_bytes);
  EXPECT_EQ(zlib_compressed_bytes(""), 8);  // 2-byte header, empty block, 4-byte Adler-32
  // Non-ASCII text is just bytes.
  EXPECT_GT(zlib_compressed_bytes("Zoë Müller, 東京"), 8);
}
