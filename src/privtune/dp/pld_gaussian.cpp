#include "privtune/dp/pld_gaussian.h"

#include <algorithm>
#include <cmath>
#include <stdexcept>

#include "privtune/dp/log_math.h"

namespace privtune::dp {
namespace {

// Both components' tails beyond this many sigmas hold < 1e-30 of the mass.
constexpr double kTailZ = 11.5;
// A single step's grid larger than this means h was chosen badly; refuse rather than
// exhaust memory.
constexpr int64_t kMaxGridPoints = int64_t{1} << 27;

// Work in a coordinate y in which the loss increases: y = x for remove, y = 1 - x for add.
// Then P and Q are mixtures of N(0, s^2) ("component 0") and N(1, s^2) ("component 1"):
//   remove: P = (1-q) N0 + q N1, Q = N0;      add: P = N1, Q = (1-q) N1 + q N0,
// and with u = (2y - 1) / (2 s^2) the loss is g(u) (remove) or -g(-u) (add), where
// g(u) = log(1 - q + q exp(u)).
double g(double q, double u) {
  if (u > 30.0) return u + std::log(q) + std::log1p((1.0 - q) / q * std::exp(-u));
  // Far below zero q e^u vanishes next to 1 - q, except for q = 1 (g = u): add in log space.
  if (u < -1.0) return log_add(std::log1p(-q), std::log(q) + u);
  return std::log1p(q * std::expm1(u));
}

double loss_at(double q, double sigma, PldDirection dir, double y) {
  const double u = (2.0 * y - 1.0) / (2.0 * sigma * sigma);
  return dir == PldDirection::kRemove ? g(q, u) : -g(q, -u);
}

// The inverse: the y at which the loss equals l (+-inf beyond the natural bounds).
double y_at(double q, double sigma, PldDirection dir, double l) {
  double u;
  // t = e^{+-l} - (1 - q); written with expm1 near l = 0, where the two terms cancel.
  auto shifted = [q](double v) { return v < -1.0 ? std::exp(v) - (1.0 - q) : std::expm1(v) + q; };
  if (dir == PldDirection::kRemove) {
    const double t = shifted(l);  // q * exp(u)
    if (t <= 0.0) return -kInf;
    u = std::log(t) - std::log(q);
  } else {
    const double t = shifted(-l);  // q * exp(-u)
    if (t <= 0.0) return kInf;
    u = std::log(q) - std::log(t);
  }
  return sigma * sigma * u + 0.5;
}

// Phi and 1 - Phi at one point, each accurate in its own small tail.
struct Tails {
  double z, cdf, sf;
};
Tails tails(double z) {
  if (z == -kInf) return {z, 0.0, 1.0};
  if (z == kInf) return {z, 1.0, 0.0};
  if (z < 0.0) {
    const double c = normal_cdf(z);
    return {z, c, 1.0 - c};
  }
  const double s = normal_sf(z);
  return {z, 1.0 - s, s};
}
double mass_between(const Tails& a, const Tails& b) {
  if (!(a.z < b.z)) return 0.0;
  if (a.z >= 0.0) return std::max(0.0, a.sf - b.sf);
  if (b.z <= 0.0) return std::max(0.0, b.cdf - a.cdf);
  return std::max(0.0, 1.0 - a.cdf - b.sf);
}

// P-mass and (P - e^l Q)-mass of a y-interval from its components' masses m0, m1; the latter
// with coefficients written so that they do not cancel: e^l - (1-q) = expm1(l) + q, etc.
double p_mass(double q, PldDirection dir, double m0, double m1) {
  return dir == PldDirection::kRemove ? (1.0 - q) * m0 + q * m1 : m1;
}
double excess_mass(double q, PldDirection dir, double l, double m0, double m1) {
  // Far out (only reachable for q = 1 and tiny sigma) e^l overflows; m0 is then tiny, so
  // take the product through logarithms.
  auto times_exp = [](double log_factor, double m) { return m > 0.0 ? std::exp(log_factor + std::log(m)) : 0.0; };
  const bool far = l > 600.0;
  if (dir == PldDirection::kRemove) {
    const double t0 = far ? times_exp(l + std::log1p(-(1.0 - q) * std::exp(-l)), m0) : (std::expm1(l) + q) * m0;
    return q * m1 - t0;
  }
  const double c1 = q == 1.0 ? 1.0 : q * std::exp(l) - std::expm1(l);  // 1 - (1-q) e^l
  const double t0 = far ? times_exp(std::log(q) + l, m0) : q * std::exp(l) * m0;
  return c1 * m1 - t0;
}

}  // namespace

LossRange subsampled_gaussian_loss_range(double q, double sigma, PldDirection dir) {
  return {loss_at(q, sigma, dir, -kTailZ * sigma), loss_at(q, sigma, dir, 1.0 + kTailZ * sigma)};
}

PldPmf subsampled_gaussian_pld(double q, double sigma, PldDirection dir, double h, LossRange clip) {
  if (!(q > 0.0 && q <= 1.0) || !(sigma > 0.0) || !(h > 0.0))
    throw std::invalid_argument("subsampled_gaussian_pld: needs q in (0,1], sigma > 0, h > 0");
  const LossRange range = subsampled_gaussian_loss_range(q, sigma, dir);
  const double klo = std::floor(std::max(range.lo, clip.lo) / h), khi = std::ceil(std::min(range.hi, clip.hi) / h);
  if (!(klo <= khi)) throw std::invalid_argument("subsampled_gaussian_pld: empty loss range");
  if (!(khi - klo < static_cast<double>(kMaxGridPoints)))
    throw std::length_error("subsampled_gaussian_pld: grid step too small for the loss range");
  PldPmf pld;
  pld.h = h;
  pld.lo = static_cast<int64_t>(klo);
  const size_t n = static_cast<size_t>(khi - klo) + 1;
  pld.mass.assign(n, 0.0);

  // Boundaries y_k = y(l_k) for every grid loss l_k, with both components' tails there.
  auto boundary = [&](size_t k, Tails& t0, Tails& t1) {
    const double y = y_at(q, sigma, dir, pld.loss(k));
    t0 = tails(y / sigma);
    t1 = tails((y - 1.0) / sigma);
  };
  Tails a0, a1, b0, b1;
  boundary(0, a0, a1);

  // Below the first grid point: all of it to that point (moving P-mass up is pessimistic).
  pld.mass[0] += p_mass(q, dir, a0.cdf, a1.cdf);

  // Each interval [l_k, l_k+1]: split so that P- and Q-mass are both kept. The right share
  // is (P - e^{l_k} Q) / (1 - e^{-h}), in [0, P] up to rounding.
  const double one_minus_decay = -std::expm1(-h);
  for (size_t k = 0; k + 1 < n; ++k) {
    boundary(k + 1, b0, b1);
    const double m0 = mass_between(a0, b0), m1 = mass_between(a1, b1);
    const double p = p_mass(q, dir, m0, m1);
    if (p > 0.0) {
      const double right = std::clamp(excess_mass(q, dir, pld.loss(k), m0, m1) / one_minus_decay, 0.0, p);
      pld.mass[k] += p - right;
      pld.mass[k + 1] += right;
    }
    a0 = b0;
    a1 = b1;
  }

  // Above the last grid point: the same split with +inf as the right endpoint.
  const double p = p_mass(q, dir, a0.sf, a1.sf);
  if (p > 0.0) {
    const double to_inf = std::clamp(excess_mass(q, dir, pld.loss(n - 1), a0.sf, a1.sf), 0.0, p);
    pld.mass[n - 1] += p - to_inf;
    pld.inf_mass = to_inf;
  }
  return pld;
}

}  // namespace privtune::dp
