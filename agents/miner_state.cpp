#include "agents/miner_state.h"

#include <algorithm>
#include <cmath>

#include "engine/market/price_model.h"

namespace hashsim::agents {

template <int L>
void BasicMinerState<L>::allocate(const ArchetypeTable& t, const DefaultRules& rules) {
  allocate(t, rules.window_days, rules.hardware_failure_rate_per_year);
  switch_window = rules.switch_window_days;
  switch_ring_usd.assign(static_cast<std::size_t>(switch_window) * L, 0.0);
  // Supply: a delivery can wait up to max_wait_days behind the backlog.
  if (rules.supply_share_per_month > 0.0 && rules.supply_max_wait_days + 2 > pipeline_len) {
    pipeline_len = rules.supply_max_wait_days + 2;
    pipeline.assign(static_cast<std::size_t>(pipeline_len) * n * L, 0.0);
  }
}

template <int L>
void BasicMinerState<L>::allocate(const ArchetypeTable& t, int window_days,
                                  double failure_rate_per_year) {
  survive_per_day = std::pow(1.0 - failure_rate_per_year, 1.0 / market::kDaysPerYear);
  n = t.size();
  window = window_days;
  switch_window = window_days;
  pipeline_len = t.max_delay_days + 2;
  const std::size_t nl = n * L;
  for (auto* v : {&machines_on, &machines_idle, &usd, &btc, &pending_machines, &profit_day_usd,
                  &profit_window_usd, &profit_total_usd, &retired_machines})
    v->assign(nl, 0.0);
  profit_ring.assign(static_cast<std::size_t>(window) * nl, 0.0);
  pipeline.assign(static_cast<std::size_t>(pipeline_len) * nl, 0.0);
  hashprice_ring_usd.assign(static_cast<std::size_t>(window) * L, 0.0);
  switch_ring_usd.assign(static_cast<std::size_t>(switch_window) * L, 0.0);
  price_by_machine_usd.assign(t.catalogue.machines.size() * L, 0.0);
  price_scratch_usd.assign(nl, 0.0);
  order_price_usd.assign(nl, 0.0);
  value_scratch_usd.assign(nl, 0.0);
  // Generations off: the table's own machines (with generations, each epoch holds its grouping).
  group_forward_value_pairs(t.n_env, t.machine.data(), t.hashrate_ths.data(),
                            t.power_cost_usd_per_day.data(), value_source, value_evaluated);
  buy_scratch.assign(nl, 0.0);
  band_capacity0_kw.assign(t.n_bands * L, 0.0);
  band_used_kw.assign((t.n_bands + 1) * L, 0.0);
  band_order_kw.assign((t.n_bands + 1) * L, 0.0);
  bands_periodic = t.n_bands > 0 && t.n_env % t.n_bands == 0;
  for (std::size_t a = 0; bands_periodic && a < t.n_env; ++a)
    bands_periodic = static_cast<std::size_t>(t.tariff_band[a]) == a % t.n_bands;
  machine_run_end.clear();
  for (std::size_t a = 1; a <= t.n_env; ++a)
    if (a == t.n_env || t.machine[a] != t.machine[a - 1]) machine_run_end.push_back(a);
}

template <int L>
void BasicMinerState<L>::reset(const ArchetypeTable& t) {
  for (std::size_t a = 0; a < n; ++a)
    for (int l = 0; l < L; ++l) {
      machines_on[a * L + l] = t.initial_machines[a];
      // The profit window starts full of the seeded history (reference-2021) or empty.
      profit_window_usd[a * L + l] = t.seed_pnl_usd_per_day[a] * window;
      for (int w = 0; w < window; ++w)
        profit_ring[(static_cast<std::size_t>(w) * n + a) * L + l] = t.seed_pnl_usd_per_day[a];
    }
  for (auto* v :
       {&machines_idle, &usd, &btc, &pending_machines, &profit_day_usd, &profit_total_usd,
        &retired_machines, &pipeline, &hashprice_ring_usd, &switch_ring_usd, &band_capacity0_kw})
    std::fill(v->begin(), v->end(), 0.0);
  hashprice_window_sum_usd = broadcast<L>(0.0);
  switch_window_sum_usd = broadcast<L>(0.0);
  epoch = 0;
  supply_ths_per_day0 = broadcast<L>(0.0);
  machine_price_level = broadcast<L>(1.0);
}

template <int L>
void BasicMinerState<L>::set_lane(int l, const BasicMinerState<1>& one) {
  const auto lane_index = static_cast<std::size_t>(l);
  // Per agent (or per slot/band/day) value i of `one` goes to i * L + l.
  auto spread = [&](std::vector<double>& to, const std::vector<double>& from) {
    for (std::size_t i = 0; i < from.size(); ++i) to[i * L + lane_index] = from[i];
  };
  for (auto [to, from] : {std::pair{&machines_on, &one.machines_on},
                          {&machines_idle, &one.machines_idle},
                          {&usd, &one.usd},
                          {&btc, &one.btc},
                          {&pending_machines, &one.pending_machines},
                          {&profit_day_usd, &one.profit_day_usd},
                          {&profit_window_usd, &one.profit_window_usd},
                          {&profit_total_usd, &one.profit_total_usd},
                          {&retired_machines, &one.retired_machines},
                          {&profit_ring, &one.profit_ring},
                          {&pipeline, &one.pipeline},
                          {&hashprice_ring_usd, &one.hashprice_ring_usd},
                          {&switch_ring_usd, &one.switch_ring_usd},
                          {&price_by_machine_usd, &one.price_by_machine_usd},
                          {&price_scratch_usd, &one.price_scratch_usd},
                          {&order_price_usd, &one.order_price_usd},
                          {&value_scratch_usd, &one.value_scratch_usd},
                          {&buy_scratch, &one.buy_scratch},
                          {&band_capacity0_kw, &one.band_capacity0_kw},
                          {&band_used_kw, &one.band_used_kw},
                          {&band_order_kw, &one.band_order_kw}})
    spread(*to, *from);
  agents::set_lane<L>(hashprice_window_sum_usd, l, one.hashprice_window_sum_usd);
  agents::set_lane<L>(switch_window_sum_usd, l, one.switch_window_sum_usd);
  agents::set_lane<L>(start_hashprice_usd, l, one.start_hashprice_usd);
  agents::set_lane<L>(machine_price_level, l, one.machine_price_level);
  agents::set_lane<L>(supply_ths_per_day0, l, one.supply_ths_per_day0);
  epoch = one.epoch;  // the same in every lane: epochs change by date
}

template struct BasicMinerState<1>;
template struct BasicMinerState<2>;
template struct BasicMinerState<4>;

}  // namespace hashsim::agents
