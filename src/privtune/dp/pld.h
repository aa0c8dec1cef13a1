// The tight accountant: epsilon of composed Poisson-subsampled Gaussian steps from their
// privacy loss distributions (see pld_gaussian.h for the discretisation and pld_compose.h
// for the composition). The result is an upper bound on the true epsilon -- every
// approximation on the way is pessimistic -- and close to it (docs/dp-accounting.md).
#pragma once

#include <cstddef>
#include <vector>

#include "privtune/dp/pld_gaussian.h"
#include "privtune/dp/segment.h"

namespace privtune::dp {

struct PldOptions {
  // Loss grid step h in nats; 0 picks it automatically (below).
  double value_discretization = 0.0;
  // Automatic h: the connect-the-dots bias of T composed steps is about T h^2 nats (measured;
  // docs/dp-accounting.md), so h is chosen with T h^2 <= relative_accuracy * hi, where hi
  // (the top of the composed loss window) is an upper bound on epsilon's scale...
  double relative_accuracy = 1e-3;
  // ... and the FFT size is that window over h, rounded up to a power of two in
  // [min_bins, max_bins]. Cost is O(bins log bins): 2^16 takes ~0.1 s, 2^20 ~2 s.
  size_t min_bins = size_t{1} << 16;
  size_t max_bins = size_t{1} << 22;
};

// epsilon for `delta` (max over the remove and add directions); +inf when a segment has
// sigma = 0 or the mass at infinite loss exceeds delta. Inputs must already be valid
// (validate_segment, validate_delta).
double pld_epsilon(const std::vector<StepSegment>& segments, double delta, const PldOptions& options = {});

// One direction's composed, discretised PLD (exposed for tests and docs).
PldPmf composed_pld(const std::vector<StepSegment>& segments, PldDirection direction, double delta,
                    const PldOptions& options = {});

}  // namespace privtune::dp
