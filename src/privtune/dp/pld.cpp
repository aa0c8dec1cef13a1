#include "privtune/dp/pld.h"

#include <algorithm>
#include <cmath>
#include <stdexcept>

#include "privtune/dp/fft.h"
#include "privtune/dp/log_math.h"
#include "privtune/dp/pld_compose.h"

namespace privtune::dp {
namespace {

// Grid points of the coarse first pass that only sizes the window.
constexpr double kCoarsePoints = 16384.0;

std::vector<PldPmf> discretise(const std::vector<StepSegment>& segments, PldDirection direction, double h,
                               const std::vector<LossRange>& clips) {
  std::vector<PldPmf> pmfs;
  pmfs.reserve(segments.size());
  for (size_t i = 0; i < segments.size(); ++i)
    pmfs.push_back(subsampled_gaussian_pld(segments[i].q, segments[i].sigma, direction, h, clips[i]));
  return pmfs;
}

// Where one step's grid is needed: outside it the (coarse) pmf has at most `tail` mass on each
// side. Widened by two coarse steps, since the fine grid splits mass differently by < h0.
// Clipping there raises losses below it or sends them above to +inf: pessimistic, changing
// delta by at most `tail` per step.
LossRange needed_range(const PldPmf& coarse, double tail) {
  const size_t n = coarse.mass.size();
  size_t first = 0, last = n - 1;
  double below = 0.0, above = 0.0;
  while (first < last && below + coarse.mass[first] <= tail) below += coarse.mass[first++];
  while (last > first && above + coarse.mass[last] <= tail) above += coarse.mass[last--];
  return {coarse.loss(first) - 2.0 * coarse.h, coarse.loss(last) + 2.0 * coarse.h};
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
  const std::vector<LossRange> unclipped(segments.size(), LossRange{-kInf, kInf});
  const std::vector<PldPmf> coarse = discretise(segments, direction, h0, unclipped);
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
  std::vector<LossRange> clips;
  const double step_tail = tail_mass / static_cast<double>(total_steps(segments));
  for (const auto& c : coarse) clips.push_back(needed_range(c, step_tail));
  const std::vector<PldPmf> fine = discretise(segments, direction, h, clips);
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
