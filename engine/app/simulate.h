#pragma once
// One way to simulate into a results file. `hashsim run`, `hashsim sweep`, `hashsim site --sweep`
// and the Python bindings all call simulate_to_file, so none of them can forget a step (resolving
// start.source, folding summaries, the atomic commit). Sits above the core (sim, io) because
// resolving a live or static start needs the live-data layer.
#include <cstdint>
#include <filesystem>
#include <functional>
#include <string>
#include <vector>

#include "engine/scenario/scenario.h"
#include "engine/sim/runner.h"

namespace hashsim::app {

// start: {source: static|live|cached} takes its values from the live-data layer (environment
// settings: engine/live/options.h). One snapshot per source for the whole list, so a sweep of many
// grid points makes one round of provider calls and every point starts from the same state.
// Scenarios with source `scenario` are left as they are.
void resolve_start_sources(std::vector<scenario::Scenario>& list);

struct SimulateOptions {
  int threads = 0;                 // 0: all cores
  std::uint64_t block_paths = 64;  // paths per block handed to the writer
  bool progress = false;           // progress line on stderr
  std::string command_line;        // recorded as provenance
  // Called after each scenario is written (for a log line); may be empty.
  std::function<void(const scenario::Scenario&, const sim::RunStats&)> on_scenario_done;
};

// Resolves start sources, then simulates every scenario of `list` (in order) into one new HDF5
// results file at `output`: written to <output>.partial and renamed only when complete, so a
// failure leaves no file that looks finished. Returns the scenarios as run (start resolved).
std::vector<scenario::Scenario> simulate_to_file(std::vector<scenario::Scenario> list,
                                                 const std::filesystem::path& output, const SimulateOptions& options);

}  // namespace hashsim::app
