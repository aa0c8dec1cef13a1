// Percentile bootstrap over examples: every mean in a report comes with a 95% confidence
// interval (DESIGN.md section 5).
//
// The unit of resampling is the example, not the token: tokens of one example are correlated,
// so resampling tokens would give intervals that are too narrow. A token-weighted mean loss is
// then a ratio of sums, each example contributing (loss sum, token count), and its replicate is
// weighted_ratio(counts, sums, tokens).
//
// Resamples are drawn once and shared by every statistic of an evaluation, so intervals of
// related numbers (e.g. P, G and X = P - G) come from the same replicates and stay consistent.
// The draw is std::mt19937_64 (whose output the C++ standard fixes) with our own unbiased
// index draw, so a seed gives the same intervals with every standard library.
#pragma once

#include <cstdint>
#include <limits>
#include <vector>

namespace privtune::eval {

struct Interval {
  double low = std::numeric_limits<double>::quiet_NaN();
  double high = std::numeric_limits<double>::quiet_NaN();
};

// For each replicate, how many times each example was drawn in `examples` draws with
// replacement (a multinomial draw; the counts of a replicate sum to `examples`). Memory is
// 4 * examples * replicates bytes. Replicates are drawn in order from one stream, so the first
// k replicates are the same whatever `replicates` is.
class Resamples {
 public:
  // 0 <= examples <= 2^32 - 1 and replicates >= 0; std::invalid_argument otherwise.
  Resamples(int64_t examples, int64_t replicates, uint64_t seed);

  const std::vector<uint32_t>& counts(int64_t replicate) const;  // std::out_of_range if invalid
  int64_t replicates() const { return static_cast<int64_t>(counts_.size()); }
  int64_t examples() const { return examples_; }

 private:
  int64_t examples_;
  std::vector<std::vector<uint32_t>> counts_;
};

// sum(c * s) / sum(c * w): a weighted mean under one replicate's counts (NaN when the
// denominator is 0). The three vectors must have one entry per example
// (std::invalid_argument otherwise).
double weighted_ratio(const std::vector<uint32_t>& counts, const std::vector<double>& sums,
                      const std::vector<double>& weights);

// The central `level` (in (0, 1)) interval of the replicate values: their (1-level)/2 and
// (1+level)/2 quantiles, interpolated linearly between order statistics (numpy's default
// 'linear' method; next to an infinite value the quantile is that infinity, where numpy
// gives NaN). NaN values (replicates where the statistic is undefined, e.g. no tokens
// of a class were drawn) are dropped; if more than half are NaN, or none remain, the interval
// is NaN, since the remaining ones would be a biased sample.
Interval percentile_interval(std::vector<double> values, double level = 0.95);

}  // namespace privtune::eval
