// The epsilon lower bound of a one-run privacy audit (Steinke, Nasr and Jagielski 2023,
// "Privacy auditing with one (1) training run", Theorem 5.2 / Corollary 5.4 and the
// algorithm of its Appendix D), implemented as published.
//
// Setting: m canaries, each included in training independently with probability 1/2. The
// auditor guesses "in" or "out" for r of them (abstaining on the rest) and v guesses are
// right. If training is (eps, delta)-DP, then
//
//   P[v or more right] <= P[Binomial(r, q) >= v] + alpha * 2 m delta,   q = e^eps / (1 + e^eps)
//
// with alpha = max over i in 1..v of P[v > Binomial(r, q) >= v - i] / i. That right-hand
// side is the p-value of v under the hypothesis "(eps, delta)-DP"; the audit's lower bound
// at confidence 1 - p is the largest eps whose p-value is still below p.
#pragma once

#include <cstdint>
#include <vector>

namespace privtune::eval {

// P[Binomial(n, q) = k] and P[Binomial(n, q) >= k], in double precision from log-gamma
// (0 <= k; k > n gives 0 for both; k <= 0 gives sf 1).
double binomial_pmf(int64_t k, int64_t n, double q);
double binomial_sf_at_least(int64_t k, int64_t n, double q);

// The p-value of v right guesses out of r, m canaries, under (eps, delta)-DP; capped at 1.
// Requires 0 <= v <= r <= m, eps >= 0, 0 <= delta <= 1 (Error otherwise).
double one_run_p_value(int64_t m, int64_t r, int64_t v, double eps, double delta);

// The lower bound at significance p (confidence 1 - p): training is not (eps, delta)-DP for
// any eps below it, with probability 1 - p over the canary coins. As in Appendix D: an upper
// bracket found by steps of 1 from eps = 1, then 30 bisection steps; the low end (whose
// p-value is below p, or 0) is returned, so the bound errs low by at most 2^-30 of the
// bracket. Requires 0 <= v <= r <= m, 0 <= delta <= 1, 0 < p < 1.
double one_run_epsilon_lower_bound(int64_t m, int64_t r, int64_t v, double delta, double p);

// The guesses of the audit: "in" for the k highest scores, "out" for the k lowest
// (2k <= scores.size()); ties are broken by index, so the result is deterministic.
struct AuditGuesses {
  int64_t k = 0;
  int64_t guesses = 0;  // r = 2k
  int64_t correct = 0;  // v
  int64_t correct_in = 0, correct_out = 0;
};
AuditGuesses guess_top_bottom(const std::vector<double>& scores, const std::vector<bool>& included, int64_t k);

// One audit over several guess counts: each k is tested at significance p / ks.size()
// (Bonferroni), so taking the best of them keeps the confidence 1 - p.
struct AuditBound {
  AuditGuesses best;  // the k with the largest bound (the first on ties)
  double epsilon_lower = 0.0;
  double significance_per_k = 0.0;  // p / ks.size()
  std::vector<AuditGuesses> all;    // one per k, in the order given
  std::vector<double> all_bounds;
};
AuditBound audit_one_run(const std::vector<double>& scores, const std::vector<bool>& included,
                         const std::vector<int64_t>& ks, double delta, double p);

// The largest bound m canaries could ever give at this (delta, p): every one of the r = 2k
// guesses right, for the given k. 0 means the audit cannot show anything.
double best_possible_bound(int64_t m, int64_t k, double delta, double p);

}  // namespace privtune::eval
