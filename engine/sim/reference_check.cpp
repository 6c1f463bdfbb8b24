#include "engine/sim/reference_check.h"

#include <unistd.h>

#include <cmath>
#include <map>
#include <tuple>

#include "engine/io/hdf5.h"
#include "engine/io/results_file.h"
#include "engine/scenario/scenario.h"
#include "engine/sim/runner.h"
#include "engine/util/csv.h"
#include "engine/util/error.h"

namespace hashsim::sim {

namespace {
std::string published_strategy(const std::string& s) { return s == "long_btc" ? "Long BTC" : "Sell Daily"; }

std::string tariff_key(double v) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.4f", v);
  return buf;
}
}  // namespace

ReferenceCheck check_reference_2021(const std::filesystem::path& scenario_file, const std::filesystem::path& data_dir,
                                    int threads) {
  const scenario::Scenario s = scenario::load_scenario(scenario_file);
  if (!s.agents || s.agents->profile != agents::RuleProfile::Reference2021)
    throw Error(scenario_file.string() + ": not a reference-2021 scenario");
  const std::string article = scenario_file.stem().string();

  // Simulate into a private temporary file and read the per-path arrays back.
  const auto tmp = std::filesystem::temp_directory_path() /
                   ("hashsim-ref2021-" + std::to_string(::getpid()) + "-" + article + ".h5");
  {
    io::ResultsFile file(tmp, "reproduce-2021");
    io::ScenarioWriter& w = file.begin_scenario(s, output_specs(s));
    RunOptions o;
    o.threads = threads;
    run_scenario(s, w, o);
    file.commit();
  }
  struct Cleanup {
    std::filesystem::path p;
    ~Cleanup() {
      std::error_code ec;
      std::filesystem::remove(p, ec);
    }
  } cleanup{tmp};

  h5::Handle f = h5::open_file_readonly(tmp.string());
  h5::Handle g = h5::open_group(f.get(), "scenarios/" + s.name);
  const auto n_paths = static_cast<std::size_t>(s.paths);
  const auto days = static_cast<std::size_t>(s.recorded_days());
  const auto hashrate = h5::read_vector(g.get(), "paths/network_hashrate_ths");
  auto mean_over_paths = [&](const std::vector<double>& v, std::size_t offset, std::size_t stride, std::size_t day) {
    double sum = 0.0;
    for (std::size_t p = 0; p < n_paths; ++p) sum += v[p * stride + offset + day];
    return sum / static_cast<double>(n_paths);
  };

  ReferenceCheck r;
  r.scenario = article;
  const CsvTable env = read_csv(data_dir / ("env_values_" + article + ".csv"));
  const auto c_hr = env.column("hashrate");
  if (env.rows.size() != days)
    throw Error((data_dir / ("env_values_" + article + ".csv")).string() + ": " + std::to_string(env.rows.size()) +
                " days, the scenario simulates " + std::to_string(days));
  for (std::size_t d = 0; d < days; ++d) {
    const double sim = mean_over_paths(hashrate, 0, days, d);
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

  // Fleets: published rows keyed by (strategy, machine, tariff) -> per day values.
  const auto machines = h5::read_strings(g.get(), "agents/machine");
  const auto strategies = h5::read_strings(g.get(), "agents/strategy");
  const auto tariffs = h5::read_vector(g.get(), "agents/tariff_usd_per_kwh");
  const auto observer = h5::read_vector(g.get(), "agents/is_observer");
  const std::size_t n_fleets = static_cast<std::size_t>(std::count(observer.begin(), observer.end(), 1.0));
  const std::size_t first_fleet = machines.size() - n_fleets;

  const CsvTable user = read_csv(data_dir / ("user_values_" + article + ".csv"));
  const auto u_s = user.column("strategy"), u_m = user.column("machine_type"), u_e = user.column("elec_cost"),
             u_d = user.column("day");
  const char* columns[] = {"n_machines", "BTC", "USD", "total_position_usd"};
  const char* datasets[] = {"fleets/machines", "fleets/btc", "fleets/usd", "fleets/value_usd"};
  using Key = std::tuple<std::string, std::string, std::string>;
  std::map<Key, std::vector<std::vector<double>>> published;  // key -> [column][day]
  for (std::size_t row = 0; row < user.rows.size(); ++row) {
    Key k{user.text(row, u_s), user.text(row, u_m), tariff_key(user.number(row, u_e))};
    auto& cols = published[k];
    if (cols.empty()) cols.assign(4, std::vector<double>(days, std::nan("")));
    const auto d = static_cast<std::size_t>(user.integer(row, u_d));
    if (d >= days) continue;
    for (int c = 0; c < 4; ++c) cols[static_cast<std::size_t>(c)][d] = user.number(row, user.column(columns[c]));
  }
  for (int c = 0; c < 4; ++c) {
    const auto sim = h5::read_vector(g.get(), datasets[c]);  // [paths, fleets, days]
    for (std::size_t fl = 0; fl < n_fleets; ++fl) {
      const std::size_t a = first_fleet + fl;
      Key k{published_strategy(strategies[a]), machines[a], tariff_key(tariffs[a])};
      auto it = published.find(k);
      if (it == published.end())
        throw Error("published user_values_" + article + ".csv has no fleet " + std::get<0>(k) + " / " +
                    std::get<1>(k) + " / " + std::get<2>(k));
      const auto& pub = it->second[static_cast<std::size_t>(c)];
      double scale = 0.0;
      for (double v : pub) scale = std::max(scale, std::fabs(v));
      if (scale == 0.0) scale = 1.0;
      for (std::size_t d = 0; d < days; ++d) {
        if (std::isnan(pub[d])) throw Error("published user_values_" + article + ".csv lacks day " + std::to_string(d));
        const double e = std::fabs(mean_over_paths(sim, fl * days, n_fleets * days, d) - pub[d]) / scale;
        if (e > r.max_fleet_rel_error) {
          r.max_fleet_rel_error = e;
          r.worst_fleet = std::get<0>(k) + " / " + std::get<1>(k) + " / " + std::get<2>(k) + " / " + columns[c] +
                          " day " + std::to_string(d);
        }
      }
    }
  }
  r.fleets_compared = n_fleets;
  return r;
}

}  // namespace hashsim::sim
