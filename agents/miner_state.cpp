#include "agents/miner_state.h"

#include <algorithm>
#include <cmath>

#include "engine/market/price_model.h"

namespace hashsim::agents {

void MinerState::allocate(const ArchetypeTable& t, const DefaultRules& rules) {
  allocate(t, rules.window_days, rules.hardware_failure_rate_per_year);
  switch_window = rules.switch_window_days;
  switch_ring_usd.assign(static_cast<std::size_t>(switch_window), 0.0);
  // Supply: a delivery can wait up to max_wait_days behind the backlog.
  if (rules.supply_share_per_month > 0.0 && rules.supply_max_wait_days + 2 > pipeline_len) {
    pipeline_len = rules.supply_max_wait_days + 2;
    pipeline.assign(static_cast<std::size_t>(pipeline_len) * n, 0.0);
  }
}

void MinerState::allocate(const ArchetypeTable& t, int window_days, double failure_rate_per_year) {
  survive_per_day = std::pow(1.0 - failure_rate_per_year, 1.0 / market::kDaysPerYear);
  n = t.size();
  window = window_days;
  switch_window = window_days;
  pipeline_len = t.max_delay_days + 2;
  for (auto* v : {&machines_on, &machines_idle, &usd, &btc, &pending_machines, &profit_day_usd,
                  &profit_window_usd, &profit_total_usd, &retired_machines})
    v->assign(n, 0.0);
  profit_ring.assign(static_cast<std::size_t>(window) * n, 0.0);
  pipeline.assign(static_cast<std::size_t>(pipeline_len) * n, 0.0);
  hashprice_ring_usd.assign(static_cast<std::size_t>(window), 0.0);
  switch_ring_usd.assign(static_cast<std::size_t>(switch_window), 0.0);
  price_by_machine_usd.assign(t.catalogue.machines.size(), 0.0);
  price_scratch_usd.assign(n, 0.0);
  order_price_usd.assign(n, 0.0);
  value_scratch_usd.assign(n, 0.0);
  // Generations off: the table's own machines (with generations, each epoch holds its grouping).
  group_forward_value_pairs(t.n_env, t.machine.data(), t.hashrate_ths.data(),
                            t.power_cost_usd_per_day.data(), value_source, value_evaluated);
  buy_scratch.assign(n, 0.0);
  band_capacity0_kw.assign(t.n_bands, 0.0);
  band_used_kw.assign(t.n_bands + 1, 0.0);
  band_order_kw.assign(t.n_bands + 1, 0.0);
  bands_periodic = t.n_bands > 0 && t.n_env % t.n_bands == 0;
  for (std::size_t a = 0; bands_periodic && a < t.n_env; ++a)
    bands_periodic = static_cast<std::size_t>(t.tariff_band[a]) == a % t.n_bands;
  machine_run_end.clear();
  for (std::size_t a = 1; a <= t.n_env; ++a)
    if (a == t.n_env || t.machine[a] != t.machine[a - 1]) machine_run_end.push_back(a);
}

void MinerState::reset(const ArchetypeTable& t) {
  std::copy(t.initial_machines.begin(), t.initial_machines.end(), machines_on.begin());
  for (auto* v : {&machines_idle, &usd, &btc, &pending_machines, &profit_day_usd, &profit_total_usd,
                  &retired_machines})
    std::fill(v->begin(), v->end(), 0.0);
  std::fill(pipeline.begin(), pipeline.end(), 0.0);
  std::fill(hashprice_ring_usd.begin(), hashprice_ring_usd.end(), 0.0);
  std::fill(switch_ring_usd.begin(), switch_ring_usd.end(), 0.0);
  std::fill(band_capacity0_kw.begin(), band_capacity0_kw.end(), 0.0);
  hashprice_window_sum_usd = 0.0;
  switch_window_sum_usd = 0.0;
  epoch = 0;
  supply_ths_per_day0 = 0.0;
  machine_price_level = 1.0;
  // The profit window starts full of the seeded history (reference-2021) or empty.
  for (int w = 0; w < window; ++w)
    std::copy(t.seed_pnl_usd_per_day.begin(), t.seed_pnl_usd_per_day.end(),
              profit_ring.begin() + static_cast<std::ptrdiff_t>(static_cast<std::size_t>(w) * n));
  for (std::size_t a = 0; a < n; ++a) profit_window_usd[a] = t.seed_pnl_usd_per_day[a] * window;
}

}  // namespace hashsim::agents
