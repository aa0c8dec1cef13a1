// The one-run audit bound (Steinke, Nasr, Jagielski 2023): binomial tails and p-values
// worked out by hand, bounds against the paper's Appendix D procedure evaluated in exact
// rational arithmetic, the guesses, the Bonferroni split over several k, and the settings
// no audit can use.
#include <gtest/gtest.h>

#include <cmath>
#include <string>
#include <vector>

#include "privtune/core/error.h"
#include "privtune/core/json_util.h"
#include "privtune/eval/audit_bound.h"
#include "privtune/eval/audit_report.h"

namespace {

using namespace privtune::eval;

TEST(AuditBinomial, SmallCasesByHand) {
  EXPECT_NEAR(binomial_pmf(2, 4, 0.5), 6.0 / 16, 1e-15);
  EXPECT_NEAR(binomial_pmf(0, 3, 0.2), 0.512, 1e-15);
  // P[Bin(10, 0.3) >= 3] = 1 - 0.7^10 - 10 (0.3) 0.7^9 - 45 (0.09) 0.7^8.
  const double by_hand = 1 - std::pow(0.7, 10) - 10 * 0.3 * std::pow(0.7, 9) - 45 * 0.09 * std::pow(0.7, 8);
  EXPECT_NEAR(binomial_sf_at_least(3, 10, 0.3), by_hand, 1e-14);
  EXPECT_EQ(binomial_sf_at_least(0, 10, 0.3), 1.0);
  EXPECT_EQ(binomial_sf_at_least(11, 10, 0.3), 0.0);
}

TEST(AuditPValue, PureDpIsTheBinomialTail) {
  // eps = 0, delta = 0: v right out of r is P[Bin(r, 1/2) >= v].
  EXPECT_NEAR(one_run_p_value(10, 4, 4, 0.0, 0.0), 1.0 / 16, 1e-15);
  EXPECT_NEAR(one_run_p_value(10, 4, 3, 0.0, 0.0), 5.0 / 16, 1e-15);
  // eps = ln 3: q = 3/4; all 3 of 3 right: (3/4)^3.
  EXPECT_NEAR(one_run_p_value(5, 3, 3, std::log(3.0), 0.0), 27.0 / 64, 1e-14);
}

TEST(AuditPValue, DeltaTermByHand) {
  // m = 10, r = v = 4, eps = 0: beta = 1/16. Cumulative P[4 > Bin >= 4 - i] / i over
  // i = 1..4 is 4/16, 10/32, 14/48, 15/64; its maximum alpha = 10/32. p = 1/16 + alpha * 2 m delta.
  EXPECT_NEAR(one_run_p_value(10, 4, 4, 0.0, 0.01), 1.0 / 16 + (10.0 / 32) * 2 * 10 * 0.01, 1e-15);
  EXPECT_EQ(one_run_p_value(10, 4, 4, 0.0, 0.5), 1.0);  // capped
}

TEST(AuditBound, PureDpSolvedByHand) {
  // All 5 of 5 right, delta = 0, p = 0.05: q^5 = 0.05, eps = ln(q / (1 - q)).
  const double q = std::pow(0.05, 1.0 / 5);
  const double exact = std::log(q / (1 - q));
  const double bound = one_run_epsilon_lower_bound(5, 5, 5, 0.0, 0.05);
  EXPECT_LE(bound, exact);  // the low end of the bisection ...
  EXPECT_GT(bound, exact - 1e-8);  // ... 30 halvings of [0, 1] from it
}

TEST(AuditBound, MatchesAppendixDInExactArithmetic) {
  // Appendix D's get_eps_audit(m, r, v, delta, p), its binomial terms evaluated with exact
  // integer binomial coefficients (Python's math.comb), to 10 decimals.
  EXPECT_NEAR(one_run_epsilon_lower_bound(1000, 100, 100, 1e-5, 0.05), 3.4653763473, 1e-9);
  EXPECT_NEAR(one_run_epsilon_lower_bound(1000, 1000, 700, 1e-5, 0.05), 0.7317404486, 1e-9);
  EXPECT_NEAR(one_run_epsilon_lower_bound(200, 200, 200, 1e-5, 0.05), 4.1882158024, 1e-9);
  EXPECT_NEAR(one_run_epsilon_lower_bound(8, 8, 8, 1e-5, 0.05), 0.7888707547, 1e-9);
  EXPECT_EQ(one_run_epsilon_lower_bound(4, 4, 4, 1e-5, 0.05), 0.0);  // 1/16 > 0.05: nothing shown
}

TEST(AuditBound, ChanceAccuracyShowsNothingAndMoreEvidenceShowsMore) {
  EXPECT_EQ(one_run_epsilon_lower_bound(1000, 100, 50, 1e-5, 0.05), 0.0);
  EXPECT_EQ(one_run_epsilon_lower_bound(1000, 100, 40, 1e-5, 0.05), 0.0);
  double last = 0;
  for (int64_t v = 60; v <= 100; v += 10) {
    const double b = one_run_epsilon_lower_bound(1000, 100, v, 1e-5, 0.05);
    EXPECT_GT(b, last) << v;
    last = b;
  }
  // A larger delta or a higher confidence can only lower the bound.
  EXPECT_LT(one_run_epsilon_lower_bound(1000, 100, 90, 1e-3, 0.05), one_run_epsilon_lower_bound(1000, 100, 90, 1e-6, 0.05));
  EXPECT_LT(one_run_epsilon_lower_bound(1000, 100, 90, 1e-5, 0.01), one_run_epsilon_lower_bound(1000, 100, 90, 1e-5, 0.05));
}

TEST(AuditBound, RejectsImpossibleCounts) {
  EXPECT_THROW(one_run_p_value(10, 4, 5, 1.0, 0.0), privtune::Error);
  EXPECT_THROW(one_run_p_value(3, 4, 2, 1.0, 0.0), privtune::Error);
  EXPECT_THROW(one_run_p_value(10, 4, 2, -1.0, 0.0), privtune::Error);
  EXPECT_THROW(one_run_epsilon_lower_bound(10, 4, 2, 1.5, 0.05), privtune::Error);
  EXPECT_THROW(one_run_epsilon_lower_bound(10, 4, 2, 1e-5, 0.0), privtune::Error);
  EXPECT_THROW(one_run_epsilon_lower_bound(10, 4, 2, 1e-5, 1.0), privtune::Error);
}

TEST(AuditGuesses, TopInBottomOut) {
  // Scores high to low: canary 0 (in), 1 (out), 2 (in), 3 (out), 4 (out), 5 (in).
  const std::vector<double> scores = {5, 4, 3, 2, 1, 0};
  const std::vector<bool> in = {true, false, true, false, false, true};
  const AuditGuesses g = guess_top_bottom(scores, in, 2);  // "in": 0, 1; "out": 5, 4
  EXPECT_EQ(g.guesses, 4);
  EXPECT_EQ(g.correct_in, 1);
  EXPECT_EQ(g.correct_out, 1);
  EXPECT_EQ(g.correct, 2);
  EXPECT_EQ(guess_top_bottom(scores, in, 3).correct, 4);  // adds 2 (in, right) and 3 (out, right)
  EXPECT_THROW(guess_top_bottom(scores, in, 4), privtune::Error);
}

TEST(AuditGuesses, SeveralKSplitTheSignificance) {
  std::vector<double> scores;
  std::vector<bool> in;
  for (int i = 0; i < 200; ++i) {
    in.push_back(i % 2 == 0);
    scores.push_back((in.back() ? 1.0 : 0.0) + (i % 7) * 0.01 - (i % 11 == 0 ? 2.0 : 0.0));
  }
  const AuditBound one = audit_one_run(scores, in, {50}, 1e-5, 0.05);
  const AuditBound three = audit_one_run(scores, in, {10, 50, 100}, 1e-5, 0.05);
  EXPECT_DOUBLE_EQ(three.significance_per_k, 0.05 / 3);
  const AuditGuesses g = guess_top_bottom(scores, in, 50);
  EXPECT_DOUBLE_EQ(one.epsilon_lower, one_run_epsilon_lower_bound(200, g.guesses, g.correct, 1e-5, 0.05));
  EXPECT_DOUBLE_EQ(three.all_bounds[1], one_run_epsilon_lower_bound(200, g.guesses, g.correct, 1e-5, 0.05 / 3));
  EXPECT_LT(three.all_bounds[1], one.epsilon_lower);  // the price of looking at three k
  double best = 0;
  for (double b : three.all_bounds) best = std::max(best, b);
  EXPECT_EQ(three.epsilon_lower, best);
}

AuditSettings settings(int64_t m, std::vector<int64_t> ks, double delta = 1e-5, double confidence = 0.95) {
  AuditSettings s;
  s.canaries = m;
  s.ks = std::move(ks);
  s.delta = delta;
  s.confidence = confidence;
  return s;
}

void expect_error(const AuditSettings& s, const std::string& part) {
  try {
    check_audit_settings(s);
    ADD_FAILURE() << "accepted, expected an error with '" << part << "'";
  } catch (const privtune::Error& e) {
    EXPECT_NE(std::string(e.what()).find(part), std::string::npos) << e.what();
  }
}

TEST(AuditSettingsCheck, ImpossibleSettingsAreClearErrors) {
  EXPECT_NO_THROW(check_audit_settings(settings(100, {50})));
  expect_error(settings(100, {51}), "2k <= --canaries");
  expect_error(settings(100, {0}), "k must be >= 1");
  expect_error(settings(100, {}), "--guesses");
  expect_error(settings(100, {50}, 0.0), "--audit-delta must be in (0, 1)");
  expect_error(settings(100, {50}, 1.0), "--audit-delta must be in (0, 1)");
  expect_error(settings(100, {50}, 1e-5, 1.0), "--confidence must be in (0, 1)");
  expect_error(settings(4, {2}), "cannot give an epsilon bound above 0");  // 4 of 4 right: p = 1/16
  expect_error(settings(100, {1}), "cannot give an epsilon bound above 0");  // 2 guesses
  expect_error(settings(1, {1}), "--canaries must be >= 2");
}

TEST(AuditDocument, HistogramAndTheory) {
  std::vector<CanaryOutcome> canaries;
  for (int i = 0; i < 40; ++i) canaries.push_back({"c" + std::to_string(i), i < 20, 16, 8.0, i < 20 ? 2.0 : 8.1});
  const privtune::core::Json run = {{"method", "dp"},
                                    {"dp", {{"epsilon", 1.5}, {"delta", 1e-3}, {"accountant", "rdp"}, {"for_release", true}}}};
  const privtune::core::Json doc = audit_document(settings(40, {20}, 1e-3), canaries, run);
  EXPECT_EQ(doc["audit"]["best"]["correct"], 40);
  EXPECT_GT(doc["audit"]["epsilon_lower_bound"].get<double>(), 0.5);
  EXPECT_EQ(doc["theory"]["epsilon"], 1.5);
  int64_t in = 0, out = 0;
  for (const auto& bin : doc["audit"]["histogram"]) in += bin["included"].get<int64_t>(), out += bin["excluded"].get<int64_t>();
  EXPECT_EQ(in, 20);
  EXPECT_EQ(out, 20);
  EXPECT_FALSE(audit_document(settings(40, {20}, 1e-3), canaries, {{"method", "full"}}).contains("theory"));
}

}  // namespace
