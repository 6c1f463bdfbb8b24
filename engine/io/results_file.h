#pragma once
// The HDF5 results file (schema documented in README.md, "Output schema"). One file holds one or
// more scenarios under /scenarios/<name>; per-path arrays are written block by block in path
// order while the runner streams, and summaries over paths are folded from the file afterwards
// in bounded memory. The file is written as <target>.partial and renamed by commit(); every block
// is also appended to <target>.partial.journal (engine/io/results_journal.h), from which --resume
// rebuilds a killed run.
#include <cstdint>
#include <filesystem>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "engine/io/hdf5.h"
#include "engine/io/results_journal.h"
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
  // Creates /scenarios/<name>. With a journal, every block written is also appended to it as
  // scenario number `journal_index` of the run.
  ScenarioWriter(hid_t file, const scenario::Scenario& s, std::vector<OutputSpec> specs,
                 ResultsJournal* journal = nullptr, std::uint64_t journal_index = 0);
  const std::vector<OutputSpec>& specs() const { return specs_; }
  // data[k] points at n_paths * specs()[k].per_path_size() doubles, path-major.
  void write_block(std::uint64_t first_path, std::uint64_t n_paths,
                   const std::vector<const double*>& data);
  // Folds the summaries and marks the scenario complete. memory_budget_bytes bounds the slab
  // read back per step.
  void finish(std::uint64_t memory_budget_bytes = 64ull << 20);
  hid_t group() const { return group_.get(); }
  // Writes the blocks a killed run journalled for this scenario into the file (not journalled
  // again), so that the run continues after them.
  void replay(const ResultsJournal& journal, const ResultsJournal::Scenario& journalled);
  // Paths [0, paths_written()) are in the file; after a resume, where the run continues.
  std::uint64_t paths_written() const { return paths_written_; }
  bool complete() const { return complete_; }  // finish() has run
  bool resumed() const { return resumed_; }    // replay() wrote journalled paths

 private:
  // The HDF5 rows of one block (not journalled), advancing paths_written_.
  void write_rows(std::uint64_t first_path, std::uint64_t n_paths,
                  const std::vector<const double*>& data);

  h5::Handle group_;
  std::vector<OutputSpec> specs_;
  std::vector<h5::Handle> datasets_;
  std::vector<std::uint64_t> doubles_per_path_;  // of each spec, the journal's block layout
  ResultsJournal* journal_ = nullptr;
  std::uint64_t journal_index_ = 0;
  std::uint64_t n_paths_;
  std::uint64_t paths_written_ = 0;
  bool complete_ = false;
  bool resumed_ = false;
};

class ResultsFile {
 public:
  // mode: see AtomicOutput. With Overwrite::kResume and a leftover <target>.partial, the journal
  // beside it is reopened: each scenario that the journal holds is checked to be the same (build,
  // YAML, seed, paths, days, start values, outputs; else an error naming what differs), its
  // journalled blocks are written into a new results file and the run continues after them
  // (README "Resuming a killed run"). Without a journal the run starts afresh.
  ResultsFile(const std::filesystem::path& target, const std::string& command_line,
              Overwrite mode = Overwrite::kReplace);
  ~ResultsFile();
  ScenarioWriter& begin_scenario(const scenario::Scenario& s, std::vector<OutputSpec> specs);
  hid_t root() const { return file_.get(); }
  bool resumed() const { return resumed_; }
  // Closes the file (checking the flush and the close: a full disk shows up here), renames it
  // into place and removes the journal; on failure the partial file and the journal are removed
  // (kept for a later --resume in kResume mode).
  void commit();
  const std::filesystem::path& journal_path() const { return journal_path_; }
  const std::filesystem::path& target() const { return out_.target_path(); }

 private:
  AtomicOutput out_;
  Overwrite mode_;
  std::filesystem::path journal_path_;
  std::optional<ResultsJournal> journal_;
  int journal_signal_slot_ = -1;
  h5::Handle file_;
  std::vector<std::unique_ptr<ScenarioWriter>> scenarios_;
  bool resumed_ = false;
  bool committed_ = false;
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
