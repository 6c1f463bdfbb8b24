// `hashsim run <scenario.yaml>` and `hashsim sweep <sweep.yaml>`.
#include <unistd.h>

#include <algorithm>
#include <spdlog/spdlog.h>
#include <nlohmann/json.hpp>
#include <yaml-cpp/yaml.h>

#include <cstdio>
#include <filesystem>
#include <optional>

#include "engine/io/hdf5.h"
#include "engine/io/results_file.h"
#include "engine/io/schema.h"
#include "engine/live/live_data.h"
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
  int lanes = 0;
  bool no_progress = false;
  bool no_summary = false;
  bool json = false;
  bool resume = false;
  bool no_space_check = false;
  bool require_live = false;
  std::uint64_t max_grid_points = 1000;
};

void add_run_flags(CLI::App* cmd, RunFlags& f, const char* what, GlobalOptions& global) {
  cmd->add_option(what, f.input, "YAML file")->required()->check(CLI::ExistingFile);
  add_output_option(cmd, "-o,--output", f.output, "Results file (HDF5); default results/<name>.h5");
  add_force_flag(cmd, global);
  cmd->add_flag(
      "--resume", f.resume,
      "Continue <output>.partial left by a killed run of the same command (else start afresh); "
      "keep the partial file if interrupted again");
  cmd->add_flag("--no-space-check", f.no_space_check,
                "Run even if the output estimate exceeds the free disk space");
  cmd->add_option("--paths", f.paths, "Override the number of paths")
      ->check(CLI::Range(std::int64_t{1}, scenario::kMaxPaths));
  cmd->add_option("--days", f.days, "Override the horizon in days")
      ->check(CLI::Range(1, scenario::kMaxHorizonDays));
  add_seed_option(cmd, f.seed, "Override the master seed (0 to 2^63-1)");
  cmd->add_option("--threads", f.threads, "Worker threads (default: all cores)")
      ->check(CLI::Range(1, 1024));
  cmd->add_option("--block-size", f.block_paths, "Paths per block streamed to the writer")
      ->check(CLI::Range(1, 1'000'000));
  add_lanes_option(cmd, f.lanes);
  cmd->add_flag("--no-progress", f.no_progress, "Never print the progress line");
  cmd->add_flag("--no-summary", f.no_summary, "Do not print the summary table");
  cmd->add_flag("--json", f.json,
                "Print the summary as JSON on stdout instead of the table (README "
                "\"Machine-readable output\")");
  cmd->add_flag("--require-live", f.require_live,
                "Exit 1 (writing nothing) unless every start value comes live from a provider: "
                "start.source live, "
                "no static default, no stale value");
}

// One row of the summary, read from the summaries stored in the file (so it shows exactly what
// was written). NaN where the scenario did not record the series.
struct SummaryRow {
  std::string name;
  long long paths = 0, days = 0;
  double price_p5 = 0, price_p50 = 0, price_p95 = 0;                      // USD at the horizon
  double hashrate_p50_ths = 0;                                            // at the horizon
  double hashprice_start = 0, hashprice_p50_end = 0, hashprice_mean = 0;  // USD/TH/day
};

