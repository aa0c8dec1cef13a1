#include "privtune/dp/pld_pmf.h"

#include <algorithm>
#include <cmath>

#include "privtune/dp/log_math.h"

namespace privtune::dp {

double pld_delta_for_epsilon(const PldPmf& pld, double epsilon) {
  double delta = pld.inf_mass;
  for (size_t i = 0; i < pld.mass.size(); ++i) {
    const double l = pld.loss(i);
    if (l > epsilon) delta += pld.mass[i] * -std::expm1(epsilon - l);
  }
  return std::min(delta, 1.0);
}

double pld_epsilon_for_delta(const PldPmf& pld, double delta) {
  if (pld.inf_mass >= delta) return kInf;
  // Walk down from the top. With A_j = sum_{k>j} m_k and D_j = sum_{k>j} m_k exp(l_j - l_k),
  // delta(l_j) = inf + A_j - D_j, and for epsilon in [l_j, l_{j+1}]
  // delta(epsilon) = inf + A_j - exp(epsilon - l_j) D_j. D is updated by the factor exp(-h)
  // per grid step, so nothing overflows however wide the grid is.
  const double decay = std::exp(-pld.h);
  double a = 0.0, d = 0.0;
  for (size_t idx = pld.mass.size(); idx-- > 0;) {
    // Here a, d describe the masses strictly above grid point idx.
    const double delta_here = pld.inf_mass + a - d;
    if (delta_here > delta) {
      // The crossing is in [l_idx, l_idx+1]: solve inf + a - exp(eps - l_idx) d = delta.
      const double eps = pld.loss(idx) + std::log((pld.inf_mass + a - delta) / d);
      return std::max(0.0, eps);
    }
    a += pld.mass[idx];
    d = (d + pld.mass[idx]) * decay;
  }
  // delta(epsilon) <= delta at every grid point down to the lowest: epsilon below the grid,
  // where delta(eps) = inf + a - exp(eps - l_lo + h) d; solve the same way.
  if (pld.mass.empty() || d <= 0.0) return 0.0;
  const double eps = pld.loss(0) - pld.h + std::log((pld.inf_mass + a - delta) / d);
  return std::max(0.0, std::isnan(eps) ? 0.0 : eps);
}

double pld_log_mgf(const PldPmf& pld, double lambda) {
  // Shift by the extreme occupied grid point in lambda's direction, where exp(lambda l) is
  // largest, so every factor exp(lambda (l - l_ref)) is <= 1 and walks geometrically (no exp
  // or log per point; the sum is at least the extreme point's mass, so it cannot underflow).
  const size_t n = pld.mass.size();
  size_t first = 0, last = n;
  while (first < last && pld.mass[first] == 0.0) ++first;
  while (last > first && pld.mass[last - 1] == 0.0) --last;
  if (first == last) return -kInf;
  if (lambda == 0.0) {
    double sum = 0.0;
    for (size_t i = first; i < last; ++i) sum += pld.mass[i];
    return std::log(sum);
  }
  const double ratio = std::exp(-std::fabs(lambda) * pld.h);
  double sum = 0.0, factor = 1.0;
  if (lambda > 0.0) {
    for (size_t i = last; i-- > first && factor > 0.0; factor *= ratio) sum += pld.mass[i] * factor;
    return lambda * pld.loss(last - 1) + std::log(sum);
  }
  for (size_t i = first; i < last && factor > 0.0; ++i, factor *= ratio) sum += pld.mass[i] * factor;
  return lambda * pld.loss(first) + std::log(sum);
}

}  // namespace privtune::dp
