#pragma once
// The one way hashsim simulates scenarios into a results file: `hashsim run`, `hashsim sweep` and
// `hashsim site --sweep` all go through here, so start sources and the run loop cannot drift apart.
#include <filesystem>
#include <string>
#include <vector>

#include "engine/scenario/scenario.h"
#include "engine/sim/runner.h"
#include "engine/util/atomic_file.h"

namespace hashsim::sim {

// start: {source: static|live|cached} takes its values from the live-data layer. One snapshot per
// source for the whole command, so a sweep of many grid points makes one round of provider calls
// and every point starts from the same state. require_live (`--require-live`): throws
// live::NotLiveError, before any output is opened, when a start value is not live (a static
// default, a stale value) or a scenario does not take its start from the live-data layer at all
// (start.source: scenario), naming them.
void apply_start_sources(std::vector<scenario::Scenario>& list, bool require_live = false);

struct SimulateFileOptions {
  RunOptions run;     // progress_label is set per scenario
  int verbosity = 0;  // > 0: a timing line per scenario on stderr
  // What may happen to an existing output (engine/util/atomic_file.h); kResume continues a
  // killed run's <output>.partial from its last complete block of paths.
  Overwrite overwrite = Overwrite::kReplace;
  bool require_live = false;  // see apply_start_sources
};
// Resolves start sources (apply_start_sources), then simulates every scenario of `list` into a new
// results file at `output` (committed atomically when all are written). Callers never resolve
// start sources themselves, so none can forget to (the `site --sweep` bug of issue 12).
void simulate_to_file(std::vector<scenario::Scenario> list, const std::filesystem::path& output,
                      const std::string& command_line, const SimulateFileOptions& options);

}  // namespace hashsim::sim
