// GaussianNoise: reproducible when seeded, different across secure instances, standard
// normal moments, independent of chunking and thread count, state and resume, bad input;
// the sum-of-four sampler against the Box-Muller normals it sums.
#include <gtest/gtest.h>

#include <cmath>

#include "privtune/core/error.h"
#include "privtune/dp/noise.h"
#include "privtune/dp/noise_fill.h"

namespace {

using namespace privtune;
using dp::GaussianNoise;

torch::Tensor draw(GaussianNoise& noise, int64_t n, double stddev = 1.0, torch::ScalarType dtype = torch::kDouble) {
  torch::Tensor t = torch::zeros({n}, dtype);
  noise.add(t, stddev);
  return t;
}

TEST(Noise, SeededIsReproducibleAndNotForRelease) {
  GaussianNoise a = GaussianNoise::seeded(42), b = GaussianNoise::seeded(42), c = GaussianNoise::seeded(43);
  EXPECT_FALSE(a.for_release());
  const torch::Tensor first = draw(a, 1000);
  EXPECT_TRUE(torch::equal(first, draw(b, 1000)));
  EXPECT_FALSE(torch::equal(first, draw(c, 1000)));
  // Each call draws from a new stream.
  EXPECT_FALSE(torch::equal(first, draw(a, 1000)));
}

TEST(Noise, SecureInstancesDiffer) {
  GaussianNoise a = GaussianNoise::secure(), b = GaussianNoise::secure();
  EXPECT_TRUE(a.for_release());
  EXPECT_FALSE(torch::equal(draw(a, 64), draw(b, 64)));
}

TEST(Noise, StandardNormalMoments) {
  GaussianNoise noise = GaussianNoise::seeded(7);
  const int64_t n = 1000000;
  const double sigma = 2.5;
  const torch::Tensor z = draw(noise, n, sigma) / sigma;
  const double mean = z.mean().item<double>();
  const double var = z.var().item<double>();
  const double kurtosis = z.pow(4).mean().item<double>();
  // 5 standard errors: mean ~ N(0, 1/n), variance ~ N(1, 2/n), fourth moment ~ N(3, 96/n).
  EXPECT_LT(std::abs(mean), 5 / std::sqrt(n));
  EXPECT_LT(std::abs(var - 1), 5 * std::sqrt(2.0 / n));
  EXPECT_LT(std::abs(kurtosis - 3), 5 * std::sqrt(96.0 / n));
  // Tails: P(|z| > 3) = 0.0027.
  const double tail = (z.abs() > 3).to(torch::kDouble).mean().item<double>();
  EXPECT_LT(std::abs(tail - 0.0026998), 5 * std::sqrt(0.0027 / n));
}

TEST(Noise, IndependentOfSizeChunksAndThreads) {
  // A long tensor spans several CPU chunks; its prefix is the short tensor's noise.
  GaussianNoise a = GaussianNoise::seeded(5), b = GaussianNoise::seeded(5);
  const torch::Tensor shortest = draw(a, 13);
  const int threads = torch::get_num_threads();
  torch::set_num_threads(2);
  const torch::Tensor longest = draw(b, (int64_t{1} << 20) * 2 + 13);
  EXPECT_TRUE(torch::equal(shortest, longest.narrow(0, 0, 13)));
  torch::set_num_threads(1);
  GaussianNoise c = GaussianNoise::seeded(5);
  const torch::Tensor one_thread = draw(c, (int64_t{1} << 20) * 2 + 13);
  torch::set_num_threads(threads);
  EXPECT_TRUE(torch::equal(longest, one_thread));
}

TEST(Noise, FillRunsOnTheThreadsTorchIsGiven) {
  // at::parallel_for is an inline OpenMP loop: compiled without OpenMP it runs on one thread
  // whatever torch was given (the noise once did), with the same values.
  const int threads = torch::get_num_threads();
  std::vector<float> two(1 << 16), one(two.size());
  const dp::ChaChaKey key = {1, 2, 3, 4, 5, 6, 7, 8};
  const dp::ChaChaNonce nonce = {9, 0, 0};
  torch::set_num_threads(2);
  const int workers = dp::fill_noise(key, nonce, 0, static_cast<int64_t>(two.size()), 1.0, 4, two.data());
  torch::set_num_threads(1);
  const int alone = dp::fill_noise(key, nonce, 0, static_cast<int64_t>(one.size()), 1.0, 4, one.data());
  torch::set_num_threads(threads);
  EXPECT_GE(workers, 2);  // the team may be larger where a second OpenMP runtime serves this file
  EXPECT_EQ(alone, 1);
  EXPECT_EQ(two, one);
}

TEST(Noise, AddsInPlaceToAnyFloatingDtypeAndLayout) {
  GaussianNoise reference = GaussianNoise::seeded(9);
  const torch::Tensor z = draw(reference, 12, 0.5);
  for (auto dtype : {torch::kFloat, torch::kBFloat16, torch::kHalf}) {
    GaussianNoise noise = GaussianNoise::seeded(9);
    torch::Tensor t = torch::ones({3, 4}, dtype);
    noise.add(t, 0.5);
    EXPECT_TRUE(torch::allclose(t.to(torch::kDouble).view({-1}), 1 + z, 1e-2, 1e-2)) << dtype;
  }
  // A transposed (non-contiguous) tensor gets the noise in its logical element order.
  GaussianNoise noise = GaussianNoise::seeded(9);
  torch::Tensor t = torch::zeros({4, 3}, torch::kDouble).t();
  noise.add(t, 0.5);
  EXPECT_TRUE(torch::equal(t.reshape({-1}), z));
  EXPECT_FALSE(t.requires_grad());
}

TEST(Noise, SeededStateResumesTheStream) {
  GaussianNoise run = GaussianNoise::seeded(11);
  draw(run, 100);
  const core::Json state = run.state();
  EXPECT_EQ(state.at("mode"), "seeded");
  const torch::Tensor next = draw(run, 100);
  GaussianNoise resumed = GaussianNoise::seeded(0);
  resumed.restore(core::Json::parse(state.dump()));
  EXPECT_TRUE(torch::equal(draw(resumed, 100), next));
}

TEST(Noise, SecureStateIsNotResumable) {
  GaussianNoise run = GaussianNoise::secure();
  const core::Json state = run.state();
  EXPECT_EQ(state.at("mode"), "secure");
  EXPECT_EQ(state.at("resumable"), false);
  GaussianNoise resumed = GaussianNoise::secure();
  resumed.restore(state);  // re-keys from entropy
  EXPECT_TRUE(resumed.for_release());
  GaussianNoise seeded = GaussianNoise::seeded(1);
  EXPECT_THROW(seeded.restore(state), Error);
  EXPECT_THROW(resumed.restore(seeded.state()), Error);
  EXPECT_THROW(seeded.restore(core::Json{{"mode", "seeded"}}), Error);  // no seed
  EXPECT_THROW(seeded.restore(core::Json{{"mode", "quantum"}}), Error);
}

TEST(Noise, BadStddev) {
  GaussianNoise noise = GaussianNoise::seeded(1);
  torch::Tensor t = torch::zeros({4});
  EXPECT_THROW(noise.add(t, -1.0), Error);
  EXPECT_THROW(noise.add(t, std::nan("")), Error);
  EXPECT_THROW(noise.add(t, INFINITY), Error);
  noise.add(t, 0.0);
  EXPECT_TRUE(torch::equal(t, torch::zeros({4})));
}

}  // namespace

