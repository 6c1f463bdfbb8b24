#include "engine/report/server.h"

#include <arpa/inet.h>
#include <httplib.h>
#include <netdb.h>
#include <sys/socket.h>
#include <unistd.h>
#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <cerrno>
#include <charconv>
#include <cmath>
#include <condition_variable>
#include <cstdio>
#include <cstring>
#include <deque>
#include <thread>

#include "engine/io/hdf5.h"
#include "engine/io/results_file.h"
#include "engine/live/live_data.h"
#include "engine/live/options.h"
#include "engine/live/timestamps.h"
#include "engine/report/blocks_view.h"
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
    if (v.contains("fetched_at") && v["fetched_at"].is_string())
      when = v["fetched_at"].get<std::string>();
    else if (v.contains("provider_time") && v["provider_time"].is_string())
      when = v["provider_time"].get<std::string>();
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

std::string lowercase(std::string s) {
  std::transform(s.begin(), s.end(), s.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return s;
}

constexpr const char* kCurrencies[] = {"GBP", "USD", "EUR"};

// Site currency per USD and where it comes from.
struct Rate {
  double usd_to_ccy = 1.0;
  std::string source;
};

// The rate of `ccy` from a data snapshot ({"values": {"fx_usd_gbp": {value, source, ...}}}).
std::optional<Rate> snapshot_rate(const nlohmann::json& snap, const std::string& ccy) {
  if (ccy == "USD") return Rate{1.0, "identity"};
  const std::string key = "fx_usd_" + lowercase(ccy);
  if (!snap.is_object() || !snap.contains("values") || !snap["values"].is_object() ||
      !snap["values"].contains(key))
    return std::nullopt;
  const nlohmann::json& e = snap["values"][key];
  if (!e.is_object() || !e.contains("value") || !e["value"].is_number()) return std::nullopt;
  const double v = e["value"].get<double>();
  if (!std::isfinite(v) || !(v > 0.0)) return std::nullopt;
  const std::string src =
      e.contains("source") && e["source"].is_string() ? e["source"].get<std::string>() : "";
  return Rate{v, "data snapshot " + key + (src.empty() ? "" : " (" + src + ")")};
}

// The rate the engine would use for `ccy` (engine/site/paths_input.cpp resolve_fx): the starting
// site's fixed rate when `ccy` is its currency, else the snapshot's, else the site's fallback.
std::optional<Rate> currency_rate(const site::SiteConfig& base, const std::string& ccy,
                                  const nlohmann::json& snap) {
  if (ccy == "USD") return Rate{1.0, "identity"};
  if (ccy == base.currency && base.fx_usd_to_site)
    return Rate{*base.fx_usd_to_site, "starting site file (fx_usd_to_site)"};
  if (auto r = snapshot_rate(snap, ccy)) return r;
  if (ccy == base.currency && base.fx_fallback_usd_to_site)
    return Rate{*base.fx_fallback_usd_to_site, "starting site file (fx_fallback_usd_to_site)"};
  return std::nullopt;
}

// A converted money input, rounded to 6 significant digits (what the form shows is what runs).
double round_sig(double v, int digits = 6) {
  if (v == 0.0 || !std::isfinite(v)) return v;
  char buf[40];
  std::snprintf(buf, sizeof buf, "%.*g", digits, v);
  return std::strtod(buf, nullptr);
}

bool is_ipv4(const std::string& h) {
  in_addr a{};
  return inet_pton(AF_INET, h.c_str(), &a) == 1;
}
bool is_ipv6(const std::string& h) {
  in6_addr a{};
  return inet_pton(AF_INET6, h.c_str(), &a) == 1;
}

// Accepted connections wait here for one of `threads` workers. At `capacity` waiting, the
// accepting thread waits too, and further connections wait in the kernel's listen backlog
// (raised to SOMAXCONN in bind()): a burst is queued and answered in turn, never reset.
// (cpp-httplib's own pool queues without bound.)
class BoundedPool final : public httplib::TaskQueue {
 public:
  BoundedPool(int threads, std::size_t capacity) : capacity_(std::max<std::size_t>(1, capacity)) {
    for (int i = 0; i < std::max(1, threads); ++i) workers_.emplace_back([this] { work(); });
  }
  void enqueue(std::function<void()> fn) override {
    std::unique_lock lock(mutex_);
    space_.wait(lock, [&] { return jobs_.size() < capacity_ || shutdown_; });
    jobs_.push_back(std::move(fn));
    lock.unlock();
    ready_.notify_one();
  }
  void shutdown() override {
    {
      std::lock_guard lock(mutex_);
      shutdown_ = true;
    }
    ready_.notify_all();
    space_.notify_all();
    for (auto& t : workers_) t.join();
  }

 private:
  void work() {
    for (;;) {
      std::function<void()> fn;
      {
        std::unique_lock lock(mutex_);
        ready_.wait(lock, [&] { return !jobs_.empty() || shutdown_; });
        if (jobs_.empty()) return;  // shut down and drained
        fn = std::move(jobs_.front());
        jobs_.pop_front();
      }
      space_.notify_one();
      fn();
    }
  }
  std::size_t capacity_;
  std::mutex mutex_;
  std::condition_variable ready_, space_;
  std::deque<std::function<void()>> jobs_;
  std::vector<std::thread> workers_;
  bool shutdown_ = false;
};

// Why binding host:port fails, for the message: probe with a socket of our own.
std::string bind_failure_reason(const std::string& host, int port) {
  addrinfo hints{};
  hints.ai_family = AF_UNSPEC;
  hints.ai_socktype = SOCK_STREAM;
  hints.ai_flags = AI_PASSIVE | AI_NUMERICSERV;
  addrinfo* res = nullptr;
  const std::string service = std::to_string(port);
  if (getaddrinfo(host.c_str(), service.c_str(), &hints, &res) != 0 || !res)
    return "cannot resolve '" + host + "' to an address";
  int err = 0;
  const int fd = ::socket(res->ai_family, res->ai_socktype, res->ai_protocol);
  if (fd >= 0) {
    const int yes = 1;
    ::setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &yes, sizeof yes);
    if (::bind(fd, res->ai_addr, res->ai_addrlen) != 0) err = errno;
    ::close(fd);
  } else {
    err = errno;
  }
  freeaddrinfo(res);
  if (err == EADDRINUSE)
    return "port " + std::to_string(port) +
           " is in use (another hashsim serve, or another program, listens " +
           "there): stop it or choose another --port";
  if (err == EADDRNOTAVAIL) return "'" + host + "' is not an address of this machine";
  if (err == EACCES) return "permission denied (ports below 1024 need privileges)";
  if (err != 0) return std::strerror(err);
  return "in use, or not an address of this machine";
}

