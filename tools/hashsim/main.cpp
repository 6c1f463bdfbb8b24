#include <spdlog/sinks/stdout_color_sinks.h>
#include <spdlog/spdlog.h>

#include <CLI/CLI.hpp>
#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <exception>
#include <iostream>
#include <string_view>

#include "engine/io/hdf5.h"
#include "engine/sim/shard.h"
#include "engine/util/error.h"
#include "engine/util/option_error.h"
#include "engine/util/signals.h"
#include "engine/util/version.h"
#include "tools/hashsim/command.h"
#include "build_info.h"  // HASHSIM_VERSION_BUILD_INFO, HASHSIM_WITH_REPORT (generated)

namespace {
// An argument as a POSIX shell would need it, so the recorded command line can be run again as
// written: bare when it only has safe characters, else in single quotes ('\'' for a quote).
std::string shell_quoted(const std::string& arg) {
  const bool safe = !arg.empty() && arg.find_first_not_of(
                                        "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
                                        "0123456789_-+=.,:/@%") == std::string::npos;
  if (safe) return arg;
  std::string q = "'";
  for (char c : arg) q += c == '\'' ? std::string("'\\''") : std::string(1, c);
  return q + "'";
}
// What `hashsim --version` prints: version, git sha, how this binary was built (compiler, build
// type, options) and the SIMD width the agent loops were compiled for (CMakeLists.txt,
// HASHSIM_AVX2: x86-64-v3 gives 256-bit AVX2, the portable build 128-bit SSE2).
std::string version_text() {
#if defined(__AVX512F__)
  const char* simd = "512-bit (AVX-512)";
#elif defined(__AVX2__)
  const char* simd = "256-bit (AVX2)";
#elif defined(__SSE2__) || defined(__ARM_NEON)
  const char* simd = "128-bit (SSE2/NEON)";
#else
  const char* simd = "scalar";
#endif
  std::string s = std::string("hashsim ") + hashsim::kVersion + "\n";
  s += std::string("git sha: ") + hashsim::kGitSha + "\n";
  s += std::string("build: ") + HASHSIM_VERSION_BUILD_INFO + "\n";
  s += std::string("SIMD width: ") + simd;
  return s;
}
// The CLI spelling of an option key in a library's error (hashsim::OptionError): --from-height for
// from_height when the command that ran (or a parent) has that flag, else the key as written.
std::string flag_name(const CLI::App& app, std::string_view key) {
  std::string flag = "--" + std::string(key);
  std::replace(flag.begin(), flag.end(), '_', '-');
  for (const CLI::App* cmd = &app; cmd != nullptr;) {
    if (cmd->get_option_no_throw(flag) != nullptr) return flag;
    const auto chosen = cmd->get_subcommands();
    cmd = chosen.empty() ? nullptr : chosen.front();
  }
  return std::string(key);
}
}  // namespace

int main(int argc, char** argv) {
  // Under mpirun this starts MPI (engine/sim/shard.h); run and sweep then shard their paths.
  hashsim::sim::shard_init(&argc, &argv);
  const bool mpi_job = hashsim::sim::shard_world().size > 1;
  // Logs go to stderr so that stdout stays clean for tables and --json output.
  spdlog::set_default_logger(spdlog::stderr_color_mt("hashsim"));
  hashsim::cli::GlobalOptions global;
  for (int i = 0; i < argc; ++i) global.command_line += (i ? " " : "") + shell_quoted(argv[i]);

  CLI::App app{"hashsim: agent-based Monte Carlo engine for Bitcoin-mining economics"};
  app.set_version_flag("--version", version_text(),
                       "Print version, git sha, build flags and SIMD width, and exit");
  app.require_subcommand(1);
  app.fallthrough();  // global flags (-v, -q) are accepted after the subcommand too
  // Flag callbacks run while parsing, before any subcommand's callback does its work.
  app.add_flag_function(
      "-v,--verbose",
      [&global](std::int64_t count) {
        global.verbosity = static_cast<int>(count);
        spdlog::set_level(count > 1 ? spdlog::level::debug : spdlog::level::info);
      },
      "More log output (-vv for debug)");
  app.add_flag_callback(
      "-q,--quiet", [] { spdlog::set_level(spdlog::level::warn); }, "Only warnings and errors");

  hashsim::cli::register_run_commands(app, global);
  hashsim::cli::register_reference_commands(app, global);
  hashsim::cli::register_history_commands(app, global);
  hashsim::cli::register_site_commands(app, global);
  hashsim::cli::register_live_commands(app, global);
#if HASHSIM_WITH_REPORT
  hashsim::cli::register_report_commands(app, global);
#endif
  hashsim::cli::register_blocks_commands(app, global);
  hashsim::cli::register_bench_commands(app, global);

  // Ctrl-C / SIGTERM remove partial outputs and exit 130 / 143 (engine/util/signals.h).
  hashsim::install_interrupt_handlers();
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    // --help / --version exit 0; every usage error exits 2 with CLI11's message (README "Exit
    // codes"), not CLI11's own 105-114 codes.
    const int rc = app.exit(e);
    if (rc != 0 && mpi_job) hashsim::sim::shard_abort(2);
    hashsim::sim::shard_finalize();
    return rc == 0 ? 0 : 2;
  } catch (const std::exception& e) {
    const auto* option_error = dynamic_cast<const hashsim::OptionError*>(&e);
    std::cerr << "hashsim: error: "
              << (option_error != nullptr ? option_error->rendered([&app](std::string_view key) {
                   return flag_name(app, key);
                 })
                                          : std::string(e.what()))
              << std::endl;
    // MPI: the partial output is gone (rank 0 unwound); end every rank, none may wait forever.
    if (mpi_job) {
      spdlog::shutdown();
      std::fflush(nullptr);
      hashsim::sim::shard_abort(1);
    }
    // The partial output is gone (removed while unwinding). After a failed HDF5 close (full disk)
    // the library's exit handler would crash closing that file again: end here instead.
    if (hashsim::h5::close_failed()) {
      spdlog::shutdown();
      std::fflush(nullptr);
      std::_Exit(1);
    }
    return 1;
  }
  hashsim::sim::shard_finalize();
  return 0;
}
