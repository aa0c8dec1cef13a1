// The FFT behind the PLD accountant's compositions: against a direct DFT, round trip, and
// cyclic convolution.
#include <gtest/gtest.h>

#include <cmath>
#include <complex>
#include <random>
#include <stdexcept>

#include "privtune/dp/fft.h"

namespace {

using namespace privtune::dp;
using cvec = std::vector<std::complex<double>>;

cvec random_vector(size_t n, unsigned seed) {
  std::mt19937 gen(seed);
  std::uniform_real_distribution<double> u(-1.0, 1.0);
  cvec v(n);
  for (auto& x : v) x = {u(gen), u(gen)};
  return v;
}

cvec direct_dft(const cvec& x) {
  const size_t n = x.size();
  cvec out(n);
  for (size_t k = 0; k < n; ++k)
    for (size_t j = 0; j < n; ++j) out[k] += x[j] * std::polar(1.0, -2.0 * std::acos(-1.0) * static_cast<double>(j * k % n) / n);
  return out;
}

TEST(Fft, MatchesDirectDftForEverySizeUpTo256) {
  for (size_t n = 1; n <= 256; n *= 2) {
    cvec x = random_vector(n, static_cast<unsigned>(n));
    const cvec expected = direct_dft(x);
    fft(x, false);
    for (size_t k = 0; k < n; ++k) EXPECT_NEAR(std::abs(x[k] - expected[k]), 0.0, 1e-12 * static_cast<double>(n)) << n << " " << k;
  }
}

TEST(Fft, InverseUndoesForward) {
  const cvec original = random_vector(1 << 14, 7);
  cvec x = original;
  fft(x, false);
  fft(x, true);
  for (size_t i = 0; i < x.size(); ++i) EXPECT_NEAR(std::abs(x[i] - original[i]), 0.0, 1e-14);
}

TEST(Fft, ProductOfTransformsIsCyclicConvolution) {
  const size_t n = 64;
  cvec a = random_vector(n, 1), b = random_vector(n, 2), expected(n);
  for (size_t i = 0; i < n; ++i)
    for (size_t j = 0; j < n; ++j) expected[(i + j) % n] += a[i] * b[j];
  fft(a, false);
  fft(b, false);
  for (size_t i = 0; i < n; ++i) a[i] *= b[i];
  fft(a, true);
  for (size_t i = 0; i < n; ++i) EXPECT_NEAR(std::abs(a[i] - expected[i]), 0.0, 1e-12);
}

TEST(Fft, RejectsSizesThatAreNotPowersOfTwo) {
  cvec x(12);
  EXPECT_THROW(fft(x, false), std::invalid_argument);
  EXPECT_EQ(next_power_of_two(1), 1u);
  EXPECT_EQ(next_power_of_two(5), 8u);
  EXPECT_EQ(next_power_of_two(1024), 1024u);
  EXPECT_TRUE(is_power_of_two(1));
  EXPECT_FALSE(is_power_of_two(0));
  EXPECT_FALSE(is_power_of_two(6));
}

}  // namespace
