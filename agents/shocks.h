#pragma once
// Exogenous hashrate shocks (README "Miner agents", YAML `agents.shocks`): bans, storms,
// curtailment seasons as a jump process. A shock starts on a day with probability
// p = 1 - e^(-rate / 365) (Poisson arrivals at `rate` a year, at most one a day); it takes a
// fraction F = fraction_min + (fraction_max - fraction_min) u of the online fleet offline for
// duration_days days (its first day included). Overlapping shocks multiply:
//   online share(d) = prod over shocks active on d of (1 - F_i).
// The process consumes two uniforms a day from its own stream (rng::Stream::Shocks), so a path
// stays a pure function of (scenario, seed, path index). Per-path state, allocated once.
#include <vector>

#include "agents/agents_config.h"

namespace hashsim::agents {

class ShockProcess {
 public:
  void allocate(const Shocks& params);
  void reset();
  // Advances one day with two uniforms in (0, 1) and returns that day's online share.
  double step(double u_arrival, double u_fraction);
  double online_share() const { return share_; }
  double arrival_probability_per_day() const { return p_arrival_; }

 private:
  Shocks p_{};
  double p_arrival_ = 0.0;
  std::vector<double>
      log_keep_;  // ring [duration]: ln(1 - F) of the shock started that day, else 0
  int slot_ = 0;
  int active_ = 0;  // shocks in the ring
  double sum_log_keep_ = 0.0;
  double share_ = 1.0;
};

}  // namespace hashsim::agents
