#include "privtune/eval/exposure.h"

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <stdexcept>
#include <string>

namespace privtune::eval {

namespace {

void check_losses(double canary_loss, const std::vector<double>& losses, const char* function) {
  bool any_nan = std::isnan(canary_loss);
  for (double l : losses) any_nan = any_nan || std::isnan(l);
  if (any_nan) throw std::invalid_argument(std::string(function) + ": NaN loss");
}

// Above this, 2^log2_space overflows a double, and rank = 1 + f (|R| - 1) is computed as
// log2 rank = log2 f + log2 |R| (the 1 and the -1 are far below double precision there).
constexpr double kLargestDirectLog2Space = 1000.0;

ExposureEstimate from_fraction(double fraction, double log2_space, const char* method) {
  ExposureEstimate estimate{0.0, 1.0, false, method};
  if (log2_space <= kLargestDirectLog2Space) {
    estimate.rank = 1.0 + fraction * (std::exp2(log2_space) - 1.0);
    estimate.exposure = exposure_from_rank(log2_space, estimate.rank);
  } else if (fraction > 0.0) {
    const double log2_rank = std::max(0.0, std::log2(fraction) + log2_space);
    estimate.rank = std::exp2(log2_rank);
    estimate.exposure = log2_space - log2_rank;
  } else {
    estimate.exposure = log2_space;
  }
  return estimate;
}

// P(X < x) for a standard normal; erfc keeps its relative precision far into the lower tail,
// where 1 - erf would round to 0 (below about z = -8).
double standard_normal_cdf(double z) { return 0.5 * std::erfc(-z / std::sqrt(2.0)); }

}  // namespace

double exposure_from_rank(double log2_space, double rank) {
  if (!(rank >= 1.0)) throw std::invalid_argument("exposure_from_rank: rank must be >= 1");
  return log2_space - std::log2(rank);
}

ExposureEstimate exact_exposure(double canary_loss, const std::vector<double>& candidate_losses) {
  if (candidate_losses.empty()) throw std::invalid_argument("exact_exposure: empty candidate space");
  check_losses(canary_loss, candidate_losses, "exact_exposure");
  int64_t lower = 0, equal = 0;
  for (double l : candidate_losses) {
    lower += l < canary_loss;
    equal += l == canary_loss;
  }
  const int64_t other_equal = equal > 0 ? equal - 1 : 0;  // the canary itself is not a rival
  const double log2_space = std::log2(static_cast<double>(candidate_losses.size()));
  ExposureEstimate estimate{0.0, 1.0 + static_cast<double>(lower) + 0.5 * static_cast<double>(other_equal), true,
                            "enumerated"};
  estimate.exposure = exposure_from_rank(log2_space, estimate.rank);
  return estimate;
}

ExposureEstimate sampled_exposure(double canary_loss, const std::vector<double>& sampled_losses, double log2_space) {
  if (sampled_losses.size() < 2) throw std::invalid_argument("sampled_exposure: needs at least 2 sampled losses");
  if (!(log2_space >= 0.0) || std::isinf(log2_space)) {
    throw std::invalid_argument("sampled_exposure: log2_space must be finite and >= 0");
  }
  check_losses(canary_loss, sampled_losses, "sampled_exposure");
  const double m = static_cast<double>(sampled_losses.size());
  int64_t lower = 0, equal = 0;
  double sum = 0.0;
  for (double l : sampled_losses) {
    lower += l < canary_loss;
    equal += l == canary_loss;
    sum += l;
  }
  if (lower > 0) {
    return from_fraction((static_cast<double>(lower) + 0.5 * static_cast<double>(equal)) / m, log2_space, "sampled");
  }

  const double mean = sum / m;
  double squares = 0.0;  // two passes: the losses' spread is small next to their mean
  for (double l : sampled_losses) squares += (l - mean) * (l - mean);
  const double sd = std::sqrt(squares / (m - 1.0));
  double fraction;
  if (sd > 0.0) {
    fraction = standard_normal_cdf((canary_loss - mean) / sd);
  } else {
    // Every sample has the same loss, at or above the canary's: a tie is half a rival, and a
    // canary strictly below a point mass has no rival at all.
    fraction = canary_loss < mean ? 0.0 : 0.5;
  }
  return from_fraction(fraction, log2_space, "normal-tail");
}

}  // namespace privtune::eval
