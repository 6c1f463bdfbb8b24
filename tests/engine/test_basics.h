#pragma once
// Helpers shared by the tests of every module (no HDF5; tests/engine/test_support.h adds the
// HDF5 ones): the source and build trees, a self-removing temporary directory, small file
// writers, the message of a hashsim::Error, and running the hashsim executable (through the shell,
// or as a child process the test can signal and wait for). Every test owns its files: a TempDir
// each, and logs inside it.
#include <fcntl.h>
#include <gtest/gtest.h>
#include <signal.h>
#include <stdlib.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

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

struct SpawnOptions {
  // The child's whole environment ("NAME=value" each); the test's own when not given.
  std::optional<std::vector<std::string>> env = std::nullopt;
  // RLIMIT_FSIZE in bytes, with SIGXFSZ ignored: every write past it fails with EFBIG, as a write
  // to a full disk fails with ENOSPC.
  std::optional<rlim_t> file_size_limit = std::nullopt;
};

// Starts `hashsim <args>` as a child process in the source tree (default data paths resolve
// there), its stdout and stderr to `log`; returns its pid (-1 when fork fails). Everything the
// child needs is built before fork: between fork and exec, a child of a process with threads (a
// loopback server) may make async-signal-safe calls only.
inline pid_t spawn_hashsim(const std::vector<std::string>& args, const std::filesystem::path& log,
                           const SpawnOptions& o = {}) {
  std::vector<std::string> words{kHashsim};
  words.insert(words.end(), args.begin(), args.end());
  std::vector<char*> argv;
  argv.reserve(words.size() + 1);
  for (auto& w : words) argv.push_back(w.data());
  argv.push_back(nullptr);
  std::vector<std::string> env = o.env.value_or(std::vector<std::string>{});
  std::vector<char*> envp;
  envp.reserve(env.size() + 1);
  for (auto& e : env) envp.push_back(e.data());
  envp.push_back(nullptr);
  const std::string dir = kSourceDir.string(), log_path = log.string();
  const pid_t pid = ::fork();
  if (pid != 0) return pid;
  if (::chdir(dir.c_str()) != 0) ::_exit(126);
  const int fd = ::open(log_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
  if (fd < 0) ::_exit(126);
  ::dup2(fd, 1);
  ::dup2(fd, 2);
  if (o.file_size_limit) {
    ::signal(SIGXFSZ, SIG_IGN);
    const rlimit r{*o.file_size_limit, *o.file_size_limit};
    ::setrlimit(RLIMIT_FSIZE, &r);
  }
  if (o.env)
    ::execve(kHashsim.c_str(), argv.data(), envp.data());
  else
    ::execv(kHashsim.c_str(), argv.data());
  ::_exit(127);
}

struct ChildResult {
  int exit_code = -1;  // -1 when killed by a signal
  int signal = 0;
  std::string out;  // stdout and stderr
};

// Waits for the child `pid` to end; its log is read back.
inline ChildResult wait_for(pid_t pid, const std::filesystem::path& log) {
  int status = 0;
  ::waitpid(pid, &status, 0);
  ChildResult r;
  if (WIFEXITED(status)) r.exit_code = WEXITSTATUS(status);
  if (WIFSIGNALED(status)) r.signal = WTERMSIG(status);
  r.out = read_text(log);
  return r;
}

}  // namespace hashsim::test_support
