#pragma once
// Each `hashsim` subcommand lives in its own cmd_<name>.cpp and registers itself on the CLI11 app
// through one function declared here; main.cpp calls them in order. Handlers throw hashsim::Error
// on bad input; main turns that into "hashsim: error: ..." and exit code 1.
#include <CLI/CLI.hpp>
#include <string>

namespace hashsim::cli {

struct GlobalOptions {
  std::string command_line;  // the full argv joined, recorded as provenance
  int verbosity = 0;         // -v / -q
};

void register_run_commands(CLI::App& app, GlobalOptions& global);        // run, sweep
void register_reference_commands(CLI::App& app, GlobalOptions& global);  // reproduce-2021
void register_history_commands(CLI::App& app, GlobalOptions& global);    // calibrate, backtest
void register_site_commands(CLI::App& app, GlobalOptions& global);       // site
void register_live_commands(CLI::App& app, GlobalOptions& global);       // live, health
void register_report_commands(CLI::App& app, GlobalOptions& global);     // report, serve
void register_blocks_commands(CLI::App& app, GlobalOptions& global);     // blocks sync, blocks revenue, validate

}  // namespace hashsim::cli
