#include "engine/sim/reference_check.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <map>
#include <tuple>

#include "engine/io/hdf5.h"
#include "engine/io/results_file.h"
#include "engine/scenario/scenario.h"
#include "engine/sim/runner.h"
#include "engine/util/csv.h"
#include "engine/util/error.h"
#include "engine/util/temp_file.h"

namespace hashsim::sim {

namespace {
std::string published_strategy(const std::string& s) {
  return s == "long_btc" ? "Long BTC" : "Sell Daily";
}

std::string tariff_key(double v) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.4f", v);
  return buf;
}

// Mean over paths of one day of a per-path array: element p * stride + offset + day of path p.
double mean_over_paths(const std::vector<double>& v, std::size_t n_paths, std::size_t offset,
                       std::size_t stride, std::size_t day) {
  double sum = 0.0;
  for (std::size_t p = 0; p < n_paths; ++p) sum += v[p * stride + offset + day];
  return sum / static_cast<double>(n_paths);
}

// Network hashrate, mean over paths, against env_values_<article>.csv day by day.
void compare_hashrate(hid_t group, const std::filesystem::path& env_file, std::size_t n_paths,
                      std::size_t days, ReferenceCheck& r) {
  const auto hashrate = h5::read_vector(group, "paths/network_hashrate_ths");
  const CsvTable env = read_csv(env_file);
  const auto c_hr = env.column("hashrate");
  if (env.rows.size() != days)
    throw Error(env_file.string() + ": " + std::to_string(env.rows.size()) +
                " days, the scenario simulates " + std::to_string(days));
  for (std::size_t d = 0; d < days; ++d) {
    const double sim = mean_over_paths(hashrate, n_paths, 0, days, d);
    const double pub = env.number(d, c_hr);
    const double e = std::fabs(sim / pub - 1.0);
    if (e > r.max_hashrate_rel_error) {
      r.max_hashrate_rel_error = e;
      r.worst_hashrate_day = static_cast<int>(d);
    }
    if (d + 1 == days) {
      r.final_hashrate_ths = sim;
      r.published_final_hashrate_ths = pub;
    }
  }
}

// The observer fleets' published columns and the datasets that hold the simulated ones.
constexpr const char* kFleetColumns[] = {"n_machines", "BTC", "USD", "total_position_usd"};
constexpr const char* kFleetDatasets[] = {"fleets/machines", "fleets/btc", "fleets/usd",
                                          "fleets/value_usd"};
constexpr std::size_t kFleetColumnCount = 4;
using FleetKey = std::tuple<std::string, std::string, std::string>;  // strategy, machine, tariff
using PublishedFleets =
    std::map<FleetKey, std::vector<std::vector<double>>>;  // key -> [column][day]

// user_values_<article>.csv: one row per (strategy, machine, tariff, day); days past the horizon
// are ignored, missing ones stay NaN (and fail the comparison).
PublishedFleets read_published_fleets(const std::filesystem::path& user_file, std::size_t days) {
  const CsvTable user = read_csv(user_file);
  const auto u_s = user.column("strategy"), u_m = user.column("machine_type"),
             u_e = user.column("elec_cost"), u_d = user.column("day");
  PublishedFleets published;
  for (std::size_t row = 0; row < user.rows.size(); ++row) {
    FleetKey k{user.text(row, u_s), user.text(row, u_m), tariff_key(user.number(row, u_e))};
    auto& cols = published[k];
    if (cols.empty()) cols.assign(kFleetColumnCount, std::vector<double>(days, std::nan("")));
    const auto d = static_cast<std::size_t>(user.integer(row, u_d));
    if (d >= days) continue;
    for (std::size_t c = 0; c < kFleetColumnCount; ++c)
      cols[c][d] = user.number(row, user.column(kFleetColumns[c]));
  }
  return published;
}

// Every observer fleet's machines, BTC, USD and position, mean over paths, against the published
// values, each relative to the largest published magnitude of that fleet and column.
void compare_fleets(hid_t group, const PublishedFleets& published, const std::string& article,
                    std::size_t n_paths, std::size_t days, ReferenceCheck& r) {
  const auto machines = h5::read_strings(group, "agents/machine");
  const auto strategies = h5::read_strings(group, "agents/strategy");
  const auto tariffs = h5::read_vector(group, "agents/tariff_usd_per_kwh");
  const auto observer = h5::read_vector(group, "agents/is_observer");
  const std::size_t n_fleets =
      static_cast<std::size_t>(std::count(observer.begin(), observer.end(), 1.0));
  const std::size_t first_fleet = machines.size() - n_fleets;
  for (std::size_t c = 0; c < kFleetColumnCount; ++c) {
    const auto sim = h5::read_vector(group, kFleetDatasets[c]);  // [paths, fleets, days]
    for (std::size_t fl = 0; fl < n_fleets; ++fl) {
      const std::size_t a = first_fleet + fl;
      FleetKey k{published_strategy(strategies[a]), machines[a], tariff_key(tariffs[a])};
      auto it = published.find(k);
      if (it == published.end())
        throw Error("published user_values_" + article + ".csv has no fleet " + std::get<0>(k) +
                    " / " + std::get<1>(k) + " / " + std::get<2>(k));
      const auto& pub = it->second[c];
      double scale = 0.0;
      for (double v : pub) scale = std::max(scale, std::fabs(v));
      if (scale == 0.0) scale = 1.0;
      for (std::size_t d = 0; d < days; ++d) {
        if (std::isnan(pub[d]))
          throw Error("published user_values_" + article + ".csv lacks day " + std::to_string(d));
        const double e =
            std::fabs(mean_over_paths(sim, n_paths, fl * days, n_fleets * days, d) - pub[d]) /
            scale;
        if (e > r.max_fleet_rel_error) {
          r.max_fleet_rel_error = e;
          r.worst_fleet = std::get<0>(k) + " / " + std::get<1>(k) + " / " + std::get<2>(k) + " / " +
                          kFleetColumns[c] + " day " + std::to_string(d);
        }
      }
    }
  }
  r.fleets_compared = n_fleets;
}
}  // namespace

ReferenceCheck check_reference_2021(const std::filesystem::path& scenario_file,
                                    const std::filesystem::path& data_dir, int threads) {
  const scenario::Scenario s = scenario::load_scenario(scenario_file);
  if (!s.agents || s.agents->profile != agents::RuleProfile::Reference2021)
    throw Error(scenario_file.string() + ": not a reference-2021 scenario");
  const std::string article = scenario_file.stem().string();

  // Simulate into a private temporary file and read the per-path arrays back.
  const TempFile tmp("hashsim-ref2021-" + article, ".h5");
  {
    io::ResultsFile file(tmp.path(), "reproduce-2021");
    io::ScenarioWriter& w = file.begin_scenario(s, output_specs(s));
    RunOptions o;
    o.threads = threads;
    run_scenario(s, w, o);
    file.commit();
  }
  h5::Handle f = h5::open_file_readonly(tmp.path().string());
  h5::Handle g = h5::open_group(f.get(), "scenarios/" + s.name);
  const auto n_paths = static_cast<std::size_t>(s.paths);
  const auto days = static_cast<std::size_t>(s.recorded_days());

  ReferenceCheck r;
  r.scenario = article;
  compare_hashrate(g.get(), data_dir / ("env_values_" + article + ".csv"), n_paths, days, r);
  compare_fleets(g.get(),
                 read_published_fleets(data_dir / ("user_values_" + article + ".csv"), days),
                 article, n_paths, days, r);
  return r;
}

}  // namespace hashsim::sim
