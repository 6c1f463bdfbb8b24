#pragma once
// Outputs are written to "<target>.partial" and renamed over the target only when complete, so a
// failed or killed run never leaves a file that looks complete (rename(2) is atomic on POSIX).
#include <filesystem>
#include <string>

namespace hashsim {

class AtomicOutput {
 public:
  explicit AtomicOutput(std::filesystem::path target);
  ~AtomicOutput();  // removes the partial file unless commit() succeeded
  AtomicOutput(const AtomicOutput&) = delete;
  AtomicOutput& operator=(const AtomicOutput&) = delete;

  const std::filesystem::path& partial_path() const { return partial_; }
  const std::filesystem::path& target_path() const { return target_; }
  void commit();  // fsyncs the partial file, renames it onto the target

 private:
  std::filesystem::path target_;
  std::filesystem::path partial_;
  bool committed_ = false;
};

// Writes text to path atomically (temp file + rename).
void write_file_atomic(const std::filesystem::path& path, const std::string& contents);
std::string read_file(const std::filesystem::path& path);

}  // namespace hashsim