namespace {

using namespace privtune;
using dp::GaussianNoise;
using dp::NoiseSampler;

TEST(NoiseSampler, SumOfFourIsTheDefaultAndTheHalvedSumOfFourBoxMullerNormals) {
  EXPECT_EQ(GaussianNoise::seeded(3).sampler(), NoiseSampler::kSumOfFour);
  EXPECT_EQ(GaussianNoise::secure().sampler(), NoiseSampler::kSumOfFour);
  // The same stream read both ways: value j of sum-of-4 is half the sum of Box-Muller
  // normals 4j .. 4j+3 (in double, up to the rounding of the sum).
  GaussianNoise plain = GaussianNoise::seeded(3, NoiseSampler::kBoxMuller), summed = GaussianNoise::seeded(3);
  const torch::Tensor normals = draw(plain, 4 * 1001, 1.5);
  const torch::Tensor values = draw(summed, 1001, 1.5);
  const torch::Tensor expected = normals.view({1001, 4}).sum(1) / 2;
  EXPECT_LT((values - expected).abs().max().item<double>(), 1e-12);
}

TEST(NoiseSampler, SumOfFourHasStandardNormalMoments) {
  GaussianNoise noise = GaussianNoise::seeded(8);
  const int64_t n = 1000000;
  const torch::Tensor z = draw(noise, n, 0.5) / 0.5;
  EXPECT_LT(std::abs(z.mean().item<double>()), 5 / std::sqrt(n));
  EXPECT_LT(std::abs(z.var().item<double>() - 1), 5 * std::sqrt(2.0 / n));
  EXPECT_LT(std::abs(z.pow(4).mean().item<double>() - 3), 5 * std::sqrt(96.0 / n));
}

TEST(NoiseSampler, StateKeepsTheSamplerAndOldStatesAreBoxMuller) {
  GaussianNoise run = GaussianNoise::seeded(11);
  draw(run, 10);
  EXPECT_EQ(run.state().at("sampler"), "sum-of-4");
  // A checkpoint written before sum-of-4 existed continues with Box-Muller, as it started.
  core::Json old = run.state();
  old.erase("sampler");
  GaussianNoise resumed = GaussianNoise::seeded(0);
  resumed.restore(old);
  EXPECT_EQ(resumed.sampler(), NoiseSampler::kBoxMuller);
  GaussianNoise reference = GaussianNoise::seeded(11, NoiseSampler::kBoxMuller);
  draw(reference, 10);
  EXPECT_TRUE(torch::equal(draw(resumed, 50), draw(reference, 50)));
  old["sampler"] = "ziggurat";
  EXPECT_THROW(resumed.restore(old), Error);
}

}  // namespace
