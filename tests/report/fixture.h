#pragma once
// A small results file simulated once per test program from tests/report/data (two agent
// scenarios with observer fleets, 2 years so the 2028 halving falls inside), and its site run.
#include <unistd.h>

#include <filesystem>
#include <string>

#include "engine/io/results_file.h"
#include "engine/scenario/scenario.h"
#include "engine/sim/runner.h"

namespace hashsim::report::testing {

inline const std::filesystem::path kData =
    std::filesystem::path(HASHSIM_SOURCE_DIR) / "tests/report/data";

// One directory per process (CTest runs each test case as its own process, in parallel with -j),
// removed when the process ends.
inline std::filesystem::path temp_dir() {
  struct Dir {
    std::filesystem::path path;
    Dir()
        : path(std::filesystem::path(HASHSIM_BINARY_DIR) / "report_test_tmp" /
               std::to_string(::getpid())) {
      std::filesystem::create_directories(path);
    }
    ~Dir() {
      std::error_code ec;
      std::filesystem::remove_all(path, ec);
    }
  };
  static const Dir dir;
  return dir.path;
}

// Simulated on first use (16 paths per scenario, 2 threads).
inline const std::filesystem::path& results_file() {
  static const std::filesystem::path file = [] {
    const auto f = temp_dir() / "results.h5";
    io::ResultsFile out(f, "report_tests");
    for (const char* n : {"base", "bear"}) {
      const auto s = scenario::load_scenario(kData / (std::string(n) + ".yaml"), {16, {}, {}});
      sim::RunOptions o;
      o.threads = 2;
      sim::run_scenario(s, out.begin_scenario(s, sim::output_specs(s)), o);
    }
    out.commit();
    return f;
  }();
  return file;
}

}  // namespace hashsim::report::testing
