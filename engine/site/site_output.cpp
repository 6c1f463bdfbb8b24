#include "engine/site/site_output.h"
// run_site: reads the results file and analyses the site over its scenarios.

#include <algorithm>
#include <map>

#include "engine/io/hdf5.h"
#include "engine/io/results_file.h"
#include "engine/util/error.h"

namespace hashsim::site {

SiteRun run_site(const SiteConfig& c, const std::filesystem::path& results_file,
                 std::vector<std::string> names, std::string command_line) {
  h5::quiet_hdf5_errors();
  h5::Handle f = h5::open_file_readonly(results_file.string());
  io::check_results_schema(f.get(), results_file.string());  // shapes and types before any read
  const auto present = list_scenarios(f.get());
  auto has = [&](const std::string& n) {
    return std::find(present.begin(), present.end(), n) != present.end();
  };
  if (names.empty()) names = present;  // every scenario in the file, in its order
  SiteRun run;
  run.results_file = results_file;
  run.command_line = std::move(command_line);
  if (!has(c.selection_scenario)) {
    std::string known;
    for (const auto& s : present) known += (known.empty() ? "" : ", ") + s;
    throw Error(c.file.string() + ": selection_scenario = " + c.selection_scenario +
                " (the scenario whose year-1 revenue picks the miner) is not in the results file " +
                results_file.string() + " (it has: " + known +
                "); set selection_scenario to one of them");
  }
  run.selection_info = read_scenario_info(f.get(), c.selection_scenario);
  const FxRate fx = resolve_fx(c, run.selection_info);
  run.offers = miner_offers(c, fx.usd_to_site);
  std::map<std::string, MarketPaths> paths;
  paths.emplace(c.selection_scenario,
                read_market_paths(f.get(), c.selection_scenario, c.horizon_years));
  std::vector<const MarketPaths*> order;
  for (const auto& n : names) {
    if (!paths.count(n)) paths.emplace(n, read_market_paths(f.get(), n, c.horizon_years));
    run.scenario_infos.push_back(read_scenario_info(f.get(), n));
    order.push_back(&paths.at(n));
  }
  run.analysis = analyse_site(c, fx, run.offers, paths.at(c.selection_scenario), order);
  return run;
}

}  // namespace hashsim::site
