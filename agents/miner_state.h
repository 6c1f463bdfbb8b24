#pragma once
// Per-path mutable state of every agent, structure-of-arrays, allocated once per worker and
// reset at the start of each path (reset restores every field). Ring buffers hold the profit
// window and the order pipeline (slot = day mod length), so the daily loop never allocates.
//
// BasicMinerState<L> holds L paths advancing together (agents/lanes.h): every per-agent array has
// n * L values, agent a's value of lane l at [a * L + l]; the per-path numbers are Lane<L>.
// MinerState (L = 1) is the one-path state the rest of the code reads.
#include <vector>

#include "agents/agents_config.h"
#include "agents/archetype_table.h"
#include "agents/lanes.h"

namespace hashsim::agents {

template <int L>
struct BasicMinerState {
  static constexpr int kLanes = L;
  std::size_t n = 0;  // agents (archetypes + observer fleets)
  std::vector<double> machines_on, machines_idle, usd, btc, pending_machines;
  std::vector<double> profit_day_usd, profit_window_usd, profit_total_usd;
  std::vector<double>
      retired_machines;             // default profile: machines retired (sold or scrapped) so far
  std::vector<double> profit_ring;  // [window][n][L], slot = day mod window
  std::vector<double> pipeline;  // [pipeline_len][n][L], machines arriving on day = slot (mod len)
  std::vector<double> hashprice_ring_usd;    // default profile: [window][L] network hashprice
  std::vector<double> switch_ring_usd;       // default profile: the same, over the switch window
  std::vector<double> price_by_machine_usd;  // scratch [slot][L]: today's price per catalogue slot
  std::vector<double> price_scratch_usd;     // scratch: today's machine price per agent
  std::vector<double>
      order_price_usd;  // scratch (generations): price of the machine each agent orders
  std::vector<double>
      value_scratch_usd;  // scratch: expected profit over the payback horizon per machine
                          // (0 where no order is possible today: value not needed)
  // Forward value depends only on an archetype's (TH/s, power cost), and the pay-back bound on its
  // machine's price: the environment archetypes that share machine and cost (the strategies of
  // one machine x tariff band) share one evaluation a day. value_source[a] is the first archetype
  // with a's (machine, TH/s, cost); value_evaluated lists those first archetypes. Built by
  // allocate from the table (exact double equality); with generations the epoch's own grouping
  // (GenerationEpoch::value_source, keyed on the ordered machine) is used instead.
  std::vector<std::size_t> value_source, value_evaluated;
  std::vector<double> buy_scratch;  // scratch: machines ordered today per agent
  std::vector<double>
      band_capacity0_kw;  // [n_bands][L] day-0 capacity of each tariff band (default profile)
  std::vector<double> band_used_kw;  // scratch [n_bands + 1][L]: kW of on + idle + pending machines
  std::vector<double> band_order_kw;  // scratch [n_bands + 1][L]: kW ordered today
  int window = 30;
  int switch_window = 30;
  int pipeline_len = 1;
  Lane<L> hashprice_window_sum_usd{};
  Lane<L> switch_window_sum_usd{};
  Lane<L> start_hashprice_usd = broadcast<L>(1.0);  // day-0 hashprice: the machine-price index base
  Lane<L> machine_price_level =
      broadcast<L>(1.0);          // equilibrium machine prices: day-0 level of every price
  double survive_per_day = 1.0;   // (1 - hardware failure rate per year)^(1/365)
  std::size_t epoch = 0;          // index into ArchetypeTable::epochs (machine generations)
  Lane<L> supply_ths_per_day0{};  // supply: day-0 shipping capacity (TH/s a day); 0: unlimited
  // Archetype a is in tariff band a mod n_bands (the table's machine -> strategy -> band order):
  // the per-band sums of the daily loop then run row by row (set by allocate).
  bool bands_periodic = false;
  // Runs of environment archetypes with the same machine (table order: machine first): run k is
  // [machine_run_end[k - 1], machine_run_end[k]) (set by allocate).
  std::vector<std::size_t> machine_run_end;

  // Default profile with its rules (window, switch window, failure rate).
  void allocate(const ArchetypeTable& t, const DefaultRules& rules);
  // Either profile; the switch window equals the profit window (the legacy default rules).
  void allocate(const ArchetypeTable& t, int window_days, double failure_rate_per_year = 0.0);
  void reset(const ArchetypeTable& t);
  // Lane l becomes the one-path state `one` (allocated for the same table and rules): every
  // array and number, so a lane can be started (seeded) by the one-path code.
  void set_lane(int l, const BasicMinerState<1>& one);
};

using MinerState = BasicMinerState<1>;
extern template struct BasicMinerState<1>;
extern template struct BasicMinerState<2>;
extern template struct BasicMinerState<4>;

}  // namespace hashsim::agents
