#include "privtune/eval/bootstrap.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <random>
#include <stdexcept>

namespace privtune::eval {

namespace {

// Uniform in [0, n), n >= 1, by rejection: std::uniform_int_distribution's algorithm differs
// between standard libraries, this one does not. Rejecting the lowest 2^64 mod n outputs
// leaves a multiple of n values, so `x % n` is unbiased.
uint64_t uniform_index(std::mt19937_64& rng, uint64_t n) {
  const uint64_t rejected = (0 - n) % n;  // == 2^64 mod n
  uint64_t x = rng();
  while (x < rejected) x = rng();
  return x % n;
}

}  // namespace

Resamples::Resamples(int64_t examples, int64_t replicates, uint64_t seed) : examples_(examples) {
  // Counts are uint32 and one example can be drawn up to `examples` times.
  if (examples < 0 || examples > int64_t{0xffffffff}) {
    throw std::invalid_argument("Resamples: examples must be in [0, 2^32 - 1]");
  }
  if (replicates < 0) throw std::invalid_argument("Resamples: replicates must be >= 0");
  std::mt19937_64 rng(seed);
  counts_.assign(static_cast<size_t>(replicates), std::vector<uint32_t>(static_cast<size_t>(examples), 0));
  for (auto& counts : counts_) {
    for (int64_t draw = 0; draw < examples; ++draw) ++counts[uniform_index(rng, static_cast<uint64_t>(examples))];
  }
}

const std::vector<uint32_t>& Resamples::counts(int64_t replicate) const {
  if (replicate < 0 || replicate >= replicates()) throw std::out_of_range("Resamples: replicate out of range");
  return counts_[static_cast<size_t>(replicate)];
}

double weighted_ratio(const std::vector<uint32_t>& counts, const std::vector<double>& sums,
                      const std::vector<double>& weights) {
  if (sums.size() != counts.size() || weights.size() != counts.size()) {
    throw std::invalid_argument("weighted_ratio: counts, sums and weights differ in length");
  }
  double numerator = 0.0, denominator = 0.0;
  for (size_t i = 0; i < counts.size(); ++i) {
    if (counts[i] == 0) continue;  // an undrawn example must not bring in a NaN or inf sum
    numerator += static_cast<double>(counts[i]) * sums[i];
    denominator += static_cast<double>(counts[i]) * weights[i];
  }
  return denominator != 0.0 ? numerator / denominator : std::numeric_limits<double>::quiet_NaN();
}

Interval percentile_interval(std::vector<double> values, double level) {
  if (!(level > 0.0 && level < 1.0)) throw std::invalid_argument("percentile_interval: level must be in (0, 1)");
  const size_t total = values.size();
  values.erase(std::remove_if(values.begin(), values.end(), [](double v) { return std::isnan(v); }), values.end());
  const size_t dropped = total - values.size();
  if (values.empty() || 2 * dropped > total) return Interval{};
  std::sort(values.begin(), values.end());
  // numpy 'linear': position h = (n - 1) p, between order statistics floor(h) and floor(h) + 1.
  const auto quantile = [&values](double p) {
    const double h = static_cast<double>(values.size() - 1) * p;
    const size_t below = static_cast<size_t>(std::floor(h));
    const double fraction = h - static_cast<double>(below);
    if (fraction == 0.0 || below + 1 >= values.size()) return values[below];
    const double low = values[below], high = values[below + 1];
    // An infinite neighbour makes every point in between infinite (and low + f (high - low)
    // would be inf - inf = NaN).
    if (std::isinf(low)) return low;
    if (std::isinf(high)) return high;
    return low + fraction * (high - low);
  };
  const double tail = (1.0 - level) / 2.0;
  return Interval{quantile(tail), quantile(1.0 - tail)};
}

}  // namespace privtune::eval
