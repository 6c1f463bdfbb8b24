#pragma once
// The HDF5 results file (schema documented in README.md, "Output schema"). One file holds one or
// more scenarios under /scenarios/<name>; per-path arrays are written block by block in path
// order while the runner streams, and summaries over paths are folded from the file afterwards
// in bounded memory. The file is written as <target>.partial and renamed by commit().
#include <cstdint>
#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include "engine/io/hdf5.h"
#include "engine/io/schema.h"
#include "engine/scenario/scenario.h"
#include "engine/util/atomic_file.h"

namespace hashsim::io {

inline constexpr std::int64_t kSchemaVersion = schema::kResultsVersion;

struct OutputSpec {
  std::string name;                           // under the scenario group, e.g. "paths/price_usd"
  std::vector<std::uint64_t> per_path_shape;  // e.g. {recorded_days} or {n_fleets, recorded_days}
  std::string unit;
  bool summarize = true;  // mean, stderr and P5..P95 over paths -> summary/<name without "paths/">
  std::vector<std::string>
      dims;  // names of per_path_shape's dimensions (schema::kDim*); `path` precedes them
  std::string long_name;  // CF long_name
  int step_days = 1;      // days between entries of a schema::kDimArchetypeDay dimension
  std::uint64_t per_path_size() const {
    std::uint64_t n = 1;
    for (auto d : per_path_shape) n *= d;
    return n;
  }
};

class ScenarioWriter {
 public:
  // Creates /scenarios/<name>, or with `resume` reopens it after checking that it was written by
  // the same scenario (YAML, seed, paths, days, start values, dataset shapes).
  ScenarioWriter(hid_t file, const scenario::Scenario& s, std::vector<OutputSpec> specs,
                 bool resume = false);
  const std::vector<OutputSpec>& specs() const { return specs_; }
  // data[k] points at n_paths * specs()[k].per_path_size() doubles, path-major.
  void write_block(std::uint64_t first_path, std::uint64_t n_paths,
                   const std::vector<const double*>& data);
  // Folds the summaries and marks the scenario complete. memory_budget_bytes bounds the slab
  // read back per step.
  void finish(std::uint64_t memory_budget_bytes = 64ull << 20);
  hid_t group() const { return group_.get(); }
  // Paths [0, paths_written()) are in the file; after a resume, where the run continues.
  std::uint64_t paths_written() const { return paths_written_; }
  bool complete() const { return complete_; }  // finished already (a resumed file)
  bool resumed() const { return resumed_; }

 private:
  h5::Handle group_;
  std::vector<OutputSpec> specs_;
  std::vector<h5::Handle> datasets_;
  std::uint64_t n_paths_;
  std::uint64_t paths_written_ = 0;
  bool complete_ = false;
  bool resumed_ = false;
};

class ResultsFile {
 public:
  // mode: see AtomicOutput. With Overwrite::kResume a leftover <target>.partial written by the same
  // hashsim build is reopened and each scenario continues after its last complete block of paths
  // (README "Resuming a killed run"); without one the run starts afresh.
  ResultsFile(const std::filesystem::path& target, const std::string& command_line,
              Overwrite mode = Overwrite::kReplace);
  ~ResultsFile();
  ScenarioWriter& begin_scenario(const scenario::Scenario& s, std::vector<OutputSpec> specs);
  hid_t root() const { return file_.get(); }
  bool resumed() const { return resumed_; }
  // Closes the file (checking the flush and the close: a full disk shows up here) and renames it
  // into place; on failure the partial file is removed (kept for a later --resume in kResume mode).
  void commit();
  const std::filesystem::path& target() const { return out_.target_path(); }

 private:
  AtomicOutput out_;
  h5::Handle file_;
  std::vector<std::unique_ptr<ScenarioWriter>> scenarios_;
  bool resumed_ = false;
};

// Writes the agent coordinates (machine, strategy, tariff_usd_per_kwh from agents/) into every
// group of the scenario whose datasets have an `agent` dimension, and names them in each dataset's
// CF `coordinates` attribute, so each group opens in xarray with its agents labelled. Idempotent.
void write_agent_coordinates(hid_t scenario_group);

// Checks a results file opened for reading against the schema (README "Output schema") before
// anything reads it: schema_version, /scenarios, and every dataset's rank, shape and type
// (day/date 1-D and of equal length, paths/* [n_paths, days], agents/* [n_agents], fleets/*
// [n_paths, n_fleets, days], summaries shaped like one path). Throws hashsim::Error naming `path`,
// the dataset and what was expected. Every reader (report, site, serve, the run summary) calls it.
void check_results_schema(hid_t file, const std::string& path);

// Exact summary of one set of samples (quantiles by linear interpolation between order
// statistics, numpy's default "linear" method).
struct SummaryStats {
  double mean, stderr_, p5, p25, p50, p75, p95;
};
SummaryStats summarize_samples(std::vector<double>& samples);  // reorders samples

}  // namespace hashsim::io
