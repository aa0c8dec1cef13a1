// Canary exposure: exact ranks on small enumerable spaces (best, worst, ties), the sampled
// estimate against the exact value on a large synthetic space, and the normal-tail
// extrapolation when no sampled candidate beats the canary.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <random>
#include <stdexcept>

#include "privtune/eval/exposure.h"

namespace {

using namespace privtune::eval;

const double kNaN = std::nan("");

// A synthetic candidate space: loss = 30 + 3 z with z standard normal (Box-Muller on the raw
// engine output, so the space is the same with every standard library).
std::vector<double> normal_space(size_t size, uint64_t seed) {
  std::mt19937_64 rng(seed);
  const double pi = std::acos(-1.0);
  std::vector<double> losses(size);
  for (double& l : losses) {
    const double u1 = (static_cast<double>(rng() >> 11) + 0.5) * 0x1p-53;
    const double u2 = static_cast<double>(rng() >> 11) * 0x1p-53;
    l = 30.0 + 3.0 * std::sqrt(-2 * std::log(u1)) * std::cos(2 * pi * u2);
  }
  return losses;
}

// Losses of `m` candidates drawn uniformly with replacement from the space, never the canary.
std::vector<double> sample_space(const std::vector<double>& space, size_t canary_index, size_t m, uint64_t seed) {
  std::mt19937_64 rng(seed);
  std::vector<double> sampled;
  while (sampled.size() < m) {
    const size_t i = rng() % space.size();  // bias of order 1e-13: irrelevant here
    if (i != canary_index) sampled.push_back(space[i]);
  }
  return sampled;
}

// The index of the k-th smallest loss (0-based).
size_t index_of_kth_lowest(const std::vector<double>& space, size_t k) {
  std::vector<size_t> order(space.size());
  for (size_t i = 0; i < order.size(); ++i) order[i] = i;
  std::nth_element(order.begin(), order.begin() + static_cast<std::ptrdiff_t>(k), order.end(),
                   [&space](size_t a, size_t b) { return space[a] < space[b]; });
  return order[k];
}

}  // namespace

TEST(Exposure, FromRank) {
  EXPECT_DOUBLE_EQ(exposure_from_rank(3.0, 2.0), 2.0);
  EXPECT_DOUBLE_EQ(exposure_from_rank(std::log2(1e6), 1.0), std::log2(1e6));
  EXPECT_DOUBLE_EQ(exposure_from_rank(std::log2(10.0), 10.0), 0.0);
  EXPECT_THROW(exposure_from_rank(3.0, 0.5), std::invalid_argument);
  EXPECT_THROW(exposure_from_rank(3.0, kNaN), std::invalid_argument);
}

TEST(ExactExposure, BestAndWorstOfTenCandidates) {
  const std::vector<double> space = {4.5, 1.0, 7.0, 2.5, 9.0, 3.0, 8.0, 6.0, 5.5, 2.0};
  const auto best = exact_exposure(1.0, space);
  EXPECT_DOUBLE_EQ(best.rank, 1.0);
  EXPECT_DOUBLE_EQ(best.exposure, std::log2(10.0));
  EXPECT_TRUE(best.exact);
  EXPECT_EQ(best.method, "enumerated");
  const auto worst = exact_exposure(9.0, space);
  EXPECT_DOUBLE_EQ(worst.rank, 10.0);
  EXPECT_NEAR(worst.exposure, 0.0, 1e-15);
  const auto fourth = exact_exposure(3.0, space);  // 1.0, 2.0, 2.5 are lower
  EXPECT_DOUBLE_EQ(fourth.rank, 4.0);
  EXPECT_DOUBLE_EQ(fourth.exposure, std::log2(10.0) - 2.0);
}

TEST(ExactExposure, TiesCountHalfAndTheCanaryIsNotItsOwnRival) {
  // Canary loss 2 among {1, 2, 2, 2, 3}: one lower, two rivals tied -> rank 1 + 1 + 2 x 0.5.
  const auto tied = exact_exposure(2.0, {1.0, 2.0, 2.0, 2.0, 3.0});
  EXPECT_DOUBLE_EQ(tied.rank, 3.0);
  EXPECT_DOUBLE_EQ(tied.exposure, std::log2(5.0) - std::log2(3.0));
  // A space where every candidate scores the same: the middle rank.
  const auto flat = exact_exposure(5.0, std::vector<double>(8, 5.0));
  EXPECT_DOUBLE_EQ(flat.rank, 4.5);
  // A single-candidate space: the canary itself, exposure 0.
  EXPECT_DOUBLE_EQ(exact_exposure(1.0, {1.0}).exposure, 0.0);
  // The canary's loss not among the candidates (computed apart): nothing is excluded.
  EXPECT_DOUBLE_EQ(exact_exposure(2.5, {1.0, 2.0, 3.0, 4.0}).rank, 3.0);
}

TEST(ExactExposure, BadInput) {
  EXPECT_THROW(exact_exposure(1.0, {}), std::invalid_argument);
  EXPECT_THROW(exact_exposure(kNaN, {1.0, 2.0}), std::invalid_argument);
  EXPECT_THROW(exact_exposure(1.0, {1.0, kNaN}), std::invalid_argument);
}

