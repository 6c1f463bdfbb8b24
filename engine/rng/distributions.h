#pragma once
// Portable distributions by inversion: every variate consumes exactly one uniform, so draw counts
// per day are fixed and results do not depend on a standard library's implementation-defined
// std::normal_distribution.
#include "engine/rng/streams.h"

namespace hashsim::rng {

// Inverse of the standard normal CDF, Wichura (1988) algorithm AS 241 (PPND16), relative
// accuracy about 1e-16 over (0, 1).
double inverse_normal_cdf(double p);

inline double standard_normal(Engine& e) { return inverse_normal_cdf(uniform_open(e)); }

// Poisson variate by inversion of one uniform u. For mean <= 500 the CDF is summed exactly from
// the mode outwards; above that the normal approximation with continuity correction
// floor(mean + sqrt(mean) * Phi^-1(u) + 0.5) is used (its error in any probability is
// O(1/sqrt(mean)) < 5%, far below other model error at that scale).
unsigned long long poisson_from_uniform(double mean, double u);
inline unsigned long long poisson(Engine& e, double mean) {
  return poisson_from_uniform(mean, uniform_open(e));
}

}  // namespace hashsim::rng
