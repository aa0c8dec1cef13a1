// A discrete privacy loss distribution (PLD) and its hockey-stick divergence.
//
// For a pair of distributions (P, Q) the privacy loss is L = log(dP/dQ)(X) with X ~ P, and
// the pair is (epsilon, delta)-indistinguishable exactly when
//   delta(epsilon) = E[(1 - exp(epsilon - L))_+] + P(L = +inf)
// is at most delta (Koskela, Jalko, Honkela 2020; Sommer, Meiser, Mohammadi 2019). Composition
// of mechanisms adds independent losses, so PLDs compose by convolution.
#pragma once

#include <cstddef>
#include <cstdint>
#include <vector>

namespace privtune::dp {

// P-mass on the grid of losses k * h, k = lo, lo+1, ..., plus mass at +inf. The finite part
// may sum to less than 1 (a dominating pair may give Q mass where P has none).
struct PldPmf {
  double h = 0.0;               // grid step (value discretisation interval), in nats
  int64_t lo = 0;               // grid index of mass[0]
  std::vector<double> mass;     // mass[i] at loss (lo + i) * h
  double inf_mass = 0.0;        // mass at loss +inf; counts fully towards delta

  double loss(size_t i) const { return static_cast<double>(lo + static_cast<int64_t>(i)) * h; }
};

// delta(epsilon) as above for the discrete PLD.
double pld_delta_for_epsilon(const PldPmf& pld, double epsilon);

// The smallest epsilon >= 0 with delta(epsilon) <= delta, solved exactly between grid points
// (delta(epsilon) is linear in exp(epsilon) there); +inf when inf_mass >= delta.
double pld_epsilon_for_delta(const PldPmf& pld, double delta);

// log E[exp(lambda L)] over the finite part (a sub-probability measure), for Chernoff bounds
// on composed losses: P(L_1 + ... + L_T >= a) <= exp(sum_t log_mgf_t(lambda) - lambda a).
double pld_log_mgf(const PldPmf& pld, double lambda);

}  // namespace privtune::dp
