// Canary exposure (Carlini et al. 2019, "The Secret Sharer", DESIGN.md section 5): how far up
// the model ranks a secret it saw in training among all secrets of the same format.
//
// A canary is one secret drawn from a candidate space R of same-format secrets (e.g. every
// six-digit code in "my verification code is ______"). Each candidate r gets the model's loss
// of the secret given the canary's prefix (the sum over its tokens, in nats); the canary's
// rank is its position when the candidates are sorted by increasing loss, and
//
//     exposure = log2 |R| - log2 rank,
//
// from 0 (the canary is the least likely candidate: nothing learned) to log2 |R| (rank 1:
// the model prefers it to every alternative; e.g. 19.9 bits for a six-digit code).
// Candidates whose loss equals the canary's count as half above and half below it, so ties
// neither help nor hurt.
//
// Two ways to get the rank:
//
// - enumerated (exact): when R is small enough to score every candidate,
//   rank = 1 + #{r : loss(r) < loss(canary)} + 0.5 #{r != canary : loss(r) = loss(canary)}.
//
// - sampled (estimated): when R is too large, score m >= 10,000 candidates drawn uniformly
//   from R and estimate the fraction of R that beats the canary,
//   f = (#{lower} + 0.5 #{equal}) / m, giving rank = 1 + f (|R| - 1). If no sample beats
//   the canary, that fraction would be (nearly) 0 and the exposure the maximum log2 |R|,
//   whatever the truth; instead, as in Carlini et al. section 4.3, the distribution of
//   candidate losses is extrapolated into its tail: a normal with the sample's mean and
//   standard deviation gives f = Phi((loss(canary) - mean) / sd) ("normal-tail"; Phi through
//   erfc, which keeps its precision far into the tail). As f -> 0 the rank tends to 1 and the
//   exposure to its maximum log2 |R|, which it never exceeds. The sample alone resolves
//   exposures up to about log2 m bits (f >= 1 / 2m); larger exposures rest on the tail really
//   being normal, and are an extrapolation rather than a measurement.
#pragma once

#include <limits>
#include <string>
#include <vector>

namespace privtune::eval {

// log2_space - log2(rank); rank >= 1 (std::invalid_argument otherwise).
double exposure_from_rank(double log2_space, double rank);

struct ExposureEstimate {
  double exposure = std::numeric_limits<double>::quiet_NaN();
  double rank = std::numeric_limits<double>::quiet_NaN();  // 1-based, fractional with ties and estimates
  bool exact = false;                                      // true for "enumerated"
  std::string method;                                      // "enumerated", "sampled" or "normal-tail"
};

// `candidate_losses` is the whole candidate space R, the canary included (so |R| is its
// size). One candidate whose loss equals `canary_loss` is taken to be the canary itself; if
// none does (its loss was computed separately and differs in the last bits), none is
// excluded. Empty input or a NaN loss: std::invalid_argument.
ExposureEstimate exact_exposure(double canary_loss, const std::vector<double>& candidate_losses);

// `sampled_losses` are losses of candidates drawn uniformly from R (with replacement, the
// canary not among them), at least 2 of them (10,000 or more for a useful estimate);
// `log2_space` = log2 |R| >= 0. Spaces beyond 2^1000 are handled in the log domain (rank may
// then be +inf while the exposure stays finite). Fewer than 2 samples or a NaN loss:
// std::invalid_argument.
ExposureEstimate sampled_exposure(double canary_loss, const std::vector<double>& sampled_losses, double log2_space);

}  // namespace privtune::eval
