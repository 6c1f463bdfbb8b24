#pragma once
// Parallel path runner. Paths are cut into blocks; a TBB pipeline simulates blocks in parallel
// (one PathSimulator workspace per worker thread) and hands them to the writer serially in path
// order, with a bounded number of blocks in flight, so memory does not grow with the path count
// and every byte written is independent of the thread count and block size.
#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "agents/archetype_table.h"
#include "engine/io/results_file.h"
#include "engine/scenario/scenario.h"
#include "engine/sim/shard.h"

namespace hashsim::sim {

struct RunOptions {
  int threads = 0;                 // 0: all cores
  std::uint64_t block_paths = 64;  // paths per block handed to the writer
  // Paths the agents' day advances together (SIMD lanes, agents/lanes.h): 1, 2 or 4; 0: the
  // build's default, agents::kNativeLanes. Results are the same for every value.
  int lanes = 0;
  bool progress = false;  // progress line on stderr
  std::string progress_label;
  // MPI (engine/sim/shard.h): this process simulates only the blocks b with b mod size == rank.
  Shard shard;
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
// folding summaries). With options.shard.size > 1 this is rank 0: it simulates its own blocks and
// receives the others' from run_scenario_shard, writing every block in path order.
RunStats run_scenario(const scenario::Scenario& s, io::ScenarioWriter& writer,
                      const RunOptions& options);
// The other ranks' side of run_scenario: simulates this rank's blocks and sends them to rank 0.
RunStats run_scenario_shard(const scenario::Scenario& s, const RunOptions& options);

// Receives one block of simulated paths, serially and in path order: data[k] points at
// n_paths * output_specs(s)[k].per_path_size() doubles, path-major (the layout write_block takes).
using BlockSink = std::function<void(std::uint64_t first_path, std::uint64_t n_paths,
                                     const std::vector<const double*>& data)>;

// Simulates paths [first_path, first_path + n_paths) of the scenario through the same pipeline as
// run_scenario, handing blocks to `sink` instead of a results file (benchmarks, tests, in-memory
// consumers). Path i gets the same numbers as in a full run. An empty sink discards the blocks.
RunStats run_paths(const scenario::Scenario& s, std::uint64_t first_path, std::uint64_t n_paths,
                   const RunOptions& options, const BlockSink& sink);

}  // namespace hashsim::sim