std::vector<SummaryRow> read_summary(const std::string& path) {
  h5::Handle f = h5::open_file_readonly(path);
  io::check_results_schema(f.get(), path);
  h5::Handle scenarios = h5::open_group(f.get(), io::schema::kScenariosGroup);
  std::vector<SummaryRow> rows;
  for (const auto& name : h5::list_children(scenarios.get())) {
    h5::Handle g = h5::open_group(scenarios.get(), name);
    SummaryRow r;
    r.name = name;
    r.paths =
        static_cast<long long>(h5::get_int_attr(g.get(), io::schema::kAttrNPaths).value_or(0));
    r.days = static_cast<long long>(h5::get_int_attr(g.get(), io::schema::kAttrNDays).value_or(0));
    auto last = [&](const std::string& ds) -> double {
      if (!h5::exists(g.get(), ds)) return std::nan("");
      auto v = h5::read_vector(g.get(), ds);
      return v.empty() ? std::nan("") : v.back();
    };
    r.hashprice_start = r.hashprice_mean = std::nan("");
    namespace sc = io::schema;
    const std::string hp_mean = sc::summary_dataset(sc::kSeriesHashpriceUsd, sc::kStatMean);
    if (h5::exists(g.get(), hp_mean)) {
      auto v = h5::read_vector(g.get(), hp_mean);
      if (!v.empty()) {
        r.hashprice_start = v.front();
        double sum = 0;
        for (double x : v) sum += x;
        r.hashprice_mean = sum / static_cast<double>(v.size());
      }
    }
    r.price_p5 = last(sc::summary_dataset(sc::kSeriesPriceUsd, sc::kStatP5));
    r.price_p50 = last(sc::summary_dataset(sc::kSeriesPriceUsd, sc::kStatP50));
    r.price_p95 = last(sc::summary_dataset(sc::kSeriesPriceUsd, sc::kStatP95));
    r.hashrate_p50_ths = last(sc::summary_dataset(sc::kSeriesNetworkHashrateThs, sc::kStatP50));
    r.hashprice_p50_end = last(sc::summary_dataset(sc::kSeriesHashpriceUsd, sc::kStatP50));
    rows.push_back(r);
  }
  return rows;
}

void print_summary(const std::vector<SummaryRow>& rows) {
  // The name column is as wide as the longest name: cutting names would print two sweep grid
  // points (growth 0.1 and 0.2) with the same label.
  int width = 44;
  for (const auto& r : rows) width = std::max(width, static_cast<int>(r.name.size()));
  std::printf("\n%-*s %7s %5s | %29s | %10s | %23s\n", width, "scenario", "paths", "days",
              "BTC price at horizon, USD", "hashrate", "hashprice USD/PH/day");
  std::printf("%-*s %7s %5s | %9s %9s %9s | %10s | %7s %7s %7s\n", width, "", "", "", "P5", "P50",
              "P95", "P50 EH/s", "start", "P50 end", "mean");
  for (const auto& r : rows)
    std::printf("%-*s %7lld %5lld | %9.0f %9.0f %9.0f | %10.1f | %7.2f %7.2f %7.2f\n", width,
                r.name.c_str(), r.paths, r.days, r.price_p5, r.price_p50, r.price_p95,
                r.hashrate_p50_ths / 1e6, r.hashprice_start * 1e3, r.hashprice_p50_end * 1e3,
                r.hashprice_mean * 1e3);
}

// The same rows as JSON (README "Machine-readable output": schema hashsim.run_summary v1; units in
// the key names; null where a series was not recorded).
void print_summary_json(const std::string& output, const std::vector<SummaryRow>& rows) {
  nlohmann::json list = nlohmann::json::array();
  for (const auto& r : rows)
    list.push_back(
        {{"name", r.name},
         {"paths", r.paths},
         {"days", r.days},
         {"price_usd_at_horizon", {{"p5", r.price_p5}, {"p50", r.price_p50}, {"p95", r.price_p95}}},
         {"network_hashrate_ths_at_horizon_p50", r.hashrate_p50_ths},
         {"hashprice_usd_per_th_day",
          {{"start_mean", r.hashprice_start},
           {"p50_at_horizon", r.hashprice_p50_end},
           {"mean", r.hashprice_mean}}}});
  const nlohmann::json j{{"schema", "hashsim.run_summary"},
                         {"schema_version", 1},
                         {"output", output},
                         {"scenarios", list}};
  std::printf("%s\n", j.dump(2).c_str());
}

