// Bootstrap over examples: the resamples are deterministic and well formed, the ratio and the
// percentile interval match hand computations (numpy's 'linear' quantiles), and the intervals
// of a mean have roughly their nominal coverage.
#include <gtest/gtest.h>

#include <cmath>
#include <numeric>
#include <random>
#include <stdexcept>

#include "privtune/eval/bootstrap.h"

namespace {

using namespace privtune::eval;

const double kNaN = std::nan("");
const double kPi = std::acos(-1.0);

// Standard normal draws by Box-Muller from the raw engine output: std::normal_distribution
// differs between standard libraries, and this test's outcome should not.
class Normals {
 public:
  explicit Normals(uint64_t seed) : rng_(seed) {}
  double next() {
    const double u1 = (static_cast<double>(rng_() >> 11) + 0.5) * 0x1p-53;  // in (0, 1)
    const double u2 = static_cast<double>(rng_() >> 11) * 0x1p-53;
    return std::sqrt(-2 * std::log(u1)) * std::cos(2 * kPi * u2);
  }

 private:
  std::mt19937_64 rng_;
};

}  // namespace

TEST(Resamples, SameSeedSameDrawsOtherSeedOtherDraws) {
  const Resamples a(40, 30, 7), b(40, 30, 7), c(40, 30, 8);
  ASSERT_EQ(a.replicates(), 30);
  ASSERT_EQ(a.examples(), 40);
  bool any_difference = false;
  for (int64_t r = 0; r < 30; ++r) {
    EXPECT_EQ(a.counts(r), b.counts(r));
    any_difference = any_difference || a.counts(r) != c.counts(r);
  }
  EXPECT_TRUE(any_difference);
  // Replicates come from one stream in order: asking for more does not change the first ones.
  const Resamples longer(40, 60, 7);
  for (int64_t r = 0; r < 30; ++r) EXPECT_EQ(longer.counts(r), a.counts(r));
}

// Pinned: these counts are part of every reported interval, and must not change silently
// (nor differ between standard libraries: only mt19937_64's fixed output is used).
TEST(Resamples, PinnedDraws) {
  const Resamples draws(6, 2, 42);
  EXPECT_EQ(draws.counts(0), (std::vector<uint32_t>{2, 0, 2, 0, 1, 1}));
  EXPECT_EQ(draws.counts(1), (std::vector<uint32_t>{2, 2, 0, 0, 2, 0}));
}

TEST(Resamples, CountsSumToExamplesAndAreUniform) {
  const int64_t examples = 50, replicates = 2000;
  const Resamples draws(examples, replicates, 1);
  std::vector<double> mean_count(examples, 0.0);
  for (int64_t r = 0; r < replicates; ++r) {
    const auto& counts = draws.counts(r);
    ASSERT_EQ(counts.size(), static_cast<size_t>(examples));
    EXPECT_EQ(std::accumulate(counts.begin(), counts.end(), int64_t{0}), examples);
    for (int64_t i = 0; i < examples; ++i) mean_count[i] += counts[i] / static_cast<double>(replicates);
  }
  // Each count is Binomial(50, 1/50): mean 1, standard error of the average 0.022.
  for (double m : mean_count) EXPECT_NEAR(m, 1.0, 0.12);
}

TEST(Resamples, EdgeCasesAndBadArguments) {
  const Resamples none(0, 3, 1);
  EXPECT_EQ(none.replicates(), 3);
  EXPECT_TRUE(none.counts(2).empty());
  EXPECT_EQ(Resamples(5, 0, 1).replicates(), 0);
  const Resamples one(1, 2, 1);
  EXPECT_EQ(one.counts(1), std::vector<uint32_t>{1});
  EXPECT_THROW(Resamples(-1, 3, 1), std::invalid_argument);
  EXPECT_THROW(Resamples(3, -1, 1), std::invalid_argument);
  EXPECT_THROW(none.counts(3), std::out_of_range);
  EXPECT_THROW(none.counts(-1), std::out_of_range);
}

TEST(WeightedRatio, TokenWeightedMeanUnderCounts) {
  // (2*3 + 1*5) / (2*1 + 1*2); the undrawn example's NaN sum does not leak in.
  EXPECT_DOUBLE_EQ(weighted_ratio({2, 0, 1}, {3.0, kNaN, 5.0}, {1.0, 7.0, 2.0}), 11.0 / 4.0);
  EXPECT_DOUBLE_EQ(weighted_ratio({1, 1}, {4.0, 2.0}, {1.0, 1.0}), 3.0);
  EXPECT_TRUE(std::isnan(weighted_ratio({0, 0}, {1.0, 2.0}, {1.0, 1.0})));
  EXPECT_TRUE(std::isnan(weighted_ratio({1, 2}, {1.0, 2.0}, {0.0, 0.0})));  // no tokens drawn
  EXPECT_TRUE(std::isnan(weighted_ratio({}, {}, {})));
  EXPECT_THROW(weighted_ratio({1, 2}, {1.0}, {1.0, 1.0}), std::invalid_argument);
  EXPECT_THROW(weighted_ratio({1, 2}, {1.0, 2.0}, {1.0}), std::invalid_argument);
}

