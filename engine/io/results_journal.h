#pragma once
// The write-ahead journal behind `hashsim run|sweep --resume` (README "Resuming a killed run").
//
// Why a journal and not the HDF5 file itself: HDF5 files are not crash-consistent. A kill -9 during
// a write or a flush can leave the file's metadata (chunk index, free-space and end-of-allocation
// records) half on disk, and a later write into the reopened file can then fail or land on top of
// other data. (Resuming into the killed file failed about 1 time in 5 in the kill -9 test.) So the
// killed results file is never continued: every block of paths is also appended to
// <target>.partial.journal, an append-only file of records that each carry their length and a
// SHA-256 of their bytes. A kill can only tear the last record; reopening keeps the whole records,
// cuts the torn tail, and --resume writes the journalled blocks into a new results file and
// simulates the rest. This covers a killed process (the kernel keeps what was written); it does not
// claim to survive a power cut, for which each record would need an fsync.
//
// Record layout (little-endian as written by this machine; the journal never leaves it):
//   "HSJ1" | u32 type | u64 payload bytes | payload | 64 hex chars of SHA-256(type, length,
//   payload) type 1, scenario: u64 index | identity text (what decides the scenario's numbers) type
//   2, block:    u64 index | u64 first path | u64 paths | u64 outputs | u64 doubles per path
//                     of each output | the doubles of each output in turn, path-major
#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

namespace hashsim::io {

class ResultsJournal {
 public:
  struct Block {
    std::uint64_t first_path = 0;
    std::uint64_t n_paths = 0;
    std::uint64_t offset = 0;  // of the record's payload in the file
    std::uint64_t payload_bytes = 0;
  };
  struct Scenario {
    std::uint64_t index = 0;  // the order of the scenario in the run (0, 1, ...)
    std::string identity;
    std::vector<Block> blocks;  // in path order, contiguous from path 0
  };

  // Creates an empty journal at `path` (replacing any file there).
  static ResultsJournal create(const std::filesystem::path& path);
  // Opens the journal a killed run left: keeps every whole record, cuts the file after the last
  // one, and appends after it. Records that do not continue their scenario's paths (a gap, or a
  // scenario out of order) end the kept part too.
  static ResultsJournal reopen(const std::filesystem::path& path);

  ResultsJournal(ResultsJournal&& other) noexcept;
  ResultsJournal& operator=(ResultsJournal&& other) noexcept;
  ResultsJournal(const ResultsJournal&) = delete;
  ResultsJournal& operator=(const ResultsJournal&) = delete;
  ~ResultsJournal();

  const std::filesystem::path& path() const { return path_; }
  // The journalled scenarios, in run order (index 0, 1, ...).
  const std::vector<Scenario>& scenarios() const { return scenarios_; }

  void append_scenario(std::uint64_t index, const std::string& identity);
  // data[k] holds n_paths * doubles_per_path[k] doubles.
  void append_block(std::uint64_t index, std::uint64_t first_path, std::uint64_t n_paths,
                    const std::vector<std::uint64_t>& doubles_per_path,
                    const std::vector<const double*>& data);
  // Reads a journalled block back: out[k] gets n_paths * doubles_per_path[k] doubles. Throws when
  // the block's outputs differ from doubles_per_path.
  void read_block(const Block& b, const std::vector<std::uint64_t>& doubles_per_path,
                  std::vector<std::vector<double>>& out) const;

 private:
  ResultsJournal(std::filesystem::path path, int fd) : path_(std::move(path)), fd_(fd) {}
  void append_record(std::uint32_t type, const std::string& payload);

  std::filesystem::path path_;
  int fd_ = -1;
  std::vector<Scenario> scenarios_;
};

// The paths of each journalled scenario (for tests and messages): {index, paths covered from 0}.
std::vector<std::pair<std::uint64_t, std::uint64_t>> journal_coverage(
    const std::filesystem::path& path);

}  // namespace hashsim::io