std::string human_bytes(double b) {
  const char* units[] = {"B", "kB", "MB", "GB", "TB", "PB"};
  int u = 0;
  while (b >= 1000.0 && u < 5) {
    b /= 1000.0;
    ++u;
  }
  char buf[32];
  std::snprintf(buf, sizeof buf, u == 0 ? "%.0f %s" : "%.1f %s", b, units[u]);
  return buf;
}

// Bytes of float64 data a run writes: paths x recorded values per path (every series and fleet
// array) x 8, plus the seven summary statistics per recorded value. The HDF5 overhead (chunk
// index, attributes, dates) is small beside it. With compression on, the file is smaller by a
// factor that depends on the data, so this is an upper bound.
std::uint64_t estimate_output_bytes(const std::vector<scenario::Scenario>& list) {
  std::uint64_t total = 0;
  for (const auto& s : list) {
    for (const auto& spec : sim::output_specs(s)) {
      const std::uint64_t per_path = spec.per_path_size();
      total += static_cast<std::uint64_t>(s.paths) * per_path * 8;
      if (spec.summarize) total += 7 * per_path * 8;
    }
  }
  return total;
}

// Bytes of the resume journal beside the partial file while the run goes on (removed at the end):
// every per-path value once, uncompressed (engine/io/results_journal.h).
std::uint64_t estimate_journal_bytes(const std::vector<scenario::Scenario>& list) {
  std::uint64_t total = 0;
  for (const auto& s : list)
    for (const auto& spec : sim::output_specs(s))
      total += static_cast<std::uint64_t>(s.paths) * spec.per_path_size() * 8;
  return total;
}

// Free space for the output: the nearest existing directory above it.
std::optional<std::uint64_t> free_bytes_for(const std::filesystem::path& output) {
  std::filesystem::path dir = std::filesystem::absolute(output).parent_path();
  std::error_code ec;
  while (!dir.empty() && !std::filesystem::exists(dir, ec)) {
    if (dir == dir.parent_path()) break;
    dir = dir.parent_path();
  }
  const auto info = std::filesystem::space(dir, ec);
  if (ec) return std::nullopt;
  return info.available;
}

// The run header: what will be written, how big it is, and whether the disk can hold it.
void check_output_size(const std::vector<scenario::Scenario>& list, const std::string& output,
                       const RunFlags& f) {
  const std::uint64_t output_bytes = estimate_output_bytes(list);
  const std::uint64_t estimate = output_bytes + estimate_journal_bytes(list);
  bool compressed = false;
  for (const auto& s : list) compressed = compressed || s.record.compression > 0;
  std::uint64_t paths = 0;
  for (const auto& s : list) paths += static_cast<std::uint64_t>(s.paths);
  const auto free_b = free_bytes_for(output);
  spdlog::info(
      "{} scenario(s), {} paths -> {}: output about {}{} (and as much again for the "
      "resume journal while it runs){}",
      list.size(), paths, output, human_bytes(static_cast<double>(output_bytes)),
      compressed ? " before compression" : "",
      free_b ? ", " + human_bytes(static_cast<double>(*free_b)) + " free" : std::string());
  if (free_b && estimate > *free_b && !f.no_space_check)
    throw Error(
        "the output " + output + " needs about " + human_bytes(static_cast<double>(estimate)) +
        (compressed ? " (before compression)" : "") + " but its disk has " +
        human_bytes(static_cast<double>(*free_b)) +
        " free; free space, lower --paths / --days / record.every_days, or pass --no-space-check");
}

// The number of scenarios a sweep file expands to (scenarios x grid values), read from the YAML
// before load_sweep builds them all (expanding 1,000 points takes about a minute); 0 when the file
// does not parse here (load_sweep then reports why).
std::uint64_t sweep_points_before_loading(const std::string& file) {
  try {
    const YAML::Node root = YAML::LoadFile(file);
    const YAML::Node list = root["scenarios"];
    std::uint64_t n = list && list.IsSequence() ? list.size() : 0;
    const YAML::Node grid = root["grid"];
    if (grid && grid.IsMap())
      for (auto it = grid.begin(); it != grid.end(); ++it) {
        const YAML::Node values = it->second;
        if (values.IsSequence() && values.size() > 0) n *= values.size();
      }
    return n;
  } catch (const std::exception&) {
    return 0;
  }
}

