// A small in-place radix-2 FFT for the PLD accountant's convolutions (the standard library
// has none, and the project takes no numeric dependencies).
#pragma once

#include <complex>
#include <cstddef>
#include <vector>

namespace privtune::dp {

// True for 1, 2, 4, 8, ...
bool is_power_of_two(size_t n);

// Smallest power of two >= n (n >= 1).
size_t next_power_of_two(size_t n);

// In-place discrete Fourier transform of `data` (size a power of two):
//   forward: X_k = sum_j x_j exp(-2 pi i jk/n);  inverse: x_j = (1/n) sum_k X_k exp(+2 pi i jk/n).
// Iterative Cooley-Tukey; twiddles are computed directly from cos/sin per index (not by
// recurrence) so the rounding error stays O(eps log n).
void fft(std::vector<std::complex<double>>& data, bool inverse);

}  // namespace privtune::dp
