#pragma once
// `hashsim serve`: the site calculator in a browser. A cpp-httplib server on loopback (by
// default) serving the dashboard page, the embedded chart library and a JSON API:
//   GET  /api/meta   results file, scenarios, the default inputs and their allowed ranges
//   POST /api/site   {site_power_kw, load_factor, power_price_per_kwh, currency, discount_rate,
//                     horizon_years, live} -> the engine's site computation over the results
//                     file's paths (site_view_json + inputs, data ages); 400 {error, field} on bad input
// Keys and secrets stay in the server's environment; no answer carries them.
#include <nlohmann/json.hpp>

#include <filesystem>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "engine/site/site_config.h"

namespace httplib {
class Server;
}

namespace hashsim::report {

struct DashboardOptions {
  std::string host = "127.0.0.1";
  int port = 8080;                      // 0: any free port (tests)
  std::filesystem::path results;        // results file of hashsim run/sweep; empty: none
  std::filesystem::path site_file;      // the site the form starts from; empty: built-in default
  std::size_t max_body_bytes = 64 * 1024;
  std::string command_line;
};

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
  // Validates the request and returns the site YAML the engine will run (form values applied
  // to the starting site); throws InputError.
  std::string site_yaml_for(const nlohmann::json& request, bool* live) const;

 private:
  DashboardOptions opts_;
  std::string base_yaml_;
  std::filesystem::path base_file_;
  site::SiteConfig base_;
  int max_years_ = 0;
  std::vector<std::string> scenarios_;  // in the results file
  std::string results_error_;  // why there is nothing to compute, when so
  std::mutex mutex_;           // HDF5 (Debian's serial build) is not thread-safe
};

class DashboardServer {
 public:
  explicit DashboardServer(DashboardOptions o);
  ~DashboardServer();
  // Binds (port 0: any free port) and returns the port; throws Error if it cannot.
  int bind();
  // Serves until stop() (blocking).
  void listen();
  void stop();
  bool running() const;

 private:
  DashboardOptions opts_;
  std::unique_ptr<SiteCalculator> calc_;
  std::unique_ptr<httplib::Server> server_;
};

}  // namespace hashsim::report
