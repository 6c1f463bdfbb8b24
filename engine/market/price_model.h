#pragma once
// BTC price paths.
//
// GBM with optional Merton (1976) jumps, simulated exactly in log space over a step dt (years):
//   ln S_{t+dt} = ln S_t + (mu - lambda*k - sigma^2/2) dt + sigma sqrt(dt) Z + sum_{j=1..N} Y_j
//   N ~ Poisson(lambda dt), Y_j ~ N(m_J, s_J^2), k = E[e^Y - 1] = exp(m_J + s_J^2/2) - 1.
// The compensator lambda*k makes E[S_t] = S_0 e^(mu t) with or without jumps (Glasserman 2003,
// section 3.5.1). The sum of N normal jumps is drawn as N*m_J + sqrt(N) s_J Z_J, so each day
// uses exactly one normal on the price stream and one uniform plus one normal on the jump
// stream, whatever the parameters.
#include "engine/rng/streams.h"
#include "engine/util/units.h"

namespace hashsim::market {

using units::kDaysPerYear;  // BTC trades every calendar day

struct JumpParams {
  double intensity_per_year = 0.0;  // lambda
  double log_mean = 0.0;            // m_J
  double log_sd = 0.0;              // s_J
};

struct GbmParams {
  double drift_per_year = 0.0;     // mu (of the arithmetic mean: E[S_t] = S_0 e^(mu t))
  double vol_per_sqrt_year = 0.0;  // sigma
  JumpParams jumps{};
};

class GbmPriceModel {
 public:
  explicit GbmPriceModel(const GbmParams& p, double dt_years = 1.0 / kDaysPerYear);
  // One step of ln S; consumes one draw from `price_rng` and two from `jump_rng`.
  double step_log(double log_price, rng::Engine& price_rng, rng::Engine& jump_rng) const;
  double log_drift_per_step() const { return log_drift_; }

 private:
  GbmParams p_;
  double log_drift_;           // (mu - lambda k - sigma^2/2) dt
  double diffusion_;           // sigma sqrt(dt)
  double jump_mean_per_step_;  // lambda dt
  bool jumps_on_;
};

}  // namespace hashsim::market
