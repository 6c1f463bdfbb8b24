#pragma once
// `hashsim scenario-summary`: the figures of a scenario the README tables quote (issue 15 item 4),
// computed from an in-memory run of `paths` paths rather than copied by hand:
//   hashrate P50 at 1, 2 and 5 years (days 365, 730, 1825 when inside the horizon), as TH/s and
//   as a multiple of the start;
//   halving trough: per path, min over days 1..60 after the first day whose height crosses a
//   multiple of 210000 of H_d / H_halving - 1; its median (and P5) over paths;
//   final fleet J/TH: per path, sum(on x kW) / sum(on x TH) of the environment archetypes at the
//   horizon with the specs in force then (the last generation epoch); median over paths;
//   tariff bands: each band's share of the online archetype hashrate at the horizon, mean over
//   paths (shares sum to 1).
// variant "pre-issue-15": the scenario with the rules before issue 15 (legacy values of every
// mechanism: agents/legacy_rules.h) and no generations, supply limits, shocks
// or parameter uncertainty: the "old" column.
#include <string>
#include <vector>

#include "engine/scenario/scenario.h"

namespace hashsim::history {

struct ScenarioSummary {
  std::string name, variant;
  std::int64_t paths = 0;
  double start_hashrate_ths = 0.0;
  std::vector<int> days;                                     // 365, 730, 1825 inside the horizon
  std::vector<double> hashrate_p50_ths;                      // per entry of days
  double halving_trough_p50 = 0.0, halving_trough_p5 = 0.0;  // NaN: no halving inside
  int halving_day = -1;                                      // first path's halving day
  double final_j_per_th_p50 = 0.0;
  std::vector<double> tariff_usd_per_kwh, band_share_mean;
};

// Applies the pre-issue-15 variant to a scenario with agents (profile default).
void apply_pre_issue15_variant(scenario::Scenario& s);
ScenarioSummary summarise_scenario(const scenario::Scenario& s, std::int64_t paths,
                                   const std::string& variant, int threads = 0);
std::string scenario_summary_table(const std::vector<ScenarioSummary>& rows);

}  // namespace hashsim::history
