#pragma once
// Each `hashsim` subcommand lives in its own cmd_<name>.cpp and registers itself on the CLI11 app
// through one function declared here; main.cpp calls them in order. Handlers throw hashsim::Error
// on bad input; main turns that into "hashsim: error: ..." and exit code 1.
#include <CLI/CLI.hpp>
#include <cerrno>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <limits>
#include <optional>
#include <string>

#include "engine/util/atomic_file.h"

namespace hashsim::cli {

struct GlobalOptions {
  std::string command_line;  // the full argv joined, recorded as provenance
  int verbosity = 0;         // -v / -q
  bool force = false;        // --force: replace existing output files
  Overwrite overwrite() const { return force ? Overwrite::kReplace : Overwrite::kRefuse; }
};

// Every command that writes files takes --force (README "Output files").
inline void add_force_flag(CLI::App* cmd, GlobalOptions& global) {
  cmd->add_flag("--force", global.force,
                "Replace existing output files (never links, FIFOs or devices)");
}

// An output path option: an empty value is an error (exit 2), not "use the default".
inline CLI::Option* add_output_option(CLI::App* cmd, const std::string& names, std::string& target,
                                      const std::string& description) {
  return cmd->add_option(names, target, description)
      ->check(CLI::Validator(
          [](std::string& v) {
            return v.empty() ? std::string("the output path must not be empty") : std::string();
          },
          "PATH"));
}

// --json: the command's table as a JSON document on stdout instead (README "Machine-readable
// output"); stdout then holds the document alone, and "wrote FILE" lines go to stderr.
inline CLI::Option* add_json_flag(CLI::App* cmd, bool& json) {
  return cmd->add_flag("--json", json,
                       "Print the table as JSON on stdout instead (README \"Machine-readable "
                       "output\")");
}
inline void report_written(const std::string& path, bool json) {
  std::fprintf(json ? stderr : stdout, "wrote %s\n", path.c_str());
}

// --lanes: paths the agents' day advances together (SIMD lanes across paths, README
// "Performance"): 1, 2 or 4; the default is the build's (agents::kNativeLanes). Results do not
// depend on it.
inline CLI::Option* add_lanes_option(CLI::App* cmd, int& lanes) {
  return cmd
      ->add_option("--lanes", lanes,
                   "Paths per SIMD step of the agents (1, 2 or 4; default: 4 with AVX, else 1); "
                   "results are the same for every value")
      ->check(CLI::IsMember({1, 2, 4}));
}

// --seed: a decimal integer in [0, 2^63 - 1], the range a scenario's `seed:` takes and the results
// file records (as int64). "-1", "1e3" and 2^64 are errors rather than wrapped or rounded.
inline CLI::Option* add_seed_option(CLI::App* cmd, std::optional<std::uint64_t>& seed,
                                    const std::string& description) {
  return cmd
      ->add_option_function<std::string>(
          "--seed",
          [&seed](const std::string& v) {
            if (v.empty() || v.find_first_not_of("0123456789") != std::string::npos)
              throw CLI::ValidationError(
                  "--seed", "'" + v + "' is not a whole number in [0, 9223372036854775807]");
            errno = 0;
            const unsigned long long x = std::strtoull(v.c_str(), nullptr, 10);
            if (errno == ERANGE ||
                x > static_cast<unsigned long long>(std::numeric_limits<std::int64_t>::max()))
              throw CLI::ValidationError("--seed", v + " is out of range [0, 9223372036854775807]");
            seed = static_cast<std::uint64_t>(x);
          },
          description)
      ->type_name("UINT");
}

void register_run_commands(CLI::App& app, GlobalOptions& global);        // run, sweep
void register_reference_commands(CLI::App& app, GlobalOptions& global);  // reproduce-2021
void register_history_commands(CLI::App& app, GlobalOptions& global);    // calibrate, backtest
void register_site_commands(CLI::App& app, GlobalOptions& global);       // site
void register_live_commands(CLI::App& app, GlobalOptions& global);       // live, health
void register_report_commands(CLI::App& app, GlobalOptions& global);     // report, serve
void register_blocks_commands(CLI::App& app,
                              GlobalOptions& global);  // blocks sync, blocks revenue, validate
void register_bench_commands(CLI::App& app, GlobalOptions& global);  // bench

}  // namespace hashsim::cli