void check_grid_points(const std::string& file, std::uint64_t points, std::uint64_t max_points) {
  if (points > max_points)
    throw Error(file + ": the sweep expands to " + std::to_string(points) +
                " scenarios (grid points), more than --max-grid-points " +
                std::to_string(max_points) + "; pass --max-grid-points " + std::to_string(points) +
                " to run them all");
}

void run_all(const std::vector<scenario::Scenario>& list, const std::string& output,
             const RunFlags& f, const GlobalOptions& g) {
  const Overwrite mode = f.resume ? Overwrite::kResume : g.overwrite();
  // Under mpirun only rank 0 touches the output (engine/sim/shard.h); its errors end every rank.
  const sim::Shard world = sim::shard_world();
  if (world.rank == 0) {
    // --resume continues a partial file; it does not by itself replace a finished output.
    if (f.resume && !g.force &&
        std::filesystem::symlink_status(output).type() != std::filesystem::file_type::not_found)
      throw Error("output " + output + " already exists; pass --force to replace it");
    check_output_path(output, mode);
    check_output_size(list, output, f);
  }
  sim::SimulateFileOptions o;
  o.run.shard = world;
  o.run.threads = f.threads;
  o.run.block_paths = f.block_paths;
  o.run.lanes = f.lanes;
  o.run.progress = !f.no_progress;
  o.verbosity = g.verbosity;
  o.overwrite = mode;
  o.require_live = f.require_live;
  try {
    sim::simulate_to_file(list, output, g.command_line, o);
  } catch (const live::NotLiveError& e) {
    throw Error(std::string("--require-live: ") + e.what());
  }
  if (world.rank != 0) return;
  if (f.json) {  // stdout holds the JSON document only
    print_summary_json(output, read_summary(output));
    return;
  }
  std::printf("wrote %s\n", output.c_str());
  if (!f.no_summary) print_summary(read_summary(output));
}
}  // namespace

void register_run_commands(CLI::App& app, GlobalOptions& global) {
  auto run_flags = std::make_shared<RunFlags>();
  CLI::App* run = app.add_subcommand("run", "Simulate one scenario and write an HDF5 results file");
  add_run_flags(run, *run_flags, "scenario", global);
  run->callback([run_flags, &global] {
    const RunFlags& f = *run_flags;
    std::vector<scenario::Scenario> list{
        scenario::load_scenario(f.input, {f.paths, f.days, f.seed})};
    const scenario::Scenario& s = list.front();
    run_all(list, f.output.empty() ? "results/" + s.name + ".h5" : f.output, f, global);
  });

  auto sweep_flags = std::make_shared<RunFlags>();
  CLI::App* sweep = app.add_subcommand(
      "sweep", "Simulate every scenario (and grid point) of a sweep into one file");
  add_run_flags(sweep, *sweep_flags, "sweep", global);
  sweep
      ->add_option("--max-grid-points", sweep_flags->max_grid_points,
                   "Largest number of scenarios the sweep may expand to (default 1000)")
      ->check(CLI::Range(std::uint64_t{1}, std::uint64_t{100'000'000}));
  sweep->callback([sweep_flags, &global] {
    const RunFlags& f = *sweep_flags;
    check_grid_points(f.input, sweep_points_before_loading(f.input), f.max_grid_points);
    scenario::Sweep sw = scenario::load_sweep(f.input, {f.paths, f.days, f.seed});
    check_grid_points(f.input, sw.scenarios.size(), f.max_grid_points);
    run_all(sw.scenarios, f.output.empty() ? "results/" + sw.name + ".h5" : f.output, f, global);
  });
}

}  // namespace hashsim::cli