// Every key of the request must be a form input.
void check_request_keys(const nlohmann::json& req) {
  if (!req.is_object())
    throw InputError{"", "the request body must be a JSON object of form inputs"};
  for (auto it = req.begin(); it != req.end(); ++it) {
    const std::string& k = it.key();
    bool known = k == "currency" || k == "input_currency" || k == "live";
    for (const Field& f : kNumberFields) known = known || k == f.name;
    if (!known) throw InputError{k, "unknown input '" + k + "'"};
  }
}

// The currency the request names under `key` (GBP, USD or EUR); `dflt` when it names none.
std::string read_currency(const nlohmann::json& req, const char* key, const std::string& dflt) {
  if (!req.contains(key) || req[key].is_null()) return dflt;
  const nlohmann::json& v = req[key];
  std::string c = v.is_string() ? v.get<std::string>() : "";
  if (std::find(std::begin(kCurrencies), std::end(kCurrencies), c) == std::end(kCurrencies))
    throw InputError{"currency", std::string(key) + (v.is_string() ? " = " + c.substr(0, 16) : "") +
                                     ": currency must be one of GBP, USD, EUR"};
  return c;
}

bool read_live_flag(const nlohmann::json& req) {
  if (!req.contains("live") || req["live"].is_null()) return false;
  if (!req["live"].is_boolean()) throw InputError{"live", "live must be true or false"};
  return req["live"].get<bool>();
}

