#pragma once
// Helpers shared by the tests of every module (no HDF5; tests/engine/test_support.h adds the
// HDF5 ones): the source and build trees, a self-removing temporary directory, small file
// writers, the message of a hashsim::Error, and running the hashsim executable. Every test owns
// its files: a TempDir each, and logs inside it.
#include <gtest/gtest.h>
#include <stdlib.h>
#include <sys/wait.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <stdexcept>
#include <string>

#include "engine/util/error.h"

namespace hashsim::test_support {

inline const std::filesystem::path kSourceDir{HASHSIM_SOURCE_DIR};
inline const std::filesystem::path kBinaryDir{HASHSIM_BINARY_DIR};

class TempDir {
 public:
  TempDir() {
    std::string tmpl = (std::filesystem::temp_directory_path() / "hashsim-test-XXXXXX").string();
    if (::mkdtemp(tmpl.data()) == nullptr) throw std::runtime_error("mkdtemp failed");
    path_ = tmpl;
  }
  ~TempDir() {
    std::error_code ec;
    std::filesystem::remove_all(path_, ec);
  }
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  const std::filesystem::path& path() const { return path_; }
  std::filesystem::path operator/(const std::string& name) const { return path_ / name; }

 private:
  std::filesystem::path path_;
};

inline void write_text(const std::filesystem::path& p, const std::string& text) {
  std::ofstream f(p, std::ios::binary | std::ios::trunc);
  f << text;
  if (!f) throw std::runtime_error("cannot write " + p.string());
}

inline std::string read_text(const std::filesystem::path& p) {
  std::ifstream f(p, std::ios::binary);
  return std::string(std::istreambuf_iterator<char>(f), std::istreambuf_iterator<char>());
}

// The message of the hashsim::Error that `load` throws (a test failure if it throws none;
// `input` is shown in that failure).
template <class Load>
std::string error_of(Load load, const std::string& input) {
  try {
    load();
  } catch (const Error& e) {
    return e.what();
  }
  ADD_FAILURE() << "no error for:\n" << input;
  return "";
}
template <class Run>
std::string error_of(Run run) {
  return error_of(run, "(see the test)");
}

// The hashsim executable of this build.
inline const std::string kHashsim = (kBinaryDir / "tools/hashsim/hashsim").string();

// Exit status of a shell command; -1 when it did not exit normally (killed by a signal).
inline int exit_code(const std::string& command) {
  const int rc = std::system(command.c_str());
  return WIFEXITED(rc) ? WEXITSTATUS(rc) : -1;
}

struct CliRun {
  int status = -1;
  std::string out;  // stdout and stderr
};

// Runs `hashsim <args>` (shell words, quoted by the caller) from the source tree, so the default
// data paths (data/..., scenarios/...) resolve; its stdout and stderr go to `log`, a file of the
// calling test's own.
inline CliRun run_hashsim(const std::string& args, const std::filesystem::path& log) {
  CliRun r;
  r.status = exit_code("cd '" + kSourceDir.string() + "' && '" + kHashsim + "' " + args + " > '" +
                       log.string() + "' 2>&1");
  r.out = read_text(log);
  return r;
}

}  // namespace hashsim::test_support
