// `hashsim run <scenario.yaml>` and `hashsim sweep <sweep.yaml>`.
#include <unistd.h>

#include <cstdio>
#include <iostream>
#include <map>
#include <optional>

#include "engine/io/hdf5.h"
#include "engine/io/results_file.h"
#include "engine/scenario/scenario.h"
#include "engine/scenario/sweep.h"
#include "engine/sim/runner.h"
#include "engine/sim/simulate_file.h"
#include "engine/util/error.h"
#include "tools/hashsim/command.h"

namespace hashsim::cli {

namespace {
struct RunFlags {
  std::string input;
  std::string output;
  std::optional<std::int64_t> paths;
  std::optional<int> days;
  std::optional<std::uint64_t> seed;
  int threads = 0;
  std::uint64_t block_paths = 64;
  bool no_progress = false;
  bool no_summary = false;
};

void add_run_flags(CLI::App* cmd, RunFlags& f, const char* what) {
  cmd->add_option(what, f.input, "YAML file")->required()->check(CLI::ExistingFile);
  cmd->add_option("-o,--output", f.output, "Results file (HDF5); default results/<name>.h5");
  cmd->add_option("--paths", f.paths, "Override the number of paths")->check(CLI::Range(std::int64_t{1}, scenario::kMaxPaths));
  cmd->add_option("--days", f.days, "Override the horizon in days")->check(CLI::Range(1, scenario::kMaxHorizonDays));
  cmd->add_option("--seed", f.seed, "Override the master seed");
  cmd->add_option("--threads", f.threads, "Worker threads (default: all cores)")->check(CLI::Range(1, 1024));
  cmd->add_option("--block-size", f.block_paths, "Paths per block streamed to the writer")
      ->check(CLI::Range(1, 1'000'000));
  cmd->add_flag("--no-progress", f.no_progress, "Never print the progress line");
  cmd->add_flag("--no-summary", f.no_summary, "Do not print the summary table");
}

// Prints one line per scenario from the summaries stored in the file (so the table shows
// exactly what was written).
void print_summary(const std::string& path) {
  h5::Handle f = h5::open_file_readonly(path);
  h5::Handle scenarios = h5::open_group(f.get(), "scenarios");
  std::printf("\n%-44s %7s %5s | %29s | %10s | %23s\n", "scenario", "paths", "days",
              "BTC price at horizon, USD", "hashrate", "hashprice USD/PH/day");
  std::printf("%-44s %7s %5s | %9s %9s %9s | %10s | %7s %7s %7s\n", "", "", "", "P5", "P50", "P95", "P50 EH/s",
              "start", "P50 end", "mean");
  for (const auto& name : h5::list_children(scenarios.get())) {
    h5::Handle g = h5::open_group(scenarios.get(), name);
    const auto n_paths = h5::get_int_attr(g.get(), "n_paths").value_or(0);
    const auto n_days = h5::get_int_attr(g.get(), "n_days").value_or(0);
    auto last = [&](const std::string& ds) -> double {
      if (!h5::exists(g.get(), ds)) return std::nan("");
      auto v = h5::read_vector(g.get(), ds);
      return v.empty() ? std::nan("") : v.back();
    };
    double hp_start = std::nan(""), hp_mean = std::nan("");
    if (h5::exists(g.get(), "summary/hashprice_usd_per_th_day/mean")) {
      auto v = h5::read_vector(g.get(), "summary/hashprice_usd_per_th_day/mean");
      if (!v.empty()) {
        hp_start = v.front();
        double s = 0;
        for (double x : v) s += x;
        hp_mean = s / static_cast<double>(v.size());
      }
    }
    std::printf("%-44.44s %7lld %5lld | %9.0f %9.0f %9.0f | %10.1f | %7.2f %7.2f %7.2f\n", name.c_str(),
                static_cast<long long>(n_paths), static_cast<long long>(n_days), last("summary/price_usd/p5"),
                last("summary/price_usd/p50"), last("summary/price_usd/p95"),
                last("summary/network_hashrate_ths/p50") / 1e6, hp_start * 1e3,
                last("summary/hashprice_usd_per_th_day/p50") * 1e3, hp_mean * 1e3);
  }
}

void run_all(const std::vector<scenario::Scenario>& list, const std::string& output, const RunFlags& f,
             const GlobalOptions& g) {
  sim::SimulateFileOptions o;
  o.run.threads = f.threads;
  o.run.block_paths = f.block_paths;
  o.run.progress = !f.no_progress;
  o.verbosity = g.verbosity;
  sim::simulate_to_file(list, output, g.command_line, o);
  std::printf("wrote %s\n", output.c_str());
  if (!f.no_summary) print_summary(output);
}
}  // namespace

void register_run_commands(CLI::App& app, GlobalOptions& global) {
  auto run_flags = std::make_shared<RunFlags>();
  CLI::App* run = app.add_subcommand("run", "Simulate one scenario and write an HDF5 results file");
  add_run_flags(run, *run_flags, "scenario");
  run->callback([run_flags, &global] {
    const RunFlags& f = *run_flags;
    std::vector<scenario::Scenario> list{scenario::load_scenario(f.input, {f.paths, f.days, f.seed})};
    sim::apply_start_sources(list);
    const scenario::Scenario& s = list.front();
    run_all(list, f.output.empty() ? "results/" + s.name + ".h5" : f.output, f, global);
  });

  auto sweep_flags = std::make_shared<RunFlags>();
  CLI::App* sweep = app.add_subcommand("sweep", "Simulate every scenario (and grid point) of a sweep into one file");
  add_run_flags(sweep, *sweep_flags, "sweep");
  sweep->callback([sweep_flags, &global] {
    const RunFlags& f = *sweep_flags;
    scenario::Sweep sw = scenario::load_sweep(f.input, {f.paths, f.days, f.seed});
    sim::apply_start_sources(sw.scenarios);
    run_all(sw.scenarios, f.output.empty() ? "results/" + sw.name + ".h5" : f.output, f, global);
  });
}

}  // namespace hashsim::cli