// The rate of `ccy` the engine would run with, or an InputError that says what to do instead.
// `todays_snapshot`: `snap` is today's (live) data snapshot, not the results file's.
Rate rate_or_fail(const site::SiteConfig& base, const std::string& ccy, const nlohmann::json& snap,
                  bool todays_snapshot) {
  const auto r = currency_rate(base, ccy, snap);
  if (!r)
    throw InputError{"currency", ccy + " needs a USD to " + ccy + " exchange rate, and " +
                                     (todays_snapshot ? "today's data snapshot"
                                                      : "the results file's data snapshot") +
                                     " has none: tick \"Live data\" for today's rate, or choose " +
                                     (ccy == "EUR"   ? "GBP or USD"
                                      : ccy == "GBP" ? "EUR or USD"
                                                     : "another currency")};
  return *r;
}

// Multiplies the starting site's money inputs (site::kSiteCurrencyKeys and miners.list[].price)
// by `factor`, except those the form gives; appends {key, from, to} to `converted` for each.
void convert_money_inputs(YAML::Node& root, const nlohmann::json& req, double factor,
                          nlohmann::json& converted) {
  const auto convert = [&](YAML::Node n, const std::string& key) {
    try {
      const double v = n.as<double>();
      n = number_text(round_sig(v * factor));
      converted.push_back({{"key", key}, {"from", v}, {"to", round_sig(v * factor)}});
    } catch (const YAML::Exception&) {
      // not a number: the engine names it
    }
  };
  for (const char* key : site::kSiteCurrencyKeys) {
    if (req.contains(key) && !req[key].is_null()) continue;  // the form's value (below)
    YAML::Node n = root[key];
    if (!n.IsDefined() || n.IsNull()) continue;
    if (n.IsSequence()) {
      for (std::size_t i = 0; i < n.size(); ++i)
        convert(n[i], std::string(key) + "[" + std::to_string(i) + "]");
    } else {
      convert(n, key);
    }
  }
  if (root["miners"] && root["miners"]["list"] && root["miners"]["list"].IsSequence())
    for (std::size_t i = 0; i < root["miners"]["list"].size(); ++i)
      if (root["miners"]["list"][i]["price"])
        convert(root["miners"]["list"][i]["price"], "miners.list[" + std::to_string(i) + "].price");
}

// Puts the site YAML `root` (the starting site `base`) in `currency`: converts the starting site's
// money inputs from its own currency and sets the rate the engine runs with. Returns the factor
// that takes the form's money inputs (in `input_currency`) to `currency`. `conv` records what was
// converted at which rates.
double switch_currency(YAML::Node& root, const nlohmann::json& req, const site::SiteConfig& base,
                       const std::string& currency, const std::string& input_currency,
                       const nlohmann::json& snap, bool todays_snapshot, nlohmann::json& conv) {
  double form_factor = 1.0;  // form money inputs: input_currency -> currency
  if (currency != base.currency || input_currency != currency) {
    const Rate to = rate_or_fail(base, currency, snap, todays_snapshot);
    conv["rate"] = {{"usd_to_ccy", to.usd_to_ccy}, {"source", to.source}};
    if (currency != base.currency) {
      // The starting site's money inputs are in its own currency: convert them (at the same rates
      // the engine then runs with), so that 40 GBP of other opex does not become 40 USD.
      const Rate from = rate_or_fail(base, base.currency, snap, todays_snapshot);
      const double f = to.usd_to_ccy / from.usd_to_ccy;
      convert_money_inputs(root, req, f, conv["converted"]);
      conv["from_currency"] = base.currency;
      conv["from_rate"] = {{"usd_to_ccy", from.usd_to_ccy}, {"source", from.source}};
      conv["factor"] = f;
    }
    if (input_currency != currency) {
      const Rate in = rate_or_fail(base, input_currency, snap, todays_snapshot);
      form_factor = to.usd_to_ccy / in.usd_to_ccy;
      conv["form_from_currency"] = input_currency;
      conv["form_factor"] = form_factor;
    }
    // The engine runs at the rate the inputs were converted with (in the starting site's own
    // currency, that is the rate its file gives).
    if (currency != base.currency) {
      root.remove("fx_usd_to_site");
      root.remove("fx_fallback_usd_to_site");
      if (currency != "USD") root["fx_usd_to_site"] = number_text(to.usd_to_ccy);
    }
  }
  if (currency == "USD") {
    root.remove("fx_usd_to_site");
    root.remove("fx_fallback_usd_to_site");
  }
  return form_factor;
}

