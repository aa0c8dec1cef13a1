// The privacy loss distribution of one step of the Poisson-subsampled Gaussian mechanism,
// discretised pessimistically by "connecting the dots" (Doroshenko, Ghazi, Kamath, Kumar,
// Manurangsi 2022, "Connect the Dots: Tighter Discrete Approximations of Privacy Loss
// Distributions").
//
// With A = (1-q) N(0, s^2) + q N(1, s^2) (the example may be in the batch) and
// B = N(0, s^2) (it is not), the add-or-remove-one relation has two dominating pairs:
// "remove" (P, Q) = (A, B) and "add" (P, Q) = (B, A). Each is discretised on the loss grid
// k * h; the composed epsilon is the larger of the two.
//
// Connect the dots: the true loss mass in each grid interval [l_k, l_k+1] is split between
// its two endpoints so that both its P-mass and its Q-mass are kept. The discrete pair's
// delta(epsilon) then equals the true one at every grid point and is linear in exp(epsilon)
// between them, which -- delta(epsilon) being convex in exp(epsilon) -- lies above the true
// curve: a dominating pair, hence an upper bound that stays one under composition. Unlike
// rounding every loss up to the grid (Koskela et al. 2020/2021), whose bias grows like T h/2
// over T steps, the splitting's bias is second order in h.
#pragma once

#include "privtune/dp/log_math.h"
#include "privtune/dp/pld_pmf.h"

namespace privtune::dp {

enum class PldDirection { kRemove, kAdd };

// Loss range [lo, hi] that holds all but ~1e-30 of the P- and Q-mass of one step (bounded
// by the natural limits log(1-q) for remove and -log(1-q) for add).
struct LossRange {
  double lo;
  double hi;
};
LossRange subsampled_gaussian_loss_range(double q, double sigma, PldDirection direction);

// The connect-the-dots discretisation of one step on the grid k * h (q in (0, 1],
// sigma > 0, h > 0), over the loss range intersected with `clip`. Mass below the grid is moved
// up to its first point (raising a loss is pessimistic); above it, the part of the P-mass that
// a finite loss cannot carry goes to +inf (the same two-point split with +inf as the right
// endpoint). Clipping to where the composition needs the grid keeps it small when most of the
// range carries negligible mass (large sigma, small q).
PldPmf subsampled_gaussian_pld(double q, double sigma, PldDirection direction, double h,
                               LossRange clip = {-kInf, kInf});

}  // namespace privtune::dp
