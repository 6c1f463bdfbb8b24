#include "engine/report/server.h"

#include <httplib.h>
#include <yaml-cpp/yaml.h>

#include <charconv>
#include <cmath>
#include <cstdio>

#include "engine/io/hdf5.h"
#include "engine/io/results_file.h"
#include "engine/live/live_data.h"
#include "engine/live/options.h"
#include "engine/live/timestamps.h"
#include "engine/report/html.h"
#include "engine/report/site_view.h"
#include "engine/site/paths_input.h"
#include "engine/site/site_output.h"
#include "engine/util/atomic_file.h"
#include "engine/util/error.h"

namespace hashsim::report {

namespace {

// The form's inputs: JSON name = site YAML key, and the engine's allowed range
// (engine/site/site_config.cpp; the engine re-checks every value).
struct Field {
  const char* name;
  double lo, hi;
  bool integer;
};
constexpr Field kNumberFields[] = {{"site_power_kw", 0.001, 1e7, false},
                                   {"load_factor", 0.01, 1.0, false},
                                   {"power_price_per_kwh", 0.0, 10.0, false},
                                   {"discount_rate", -0.5, 1.0, false},
                                   {"horizon_years", 1, site::kMaxHorizonYears, true}};

// Shortest text that reads back as the same double (0.045, not 0.044999999999999998).
std::string number_text(double v) {
  char buf[64];
  const auto r = std::to_chars(buf, buf + sizeof buf, v);
  return std::string(buf, r.ptr);
}

std::string format_number(double v) {
  char buf[40];
  std::snprintf(buf, sizeof buf, "%g", v);
  return buf;
}

// "file:12: load_factor = 1.5 is not in [0.01, 1]" -> "load_factor = 1.5 is not in [0.01, 1]".
std::string without_location(const std::string& m) {
  const auto pos = m.find(": ");
  if (pos == std::string::npos) return m;
  const auto colon = m.rfind(':', pos - 1);
  if (colon != std::string::npos && colon + 1 < pos &&
      m.find_first_not_of("0123456789", colon + 1) == pos)
    return m.substr(pos + 2);
  return m;
}

// The value ages of a snapshot JSON ({"values": {key: {value, source, fetched_at, ...}}}).
nlohmann::json data_ages(const nlohmann::json& snap) {
  nlohmann::json out = nlohmann::json::array();
  if (!snap.is_object() || !snap.contains("values") || !snap["values"].is_object()) return out;
  const std::int64_t now = live::now_unix_s();
  for (auto it = snap["values"].begin(); it != snap["values"].end(); ++it) {
    const nlohmann::json& v = it.value();
    if (!v.is_object()) continue;
    nlohmann::json e = {{"key", it.key()},
                        {"value", v.value("value", 0.0)},
                        {"source", v.value("source", std::string())},
                        {"stale", v.value("stale", false)}};
    std::string when;
    if (v.contains("fetched_at") && v["fetched_at"].is_string()) when = v["fetched_at"].get<std::string>();
    else if (v.contains("provider_time") && v["provider_time"].is_string()) when = v["provider_time"].get<std::string>();
    e["as_of"] = when;
    const auto t = when.empty() ? std::nullopt : live::parse_utc_iso8601(when);
    e["age"] = t ? live::format_age(now - *t) : std::string("unknown");
    e["age_s"] = t ? nlohmann::json(now - *t) : nlohmann::json();
    out.push_back(e);
  }
  return out;
}

nlohmann::json error_body(const std::string& message, const std::string& field = "") {
  return {{"error", message}, {"field", field.empty() ? nlohmann::json() : nlohmann::json(field)}};
}

}  // namespace

SiteCalculator::SiteCalculator(const DashboardOptions& o) : opts_(o) {
  if (!o.site_file.empty()) {
    base_file_ = o.site_file;
    base_yaml_ = read_file(o.site_file);
  } else {
    // The built-in default site, with the catalogue found the default way (site-default.yaml's
    // relative path only holds inside the source tree).
    base_file_ = std::filesystem::current_path() / "site-default.yaml";
    YAML::Node root = YAML::Load(std::string(required_asset("site-default.yaml")));
    if (root["miners"] && root["miners"]["catalogue"]) root["miners"].remove("catalogue");
    YAML::Emitter e;
    e << root;
    base_yaml_ = e.c_str();
  }
  base_ = site::parse_site_config(base_yaml_, base_file_);
  if (o.results.empty()) {
    results_error_ = "no results file: start hashsim serve with --results <results.h5> (from hashsim run or sweep)";
    return;
  }
  h5::quiet_hdf5_errors();
  h5::Handle f = h5::open_file_readonly(o.results.string());
  io::check_results_schema(f.get(), o.results.string());  // shapes and types before any read
  const auto names = site::list_scenarios(f.get());
  if (names.empty()) throw Error(o.results.string() + ": no scenarios");
  scenarios_ = names;
  max_years_ = site::kMaxHorizonYears;
  for (const auto& n : names) {
    const site::ScenarioInfo info = site::read_scenario_info(f.get(), n);
    max_years_ = std::min<int>(max_years_, static_cast<int>(info.n_days / 365));
  }
  if (max_years_ < 1) results_error_ = o.results.string() + ": the scenarios simulate less than one year";
}

nlohmann::json SiteCalculator::meta() const {
  nlohmann::json ranges = nlohmann::json::object();
  for (const Field& f : kNumberFields) ranges[f.name] = {{"min", f.lo}, {"max", f.hi}, {"integer", f.integer}};
  ranges["horizon_years"]["max"] = std::max(1, max_years_);
  return {{"results_file", opts_.results.string()},
          {"scenarios", scenarios_},
          {"error", results_error_.empty() ? nlohmann::json() : nlohmann::json(results_error_)},
          {"site_name", base_.name},
          {"defaults",
           {{"site_power_kw", base_.site_power_kw},
            {"load_factor", base_.load_factor},
            {"power_price_per_kwh", base_.power_price_per_kwh},
            {"currency", base_.currency},
            {"discount_rate", base_.discount_rate_per_year},
            {"horizon_years", std::min(base_.horizon_years, std::max(1, max_years_))},
            {"live", false}}},
          {"currencies", {"GBP", "USD", "EUR"}},
          {"ranges", ranges}};
}

std::string SiteCalculator::site_yaml_for(const nlohmann::json& req, bool* live) const {
  if (!req.is_object()) throw InputError{"", "the request body must be a JSON object of form inputs"};
  for (auto it = req.begin(); it != req.end(); ++it) {
    const std::string& k = it.key();
    bool known = k == "currency" || k == "live";
    for (const Field& f : kNumberFields) known = known || k == f.name;
    if (!known) throw InputError{k, "unknown input '" + k + "'"};
  }
  YAML::Node root = YAML::Load(base_yaml_);
  for (const Field& f : kNumberFields) {
    if (!req.contains(f.name) || req[f.name].is_null()) continue;
    const nlohmann::json& v = req[f.name];
    if (!v.is_number()) throw InputError{f.name, std::string(f.name) + " must be a number"};
    const double x = v.get<double>();
    if (!std::isfinite(x)) throw InputError{f.name, std::string(f.name) + " must be a finite number"};
    if (f.integer && x != std::floor(x))
      throw InputError{f.name, std::string(f.name) + " = " + format_number(x) + " must be a whole number"};
    if (std::string(f.name) == "horizon_years" && max_years_ >= 1 && x > max_years_)
      throw InputError{f.name, "horizon_years = " + format_number(x) + ": the results file simulates " +
                                   std::to_string(max_years_) + " year(s) at most"};
    root[f.name] = f.integer ? std::to_string(static_cast<long long>(x)) : number_text(x);
  }
  // Not given: the starting site's horizon, cut to what the results file simulates.
  if ((!req.contains("horizon_years") || req["horizon_years"].is_null()) && max_years_ >= 1 &&
      base_.horizon_years > max_years_)
    root["horizon_years"] = std::to_string(max_years_);
  std::string currency = base_.currency;
  if (req.contains("currency") && !req["currency"].is_null()) {
    if (!req["currency"].is_string()) throw InputError{"currency", "currency must be one of GBP, USD, EUR"};
    currency = req["currency"].get<std::string>();
    root["currency"] = currency;
  }
  bool use_live = false;
  if (req.contains("live") && !req["live"].is_null()) {
    if (!req["live"].is_boolean()) throw InputError{"live", "live must be true or false"};
    use_live = req["live"].get<bool>();
  }
  if (live) *live = use_live;
  // A fixed rate in the starting site is in its own currency: drop it for another currency.
  if (currency != base_.currency || currency == "USD") {
    root.remove("fx_usd_to_site");
    root.remove("fx_fallback_usd_to_site");
  }
  if (base_.inline_miners.empty() && !base_.catalogue_file.empty())
    root["miners"]["catalogue"] = std::filesystem::absolute(base_.catalogue_file).lexically_normal().string();
  YAML::Emitter e;
  e << root;
  return std::string(e.c_str()) + "\n";
}

ApiReply SiteCalculator::site(const std::string& body) {
  if (!results_error_.empty()) return {409, error_body(results_error_)};
  const nlohmann::json req = nlohmann::json::parse(body, nullptr, false);
  if (req.is_discarded()) return {400, error_body("the request body is not valid JSON")};
  // One computation at a time: HDF5 (Debian's serial build) is not thread-safe, and the live
  // layer's cache is shared.
  std::lock_guard lock(mutex_);
  std::string yaml;
  bool live = false;
  try {
    yaml = site_yaml_for(req, &live);
  } catch (const InputError& e) {
    return {400, error_body(e.message, e.field)};
  }
  nlohmann::json live_snapshot;
  std::string live_fx_source;
  if (live) {
    // Today's snapshot (live, else cache, else static defaults): its FX rate replaces the one
    // from the results file; the simulated paths still start where the results file says.
    const live::Snapshot snap = live::build_snapshot(live::live_options_from_env());
    live_snapshot = nlohmann::json(snap);
    const std::string currency = YAML::Load(yaml)["currency"].as<std::string>();
    const auto key = currency == "GBP" ? live::ValueKey::FxUsdGbp : live::ValueKey::FxUsdEur;
    if (currency != "USD" && snap.has(key)) {
      const live::LiveValue& fx = snap.at(key);
      live_fx_source = std::string("today's snapshot ") + live::value_key_name(key) + " (" + fx.source +
                       (fx.stale ? ", stale" : "") + ")";
      YAML::Node root = YAML::Load(yaml);
      root["fx_usd_to_site"] = number_text(snap.at(key).value);
      YAML::Emitter e;
      e << root;
      yaml = std::string(e.c_str()) + "\n";
    }
  }
  site::SiteConfig c;
  try {
    c = site::parse_site_config(yaml, base_file_);
  } catch (const Error& e) {
    const std::string msg = without_location(e.what());
    std::string field;
    for (const char* k : {"site_power_kw", "load_factor", "power_price_per_kwh", "currency", "discount_rate",
                          "horizon_years"})
      if (msg.rfind(std::string(k) + " ", 0) == 0) field = k;
    return {400, error_body(msg, field)};
  }
  site::SiteRun run;
  try {
    run = site::run_site(c, opts_.results, {}, opts_.command_line);
  } catch (const Error& e) {
    // e.g. no FX rate for the currency in the results file's snapshot.
    const std::string msg = e.what();
    const bool fx = msg.find("FX") != std::string::npos || msg.find("fx_") != std::string::npos;
    return {400, error_body(msg, fx ? "currency" : msg.find("horizon") != std::string::npos ? "horizon_years" : "")};
  }
  nlohmann::json out = site_view_json(site_view_from_run(run));
  out["site_yaml"] = yaml;
  out["results_file"] = opts_.results.string();
  const nlohmann::json results_snap = nlohmann::json::parse(run.selection_info.live_snapshot_json, nullptr, false);
  out["data"] = {{"live", live},
                 {"start_date", run.selection_info.start_date},
                 {"start_source", run.selection_info.start_source},
                 {"fx_source", live_fx_source.empty() ? run.analysis.fx.source : live_fx_source},
                 {"fx_usd_to_site", run.analysis.fx.usd_to_site},
                 {"values", data_ages(live ? live_snapshot : results_snap)}};
  return {200, out};
}

DashboardServer::DashboardServer(DashboardOptions o)
    : opts_(std::move(o)), calc_(std::make_unique<SiteCalculator>(opts_)), server_(std::make_unique<httplib::Server>()) {
  httplib::Server& s = *server_;
  s.set_payload_max_length(opts_.max_body_bytes);
  s.set_read_timeout(10, 0);
  s.set_write_timeout(10, 0);
  const auto json_reply = [](httplib::Response& res, int status, const nlohmann::json& body) {
    res.status = status;
    res.set_content(body.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace), "application/json");
  };
  s.Get("/", [](const httplib::Request&, httplib::Response& res) {
    res.set_content(dashboard_html(), "text/html; charset=utf-8");
  });
  s.Get("/favicon.ico", [](const httplib::Request&, httplib::Response& res) { res.status = 204; });
  s.Get(R"(/assets/([A-Za-z0-9._-]+))", [](const httplib::Request& req, httplib::Response& res) {
    const std::string name = req.matches[1];
    static const char* const kServed[] = {"chart.js", "chartjs-plugin-annotation.js", "chartjs-chart-matrix.js",
                                          "common.js", "dashboard.js", "style.css"};
    for (const char* a : kServed)
      if (name == a) {
        const bool css = name.size() > 4 && name.substr(name.size() - 4) == ".css";
        res.set_content(std::string(required_asset(name)), css ? "text/css" : "text/javascript");
        res.set_header("Cache-Control", "no-cache");
        return;
      }
    res.status = 404;
  });
  s.Get("/api/meta", [this, json_reply](const httplib::Request&, httplib::Response& res) {
    json_reply(res, 200, calc_->meta());
  });
  s.Post("/api/site", [this, json_reply](const httplib::Request& req, httplib::Response& res) {
    const ApiReply r = calc_->site(req.body);
    json_reply(res, r.status, r.body);
  });
  const auto not_allowed = [json_reply](const httplib::Request& req, httplib::Response& res) {
    res.set_header("Allow", req.path == "/api/site" ? "POST" : "GET");
    json_reply(res, 405, error_body("method " + req.method + " is not allowed on " + req.path));
  };
  s.Get("/api/site", not_allowed);
  for (const char* p : {"/api/site", "/api/meta", "/"}) {
    s.Put(p, not_allowed);
    s.Delete(p, not_allowed);
    s.Patch(p, not_allowed);
  }
  s.Post("/api/meta", not_allowed);
  s.Post("/", not_allowed);
  // Every other error (404, 413 body too large, 400 unparsable request) answers JSON too.
  s.set_error_handler([json_reply](const httplib::Request&, httplib::Response& res) {
    if (!res.body.empty()) return;
    const char* what = res.status == 404   ? "not found"
                       : res.status == 413 ? "request body too large"
                       : res.status == 405 ? "method not allowed"
                                           : "bad request";
    json_reply(res, res.status, error_body(what));
  });
  s.set_exception_handler([json_reply](const httplib::Request&, httplib::Response& res, std::exception_ptr ep) {
    std::string what = "internal error";
    try {
      std::rethrow_exception(ep);
    } catch (const std::exception& e) {
      what += std::string(": ") + e.what();
    } catch (...) {
    }
    json_reply(res, 500, error_body(what));
  });
}

DashboardServer::~DashboardServer() { stop(); }

int DashboardServer::bind() {
  const int port = opts_.port == 0 ? server_->bind_to_any_port(opts_.host)
                                   : (server_->bind_to_port(opts_.host, opts_.port) ? opts_.port : -1);
  if (port <= 0)
    throw Error("hashsim serve: cannot listen on " + opts_.host + ":" + std::to_string(opts_.port) +
                " (in use, or not an address of this machine)");
  return port;
}

void DashboardServer::listen() { server_->listen_after_bind(); }
void DashboardServer::stop() {
  if (server_) server_->stop();
}
bool DashboardServer::running() const { return server_->is_running(); }

}  // namespace hashsim::report
