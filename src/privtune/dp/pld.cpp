#include "privtune/dp/pld.h"

#include <algorithm>
#include <cmath>
#include <stdexcept>

#include "privtune/dp/log_math.h"
#include "privtune/dp/fft.h"
#include "privtune/dp/pld_compose.h"

namespace privtune::dp {
namespace {

// Grid points of the coarse first pass that only sizes the window.
constexpr double kCoarsePoints = 16384.0;

std::vector<PldPmf> discretise(const std::vector<StepSegment>& segments, PldDirection direction, double h) {
  std::vector<PldPmf> pmfs;
  pmfs.reserve(segments.size());
  for (const auto& s : segments) pmfs.push_back(subsampled_gaussian_pld(s.q, s.sigma, direction, h));
  return pmfs;
}

std::vector<PldPart> parts_of(const std::vector<PldPmf>& pmfs, const std::vector<StepSegment>& segments) {
  std::vector<PldPart> parts;
  for (size_t i = 0; i < pmfs.size(); ++i) parts.push_back({&pmfs[i], segments[i].steps});
  return parts;
}

}  // namespace

PldPmf composed_pld(const std::vector<StepSegment>& segments, PldDirection direction, double delta,
                    const PldOptions& options) {
  if (segments.empty()) throw std::invalid_argument("composed_pld: no steps");
  // Window tails: what wraps around is bounded and added to delta, so keep it far below it.
  const double tail_mass = std::min(1e-12, 1e-6 * delta);

  // Pass 1: a coarse grid sizes the composed window [lo, hi].
  double widest = 0.0;
  for (const auto& s : segments) {
    const LossRange r = subsampled_gaussian_loss_range(s.q, s.sigma, direction);
    widest = std::max(widest, r.hi - r.lo);
  }
  const double h0 = widest / kCoarsePoints;
  const std::vector<PldPmf> coarse = discretise(segments, direction, h0);
  const LossWindow w = composed_loss_window(parts_of(coarse, segments), tail_mass);
  // The fine grid's window differs slightly from the coarse one; keep a margin.
  const double margin = 0.05 * (w.hi - w.lo) + 4.0 * h0;
  const double lo = w.lo - margin, hi = w.hi + margin;

  // Pass 2: the fine grid.
  double h = options.value_discretization;
  size_t bins;
  if (h > 0.0) {
    const double needed = std::ceil((hi - lo) / h) + 1.0;
    if (needed > static_cast<double>(options.max_bins))
      throw std::length_error("PLD accountant: value discretisation too fine for the loss range");
    bins = next_power_of_two(static_cast<size_t>(needed));
  } else {
    const double steps = static_cast<double>(total_steps(segments));
    const double h_accurate = std::sqrt(options.relative_accuracy * std::max(hi, 1e-3) / steps);
    const double needed = std::ceil((hi - lo) / h_accurate) + 1.0;
    bins = needed >= static_cast<double>(options.max_bins) ? options.max_bins
                                                           : next_power_of_two(static_cast<size_t>(needed));
    bins = std::max(bins, options.min_bins);
    h = (hi - lo) / static_cast<double>(bins - 1);
  }
  const std::vector<PldPmf> fine = discretise(segments, direction, h);
  const auto window_lo = static_cast<int64_t>(std::floor(lo / h));
  const double l = w.lambda_up;
  return pld_compose(parts_of(fine, segments), window_lo, bins, {0.5 * l, 0.7 * l, l, 1.4 * l, 2.0 * l});
}

double pld_epsilon(const std::vector<StepSegment>& segments, double delta, const PldOptions& options) {
  if (has_zero_noise(segments)) return kInf;
  double eps = 0.0;
  for (PldDirection d : {PldDirection::kRemove, PldDirection::kAdd})
    eps = std::max(eps, pld_epsilon_for_delta(composed_pld(segments, d, delta, options), delta));
  return eps;
}

}  // namespace privtune::dp
