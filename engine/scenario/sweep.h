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

}  // namespace hashsim::scenario