// The form's numbers into the site YAML, each checked (a number, finite, whole where it must be,
// a horizon the results file simulates); the power price converted by `form_factor`.
void apply_form_numbers(YAML::Node& root, const nlohmann::json& req, double form_factor,
                        int max_years, nlohmann::json& conv) {
  for (const Field& f : kNumberFields) {
    if (!req.contains(f.name) || req[f.name].is_null()) continue;
    const nlohmann::json& v = req[f.name];
    if (!v.is_number()) throw InputError{f.name, std::string(f.name) + " must be a number"};
    double x = v.get<double>();
    if (!std::isfinite(x))
      throw InputError{f.name, std::string(f.name) + " must be a finite number"};
    if (f.integer && x != std::floor(x))
      throw InputError{f.name,
                       std::string(f.name) + " = " + format_number(x) + " must be a whole number"};
    if (std::string(f.name) == "horizon_years" && max_years >= 1 && x > max_years)
      throw InputError{f.name, "horizon_years = " + format_number(x) +
                                   ": the results file simulates " + std::to_string(max_years) +
                                   " year(s) at most"};
    if (std::string(f.name) == "power_price_per_kwh" && form_factor != 1.0) {
      const double y = round_sig(x * form_factor);
      conv["converted"].push_back({{"key", "form power_price_per_kwh"}, {"from", x}, {"to", y}});
      x = y;
    }
    root[f.name] = f.integer ? std::to_string(static_cast<long long>(x)) : number_text(x);
  }
}

std::string emit_yaml(const YAML::Node& root) {
  YAML::Emitter e;
  e << root;
  return std::string(e.c_str()) + "\n";
}

// With live data: the site runs at today's FX rate for its currency, when the snapshot has one
// (USD needs none). Returns where that rate comes from ("" when unchanged).
std::string use_todays_fx(std::string& yaml, const nlohmann::json& live_snapshot) {
  YAML::Node root = YAML::Load(yaml);
  const std::string currency = root["currency"].as<std::string>();
  const auto r = currency != "USD" ? snapshot_rate(live_snapshot, currency) : std::nullopt;
  if (!r) return "";
  root["fx_usd_to_site"] = number_text(r->usd_to_ccy);
  root.remove("fx_fallback_usd_to_site");
  yaml = emit_yaml(root);
  return "today's " + r->source;
}

// A site file the engine refused, as a 400 naming the form field when the message starts with one.
ApiReply config_error_reply(const Error& e) {
  const std::string msg = without_location(e.what());
  std::string field;
  for (const char* k : {"site_power_kw", "load_factor", "power_price_per_kwh", "currency",
                        "discount_rate", "horizon_years"})
    if (msg.rfind(std::string(k) + " ", 0) == 0) field = k;
  return {400, error_body(msg, field)};
}

// A site run that failed (e.g. no FX rate for the currency in the results file's snapshot), as a
// 400 naming the form field it is about. `site_file` empty: the built-in site, which has no file
// (say so rather than naming <cwd>/site-default.yaml).
ApiReply run_error_reply(const Error& e, const std::filesystem::path& site_file,
                         const std::filesystem::path& base_file) {
  std::string msg = e.what();
  if (site_file.empty())
    for (auto p = msg.find(base_file.string()); p != std::string::npos;
         p = msg.find(base_file.string()))
      msg.replace(p, base_file.string().size(), "the built-in site-default.yaml");
  const bool fx = msg.find("FX") != std::string::npos || msg.find("fx_") != std::string::npos;
  return {400, error_body(msg, fx                                         ? "currency"
                               : msg.find("horizon") != std::string::npos ? "horizon_years"
                                                                          : "")};
}

void json_reply(httplib::Response& res, int status, const nlohmann::json& body) {
  res.status = status;
  res.set_content(body.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace),
                  "application/json");
}

