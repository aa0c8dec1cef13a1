#include "privtune/eval/audit_bound.h"

#include <algorithm>
#include <cmath>
#include <numeric>
#include <string>

#include "privtune/core/error.h"

namespace privtune::eval {

namespace {

// ln P[Binomial(n, q) = k] with ln q and ln(1 - q) given (so q near 1 keeps its precision).
double log_binomial_pmf(int64_t k, int64_t n, double log_q, double log_1mq) {
  const double kd = static_cast<double>(k), nd = static_cast<double>(n);
  double log_terms = 0.0;
  if (k > 0) log_terms += kd * log_q;
  if (n - k > 0) log_terms += (nd - kd) * log_1mq;
  return std::lgamma(nd + 1) - std::lgamma(kd + 1) - std::lgamma(nd - kd + 1) + log_terms;
}

// Binomial(n, q), from ln q and ln(1 - q) so that q near 1 (a large eps) keeps its precision.
struct Binomial {
  int64_t n;
  double log_q, log_1mq;
  static Binomial with_q(int64_t n, double q) { return {n, std::log(q), std::log1p(-q)}; }
  // q = e^eps / (1 + e^eps): the accuracy of eps-DP randomized response.
  static Binomial randomized_response(int64_t n, double eps) {
    const double log1p_exp = std::log1p(std::exp(-eps));
    return {n, -log1p_exp, -eps - log1p_exp};
  }
  double pmf(int64_t k) const { return k < 0 || k > n ? 0.0 : std::exp(log_binomial_pmf(k, n, log_q, log_1mq)); }
  double sf_at_least(int64_t k) const {
    if (k <= 0) return 1.0;
    double sum = 0.0;
    for (int64_t j = n; j >= k; --j) sum += pmf(j);  // small terms first
    return std::min(sum, 1.0);
  }
};

void check_counts(int64_t m, int64_t r, int64_t v, double delta) {
  if (!(0 <= v && v <= r && r <= m))
    throw Error("audit bound: need 0 <= correct <= guesses <= canaries, got correct " + std::to_string(v) +
                ", guesses " + std::to_string(r) + ", canaries " + std::to_string(m));
  if (!(delta >= 0 && delta <= 1)) throw Error("audit bound: delta must be in [0, 1]");
}

}  // namespace

double binomial_pmf(int64_t k, int64_t n, double q) {
  if (q <= 0) return k == 0 ? 1.0 : 0.0;
  if (q >= 1) return k == n ? 1.0 : 0.0;
  return Binomial::with_q(n, q).pmf(k);
}

double binomial_sf_at_least(int64_t k, int64_t n, double q) {
  if (k <= 0) return 1.0;
  if (q <= 0) return 0.0;
  if (q >= 1) return k <= n ? 1.0 : 0.0;
  return Binomial::with_q(n, q).sf_at_least(k);
}

double one_run_p_value(int64_t m, int64_t r, int64_t v, double eps, double delta) {
  check_counts(m, r, v, delta);
  if (!(eps >= 0) || std::isinf(eps)) throw Error("audit bound: epsilon must be finite and >= 0");
  const Binomial rr = Binomial::randomized_response(r, eps);
  const double beta = rr.sf_at_least(v);  // P[Binomial(r, q) >= v]
  // alpha = max_i P[v > Binomial(r, q) >= v - i] / i, the cumulative sum kept as i grows.
  double alpha = 0.0, below_v = 0.0;
  for (int64_t i = 1; i <= v; ++i) {
    below_v += rr.pmf(v - i);
    if (below_v > static_cast<double>(i) * alpha) alpha = below_v / static_cast<double>(i);
  }
  return std::min(beta + alpha * delta * 2.0 * static_cast<double>(m), 1.0);
}

double one_run_epsilon_lower_bound(int64_t m, int64_t r, int64_t v, double delta, double p) {
  check_counts(m, r, v, delta);
  if (!(p > 0 && p < 1)) throw Error("audit bound: the significance must be in (0, 1)");
  double eps_min = 0.0;  // kept with p_value(eps_min) < p (or 0)
  double eps_max = 1.0;  // kept with p_value(eps_max) >= p
  // The p-value grows with eps; Appendix D steps the bracket up by 1. The cap only stops the
  // loop on a misuse: r right guesses out of r bound eps by about ln(r / ln(1/p)), far below it.
  while (one_run_p_value(m, r, v, eps_max, delta) < p && eps_max < 1e4) eps_max += 1.0;
  for (int step = 0; step < 30; ++step) {
    const double eps = (eps_min + eps_max) / 2;
    if (one_run_p_value(m, r, v, eps, delta) < p)
      eps_min = eps;
    else
      eps_max = eps;
  }
  return eps_min;
}

AuditGuesses guess_top_bottom(const std::vector<double>& scores, const std::vector<bool>& included, int64_t k) {
  const int64_t m = static_cast<int64_t>(scores.size());
  if (included.size() != scores.size()) throw Error("audit: one membership coin per canary score is needed");
  if (k < 0 || 2 * k > m) throw Error("audit: k guesses each way must satisfy 2k <= canaries");
  std::vector<int64_t> order(static_cast<size_t>(m));
  std::iota(order.begin(), order.end(), 0);
  std::stable_sort(order.begin(), order.end(), [&](int64_t a, int64_t b) { return scores[a] > scores[b]; });
  AuditGuesses g;
  g.k = k;
  g.guesses = 2 * k;
  for (int64_t i = 0; i < k; ++i) {
    if (included[order[i]]) ++g.correct_in;               // guessed "in"
    if (!included[order[m - 1 - i]]) ++g.correct_out;     // guessed "out"
  }
  g.correct = g.correct_in + g.correct_out;
  return g;
}

AuditBound audit_one_run(const std::vector<double>& scores, const std::vector<bool>& included,
                         const std::vector<int64_t>& ks, double delta, double p) {
  if (ks.empty()) throw Error("audit: no guess count given");
  AuditBound bound;
  bound.significance_per_k = p / static_cast<double>(ks.size());
  const int64_t m = static_cast<int64_t>(scores.size());
  for (size_t i = 0; i < ks.size(); ++i) {
    const AuditGuesses g = guess_top_bottom(scores, included, ks[i]);
    const double eps = one_run_epsilon_lower_bound(m, g.guesses, g.correct, delta, bound.significance_per_k);
    bound.all.push_back(g);
    bound.all_bounds.push_back(eps);
    if (i == 0 || eps > bound.epsilon_lower) {
      bound.epsilon_lower = eps;
      bound.best = g;
    }
  }
  return bound;
}

double best_possible_bound(int64_t m, int64_t k, double delta, double p) {
  return one_run_epsilon_lower_bound(m, 2 * k, 2 * k, delta, p);
}

}  // namespace privtune::eval
