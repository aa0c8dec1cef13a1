// Log-space arithmetic and the normal distribution's tails, accurate far into the tails.
//
// The accountants work with probabilities as small as 1e-300 and with Renyi moments as large
// as exp(1e5), so every sum that can under- or overflow is done on logarithms.
#pragma once

#include <limits>

namespace privtune::dp {

inline constexpr double kInf = std::numeric_limits<double>::infinity();

// log(exp(a) + exp(b)); -inf stands for zero.
double log_add(double a, double b);

// log(exp(a) - exp(b)) for a >= b; throws std::domain_error when a < b (the difference
// would be negative, which means the caller's series lost its precision).
double log_sub(double a, double b);

// log Phi(z), Phi the standard normal CDF; accurate for z down to -1e150 (asymptotic series
// where erfc underflows), like scipy.special.log_ndtr.
double log_ndtr(double z);

// Phi(z) and 1 - Phi(z), each with full relative precision in its own small tail.
double normal_cdf(double z);
double normal_sf(double z);

// Phi(b) - Phi(a) for a <= b, taken from whichever tail keeps relative precision, so that a
// narrow interval far in a tail gets its tiny mass right rather than a difference of ones.
double normal_mass(double a, double b);

}  // namespace privtune::dp