TEST(SampledExposure, FractionOfSamplesBelowWithTies) {
  // |R| = 4; samples {1, 2, 2, 3} around a canary at 2: f = (1 + 0.5 x 2) / 4 = 0.5,
  // rank = 1 + 0.5 x 3 = 2.5.
  const auto e = sampled_exposure(2.0, {1.0, 2.0, 2.0, 3.0}, 2.0);
  EXPECT_EQ(e.method, "sampled");
  EXPECT_FALSE(e.exact);
  EXPECT_DOUBLE_EQ(e.rank, 2.5);
  EXPECT_DOUBLE_EQ(e.exposure, 2.0 - std::log2(2.5));
}

TEST(SampledExposure, AgreesWithExactOnALargeSpace) {
  const auto space = normal_space(1000000, 17);
  const size_t canary = index_of_kth_lowest(space, 4999);  // exact rank 5000
  const auto exact = exact_exposure(space[canary], space);
  ASSERT_DOUBLE_EQ(exact.rank, 5000.0);
  const auto sampled = sampled_exposure(space[canary], sample_space(space, canary, 20000, 5), std::log2(1e6));
  EXPECT_EQ(sampled.method, "sampled");
  // About 100 of the 20,000 samples are lower: a 10% standard error on the rank, 0.14 bits.
  EXPECT_NEAR(sampled.exposure, exact.exposure, 0.5);
  EXPECT_NEAR(sampled.rank / exact.rank, 1.0, 0.4);
}

TEST(SampledExposure, NormalTailWhenNoSampleIsLower) {
  const auto space = normal_space(1000000, 17);
  for (size_t k : {size_t{0}, size_t{4}}) {  // exact ranks 1 and 5: beyond 10,000 samples' reach
    const size_t canary = index_of_kth_lowest(space, k);
    const auto exact = exact_exposure(space[canary], space);
    const auto estimate = sampled_exposure(space[canary], sample_space(space, canary, 10000, 6), std::log2(1e6));
    ASSERT_EQ(estimate.method, "normal-tail") << k;
    EXPECT_FALSE(estimate.exact);
    EXPECT_NEAR(estimate.exposure, exact.exposure, 1.0) << k;
    EXPECT_LE(estimate.exposure, std::log2(1e6));
    EXPECT_GE(estimate.rank, 1.0);
  }
}

TEST(SampledExposure, NormalTailByHand) {
  // Samples -1 and +1, 5,000 of each: mean 0, sd = sqrt(10000 / 9999).
  std::vector<double> samples(10000);
  for (size_t i = 0; i < samples.size(); ++i) samples[i] = i % 2 ? 1.0 : -1.0;
  const double sd = std::sqrt(10000.0 / 9999.0);
  const double fraction = 0.5 * std::erfc(3.0 / sd / std::sqrt(2.0));  // Phi(-3 / sd)
  EXPECT_NEAR(fraction, 0.0013499, 1e-6);
  const auto e = sampled_exposure(-3.0, samples, 20.0);
  EXPECT_EQ(e.method, "normal-tail");
  EXPECT_NEAR(e.rank, 1.0 + fraction * (std::exp2(20.0) - 1.0), 1e-6);
  EXPECT_NEAR(e.exposure, 20.0 - std::log2(e.rank), 1e-12);

  // Ten standard deviations out, Phi = 7.62e-24 (erfc keeps it): in a 2^100 space the rank is
  // ~1e7 and the exposure -log2 Phi(-10) = 76.8 bits. A 2^30 space caps it at rank ~1.
  EXPECT_NEAR(sampled_exposure(-10.0 * sd, samples, 100.0).exposure, -std::log2(7.619853024160593e-24), 1e-6);
  EXPECT_NEAR(sampled_exposure(-10.0 * sd, samples, 30.0).exposure, 30.0, 1e-6);
  // Forty standard deviations: Phi underflows to 0, rank 1, the largest exposure.
  EXPECT_DOUBLE_EQ(sampled_exposure(-40.0, samples, 30.0).rank, 1.0);
  EXPECT_DOUBLE_EQ(sampled_exposure(-40.0, samples, 30.0).exposure, 30.0);
  // Astronomically large spaces stay finite in the log domain.
  const auto huge = sampled_exposure(-3.0, samples, 2000.0);
  EXPECT_NEAR(huge.exposure, -std::log2(fraction), 1e-9);
  EXPECT_TRUE(std::isinf(huge.rank));
}

TEST(SampledExposure, ConstantSamples) {
  const std::vector<double> flat(100, 5.0);
  // Tied with every sample: half of the space ranks above it.
  const auto tied = sampled_exposure(5.0, flat, 10.0);
  EXPECT_EQ(tied.method, "normal-tail");
  EXPECT_DOUBLE_EQ(tied.rank, 1.0 + 0.5 * 1023.0);
  // Below a point mass: nothing ranks above it.
  EXPECT_DOUBLE_EQ(sampled_exposure(4.0, flat, 10.0).exposure, 10.0);
}

TEST(SampledExposure, BadInput) {
  EXPECT_THROW(sampled_exposure(1.0, {2.0}, 10.0), std::invalid_argument);
  EXPECT_THROW(sampled_exposure(1.0, {}, 10.0), std::invalid_argument);
  EXPECT_THROW(sampled_exposure(kNaN, {2.0, 3.0}, 10.0), std::invalid_argument);
  EXPECT_THROW(sampled_exposure(1.0, {2.0, kNaN}, 10.0), std::invalid_argument);
  EXPECT_THROW(sampled_exposure(1.0, {2.0, 3.0}, -1.0), std::invalid_argument);
  EXPECT_THROW(sampled_exposure(1.0, {2.0, 3.0}, INFINITY), std::invalid_argument);
  EXPECT_THROW(sampled_exposure(1.0, {2.0, 3.0}, kNaN), std::invalid_argument);
}
