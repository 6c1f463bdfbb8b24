#include "engine/rng/distributions.h"

#include <cmath>

namespace hashsim::rng {

double inverse_normal_cdf(double p) {
  // AS 241 coefficients, Applied Statistics 37(3), 477-484.
  const double q = p - 0.5;
  if (std::fabs(q) <= 0.425) {
    const double r = 0.180625 - q * q;
    return q *
           (((((((2509.0809287301226727 * r + 33430.575583588128105) * r + 67265.770927008700853) *
                    r +
                45921.953931549871457) *
                   r +
               13731.693765509461125) *
                  r +
              1971.5909503065514427) *
                 r +
             133.14166789178437745) *
                r +
            3.387132872796366608) /
           (((((((5226.495278852545925 * r + 28729.085735721942674) * r + 39307.89580009271061) *
                    r +
                21213.794301586595867) *
                   r +
               5394.1960214247511077) *
                  r +
              687.1870074920579083) *
                 r +
             42.313330701600911252) *
                r +
            1.0);
  }
  double r = q < 0.0 ? p : 1.0 - p;
  r = std::sqrt(-std::log(r));
  double val;
  if (r <= 5.0) {
    r -= 1.6;
    val = (((((((7.7454501427834140764e-4 * r + 0.0227238449892691845833) * r +
                0.24178072517745061177) *
                   r +
               1.27045825245236838258) *
                  r +
              3.64784832476320460504) *
                 r +
             5.7694972214606914055) *
                r +
            4.6303378461565452959) *
               r +
           1.42343711074968357734) /
          (((((((1.05075007164441684324e-9 * r + 5.475938084995344946e-4) * r +
                0.0151986665636164571966) *
                   r +
               0.14810397642748007459) *
                  r +
              0.68976733498510000455) *
                 r +
             1.6763848301838038494) *
                r +
            2.05319162663775882187) *
               r +
           1.0);
  } else {
    r -= 5.0;
    val = (((((((2.01033439929228813265e-7 * r + 2.71155556874348757815e-5) * r +
                0.0012426609473880784386) *
                   r +
               0.026532189526576123093) *
                  r +
              0.29656057182850489123) *
                 r +
             1.7848265399172913358) *
                r +
            5.4637849111641143699) *
               r +
           6.6579046435011037772) /
          (((((((2.04426310338993978564e-15 * r + 1.4215117583164458887e-7) * r +
                1.8463183175100546818e-5) *
                   r +
               7.868691311456132591e-4) *
                  r +
              0.0148753612908506148525) *
                 r +
             0.13692988092273580531) *
                r +
            0.59983220655588793769) *
               r +
           1.0);
  }
  return q < 0.0 ? -val : val;
}

unsigned long long poisson_from_uniform(double mean, double u) {
  if (!(mean > 0.0)) return 0;
  if (mean > 500.0) {
    const double k = std::floor(mean + std::sqrt(mean) * inverse_normal_cdf(u) + 0.5);
    return k < 0.0 ? 0ULL : static_cast<unsigned long long>(k);
  }
  // Start at the mode m = floor(mean) with log pmf via lgamma (no underflow of exp(-mean)), then
  // walk: if u <= F(m) go down, else go up, updating pmf by the ratio p(k+1)/p(k) = mean/(k+1).
  const double m = std::floor(mean);
  const double pm = std::exp(m * std::log(mean) - mean - std::lgamma(m + 1.0));
  // F(m) by summing downwards from the mode.
  double cdf_m = 0.0;
  {
    double p = pm;
    for (double k = m; k >= 0.0; k -= 1.0) {
      cdf_m += p;
      if (p < 1e-300 * cdf_m + 1e-320) break;
      p *= k / mean;
    }
  }
  if (u <= cdf_m) {
    double k = m;
    double cdf = cdf_m;
    double p = pm;
    while (k > 0.0) {
      const double cdf_below = cdf - p;
      if (u > cdf_below) break;
      cdf = cdf_below;
      p *= k / mean;
      k -= 1.0;
    }
    return static_cast<unsigned long long>(k);
  }
  double k = m;
  double cdf = cdf_m;
  double p = pm;
  while (u > cdf) {
    p *= mean / (k + 1.0);
    k += 1.0;
    cdf += p;
    if (p == 0.0) break;  // u in the last ulp above the representable CDF
  }
  return static_cast<unsigned long long>(k);
}

}  // namespace hashsim::rng
