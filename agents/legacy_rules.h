#pragma once
// The default profile's rules with every decision mechanism of issue 15 switched off (the rules
// before them): no failures, no retirement, payback on today's margin without expected difficulty
// growth or halvings, unscaled orders, a 30-day switching window with the full restart pace, empty
// start windows, unlimited tariff bands. Used by `hashsim scenario-summary --variant pre-issue-15`
// and by the rule tests, which switch mechanisms on one at a time.
#include "agents/agents_config.h"

namespace hashsim::agents {

inline void switch_off_issue15_rules(DefaultRules& r) {
  r.hardware_failure_rate_per_year = 0.0;
  r.expected_difficulty_growth_per_year = 0.0;
  r.anticipate_halving = false;
  r.scale_orders_by_value = false;
  r.switch_window_days = r.window_days;
  r.proportional_restart = false;
  r.retire_fraction_per_day = 0.0;
  r.equilibrium_start = false;
  r.equilibrium_machine_prices = false;
  r.band_capacity_headroom = -1.0;
}

}  // namespace hashsim::agents
