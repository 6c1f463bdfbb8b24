#include "engine/market/price_model.h"

#include <cmath>

#include "engine/rng/distributions.h"

namespace hashsim::market {

GbmPriceModel::GbmPriceModel(const GbmParams& p, double dt_years) : p_(p) {
  const double lambda = p.jumps.intensity_per_year;
  const double k = std::expm1(p.jumps.log_mean + 0.5 * p.jumps.log_sd * p.jumps.log_sd);
  log_drift_ =
      (p.drift_per_year - lambda * k - 0.5 * p.vol_per_sqrt_year * p.vol_per_sqrt_year) * dt_years;
  diffusion_ = p.vol_per_sqrt_year * std::sqrt(dt_years);
  jump_mean_per_step_ = lambda * dt_years;
  jumps_on_ = lambda > 0.0;
}

double GbmPriceModel::step_log(double log_price, rng::Engine& price_rng,
                               rng::Engine& jump_rng) const {
  const double z = rng::standard_normal(price_rng);
  // Both jump uniforms are drawn every day, jumps on or off, so turning jumps on or off never
  // shifts the other streams and scenario variants share their random numbers; the inverse
  // CDFs are only evaluated when a jump happens.
  const double u_count = rng::uniform_open(jump_rng);
  const double u_size = rng::uniform_open(jump_rng);
  double jump = 0.0;
  if (jumps_on_) {
    const auto n = static_cast<double>(rng::poisson_from_uniform(jump_mean_per_step_, u_count));
    if (n > 0.0)
      jump =
          n * p_.jumps.log_mean + std::sqrt(n) * p_.jumps.log_sd * rng::inverse_normal_cdf(u_size);
  }
  return log_price + log_drift_ + diffusion_ * z + jump;
}

}  // namespace hashsim::market
