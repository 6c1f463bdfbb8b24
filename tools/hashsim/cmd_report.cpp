// `hashsim report [results.h5] -o report.html [--site site.h5] [--score s.json] [--blocks rev.h5]`:
// one self-contained HTML report.
// `hashsim serve [--port 8080] [--host 127.0.0.1] [--results results.h5] [--site site.yaml]`: the
// site calculator in a browser (engine/report).
#include <csignal>
#include <cstdio>
#include <memory>
#include <string>
#include <vector>

#include "engine/report/html.h"
#include "engine/report/server.h"
#include "engine/util/error.h"
#include "tools/hashsim/command.h"

namespace hashsim::cli {

namespace {
struct ReportFlags {
  std::string results, output = "report.html", site, score, blocks;
};
struct ServeFlags {
  std::string host = "127.0.0.1";
  int port = 8080;
  std::string results, site, blocks;
  std::vector<std::string> allow_hosts;
};
report::DashboardServer* g_server = nullptr;
extern "C" void on_signal(int) {
  if (g_server) g_server->stop();
}
}  // namespace

void register_report_commands(CLI::App& app, GlobalOptions& global) {
  auto rf = std::make_shared<ReportFlags>();
  CLI::App* rep =
      app.add_subcommand("report",
                         "Write a self-contained HTML report (charts, works offline) of a "
                         "results file, with the site analysis when given");
  rep->add_option("results", rf->results,
                  "Results file from hashsim run/sweep (may be left out with --blocks or --score)")
      ->check(CLI::ExistingFile);
  add_output_option(rep, "-o,--output", rf->output, "HTML file to write (default report.html)");
  add_force_flag(rep, global);
  rep->add_option("--site", rf->site,
                  "HDF5 file written by hashsim site -o (adds the site section)")
      ->check(CLI::ExistingFile);
  rep->add_option("--score", rf->score,
                  "JSON written by hashsim score --json (adds the forecast-scores section)")
      ->check(CLI::ExistingFile);
  rep->add_option("--blocks", rf->blocks,
                  "HDF5 written by hashsim blocks revenue --h5 (adds the per-block revenue and "
                  "profit section)")
      ->check(CLI::ExistingFile);
  rep->callback([rf, &global] {
    check_output_path(rf->output, global.overwrite());
    report::write_report(rf->results, rf->site, rf->output, rf->score, global.overwrite(),
                         rf->blocks);
    std::printf("wrote %s\n", rf->output.c_str());
  });

  auto sf = std::make_shared<ServeFlags>();
  CLI::App* serve = app.add_subcommand("serve",
                                       "Serve the site calculator dashboard on this machine "
                                       "(http://127.0.0.1:8080 by default)");
  serve->add_option("--port", sf->port, "TCP port (0: any free port)")->check(CLI::Range(0, 65535));
  serve->add_option("--host", sf->host,
                    "Address to listen on (default 127.0.0.1: this machine only)");
  serve->add_option("--results", sf->results, "Results file from hashsim run/sweep to compute over")
      ->check(CLI::ExistingFile);
  serve
      ->add_option("--site", sf->site,
                   "Site YAML the form starts from (default: the built-in site-default)")
      ->check(CLI::ExistingFile);
  serve
      ->add_option("--blocks", sf->blocks,
                   "HDF5 written by hashsim blocks revenue --h5 (adds the block revenue tab)")
      ->check(CLI::ExistingFile);
  serve->add_option(
      "--allow-host", sf->allow_hosts,
      "Host name the browser may use besides IP addresses and localhost (repeatable; requests "
      "naming other hosts are refused against DNS rebinding)");
  serve->callback([sf, &global] {
    report::DashboardOptions o;
    o.host = sf->host;
    o.port = sf->port;
    o.results = sf->results;
    o.site_file = sf->site;
    o.blocks_file = sf->blocks;
    o.command_line = global.command_line;
    o.allowed_hosts = sf->allow_hosts;
    report::DashboardServer server(o);
    const int port = server.bind();
    if (const std::string w = report::exposure_warning(o.host, port); !w.empty())
      std::fprintf(stderr, "%s\n", w.c_str());
    std::printf("hashsim serve: %s (Ctrl-C to stop)\n",
                report::dashboard_url(o.host, port).c_str());
    std::fflush(stdout);
    g_server = &server;
    std::signal(SIGINT, on_signal);
    std::signal(SIGTERM, on_signal);
    server.listen();
    g_server = nullptr;
  });
}

}  // namespace hashsim::cli
