#include "engine/app/simulate.h"

#include <map>
#include <optional>

#include "engine/io/results_file.h"
#include "engine/live/live_data.h"

namespace hashsim::app {

void resolve_start_sources(std::vector<scenario::Scenario>& list) {
  std::map<scenario::StartSource, scenario::StartConditions> filled;
  std::optional<live::LiveOptions> opts;
  for (auto& s : list) {
    if (s.start.source == scenario::StartSource::Scenario) continue;
    auto it = filled.find(s.start.source);
    if (it == filled.end()) {
      if (!opts) opts = live::live_options_from_env();
      scenario::StartConditions start = s.start;
      live::fill_start_conditions(start, *opts);
      it = filled.emplace(s.start.source, start).first;
    }
    s.start = it->second;
  }
}

std::vector<scenario::Scenario> simulate_to_file(std::vector<scenario::Scenario> list,
                                                 const std::filesystem::path& output, const SimulateOptions& options) {
  resolve_start_sources(list);
  io::ResultsFile file(output, options.command_line);
  for (const auto& s : list) {
    io::ScenarioWriter& w = file.begin_scenario(s, sim::output_specs(s));
    sim::RunOptions o;
    o.threads = options.threads;
    o.block_paths = options.block_paths;
    o.progress = options.progress;
    o.progress_label = s.name;
    const sim::RunStats st = sim::run_scenario(s, w, o);
    if (options.on_scenario_done) options.on_scenario_done(s, st);
  }
  file.commit();
  return list;
}

}  // namespace hashsim::app
