#include "agents/shocks.h"

#include <algorithm>
#include <cmath>

namespace hashsim::agents {

void ShockProcess::allocate(const Shocks& params) {
  p_ = params;
  p_arrival_ = -std::expm1(-p_.rate_per_year / 365.0);
  log_keep_.assign(static_cast<std::size_t>(std::max(p_.duration_days, 1)), 0.0);
  reset();
}

void ShockProcess::reset() {
  std::fill(log_keep_.begin(), log_keep_.end(), 0.0);
  slot_ = 0;
  active_ = 0;
  sum_log_keep_ = 0.0;
  share_ = 1.0;
}

double ShockProcess::step(double u_arrival, double u_fraction) {
  // The shock that started duration_days ago ends before today.
  double& cell = log_keep_[static_cast<std::size_t>(slot_)];
  if (cell != 0.0) {
    sum_log_keep_ -= cell;
    --active_;
    cell = 0.0;
  }
  if (u_arrival < p_arrival_) {
    const double f = p_.fraction_min + (p_.fraction_max - p_.fraction_min) * u_fraction;
    cell = std::log1p(-f);
    if (cell != 0.0) {
      sum_log_keep_ += cell;
      ++active_;
    }
  }
  if (++slot_ == static_cast<int>(log_keep_.size())) slot_ = 0;
  if (active_ == 0) sum_log_keep_ = 0.0;  // no rounding residue once every shock has ended
  share_ = active_ == 0 ? 1.0 : std::exp(sum_log_keep_);
  return share_;
}

}  // namespace hashsim::agents