TEST(PercentileInterval, LinearInterpolationLikeNumpy) {
  // np.percentile([1..5], [25, 75]) = [2, 4]; [5, 95] = [1.2, 4.8].
  const Interval half = percentile_interval({5, 3, 1, 4, 2}, 0.5);
  EXPECT_DOUBLE_EQ(half.low, 2.0);
  EXPECT_DOUBLE_EQ(half.high, 4.0);
  const Interval ninety = percentile_interval({5, 3, 1, 4, 2}, 0.9);
  EXPECT_NEAR(ninety.low, 1.2, 1e-12);
  EXPECT_NEAR(ninety.high, 4.8, 1e-12);
  // 0, 1, ..., 100: np.percentile(..., [2.5, 97.5]) = [2.5, 97.5].
  std::vector<double> hundred(101);
  std::iota(hundred.begin(), hundred.end(), 0.0);
  const Interval default_level = percentile_interval(hundred);
  EXPECT_NEAR(default_level.low, 2.5, 1e-9);
  EXPECT_NEAR(default_level.high, 97.5, 1e-9);
  const Interval single = percentile_interval({3.5});
  EXPECT_EQ(single.low, 3.5);
  EXPECT_EQ(single.high, 3.5);
  // Between an infinite and a finite neighbour the interpolation is infinite, not inf - inf.
  const Interval unbounded = percentile_interval({-INFINITY, 1, 2, INFINITY}, 0.5);
  EXPECT_EQ(unbounded.low, -INFINITY);
  EXPECT_EQ(unbounded.high, INFINITY);
}

TEST(PercentileInterval, NaNReplicatesAreDroppedUnlessTheyAreTheMajority) {
  // {1, 2, 3} remain: positions 0.5 and 1.5.
  const Interval some = percentile_interval({kNaN, 3, 1, 2}, 0.5);
  EXPECT_DOUBLE_EQ(some.low, 1.5);
  EXPECT_DOUBLE_EQ(some.high, 2.5);
  const Interval exactly_half = percentile_interval({kNaN, 1, kNaN, 3}, 0.5);
  EXPECT_DOUBLE_EQ(exactly_half.low, 1.5);
  EXPECT_DOUBLE_EQ(exactly_half.high, 2.5);
  const Interval most = percentile_interval({kNaN, kNaN, kNaN, 1, 2});
  EXPECT_TRUE(std::isnan(most.low) && std::isnan(most.high));
  const Interval none = percentile_interval({});
  EXPECT_TRUE(std::isnan(none.low) && std::isnan(none.high));
  EXPECT_TRUE(std::isnan(Interval{}.low));
  EXPECT_THROW(percentile_interval({1, 2}, 1.0), std::invalid_argument);
  EXPECT_THROW(percentile_interval({1, 2}, 0.0), std::invalid_argument);
  EXPECT_THROW(percentile_interval({1, 2}, kNaN), std::invalid_argument);
}

// 200 data sets of 100 draws from N(3, 2^2); the 95% percentile interval of the mean from 500
// replicates should contain 3 about 94% of the time (the percentile bootstrap runs slightly
// short at n = 100). With 200 trials the standard error is 1.7 points.
TEST(PercentileInterval, MeanIntervalHasRoughlyNominalCoverage) {
  const int datasets = 200, n = 100, replicates = 500;
  const double true_mean = 3.0;
  Normals normals(2024);
  const Resamples draws(n, replicates, 99);
  const std::vector<double> ones(n, 1.0);
  int covered = 0;
  for (int d = 0; d < datasets; ++d) {
    std::vector<double> data(n);
    for (double& x : data) x = true_mean + 2.0 * normals.next();
    std::vector<double> means;
    for (int64_t r = 0; r < replicates; ++r) means.push_back(weighted_ratio(draws.counts(r), data, ones));
    const Interval interval = percentile_interval(means);
    ASSERT_LT(interval.low, interval.high);
    covered += interval.low <= true_mean && true_mean <= interval.high;
  }
  const double coverage = static_cast<double>(covered) / datasets;
  EXPECT_GE(coverage, 0.88);
  EXPECT_LE(coverage, 0.99);
}
