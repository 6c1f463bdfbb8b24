// `hashsim site <site.yaml> --results <results.h5>`: site economics and investment metrics over
// simulated revenue paths (engine/site). With --sweep instead of --results it first simulates the
// scenarios it needs.
#include <unistd.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <algorithm>
#include <optional>

#include "engine/io/results_file.h"
#include "engine/live/live_data.h"
#include "engine/scenario/sweep.h"
#include "engine/sim/runner.h"
#include "engine/sim/simulate_file.h"
#include "engine/site/site_config.h"
#include "engine/site/site_output.h"
#include "engine/util/atomic_file.h"
#include "engine/util/error.h"
#include "engine/util/signals.h"
#include "tools/hashsim/command.h"

namespace hashsim::cli {

namespace {
struct SiteFlags {
  std::string site_file;
  std::string results;
  std::string output;
  std::string json;
  std::vector<std::string> scenarios;
  std::string sweep;
  std::optional<std::int64_t> paths;
  std::optional<std::uint64_t> seed;
  std::string save_results;
  int threads = 0;
  bool quiet_report = false;
  bool require_live = false;
};

// Simulates the scenarios the site run needs (names, plus the selection scenario; names empty:
// every scenario of the sweep) with the horizon set to the site's years, into `target`, through the
// same library call as `hashsim sweep` (start sources included).
void simulate_needed(const SiteFlags& f, const site::SiteConfig& c, std::vector<std::string>& names,
                     const std::string& target, const GlobalOptions& g) {
  scenario::Sweep sw = scenario::load_sweep(f.sweep, {f.paths, 365 * c.horizon_years, f.seed});
  auto in_sweep = [&](const std::string& n) {
    for (const auto& s : sw.scenarios)
      if (s.name == n) return true;
    return false;
  };
  if (names.empty())
    for (const auto& s : sw.scenarios) names.push_back(s.name);
  std::vector<std::string> need = names;
  if (std::find(need.begin(), need.end(), c.selection_scenario) == need.end())
    need.push_back(c.selection_scenario);
  for (const auto& n : need)
    if (!in_sweep(n)) {
      std::string known;
      for (const auto& s : sw.scenarios) known += (known.empty() ? "" : ", ") + s.name;
      throw Error(f.sweep + ": scenario '" + n + "' is not in the sweep (it has: " + known + ")" +
                  (n == c.selection_scenario ? "; it is the site file's selection_scenario" : ""));
    }
  std::vector<scenario::Scenario> list;
  for (auto& s : sw.scenarios)
    if (std::find(need.begin(), need.end(), s.name) != need.end()) list.push_back(std::move(s));
  sim::SimulateFileOptions o;
  o.run.threads = f.threads;
  o.run.progress = isatty(STDERR_FILENO) != 0;
  o.verbosity = g.verbosity;
  o.overwrite = g.overwrite();
  o.require_live = f.require_live;
  try {
    sim::simulate_to_file(std::move(list), target, g.command_line, o);
  } catch (const live::NotLiveError& e) {
    throw Error(std::string("--require-live: ") + e.what());
  }
}
// Where the site run reads its paths from: --results as given, or a sweep simulated now into
// --save-results or a temporary file (`temp`, removed by the caller).
std::string results_file(const SiteFlags& f, const site::SiteConfig& c,
                         std::vector<std::string>& names, const GlobalOptions& global,
                         std::filesystem::path& temp) {
  if (!f.results.empty()) {
    if (f.paths || f.seed || !f.save_results.empty())
      throw Error("hashsim site: --paths, --seed and --save-results only apply with --sweep");
    return f.results;
  }
  if (f.sweep.empty())
    throw Error("hashsim site: give --results <results.h5> or --sweep <sweep.yaml>");
  std::string results;
  if (!f.save_results.empty()) {
    results = f.save_results;
  } else {
    temp = std::filesystem::temp_directory_path() /
           ("hashsim-site-" + std::to_string(getpid()) + ".h5");
    results = temp.string();
  }
  // The temporary file is ours: replace a leftover from an earlier process with the same pid.
  GlobalOptions g = global;
  if (!temp.empty()) g.force = true;
  simulate_needed(f, c, names, results, g);
  return results;
}

// -o and --json: both are written in full to their partial files first and committed together,
// so a failure of either leaves neither behind.
void write_outputs(const site::SiteRun& run, const SiteFlags& f, Overwrite mode) {
  std::optional<AtomicOutput> h5_out, json_out;
  if (!f.output.empty()) {
    h5_out.emplace(f.output, mode);
    site::write_site_hdf5(run, *h5_out);
  }
  if (!f.json.empty()) {
    json_out.emplace(f.json, mode);
    std::ofstream js(json_out->partial_path(), std::ios::binary | std::ios::trunc);
    if (!js) throw Error("cannot write " + f.json + " (" + json_out->partial_path().string() + ")");
    js << site::summary_json(run).dump(2) << "\n";
    js.close();
    if (!js) throw Error("write failed for " + json_out->partial_path().string());
  }
  if (h5_out) h5_out->commit();
  if (json_out) {
    try {
      json_out->commit();
    } catch (const Error&) {  // the rename failed (e.g. --json names a directory): take -o back too
      std::error_code ec;
      if (h5_out) std::filesystem::remove(f.output, ec);
      throw;
    }
  }
  if (h5_out) std::printf("wrote %s\n", f.output.c_str());
  if (json_out) std::printf("wrote %s\n", f.json.c_str());
}

void run_site_command(const SiteFlags& f, const GlobalOptions& global) {
  // Refuse outputs that may not be written before any simulation.
  for (const std::string* out : {&f.output, &f.json, &f.save_results})
    if (!out->empty()) check_output_path(*out, global.overwrite());
  const site::SiteConfig c = site::load_site_config(f.site_file);
  std::vector<std::string> names = f.scenarios;
  std::filesystem::path temp;
  const std::string results = results_file(f, c, names, global, temp);
  struct Cleanup {
    std::filesystem::path p;
    ~Cleanup() {
      std::error_code ec;
      if (!p.empty()) std::filesystem::remove(p, ec);
    }
  } cleanup{temp};
  const RemoveOnInterrupt remove_temp(temp.string());
  const site::SiteRun run = site::run_site(c, results, names, global.command_line);
  if (!f.quiet_report) std::cout << site::format_report(run);
  write_outputs(run, f, global.overwrite());
}
}  // namespace

void register_site_commands(CLI::App& app, GlobalOptions& global) {
  auto f = std::make_shared<SiteFlags>();
  CLI::App* cmd = app.add_subcommand("site",
                                     "Site economics: which miner, how many, and does it pay (NPV, "
                                     "IRR, ROIC, paybacks) across scenarios");
  cmd->add_option("site", f->site_file, "Site YAML (scenarios/README-site.md)")
      ->required()
      ->check(CLI::ExistingFile);
  auto* opt_results =
      cmd->add_option("--results", f->results, "Results file from hashsim run/sweep")
          ->check(CLI::ExistingFile);
  auto* opt_sweep =
      cmd->add_option("--sweep", f->sweep, "Simulate the needed scenarios of this sweep first")
          ->check(CLI::ExistingFile);
  opt_results->excludes(opt_sweep);
  add_output_option(cmd, "-o,--output", f->output, "Write the /site group to this HDF5 file");
  add_output_option(cmd, "--json", f->json,
                    "Write a JSON run summary (inputs, data snapshot, metrics)");
  add_force_flag(cmd, global);
  cmd->add_option("--scenarios", f->scenarios,
                  "Scenarios to evaluate (default: every scenario in the results or sweep)")
      ->delimiter(',');
  cmd->add_option("--paths", f->paths, "With --sweep: paths per scenario")
      ->check(CLI::Range(std::int64_t{1}, scenario::kMaxPaths));
  add_seed_option(cmd, f->seed, "With --sweep: override the master seed (0 to 2^63-1)");
  add_output_option(cmd, "--save-results", f->save_results,
                    "With --sweep: keep the simulated results here");
  cmd->add_option("--threads", f->threads, "With --sweep: worker threads (default: all cores)")
      ->check(CLI::Range(1, 1024));
  cmd->add_flag("--no-report", f->quiet_report, "Do not print the terminal report");
  cmd->add_flag("--require-live", f->require_live,
                "With --sweep: exit 1 (writing nothing) unless every scenario's start values come "
                "live from a provider (as hashsim run --require-live)")
      ->needs(opt_sweep);
  cmd->callback([f, &global] { run_site_command(*f, global); });
}

}  // namespace hashsim::cli
