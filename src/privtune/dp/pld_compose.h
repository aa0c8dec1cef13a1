// Composition of discrete PLDs by FFT, on a cyclic window sized by Chernoff bounds.
//
// T-fold composition convolves the loss pmf with itself T times. Embedded cyclically in a
// window of N grid points, the composed pmf is one forward FFT, a pointwise T-th power and one
// inverse FFT (as in Koskela, Jalko, Prediger, Honkela 2021, "Tight differential privacy for
// discrete-valued mechanisms and for the subsampled Gaussian mechanism using FFT"). Mass that
// falls outside the window wraps around: from below it lands high (pessimistic, harmless);
// from above it lands low, so a Chernoff bound on it is added to the +inf mass and the result
// stays an upper bound.
#pragma once

#include <cstddef>
#include <cstdint>
#include <vector>

#include "privtune/dp/pld_pmf.h"

namespace privtune::dp {

// `count` compositions of `pmf`.
struct PldPart {
  const PldPmf* pmf;
  int64_t count;
};

// A loss interval holding all but `tail_mass` on each side of the composed finite part, by
// Chernoff bounds over a grid of lambdas; `lambda_up` attains the upper bound.
struct LossWindow {
  double lo;
  double hi;
  double lambda_up;
};
LossWindow composed_loss_window(const std::vector<PldPart>& parts, double tail_mass);

// Composes every part (all on the same grid step) into the window of `bins` (a power of two)
// grid points starting at grid index `window_lo`. The Chernoff bound on the mass above the
// window, minimised over `lambdas` (a default grid when empty), is added to inf_mass.
PldPmf pld_compose(const std::vector<PldPart>& parts, int64_t window_lo, size_t bins,
                   const std::vector<double>& lambdas);

}  // namespace privtune::dp
