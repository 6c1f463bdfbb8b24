#include <spdlog/sinks/stdout_color_sinks.h>
#include <spdlog/spdlog.h>

#include <CLI/CLI.hpp>
#include <exception>
#include <iostream>

#include "engine/util/error.h"
#include "engine/util/version.h"
#include "tools/hashsim/command.h"

int main(int argc, char** argv) {
  // Logs go to stderr so that stdout stays clean for tables and --json output.
  spdlog::set_default_logger(spdlog::stderr_color_mt("hashsim"));
  hashsim::cli::GlobalOptions global;
  for (int i = 0; i < argc; ++i) global.command_line += (i ? " " : "") + std::string(argv[i]);

  CLI::App app{"hashsim: agent-based Monte Carlo engine for Bitcoin-mining economics"};
  app.set_version_flag("--version", std::string(hashsim::kVersion) + " (" + hashsim::kGitSha + ")");
  app.require_subcommand(1);
  bool quiet = false;
  app.add_flag("-v,--verbose", global.verbosity, "More log output (repeat for debug)");
  app.add_flag("-q,--quiet", quiet, "Only warnings and errors");

  hashsim::cli::register_run_commands(app, global);
  hashsim::cli::register_live_commands(app, global);

  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    return app.exit(e);
  } catch (const hashsim::Error& e) {
    std::cerr << "hashsim: error: " << e.what() << "\n";
    return 1;
  } catch (const std::exception& e) {
    std::cerr << "hashsim: error: " << e.what() << "\n";
    return 1;
  }
  return 0;
}
