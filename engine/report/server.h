#pragma once
// `hashsim serve`: the site calculator in a browser. A cpp-httplib server on loopback (by
// default) serving the dashboard page, the embedded chart library and a JSON API:
//   GET  /api/meta   results file, scenarios, the default inputs and their allowed ranges
//   GET  /api/blocks the "Block revenue" view of the --blocks file (report/blocks_view.h); 404
//                    when the server was started without one
//   POST /api/site   {site_power_kw, load_factor, power_price_per_kwh, currency, input_currency,
//                     discount_rate, horizon_years, live} -> the engine's site computation over
//                     the results file's paths (site_view_json + inputs, data ages); 400 {error,
//                     field} on bad input; 415 unless the body is sent as application/json
// Keys and secrets stay in the server's environment; no answer carries them.
// Requests whose Host header is not an IP address, localhost or a name given with --allow-host
// are refused (403): a web page on another site cannot reach the server through DNS rebinding.
// A busy port is refused (no SO_REUSEPORT); accepted connections wait in a bounded queue.
#include <nlohmann/json.hpp>

#include <chrono>
#include <filesystem>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "engine/site/site_config.h"

namespace httplib {
class Server;
}

namespace hashsim::report {

struct DashboardOptions {
  std::string host = "127.0.0.1";
  int port = 8080;                    // 0: any free port (tests)
  std::filesystem::path results;      // results file of hashsim run/sweep; empty: none
  std::filesystem::path site_file;    // the site the form starts from; empty: built-in default
  std::filesystem::path blocks_file;  // `hashsim blocks revenue --h5` output; empty: none
  std::size_t max_body_bytes = std::size_t{64} * 1024;
  std::string command_line;
  std::vector<std::string> allowed_hosts;  // Host header names accepted besides IPs and localhost
  int worker_threads = 8;                  // connections served at once
  std::size_t max_queued_connections =
      1024;  // accepted, waiting for a worker; beyond: kernel backlog
};

// The URL to print for a listening address: IPv6 in brackets; a wildcard address (0.0.0.0, ::)
// as the loopback URL that works on this machine.
std::string dashboard_url(const std::string& host, int port);
// A warning when `host` is not a loopback address (others on the network can reach the server),
// else empty.
std::string exposure_warning(const std::string& host, int port);
// Whether a request's Host header names this server: an IP literal (v4, or v6 in brackets),
// "localhost", or one of `allowed` (case-insensitive), with an optional port. DNS rebinding
// sends a foreign name, which is refused.
bool host_header_allowed(const std::string& host_header, const std::vector<std::string>& allowed);

// A bad form value: which input and why.
struct InputError {
  std::string field;  // form field name, "" when not one field
  std::string message;
};

struct ApiReply {
  int status = 200;
  nlohmann::json body;
};

// The API without HTTP (the server calls these; tests may too). Thread-safe.
class SiteCalculator {
 public:
  explicit SiteCalculator(const DashboardOptions& o);
  nlohmann::json meta() const;
  ApiReply site(const std::string& request_body);
  // GET /api/blocks: 200 and the block revenue view, or 404 and why there is none.
  ApiReply blocks() const;
  // Validates the request and returns the site YAML the engine will run (form values applied
  // to the starting site); throws InputError. `data_snapshot`: the snapshot whose FX rates
  // convert money inputs to another currency (null: the results file's). `conversion`, when
  // given, receives what was converted and at which rates.
  std::string site_yaml_for(const nlohmann::json& request, bool* live,
                            const nlohmann::json& data_snapshot = nullptr,
                            nlohmann::json* conversion = nullptr) const;

 private:
  // The answer kept for an identical form (not live) within kRecentSeconds, or null.
  const ApiReply* recent_reply(const std::string& key,
                               std::chrono::steady_clock::time_point now) const;
  void remember(const std::string& key, std::chrono::steady_clock::time_point now,
                const ApiReply& reply);

  DashboardOptions opts_;
  std::string base_yaml_;
  std::filesystem::path base_file_;
  site::SiteConfig base_;
  int max_years_ = 0;
  std::vector<std::string> scenarios_;  // in the results file
  nlohmann::json results_snapshot_;     // the data snapshot of the selection scenario (FX rates)
  std::string results_error_;           // why there is nothing to compute, when so
  nlohmann::json blocks_view_;          // of opts_.blocks_file, read once at start; null: none
  std::mutex mutex_;                    // HDF5 (Debian's serial build) is not thread-safe
  // Recent answers to identical forms that do not ask for live data (guarded by mutex_).
  static constexpr int kRecentSeconds = 60;
  static constexpr std::size_t kRecentEntries = 32;
  struct RecentReply {
    std::chrono::steady_clock::time_point at;
    ApiReply reply;
  };
  std::map<std::string, RecentReply> recent_;
};

class DashboardServer {
 public:
  explicit DashboardServer(DashboardOptions o);
  ~DashboardServer();
  // Binds (port 0: any free port) and returns the port; throws Error if it cannot, e.g. when
  // another server (another hashsim serve) listens on the port.
  int bind();
  // Serves until stop() (blocking).
  void listen();
  void stop();
  bool running() const;

 private:
  DashboardOptions opts_;
  std::unique_ptr<SiteCalculator> calc_;
  std::unique_ptr<httplib::Server> server_;
  int listen_fd_ = -1;  // the listening socket (set by the socket-options hook)
};

}  // namespace hashsim::report
