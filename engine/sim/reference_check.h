#pragma once
// Reproduction check of the reference-2021 profile against the published outputs of the 2021
// model: 25-trial means per day of the network hashrate (env_values_<scenario>.csv) and of each
// observer fleet's machines, BTC, USD and mark-to-market position (user_values_<scenario>.csv).
//
// Error measures: hashrate, pointwise |sim / published - 1|; fleet columns, |sim - published|
// divided by the largest |published| value of that fleet and column over the horizon (the
// positions start at exactly 0 and Sell Daily USD can cross 0, where a pointwise relative error
// is undefined).
#include <filesystem>
#include <string>
#include <vector>

namespace hashsim::sim {

struct ReferenceCheck {
  std::string scenario;  // article scenario, e.g. "historical"
  double max_hashrate_rel_error = 0.0;
  int worst_hashrate_day = 0;
  double max_fleet_rel_error = 0.0;
  std::string worst_fleet;  // "Long BTC / Antminer S9 / 0.04 / BTC day 37"
  std::size_t fleets_compared = 0;
  double final_hashrate_ths = 0.0, published_final_hashrate_ths = 0.0;
};

// Runs scenarios/reference-2021/<scenario>.yaml (all 25 trials) and compares with
// <data_dir>/env_values_<scenario>.csv and user_values_<scenario>.csv.
ReferenceCheck check_reference_2021(const std::filesystem::path& scenario_file,
                                    const std::filesystem::path& data_dir, int threads);

inline const std::vector<std::string>& reference_2021_scenarios() {
  static const std::vector<std::string> names{"historical", "bearish", "corrections",
                                              "historical-machines", "bearish-opex"};
  return names;
}

}  // namespace hashsim::sim
