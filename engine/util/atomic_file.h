#pragma once
// Outputs are written to "<target>.partial" and renamed over the target only when complete, so a
// failed or killed run never leaves a file that looks complete (rename(2) is atomic on POSIX).
//
// What may be at the target path (README "Output files"):
// - nothing: the output is created;
// - a regular file: replaced only with Overwrite::kReplace (the CLI's --force), else an error;
// - a symbolic link: always an error. hashsim never writes through a link (that would replace a
//   file the user did not name) nor replaces the link itself; give the link's target instead.
//   Links in the directories above the file are followed as usual.
// - anything else (directory, FIFO, socket, device node): always an error.
// The same rules apply to a leftover "<target>.partial" (from a killed run): it is replaced only
// with kReplace, or kept and continued with kResume (hashsim run --resume).
// Library writers default to kReplace (caches, temporary files, tests rewrite their own files);
// every CLI command passes the user's choice: kRefuse unless --force (tools/hashsim/command.h).
// The partial file is created with O_EXCL, so nothing that appears at its path in between is
// truncated. Until commit() the partial path is registered for removal on SIGINT/SIGTERM
// (engine/util/signals.h), except in kResume mode, which keeps it to be continued.
#include <filesystem>
#include <string>

namespace hashsim {

enum class Overwrite {
  kRefuse,   // an existing output is an error
  kReplace,  // an existing regular file (or leftover .partial) is replaced
  kResume,   // like kReplace, but a leftover .partial is kept for the writer to continue
};

// Throws hashsim::Error when `target` may not be written under `mode` (see above). Commands call it
// for every output before starting long work, so a refused output costs nothing.
void check_output_path(const std::filesystem::path& target, Overwrite mode);

class AtomicOutput {
 public:
  explicit AtomicOutput(std::filesystem::path target, Overwrite mode = Overwrite::kReplace);
  ~AtomicOutput();  // removes the partial file unless commit() succeeded (kept in kResume mode)
  AtomicOutput(const AtomicOutput&) = delete;
  AtomicOutput& operator=(const AtomicOutput&) = delete;

  const std::filesystem::path& partial_path() const { return partial_; }
  const std::filesystem::path& target_path() const { return target_; }
  // True when a leftover partial file was kept (kResume) for the writer to reopen; otherwise no
  // file exists at partial_path() and the writer must create it exclusively.
  bool partial_kept() const { return partial_kept_; }
  void commit();  // fsyncs the partial file, renames it onto the target (re-checking the target)
  // Removes the partial file now (a writer whose close failed) and forgets it.
  void discard() noexcept;

 private:
  std::filesystem::path target_;
  std::filesystem::path partial_;
  Overwrite mode_;
  bool partial_kept_ = false;
  bool committed_ = false;
  int signal_slot_ = -1;
};

// Writes text to path atomically (temp file + rename), checking every write, fsync and close.
void write_file_atomic(const std::filesystem::path& path, const std::string& contents,
                       Overwrite mode = Overwrite::kReplace);
std::string read_file(const std::filesystem::path& path);

}  // namespace hashsim
