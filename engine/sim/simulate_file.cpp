#include "engine/sim/simulate_file.h"

#include <cstdio>
#include <map>
#include <optional>

#include "engine/io/results_file.h"
#include "engine/live/live_data.h"

namespace hashsim::sim {

void apply_start_sources(std::vector<scenario::Scenario>& list, bool require_live) {
  std::map<scenario::StartSource, scenario::StartConditions> filled;
  std::optional<live::LiveOptions> opts;
  if (require_live)
    for (const auto& s : list)
      if (s.start.source == scenario::StartSource::Scenario)
        throw live::NotLiveError("scenario '" + s.name + "' (" + s.file.string() +
                                 ") takes its start values from the scenario file (start.source: scenario), not "
                                 "from live data; set start.source: live in it");
  for (auto& s : list) {
    if (s.start.source == scenario::StartSource::Scenario) continue;
    auto it = filled.find(s.start.source);
    if (it == filled.end()) {
      if (!opts) opts = live::live_options_from_env();
      scenario::StartConditions start = s.start;
      live::fill_start_conditions(start, *opts, require_live);
      it = filled.emplace(s.start.source, start).first;
    }
    s.start = it->second;
  }
}

void simulate_to_file(std::vector<scenario::Scenario> list, const std::filesystem::path& output,
                      const std::string& command_line, const SimulateFileOptions& options) {
  apply_start_sources(list, options.require_live);
  io::ResultsFile file(output, command_line, options.overwrite);
  if (file.resumed() && options.verbosity >= 0) std::fprintf(stderr, "resuming %s.partial\n", output.c_str());
  for (const auto& s : list) {
    io::ScenarioWriter& w = file.begin_scenario(s, output_specs(s));
    RunOptions o = options.run;
    o.progress_label = s.name;
    const auto st = run_scenario(s, w, o);
    if (options.verbosity > 0)
      std::fprintf(stderr, "%s: %llu paths x %d days in %.2f s (%.0f path-days/s)\n", s.name.c_str(),
                   static_cast<unsigned long long>(st.paths), s.horizon_days, st.seconds,
                   static_cast<double>(st.paths) * s.horizon_days / st.seconds);
  }
  file.commit();
}

}  // namespace hashsim::sim
