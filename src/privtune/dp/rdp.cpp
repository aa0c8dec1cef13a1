#include "privtune/dp/rdp.h"

#include <cmath>
#include <stdexcept>

#include "privtune/dp/log_math.h"

namespace privtune::dp {
namespace {

// Integer alpha: A_alpha = sum_i C(alpha,i) q^i (1-q)^(alpha-i) exp((i^2-i)/(2 sigma^2)),
// a finite sum of positive terms, so log-space addition is exact to rounding.
double log_a_int(double q, double sigma, int64_t alpha) {
  const double log_q = std::log(q), log_1mq = std::log1p(-q);
  const double lg_alpha = std::lgamma(static_cast<double>(alpha) + 1.0);
  double log_a = -kInf;
  for (int64_t i = 0; i <= alpha; ++i) {
    const double di = static_cast<double>(i);
    const double log_binom = lg_alpha - std::lgamma(di + 1.0) - std::lgamma(static_cast<double>(alpha - i) + 1.0);
    const double s = log_binom + di * log_q + static_cast<double>(alpha - i) * log_1mq +
                     (di * di - di) / (2.0 * sigma * sigma);
    log_a = log_add(log_a, s);
  }
  return log_a;
}

// log erfc(x), accurate for large x.
double log_erfc(double x) { return std::log(2.0) + log_ndtr(-x * std::sqrt(2.0)); }

// Fractional alpha: split the integral at z0, where the two Gaussians' mixture weights cross,
// and expand each half in a binomial series whose terms alternate in sign beyond i > alpha.
// Mironov et al. 2019 section 3.3; stops, like Opacus, once both terms are below exp(-30).
double log_a_frac(double q, double sigma, double alpha) {
  const double log_q = std::log(q), log_1mq = std::log1p(-q);
  const double z0 = sigma * sigma * std::log(1.0 / q - 1.0) + 0.5;
  const double sqrt2_sigma = std::sqrt(2.0) * sigma;
  double log_a0 = -kInf, log_a1 = -kInf;
  // C(alpha, i) by its recurrence C(alpha, i+1) = C(alpha, i) (alpha - i) / (i + 1), kept as
  // sign and log-magnitude.
  double log_coef = 0.0;
  bool positive = true;
  for (int64_t i = 0;; ++i) {
    const double di = static_cast<double>(i);
    const double j = alpha - di;
    const double log_t0 = log_coef + di * log_q + j * log_1mq;
    const double log_t1 = log_coef + j * log_q + di * log_1mq;
    const double log_e0 = std::log(0.5) + log_erfc((di - z0) / sqrt2_sigma);
    const double log_e1 = std::log(0.5) + log_erfc((z0 - j) / sqrt2_sigma);
    const double log_s0 = log_t0 + (di * di - di) / (2.0 * sigma * sigma) + log_e0;
    const double log_s1 = log_t1 + (j * j - j) / (2.0 * sigma * sigma) + log_e1;
    if (positive) {
      log_a0 = log_add(log_a0, log_s0);
      log_a1 = log_add(log_a1, log_s1);
    } else {
      log_a0 = log_sub(log_a0, log_s0);
      log_a1 = log_sub(log_a1, log_s1);
    }
    if (std::fmax(log_s0, log_s1) < -30.0) break;
    if (i > 100000) throw std::domain_error("subsampled Gaussian RDP: fractional series did not converge");
    const double factor = (alpha - di) / (di + 1.0);
    if (factor == 0.0) break;  // cannot happen for fractional alpha; guards the log
    log_coef += std::log(std::fabs(factor));
    if (factor < 0.0) positive = !positive;
  }
  return log_add(log_a0, log_a1);
}

}  // namespace

std::vector<double> opacus_default_orders() {
  std::vector<double> orders;
  for (int x = 1; x < 100; ++x) orders.push_back(1.0 + x / 10.0);
  for (int a = 12; a < 64; ++a) orders.push_back(a);
  return orders;
}

std::vector<double> default_rdp_orders() {
  std::vector<double> orders = opacus_default_orders();
  for (int a : {64, 72, 80, 96, 112, 128, 160, 192, 256, 320, 384, 512, 768, 1024}) orders.push_back(a);
  return orders;
}

double subsampled_gaussian_log_a(double q, double sigma, double alpha) {
  if (alpha == std::floor(alpha)) return log_a_int(q, sigma, static_cast<int64_t>(alpha));
  return log_a_frac(q, sigma, alpha);
}

double subsampled_gaussian_rdp(double q, double sigma, double alpha) {
  if (q == 0.0) return 0.0;
  if (sigma == 0.0) return kInf;
  if (q == 1.0) return alpha / (2.0 * sigma * sigma);
  if (std::isinf(alpha)) return kInf;
  return subsampled_gaussian_log_a(q, sigma, alpha) / (alpha - 1.0);
}

RdpEpsilon rdp_to_epsilon(const std::vector<double>& orders, const std::vector<double>& rdp,
                          double delta) {
  if (orders.size() != rdp.size()) throw std::invalid_argument("rdp_to_epsilon: orders and rdp differ in length");
  RdpEpsilon best{kInf, std::nan("")};
  const double log_delta = std::log(delta);
  for (size_t k = 0; k < orders.size(); ++k) {
    const double a = orders[k];
    const double eps = rdp[k] - (log_delta + std::log(a)) / (a - 1.0) + std::log((a - 1.0) / a);
    if (std::isnan(eps)) continue;
    if (eps < best.epsilon) best = {eps, a};
  }
  if (best.epsilon < 0.0) best.epsilon = 0.0;
  return best;
}

}  // namespace privtune::dp
