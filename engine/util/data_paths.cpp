#include "engine/util/data_paths.h"

#include <system_error>

#include "engine/util/env.h"

namespace hashsim {

std::filesystem::path executable_path() {
  std::error_code ec;
  auto p = std::filesystem::read_symlink("/proc/self/exe", ec);
  return ec ? std::filesystem::path() : p;
}

std::vector<std::filesystem::path> data_dirs() {
  if (const auto dir = process_env("HASHSIM_DATA_DIR"); dir && !dir->empty())
    return {std::filesystem::path(*dir)};
  std::vector<std::filesystem::path> dirs{"data"};
  const std::filesystem::path exe = executable_path();
  if (exe.empty()) return dirs;
  for (std::filesystem::path d = exe.parent_path(); !d.empty(); d = d.parent_path()) {
    dirs.push_back(d / "data");
    dirs.push_back(d / "share" / "hashsim" / "data");
    if (d == d.root_path()) break;
  }
  return dirs;
}

std::filesystem::path data_file(const std::filesystem::path& relative) {
  const auto dirs = data_dirs();
  for (const auto& d : dirs) {
    std::error_code ec;
    if (std::filesystem::exists(d / relative, ec)) return d / relative;
  }
  return dirs.front() / relative;
}

}  // namespace hashsim
