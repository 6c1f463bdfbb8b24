#pragma once
// A sweep: several scenarios and/or a parameter grid, run into one results file so they can be
// compared side by side. Keys: scenarios/README.md ("Sweep files").
#include <filesystem>
#include <string>
#include <vector>

#include "engine/scenario/scenario.h"

namespace hashsim::scenario {

struct Sweep {
  std::string name;
  std::filesystem::path file;
  std::string yaml_text;
  std::vector<Scenario> scenarios;  // grid points expanded, names made unique
};

Sweep load_sweep(const std::filesystem::path& file, const Overrides& overrides = {});

// A scenario key set from outside the file, as a sweep grid does: dotted name and a YAML value
// (e.g. {"price.vol_per_sqrt_year", "0.8"}).
struct KeyOverride {
  std::string key;
  std::string yaml_value;
};

// Loads a scenario file with dotted keys set (created when the file leaves them at their
// default), then validates it as load_scenario does; errors name the file, line and key. The
// scenario's `variant` records the keys ("price.vol_per_sqrt_year=0.8").
Scenario load_scenario_with_keys(const std::filesystem::path& file,
                                 const std::vector<KeyOverride>& keys,
                                 const Overrides& overrides = {});

}  // namespace hashsim::scenario
