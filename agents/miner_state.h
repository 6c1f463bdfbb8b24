#pragma once
// Per-path mutable state of every agent, structure-of-arrays, allocated once per worker and
// reset at the start of each path (reset restores every field). Ring buffers hold the profit
// window and the order pipeline (slot = day mod length), so the daily loop never allocates.
#include <vector>

#include "agents/archetype_table.h"

namespace hashsim::agents {

struct MinerState {
  std::size_t n = 0;
  std::vector<double> machines_on, machines_idle, usd, btc, pending_machines;
  std::vector<double> profit_day_usd, profit_window_usd, profit_total_usd;
  std::vector<double> profit_ring;  // [window][n], slot = day mod window
  std::vector<double> pipeline;     // [pipeline_len][n], machines arriving on day = slot (mod len)
  std::vector<double> hashprice_ring_usd;  // default profile: network hashprice, one per day
  std::vector<double> price_by_machine_usd;  // scratch: today's price per catalogue machine
  std::vector<double> price_scratch_usd;     // scratch: today's machine price per agent
  std::vector<double> buy_scratch;           // scratch: machines ordered today per agent
  int window = 30;
  int pipeline_len = 1;
  double hashprice_window_sum_usd = 0.0;
  double start_hashprice_usd = 1.0;
  double survive_per_day = 1.0;  // (1 - hardware failure rate per year)^(1/365)  // day-0 hashprice: the machine-price index base

  void allocate(const ArchetypeTable& t, int window_days, double failure_rate_per_year = 0.0);
  void reset(const ArchetypeTable& t);
};

}  // namespace hashsim::agents
