#include "privtune/dp/log_math.h"

#include <cmath>
#include <stdexcept>

namespace privtune::dp {

double log_add(double a, double b) {
  double lo = std::fmin(a, b), hi = std::fmax(a, b);
  if (lo == -kInf) return hi;
  return hi + std::log1p(std::exp(lo - hi));
}

double log_sub(double a, double b) {
  if (a < b) throw std::domain_error("log_sub: the difference would be negative");
  if (b == -kInf) return a;
  if (a == b) return -kInf;
  double d = a - b;
  // exp(a) - exp(b) = exp(b) * expm1(a - b); for large a - b, expm1 overflows but the
  // result is a to double precision.
  if (d > 700.0) return a;
  return b + std::log(std::expm1(d));
}

double log_ndtr(double z) {
  if (z > 6.0) return std::log1p(-normal_sf(z));
  if (z > -37.0) return std::log(0.5 * std::erfc(-z / std::sqrt(2.0)));
  // erfc underflows below here. Asymptotic expansion of the Mills ratio:
  // Phi(z) = phi(z)/|z| * (1 - 1/z^2 + 3/z^4 - 15/z^6 + ...); at |z| >= 37 the terms
  // shrink by 1/1369 each, so eight terms are exact to double precision.
  double z2 = z * z, term = 1.0, sum = 1.0;
  for (int k = 1; k <= 8; ++k) {
    term *= -(2.0 * k - 1.0) / z2;
    sum += term;
  }
  const double log_sqrt_2pi = 0.91893853320467274178;
  return -0.5 * z2 - std::log(-z) - log_sqrt_2pi + std::log(sum);
}

double normal_cdf(double z) { return 0.5 * std::erfc(-z / std::sqrt(2.0)); }

double normal_sf(double z) { return 0.5 * std::erfc(z / std::sqrt(2.0)); }

double normal_mass(double a, double b) {
  if (!(a < b)) return 0.0;
  if (a >= 0.0) return normal_sf(a) - normal_sf(b);
  if (b <= 0.0) return normal_cdf(b) - normal_cdf(a);
  return 1.0 - normal_cdf(a) - normal_sf(b);
}

}  // namespace privtune::dp
