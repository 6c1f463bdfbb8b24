#pragma once
// Reads what site economics needs from a results file written by `hashsim run/sweep`
// (/scenarios/<name>/: attrs, paths/hashprice_usd_per_th_day, paths/price_usd), reduced on the
// way in to yearly revenue sums and month-end prices per path, block by block in bounded memory.
#include <hdf5.h>

#include <cstdint>
#include <string>
#include <vector>

#include "engine/site/economics.h"

namespace hashsim::site {

struct ScenarioInfo {
  std::string name;
  std::string start_date, start_source;
  std::int64_t n_paths = 0, n_days = 0, record_every_days = 1;
  double start_price_usd = 0, start_difficulty = 0, start_network_hashrate_ths = 0,
         start_height = 0;
  std::string live_snapshot_json = "{}";
};

std::vector<std::string> list_scenarios(hid_t file);
ScenarioInfo read_scenario_info(hid_t file, const std::string& name);
// Needs n_days >= 365 x years; with record_every_days k > 1 each recorded day stands for k days.
MarketPaths read_market_paths(hid_t file, const std::string& name, int years);

// The FX rate (site currency per USD): 1 for USD; else the site file's fx_usd_to_site; else the
// snapshot's fx_usd_gbp / fx_usd_eur. Throws Error when there is none.
FxRate resolve_fx(const SiteConfig& c, const ScenarioInfo& info);

}  // namespace hashsim::site
