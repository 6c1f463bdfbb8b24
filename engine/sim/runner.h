#pragma once
// Parallel path runner. Paths are cut into blocks; a TBB pipeline simulates blocks in parallel
// (one PathSimulator workspace per worker thread) and hands them to the writer serially in path
// order, with a bounded number of blocks in flight, so memory does not grow with the path count
// and every byte written is independent of the thread count and block size.
#include <cstdint>
#include <functional>
#include <string>

#include "agents/archetype_table.h"
#include "engine/io/results_file.h"
#include "engine/scenario/scenario.h"

namespace hashsim::sim {

struct RunOptions {
  int threads = 0;                 // 0: all cores
  std::uint64_t block_paths = 64;  // paths per block handed to the writer
  bool progress = false;           // progress line on stderr
  std::string progress_label;
};

struct RunStats {
  std::uint64_t paths = 0;
  double seconds = 0.0;
};

// Output datasets a scenario produces (recorded series, plus whatever models add).
std::vector<io::OutputSpec> output_specs(const scenario::Scenario& s);

// Writes the agents' description (machine, strategy, tariff per agent, archetypes first then
// observer fleets) under <group>/agents.
void write_agent_metadata(hid_t group, const agents::ArchetypeTable& t);

// Runs every path of the scenario and writes it through `writer` (then finishes the scenario,
// folding summaries).
RunStats run_scenario(const scenario::Scenario& s, io::ScenarioWriter& writer, const RunOptions& options);

}  // namespace hashsim::sim