// A refusal before routing: the JSON error, and the connection closed.
httplib::Server::HandlerResponse refuse(httplib::Response& res, int status,
                                        const std::string& message) {
  json_reply(res, status, error_body(message));
  res.set_header("Connection", "close");
  return httplib::Server::HandlerResponse::Handled;
}

// Before any route: the Host header must name this server (a DNS-rebound name is refused), a POST
// must come from this origin (when the browser says) and carry JSON: a page elsewhere can send a
// cross-site text/plain POST without asking, but not application/json.
httplib::Server::HandlerResponse guard_request(const httplib::Request& req, httplib::Response& res,
                                               const std::vector<std::string>& allowed_hosts) {
  const std::string host = req.get_header_value("Host");
  if (!host_header_allowed(host, allowed_hosts))
    return refuse(res, 403,
                  "Host '" + host.substr(0, 80) + "' is not an address of this server " +
                      "(DNS rebinding protection): open it by IP address or localhost, or " +
                      "start hashsim serve with --allow-host <name>");
  if (req.method == "POST") {
    const std::string origin = req.get_header_value("Origin");
    if (!origin.empty() && origin != "http://" + host)
      return refuse(res, 403, "cross-origin request from " + origin.substr(0, 80) + " refused");
    std::string type = lowercase(req.get_header_value("Content-Type"));
    type = type.substr(0, type.find(';'));
    type.erase(type.find_last_not_of(" \t") + 1);
    if (req.path == "/api/site" && type != "application/json")
      return refuse(
          res, 415,
          "POST /api/site takes Content-Type: application/json, not '" + type.substr(0, 60) + "'");
  }
  return httplib::Server::HandlerResponse::Unhandled;
}

// GET /assets/<name>: the page's scripts and style sheet (embedded), never cached stale.
void serve_asset(const httplib::Request& req, httplib::Response& res) {
  const std::string name = req.matches[1];
  static const char* const kServed[] = {"chart.js",
                                        "chartjs-plugin-annotation.js",
                                        "chartjs-chart-matrix.js",
                                        "common.js",
                                        "dashboard.js",
                                        "blocks.js",
                                        "style.css"};
  for (const char* a : kServed)
    if (name == a) {
      const bool css = name.size() > 4 && name.substr(name.size() - 4) == ".css";
      res.set_content(std::string(required_asset(name)), css ? "text/css" : "text/javascript");
      res.set_header("Cache-Control", "no-cache");
      return;
    }
  res.status = 404;
}

// 405 with Allow for every method a path does not take.
void refuse_other_methods(httplib::Server& s) {
  const auto not_allowed = [](const httplib::Request& req, httplib::Response& res) {
    res.set_header("Allow", req.path == "/api/site" ? "POST" : "GET");
    json_reply(res, 405, error_body("method " + req.method + " is not allowed on " + req.path));
  };
  s.Get("/api/site", not_allowed);
  for (const char* p : {"/api/site", "/api/meta", "/api/blocks", "/"}) {
    s.Put(p, not_allowed);
    s.Delete(p, not_allowed);
    s.Patch(p, not_allowed);
  }
  s.Post("/api/meta", not_allowed);
  s.Post("/api/blocks", not_allowed);
  s.Post("/", not_allowed);
}

