#include "privtune/dp/pld_compose.h"

#include <algorithm>
#include <cmath>
#include <complex>
#include <stdexcept>

#include "privtune/dp/fft.h"
#include "privtune/dp/log_math.h"

namespace privtune::dp {
namespace {

// sum_j count_j log E[exp(lambda L_j)]: the log-MGF of the composed loss.
double composed_log_mgf(const std::vector<PldPart>& parts, double lambda) {
  double s = 0.0;
  for (const auto& part : parts) s += static_cast<double>(part.count) * pld_log_mgf(*part.pmf, lambda);
  return s;
}

// Support of the composed finite part: the sums of the parts' extreme grid losses.
void composed_support(const std::vector<PldPart>& parts, double& lo, double& hi) {
  lo = hi = 0.0;
  for (const auto& part : parts) {
    const PldPmf& p = *part.pmf;
    size_t first = 0, last = p.mass.size();
    while (first < last && p.mass[first] == 0.0) ++first;
    while (last > first && p.mass[last - 1] == 0.0) --last;
    if (first == last) continue;
    lo += static_cast<double>(part.count) * p.loss(first);
    hi += static_cast<double>(part.count) * p.loss(last - 1);
  }
}

// Lambdas from 1e-3 to 1e4, five per decade: the Chernoff bound is smooth in lambda, so a
// coarse grid costs at most a few percent of a window's width.
std::vector<double> default_lambdas() {
  std::vector<double> out;
  for (int k = 0; k <= 35; ++k) out.push_back(std::pow(10.0, -3.0 + 0.2 * k));
  return out;
}

// z^n for |z| <= 1, through polar form (n can be millions).
std::complex<double> power(std::complex<double> z, int64_t n) {
  const double r = std::abs(z);
  if (r == 0.0) return 0.0;
  const double dn = static_cast<double>(n);
  return std::polar(std::exp(dn * std::log(r)), dn * std::arg(z));
}

}  // namespace

LossWindow composed_loss_window(const std::vector<PldPart>& parts, double tail_mass) {
  double support_lo, support_hi;
  composed_support(parts, support_lo, support_hi);
  LossWindow w{support_lo, support_hi, 1.0};
  const double log_tail = std::log(tail_mass);
  double best_hi = kInf;
  // Lambdas from 1e-3 to 1e4, five per decade: the bound is smooth in lambda, so a coarse
  // grid costs at most a few percent of the window's width.
  for (int k = 0; k <= 35; ++k) {
    const double lambda = std::pow(10.0, -3.0 + 0.2 * k);
    const double up = (composed_log_mgf(parts, lambda) - log_tail) / lambda;
    if (up < best_hi) {
      best_hi = up;
      w.lambda_up = lambda;
    }
    const double down = (log_tail - composed_log_mgf(parts, -lambda)) / lambda;
    w.lo = std::max(w.lo, down);
  }
  w.hi = std::min(w.hi, best_hi);
  if (w.hi < w.lo) w.hi = w.lo;
  return w;
}

PldPmf pld_compose(const std::vector<PldPart>& parts, int64_t window_lo, size_t bins,
                   const std::vector<double>& lambdas) {
  if (parts.empty()) throw std::invalid_argument("pld_compose: nothing to compose");
  if (!is_power_of_two(bins)) throw std::invalid_argument("pld_compose: bins must be a power of two");
  const double h = parts.front().pmf->h;
  const int64_t n = static_cast<int64_t>(bins);
  auto slot = [n](int64_t k) { return static_cast<size_t>(((k % n) + n) % n); };

  std::vector<std::complex<double>> total, buffer(bins);
  double log_finite = 0.0;  // log of the probability that no part's loss is +inf
  for (const auto& part : parts) {
    const PldPmf& p = *part.pmf;
    if (p.h != h) throw std::invalid_argument("pld_compose: parts on different grids");
    std::fill(buffer.begin(), buffer.end(), std::complex<double>(0.0));
    for (size_t i = 0; i < p.mass.size(); ++i) buffer[slot(p.lo + static_cast<int64_t>(i))] += p.mass[i];
    fft(buffer, /*inverse=*/false);
    for (auto& z : buffer) z = power(z, part.count);
    if (total.empty()) {
      total.swap(buffer);
      buffer.assign(bins, 0.0);
    } else {
      for (size_t i = 0; i < bins; ++i) total[i] *= buffer[i];
    }
    log_finite += static_cast<double>(part.count) * std::log1p(-p.inf_mass);
  }
  fft(total, /*inverse=*/true);

  PldPmf out;
  out.h = h;
  out.lo = window_lo;
  out.mass.resize(bins);
  // Rounding leaves values of order 1e-17 around zero; negatives are dropped.
  for (int64_t i = 0; i < n; ++i) out.mass[static_cast<size_t>(i)] = std::max(0.0, total[slot(window_lo + i)].real());

  // Mass at or above `top` wrapped to the bottom of the window: bound it.
  const double top = static_cast<double>(window_lo + n) * h;
  double support_lo, support_hi, above = 0.0;
  composed_support(parts, support_lo, support_hi);
  if (support_hi >= top - 0.5 * h) {
    above = 1.0;
    for (double lambda : lambdas.empty() ? default_lambdas() : lambdas)
      above = std::min(above, std::exp(composed_log_mgf(parts, lambda) - lambda * top));
  }
  out.inf_mass = std::min(1.0, -std::expm1(log_finite) + above);
  return out;
}

}  // namespace privtune::dp
