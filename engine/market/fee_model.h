#pragma once
// Transaction fees per block (BTC), lognormal with AR(1) persistence in log space:
//   x_t = ln f_t,  x_t = m + phi (x_{t-1} - m) + s sqrt(1 - phi^2) e_t,  e_t ~ N(0, 1)
// so the stationary law of x is N(m, s^2) for any |phi| < 1 (phi = 0: independent days) and
// the stationary mean fee per block is exp(m + s^2/2). m = ln(median_btc_per_block).
// One normal per day on the fee stream.
#include "engine/rng/streams.h"

namespace hashsim::market {

struct FeeParams {
  double median_btc_per_block = 0.03;
  double log_sd = 0.5;   // s, stationary sd of ln fee
  double ar1_phi = 0.0;  // phi in [0, 1)
};

class LognormalFeeModel {
 public:
  explicit LognormalFeeModel(const FeeParams& p);
  double step_log(double log_fee, rng::Engine& fee_rng) const;

 private:
  double log_median_;
  double phi_;
  double innovation_sd_;
};

}  // namespace hashsim::market
