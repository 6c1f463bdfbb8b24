#include "engine/market/fee_model.h"

#include <cmath>

#include "engine/rng/distributions.h"

namespace hashsim::market {

LognormalFeeModel::LognormalFeeModel(const FeeParams& p)
    : log_median_(std::log(p.median_btc_per_block)),
      phi_(p.ar1_phi),
      innovation_sd_(p.log_sd * std::sqrt(1.0 - p.ar1_phi * p.ar1_phi)) {}

double LognormalFeeModel::step_log(double log_fee, rng::Engine& fee_rng) const {
  const double e = rng::standard_normal(fee_rng);
  return log_median_ + phi_ * (log_fee - log_median_) + innovation_sd_ * e;
}

}  // namespace hashsim::market
