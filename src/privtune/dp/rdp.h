// Renyi differential privacy (Mironov 2017) of the Poisson-subsampled Gaussian mechanism and
// its conversion to (epsilon, delta)-DP.
//
// The mechanism: each example is in the batch with probability q; the sum of clipped
// gradients (sensitivity 1 after scaling by C) gets N(0, sigma^2) noise. Neighbouring datasets
// differ by adding or removing one example. Its RDP at order alpha is
// log(A_alpha) / (alpha - 1) with A_alpha = E_{z~N(0,s^2)}[((1-q) + q exp((2z-1)/(2s^2)))^alpha]
// (Mironov, Talwar, Zhang 2019, "Renyi Differential Privacy of the Sampled Gaussian
// Mechanism", section 3.3), computed exactly as Opacus 1.4 / TF Privacy do: a finite binomial
// sum for integer alpha and a convergent two-sided series for fractional alpha.
#pragma once

#include <cstdint>
#include <vector>

namespace privtune::dp {

// Opacus' default orders: 1.1, 1.2, ..., 10.9, 12, 13, ..., 63. The reference values use
// exactly these.
std::vector<double> opacus_default_orders();

// privtune's default orders: Opacus' plus larger integer orders (64 ... 1024) that tighten
// the bound for small epsilon (large noise), where Opacus' optimum sits at its largest order.
std::vector<double> default_rdp_orders();

// RDP of one step of the subsampled Gaussian at order `alpha` (> 1). q in [0, 1], sigma >= 0;
// sigma = 0 gives +inf. Throws std::domain_error if the fractional series loses precision.
double subsampled_gaussian_rdp(double q, double sigma, double alpha);

// log A_alpha (the unnormalised Renyi moment); exposed for tests.
double subsampled_gaussian_log_a(double q, double sigma, double alpha);

struct RdpEpsilon {
  double epsilon;  // +inf when every order gives +inf
  double order;    // the order attaining it (NaN when epsilon is +inf)
};

// The tightest epsilon over `orders` for RDP values `rdp` (same length), by the conversion of
// Balle et al. 2020, "Hypothesis testing interpretations and Renyi differential privacy",
// Theorem 21 -- the one Opacus 1.4 uses:
//   eps(alpha) = rdp(alpha) + log((alpha-1)/alpha) - (log(delta) + log(alpha)) / (alpha-1).
// Clamped at 0.
RdpEpsilon rdp_to_epsilon(const std::vector<double>& orders, const std::vector<double>& rdp,
                          double delta);

}  // namespace privtune::dp
