// Loads a scenario and simulates two paths in memory with the installed library; prints the
// version, the scenario name and the mean final BTC price (finite, positive).
#include <cmath>
#include <cstdio>
#include <cstring>
#include <vector>

#include "engine/io/schema.h"
#include "engine/scenario/scenario.h"
#include "engine/sim/runner.h"
#include "engine/util/version.h"

int main(int argc, char** argv) {
  if (argc != 2) return 2;
  hashsim::scenario::Scenario s = hashsim::scenario::load_scenario(argv[1]);
  s.paths = 2;
  s.horizon_days = 30;
  const auto specs = hashsim::sim::output_specs(s);
  namespace sc = hashsim::io::schema;
  const std::string price = sc::paths_dataset(sc::kSeriesPriceUsd);
  double sum = 0.0;
  int n = 0;
  hashsim::sim::RunOptions o;
  o.threads = 1;
  hashsim::sim::run_paths(
      s, 0, 2, o, [&](std::uint64_t, std::uint64_t paths, const std::vector<const double*>& data) {
        for (std::size_t k = 0; k < specs.size(); ++k) {
          if (specs[k].name != price) continue;
          const std::uint64_t days = specs[k].per_path_size();
          for (std::uint64_t p = 0; p < paths; ++p, ++n) sum += data[k][p * days + days - 1];
        }
      });
  const double mean = n ? sum / n : NAN;
  std::printf("hashsim %s %s mean_final_price_usd=%.2f\n", hashsim::kVersion, s.name.c_str(), mean);
  return std::isfinite(mean) && mean > 0.0 ? 0 : 1;
}
