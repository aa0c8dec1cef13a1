// Box-Muller over pairs of random words (box_muller.h): every implementation this CPU runs
// against long-double libm, against each other, on partial vectors and at the extremes.
#include <gtest/gtest.h>

#include <cmath>
#include <stdexcept>
#include <vector>

#include "privtune/dp/box_muller.h"
#include "privtune/dp/chacha20.h"

namespace {

using namespace privtune::dp;

std::vector<uint32_t> random_words(int64_t pairs, uint32_t seed) {
  std::vector<uint32_t> words(static_cast<size_t>(4 * pairs + 15) / 16 * 16);
  chacha20_blocks(ChaChaKey{seed}, ChaChaNonce{}, 0, static_cast<int64_t>(words.size()) / 16, words.data());
  words.resize(static_cast<size_t>(4 * pairs));
  return words;
}

// The textbook formula in long double: the reference for pair i's two normals.
void reference_pair(const uint32_t* w, double scale, long double* cos_part, long double* sin_part) {
  const uint64_t x = w[0] | static_cast<uint64_t>(w[1]) << 32, y = w[2] | static_cast<uint64_t>(w[3]) << 32;
  const long double u1 = static_cast<long double>((x >> 11) + 1) * 0x1.0p-53L;
  const long double u2 = static_cast<long double>(y >> 11) * 0x1.0p-53L;
  const long double pi = 3.141592653589793238462643383279502884L;
  const long double radius = scale * std::sqrt(-2.0L * std::log(u1));
  *cos_part = radius * std::cos(2 * pi * u2);
  *sin_part = radius * std::sin(2 * pi * u2);
}

TEST(BoxMuller, EveryImplementationMatchesTheFormula) {
  const int64_t pairs = kMaxBoxMullerPairs;
  const std::vector<uint32_t> words = random_words(pairs, 1);
  for (SimdLevel level : supported_simd_levels()) {
    std::vector<double> normals(2 * pairs);
    box_muller(level, words.data(), pairs, 1.5, normals.data());
    for (int64_t i = 0; i < pairs; ++i) {
      long double c, s;
      reference_pair(&words[4 * i], 1.5, &c, &s);
      // A few ulp of the radius (at most 1.5 x 8.6 here).
      const long double tolerance = 4e-16L * (1 + std::hypot(c, s));
      EXPECT_LE(std::abs(normals[2 * i] - c), tolerance) << simd_level_name(level) << " pair " << i;
      EXPECT_LE(std::abs(normals[2 * i + 1] - s), tolerance) << simd_level_name(level) << " pair " << i;
    }
  }
}

TEST(BoxMuller, ImplementationsAgreeAndBestIsTheWidest) {
  EXPECT_EQ(supported_simd_levels().front(), SimdLevel::kScalar);
  EXPECT_EQ(best_simd_level(), supported_simd_levels().back());
  const int64_t pairs = 200;
  const std::vector<uint32_t> words = random_words(pairs, 2);
  std::vector<double> scalar(2 * pairs), other(2 * pairs);
  box_muller(SimdLevel::kScalar, words.data(), pairs, 1.0, scalar.data());
  for (SimdLevel level : supported_simd_levels()) {
    box_muller(level, words.data(), pairs, 1.0, other.data());
    for (int64_t i = 0; i < 2 * pairs; ++i)
      EXPECT_NEAR(other[i], scalar[i], 4e-15) << simd_level_name(level) << " normal " << i;
  }
}

TEST(BoxMuller, AnyNumberOfPairsGivesThePrefix) {
  // Counts that leave partial vectors of every width; nothing is written past 2 * pairs.
  const std::vector<uint32_t> words = random_words(32, 3);
  for (SimdLevel level : supported_simd_levels()) {
    std::vector<double> all(64);
    box_muller(level, words.data(), 32, 2.0, all.data());
    for (int64_t pairs = 0; pairs <= 13; ++pairs) {
      std::vector<double> some(2 * pairs + 1, -7.0);
      box_muller(level, words.data(), pairs, 2.0, some.data());
      for (int64_t i = 0; i < 2 * pairs; ++i) EXPECT_EQ(some[i], all[i]) << simd_level_name(level) << " " << pairs;
      EXPECT_EQ(some[2 * pairs], -7.0) << simd_level_name(level) << " wrote past " << pairs << " pairs";
    }
  }
}

TEST(BoxMuller, ExtremeWords) {
  // x all ones: u1 = 1, radius 0. x = 0: u1 = 2^-53, the largest radius, sqrt(106 ln 2).
  // y = 0: angle 0 (cos 1, sin 0); y = 2^62: u2 = 1/4, angle pi / 2 (cos 0 exactly, sin 1).
  const std::vector<uint32_t> words = {0xffffffff, 0xffffffff, 0, 0,  0, 0, 0, 0,  0, 0, 0, 0x40000000};
  const double largest = std::sqrt(106 * std::log(2.0));
  for (SimdLevel level : supported_simd_levels()) {
    double normals[6];
    box_muller(level, words.data(), 3, 1.0, normals);
    EXPECT_EQ(normals[0], 0.0) << simd_level_name(level);
    EXPECT_EQ(normals[1], 0.0) << simd_level_name(level);
    EXPECT_NEAR(normals[2], largest, 1e-14) << simd_level_name(level);
    EXPECT_EQ(normals[3], 0.0) << simd_level_name(level);
    EXPECT_EQ(normals[4], 0.0) << simd_level_name(level);
    EXPECT_NEAR(normals[5], largest, 1e-14) << simd_level_name(level);
  }
}

TEST(BoxMuller, TooManyPairsIsAProgrammingError) {
  std::vector<uint32_t> words(4 * (kMaxBoxMullerPairs + 1));
  std::vector<double> normals(2 * (kMaxBoxMullerPairs + 1));
  EXPECT_THROW(box_muller(words.data(), kMaxBoxMullerPairs + 1, 1.0, normals.data()), std::logic_error);
}

}  // namespace