// Every other error (404, 413 body too large, 400 unparsable request) and every exception answers
// JSON too.
void answer_errors_in_json(httplib::Server& s) {
  s.set_error_handler([](const httplib::Request&, httplib::Response& res) {
    if (!res.body.empty()) return;
    const char* what = res.status == 404   ? "not found"
                       : res.status == 413 ? "request body too large"
                       : res.status == 405 ? "method not allowed"
                                           : "bad request";
    json_reply(res, res.status, error_body(what));
  });
  s.set_exception_handler(
      [](const httplib::Request&, httplib::Response& res, const std::exception_ptr& ep) {
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

}  // namespace

std::string dashboard_url(const std::string& host, int port) {
  std::string h = host;
  if (h == "0.0.0.0" || h.empty())
    h = "127.0.0.1";
  else if (h == "::" || h == "[::]")
    h = "::1";
  if (h.find(':') != std::string::npos && h.front() != '[') h = "[" + h + "]";
  return "http://" + h + ":" + std::to_string(port) + "/";
}

std::string exposure_warning(const std::string& host, int port) {
  const bool loopback =
      host == "localhost" || host == "::1" || (is_ipv4(host) && host.rfind("127.", 0) == 0);
  if (loopback) return "";
  const std::string where = host == "0.0.0.0" ? "0.0.0.0 (every IPv4 interface)"
                            : host == "::"    ? ":: (every interface)"
                                              : host;
  return "hashsim serve: warning: listening on " + where +
         ": anyone who can reach this machine on port " + std::to_string(port) +
         " can use the calculator and make this machine compute (no login, no TLS). " +
         "Use --host 127.0.0.1 to keep it to this machine.";
}

bool host_header_allowed(const std::string& header, const std::vector<std::string>& allowed) {
  if (header.empty()) return false;
  std::string host = header, port;
  if (header.front() == '[') {
    const auto close = header.find(']');
    if (close == std::string::npos) return false;
    host = header.substr(1, close - 1);
    const std::string rest = header.substr(close + 1);
    if (!rest.empty() && rest.front() != ':') return false;
    port = rest.empty() ? "" : rest.substr(1);
    if (!is_ipv6(host)) return false;
  } else {
    const auto colon = header.find(':');
    if (colon != std::string::npos) {
      if (header.find(':', colon + 1) != std::string::npos) return false;  // IPv6 without brackets
      host = header.substr(0, colon);
      port = header.substr(colon + 1);
    }
  }
  if (!port.empty() && port.find_first_not_of("0123456789") != std::string::npos) return false;
  if (header.front() == '[') return true;
  const std::string h = lowercase(host);
  if (is_ipv4(h) || h == "localhost" || h == "localhost.") return true;
  return std::any_of(allowed.begin(), allowed.end(),
                     [&](const std::string& a) { return lowercase(a) == h; });
}

SiteCalculator::SiteCalculator(const DashboardOptions& o) : opts_(o) {
  // Read (and checked) once: a bad --blocks file stops the server at start with its reason.
  if (!o.blocks_file.empty()) blocks_view_ = blocks_view_json(o.blocks_file);
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
    results_error_ =
        "no results file: start hashsim serve with --results <results.h5> (from hashsim run or "
        "sweep)";
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
    // The FX rates that convert money inputs: the selection scenario's snapshot (else the first).
    if (results_snapshot_.is_null() || n == base_.selection_scenario) {
      results_snapshot_ = nlohmann::json::parse(info.live_snapshot_json, nullptr, false);
      if (results_snapshot_.is_discarded()) results_snapshot_ = nlohmann::json::object();
    }
  }
  if (max_years_ < 1)
    results_error_ = o.results.string() + ": the scenarios simulate less than one year";
}

nlohmann::json SiteCalculator::meta() const {
  nlohmann::json ranges = nlohmann::json::object();
  for (const Field& f : kNumberFields)
    ranges[f.name] = {{"min", f.lo}, {"max", f.hi}, {"integer", f.integer}};
  ranges["horizon_years"]["max"] = std::max(1, max_years_);
  // Per currency the rate with live data off (null: none, so the currency needs live data).
  nlohmann::json fx = nlohmann::json::object();
  for (const char* c : kCurrencies) {
    const auto r = currency_rate(base_, c, results_snapshot_);
    fx[c] =
        r ? nlohmann::json{{"usd_to_ccy", r->usd_to_ccy}, {"source", r->source}} : nlohmann::json();
  }
  return {{"results_file", opts_.results.string()},
          {"blocks_file", opts_.blocks_file.empty() ? nlohmann::json()
                                                    : nlohmann::json(opts_.blocks_file.string())},
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
          {"fx", fx},
          {"ranges", ranges}};
}

ApiReply SiteCalculator::blocks() const {
  if (blocks_view_.is_null())
    return {404,
            {{"error",
              "no block revenue file: start hashsim serve with --blocks <revenue.h5> "
              "(written by hashsim blocks revenue --h5)"}}};
  return {200, blocks_view_};
}

std::string SiteCalculator::site_yaml_for(const nlohmann::json& req, bool* live,
                                          const nlohmann::json& data_snapshot,
                                          nlohmann::json* conversion) const {
  check_request_keys(req);
  const std::string currency = read_currency(req, "currency", base_.currency);
  // The currency the form's money numbers are in (the page sends the one it showed them in).
  const std::string input_currency = read_currency(req, "input_currency", currency);
  const bool use_live = read_live_flag(req);
  if (live) *live = use_live;

  YAML::Node root = YAML::Load(base_yaml_);
  root["currency"] = currency;
  const bool todays_snapshot = !data_snapshot.is_null();
  nlohmann::json conv = {{"currency", currency}, {"converted", nlohmann::json::array()}};
  const double form_factor =
      switch_currency(root, req, base_, currency, input_currency,
                      todays_snapshot ? data_snapshot : results_snapshot_, todays_snapshot, conv);
  apply_form_numbers(root, req, form_factor, max_years_, conv);
  // Not given: the starting site's horizon, cut to what the results file simulates.
  if ((!req.contains("horizon_years") || req["horizon_years"].is_null()) && max_years_ >= 1 &&
      base_.horizon_years > max_years_)
    root["horizon_years"] = std::to_string(max_years_);
  if (base_.inline_miners.empty() && !base_.catalogue_file.empty())
    root["miners"]["catalogue"] =
        std::filesystem::absolute(base_.catalogue_file).lexically_normal().string();
  // The form's values as they run (the page shows converted ones in the boxes).
  conv["power_price_per_kwh"] =
      root["power_price_per_kwh"] ? root["power_price_per_kwh"].as<double>(0.0) : 0.0;
  if (conversion) *conversion = conv;
  return emit_yaml(root);
}

// The same form (not live) within kRecentSeconds gets the answer computed for it: a burst of
// identical requests, or a page reload, costs one computation instead of one each (they are
// served one at a time, under mutex_).
const ApiReply* SiteCalculator::recent_reply(const std::string& key,
                                             std::chrono::steady_clock::time_point now) const {
  const auto it = recent_.find(key);
  if (it != recent_.end() && now - it->second.at < std::chrono::seconds(kRecentSeconds))
    return &it->second.reply;
  return nullptr;
}

// Keeps `reply` for `key`; at kRecentEntries the oldest answer makes room.
void SiteCalculator::remember(const std::string& key, std::chrono::steady_clock::time_point now,
                              const ApiReply& reply) {
  if (recent_.size() >= kRecentEntries) {
    auto oldest = recent_.begin();
    for (auto it = recent_.begin(); it != recent_.end(); ++it)
      if (it->second.at < oldest->second.at) oldest = it;
    recent_.erase(oldest);
  }
  recent_[key] = {now, reply};
}

ApiReply SiteCalculator::site(const std::string& body) {
  if (!results_error_.empty()) return {409, error_body(results_error_)};
  const nlohmann::json req = nlohmann::json::parse(body, nullptr, false);
  if (req.is_discarded()) return {400, error_body("the request body is not valid JSON")};
  // One computation at a time: HDF5 (Debian's serial build) is not thread-safe, and the live
  // layer's cache is shared.
  std::lock_guard lock(mutex_);
  const bool want_live = req.is_object() && req.contains("live") && req["live"].is_boolean() &&
                         req["live"].get<bool>();
  const std::string key = want_live ? std::string() : req.dump();
  const auto now = std::chrono::steady_clock::now();
  if (!want_live)
    if (const ApiReply* r = recent_reply(key, now)) return *r;
  nlohmann::json live_snapshot;
  if (want_live) {
    // Today's snapshot (live, else cache, else static defaults): its FX rates replace the results
    // file's; the simulated paths still start where the results file says.
    live_snapshot = nlohmann::json(live::build_snapshot(live::live_options_from_env()));
  }
  std::string yaml;
  bool live = false;
  nlohmann::json conversion;
  try {
    yaml = site_yaml_for(req, &live, want_live ? live_snapshot : nlohmann::json(), &conversion);
  } catch (const InputError& e) {
    return {400, error_body(e.message, e.field)};
  }
  const std::string live_fx_source = live ? use_todays_fx(yaml, live_snapshot) : std::string();
  site::SiteConfig c;
  try {
    c = site::parse_site_config(yaml, base_file_);
  } catch (const Error& e) {
    return config_error_reply(e);
  }
  site::SiteRun run;
  try {
    run = site::run_site(c, opts_.results, {}, opts_.command_line);
  } catch (const Error& e) {
    return run_error_reply(e, opts_.site_file, base_file_);
  }
  nlohmann::json out = site_view_json(site_view_from_run(run));
  out["site_yaml"] = yaml;
  out["results_file"] = opts_.results.string();
  const nlohmann::json results_snap =
      nlohmann::json::parse(run.selection_info.live_snapshot_json, nullptr, false);
  out["data"] = {{"live", live},
                 {"start_date", run.selection_info.start_date},
                 {"start_source", run.selection_info.start_source},
                 {"fx_source", live_fx_source.empty() ? run.analysis.fx.source : live_fx_source},
                 {"fx_usd_to_site", run.analysis.fx.usd_to_site},
                 {"conversion", conversion},
                 {"values", data_ages(live ? live_snapshot : results_snap)}};
  ApiReply reply{200, std::move(out)};
  if (!want_live) remember(key, now, reply);
  return reply;
}

DashboardServer::DashboardServer(DashboardOptions o)
    : opts_(std::move(o)),
      calc_(std::make_unique<SiteCalculator>(opts_)),
      server_(std::make_unique<httplib::Server>()) {
  httplib::Server& s = *server_;
  s.set_payload_max_length(opts_.max_body_bytes);
  s.set_read_timeout(10, 0);
  s.set_write_timeout(10, 0);
  // cpp-httplib's default sets SO_REUSEPORT, with which a second server binds the same port and
  // the kernel splits the connections between the two. SO_REUSEADDR only: a restart binds at
  // once (TIME_WAIT), a port another server listens on is refused.
  s.set_socket_options([this](socket_t sock) {
    const int yes = 1;
    ::setsockopt(sock, SOL_SOCKET, SO_REUSEADDR, &yes, sizeof yes);
    listen_fd_ = sock;
  });
  s.new_task_queue = [this] {
    return new BoundedPool(opts_.worker_threads, opts_.max_queued_connections);
  };
  s.set_pre_routing_handler([this](const httplib::Request& req, httplib::Response& res) {
    return guard_request(req, res, opts_.allowed_hosts);
  });
  s.Get("/", [](const httplib::Request&, httplib::Response& res) {
    res.set_content(dashboard_html(), "text/html; charset=utf-8");
  });
  s.Get("/favicon.ico", [](const httplib::Request&, httplib::Response& res) { res.status = 204; });
  s.Get(R"(/assets/([A-Za-z0-9._-]+))", serve_asset);
  s.Get("/api/meta", [this](const httplib::Request&, httplib::Response& res) {
    json_reply(res, 200, calc_->meta());
  });
  s.Get("/api/blocks", [this](const httplib::Request&, httplib::Response& res) {
    const ApiReply r = calc_->blocks();
    json_reply(res, r.status, r.body);
  });
  s.Post("/api/site", [this](const httplib::Request& req, httplib::Response& res) {
    const ApiReply r = calc_->site(req.body);
    json_reply(res, r.status, r.body);
  });
  refuse_other_methods(s);
  answer_errors_in_json(s);
}

DashboardServer::~DashboardServer() { stop(); }

int DashboardServer::bind() {
  const int port = opts_.port == 0
                       ? server_->bind_to_any_port(opts_.host)
                       : (server_->bind_to_port(opts_.host, opts_.port) ? opts_.port : -1);
  if (port <= 0)
    throw Error("hashsim serve: cannot listen on " + opts_.host + ":" + std::to_string(opts_.port) +
                ": " + bind_failure_reason(opts_.host, opts_.port));
  // cpp-httplib listens with a backlog of 5: a burst of connections overflowed it and some were
  // reset. Listening again on the bound socket raises the backlog (Linux listen(2)).
  if (listen_fd_ >= 0) ::listen(listen_fd_, SOMAXCONN);
  return port;
}

void DashboardServer::listen() { server_->listen_after_bind(); }
void DashboardServer::stop() {
  if (server_) server_->stop();
}
bool DashboardServer::running() const { return server_->is_running(); }

}  // namespace hashsim::report
