#include "privtune/dp/calibrate.h"

#include <cmath>
#include <sstream>

#include "privtune/core/error.h"

namespace privtune::dp {
namespace {

std::string str(double x) {
  std::ostringstream out;
  out.precision(6);
  out << x;
  return out.str();
}

}  // namespace

Calibration calibrate_sigma(AccountantKind kind, double q, int64_t steps, double delta, double target_epsilon,
                            const CalibrationOptions& options) {
  validate_segment({q, 1.0, steps});
  validate_delta(delta);
  check_input(std::isfinite(target_epsilon) && target_epsilon > 0.0,
              "target epsilon must be finite and > 0, got " + str(target_epsilon));
  if (!(options.sigma_min > 0.0 && options.sigma_min < options.sigma_max))
    throw std::invalid_argument("calibrate_sigma: need 0 < sigma_min < sigma_max");

  auto eps_at = [&](double sigma) {
    auto acc = make_accountant(kind);
    acc->step(q, sigma, steps);
    return acc->epsilon(delta);
  };

  double hi = options.sigma_max, eps_hi = eps_at(hi);
  if (eps_hi > target_epsilon)
    throw Error("target epsilon " + str(target_epsilon) + " is unreachable: even sigma = " + str(hi) + " gives epsilon " +
                str(eps_hi) + " (" + to_string(kind) + ") after " + std::to_string(steps) + " steps at q = " + str(q) +
                ", delta = " + str(delta) + "; use fewer steps, a smaller q or a larger target");
  double lo = options.sigma_min;
  const double eps_lo = eps_at(lo);
  if (eps_lo <= target_epsilon) return {lo, eps_lo, true};

  while (hi / lo - 1.0 > options.relative_tolerance) {
    const double mid = std::sqrt(lo * hi);
    const double eps_mid = eps_at(mid);
    if (eps_mid <= target_epsilon) {
      hi = mid;
      eps_hi = eps_mid;
    } else {
      lo = mid;
    }
  }
  return {hi, eps_hi, false};
}

}  // namespace privtune::dp
