#include "privtune/dp/fft.h"

#include <cmath>
#include <stdexcept>
#include <utility>

namespace privtune::dp {
namespace {
constexpr double kPi = 3.14159265358979323846;
}  // namespace

bool is_power_of_two(size_t n) { return n != 0 && (n & (n - 1)) == 0; }

size_t next_power_of_two(size_t n) {
  size_t p = 1;
  while (p < n) p <<= 1;
  return p;
}

namespace {

// Twiddles for every stage, contiguous per stage: entries [half, 2 half) hold
// exp(-2 pi i k / (2 half)) for k < half.
void fill_twiddles(std::vector<std::complex<double>>& table, size_t n) {
  table.assign(n, 0.0);
  for (size_t half = 1; half < n; half <<= 1)
    for (size_t k = 0; k < half; ++k) {
      const double angle = -kPi * static_cast<double>(k) / static_cast<double>(half);
      table[half + k] = {std::cos(angle), std::sin(angle)};
    }
}

// Cached per thread for sizes up to 2^20 (16 MiB), since the accountant transforms the same
// sizes over and over (sigma calibration); larger tables are built per call, not kept.
constexpr size_t kMaxCachedSize = size_t{1} << 20;
const std::vector<std::complex<double>>& twiddles(size_t n, std::vector<std::complex<double>>& scratch) {
  thread_local size_t cached_n = 0;
  thread_local std::vector<std::complex<double>> cached;
  if (n > kMaxCachedSize) {
    fill_twiddles(scratch, n);
    return scratch;
  }
  if (cached_n != n) {
    fill_twiddles(cached, n);
    cached_n = n;
  }
  return cached;
}

}  // namespace

void fft(std::vector<std::complex<double>>& data, bool inverse) {
  const size_t n = data.size();
  if (!is_power_of_two(n)) throw std::invalid_argument("fft: size must be a power of two");
  if (n == 1) return;

  // Bit-reversal permutation.
  for (size_t i = 1, j = 0; i < n; ++i) {
    size_t bit = n >> 1;
    for (; j & bit; bit >>= 1) j ^= bit;
    j ^= bit;
    if (i < j) std::swap(data[i], data[j]);
  }

  // The inverse transform conjugates the twiddles (and scales by 1/n at the end).
  std::vector<std::complex<double>> scratch;
  const std::vector<std::complex<double>>& table = twiddles(n, scratch);
  const double conj = inverse ? -1.0 : 1.0;
  double* x = reinterpret_cast<double*>(data.data());  // interleaved re, im (guaranteed layout)
  for (size_t half = 1; half < n; half <<= 1) {
    const std::complex<double>* w = table.data() + half;
    for (size_t start = 0; start < n; start += 2 * half) {
      for (size_t k = 0; k < half; ++k) {
        const double wr = w[k].real(), wi = conj * w[k].imag();
        double* a = x + 2 * (start + k);
        double* b = x + 2 * (start + k + half);
        const double tr = b[0] * wr - b[1] * wi, ti = b[0] * wi + b[1] * wr;
        b[0] = a[0] - tr;
        b[1] = a[1] - ti;
        a[0] += tr;
        a[1] += ti;
      }
    }
  }

  if (inverse) {
    const double scale = 1.0 / static_cast<double>(n);
    for (auto& v : data) v *= scale;
  }
}

}  // namespace privtune::dp
