#pragma once
// A uniquely named file in the system temporary directory, removed when the object goes out of
// scope (replay CSVs and results files that live only as long as one run or check).
#include <unistd.h>

#include <atomic>
#include <filesystem>
#include <string>
#include <system_error>

namespace hashsim {

class TempFile {
 public:
  explicit TempFile(const std::string& stem, const std::string& extension = ".csv") {
    static std::atomic<int> counter{0};
    path_ = std::filesystem::temp_directory_path() /
            (stem + "-" + std::to_string(::getpid()) + "-" + std::to_string(counter++) + extension);
  }
  ~TempFile() {
    std::error_code ec;
    std::filesystem::remove(path_, ec);
  }
  TempFile(const TempFile&) = delete;
  TempFile& operator=(const TempFile&) = delete;
  const std::filesystem::path& path() const { return path_; }

 private:
  std::filesystem::path path_;
};

}  // namespace hashsim
