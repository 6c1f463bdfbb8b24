// `hashsim reproduce-2021`: runs the five reference-2021 scenarios and compares them with the
// published outputs of the 2021 model.
#include <nlohmann/json.hpp>

#include <cstdio>

#include "engine/sim/reference_check.h"
#include "engine/util/error.h"
#include "tools/hashsim/command.h"

namespace hashsim::cli {

void register_reference_commands(CLI::App& app, GlobalOptions&) {
  struct Flags {
    std::string scenarios_dir = "scenarios/reference-2021";
    std::string data_dir = "data/reference-2021";
    double tolerance = 1e-3;
    int threads = 0;
    bool json = false;
  };
  auto f = std::make_shared<Flags>();
  CLI::App* cmd = app.add_subcommand(
      "reproduce-2021",
      "Check that the reference-2021 profile reproduces the published 2021 model (5 scenarios)");
  cmd->add_option("--scenarios-dir", f->scenarios_dir, "Folder of the reference scenario YAMLs")
      ->check(CLI::ExistingDirectory);
  cmd->add_option("--data-dir", f->data_dir,
                  "Folder of env_values_*.csv / user_values_*.csv / paths_*.csv")
      ->check(CLI::ExistingDirectory);
  cmd->add_option("--tolerance", f->tolerance, "Largest relative error accepted")
      ->check(CLI::Range(0.0, 1.0));
  cmd->add_option("--threads", f->threads, "Worker threads (default: all cores)")
      ->check(CLI::Range(1, 1024));
  cmd->add_flag("--json", f->json,
                "Print the table as JSON on stdout (README \"Machine-readable output\")");
  cmd->callback([f] {
    if (!f->json)
      std::printf("%-20s %6s | %14s %5s | %14s  %s\n", "scenario", "fleets", "hashrate err", "day",
                  "fleet err", "worst fleet value");
    double worst = 0.0;
    nlohmann::json rows = nlohmann::json::array();
    for (const auto& name : sim::reference_2021_scenarios()) {
      const auto r = sim::check_reference_2021(
          std::filesystem::path(f->scenarios_dir) / (name + ".yaml"), f->data_dir, f->threads);
      if (f->json)
        rows.push_back({{"scenario", name},
                        {"fleets_compared", r.fleets_compared},
                        {"max_hashrate_rel_error", r.max_hashrate_rel_error},
                        {"worst_hashrate_day", r.worst_hashrate_day},
                        {"max_fleet_rel_error", r.max_fleet_rel_error},
                        {"worst_fleet", r.worst_fleet}});
      else
        std::printf("%-20s %6zu | %14.3e %5d | %14.3e  %s\n", name.c_str(), r.fleets_compared,
                    r.max_hashrate_rel_error, r.worst_hashrate_day, r.max_fleet_rel_error,
                    r.worst_fleet.c_str());
      worst = std::max({worst, r.max_hashrate_rel_error, r.max_fleet_rel_error});
    }
    if (f->json)
      std::printf("%s\n", nlohmann::json{{"schema", "hashsim.reproduce_2021"},
                                         {"schema_version", 1},
                                         {"scenarios", rows},
                                         {"worst_rel_error", worst},
                                         {"tolerance", f->tolerance},
                                         {"reproduced", worst <= f->tolerance}}
                              .dump(2)
                              .c_str());
    else
      std::printf("worst relative error %.3e (tolerance %.1e): %s\n", worst, f->tolerance,
                  worst <= f->tolerance ? "REPRODUCED" : "NOT REPRODUCED");
    if (worst > f->tolerance) throw Error("reference-2021 reproduction outside tolerance");
  });
}

}  // namespace hashsim::cli
