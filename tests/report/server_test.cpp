// The dashboard backend over loopback: answers computed by the engine, input validation with
// {error, field}, and survival of malformed requests (garbage JSON, huge bodies, wrong methods).
#include <gtest/gtest.h>
#include <httplib.h>

#include <yaml-cpp/yaml.h>

#include <atomic>
#include <chrono>
#include <thread>

#include "engine/report/server.h"
#include "engine/site/site_output.h"
#include "engine/util/atomic_file.h"
#include "engine/util/error.h"
#include "tests/report/fixture.h"

using namespace hashsim;
using namespace hashsim::report;
using hashsim::report::testing::kData;
using hashsim::report::testing::results_file;

namespace {

class Dashboard : public ::testing::Test {
 protected:
  void SetUp() override {
    DashboardOptions o;
    o.port = 0;
    o.results = results_file();
    o.site_file = kData / "site.yaml";
    server_ = std::make_unique<DashboardServer>(o);
    port_ = server_->bind();
    thread_ = std::thread([this] { server_->listen(); });
    while (!server_->running()) std::this_thread::sleep_for(std::chrono::milliseconds(1));
    client_ = std::make_unique<httplib::Client>("127.0.0.1", port_);
    client_->set_connection_timeout(30, 0);
    client_->set_read_timeout(60, 0);
  }
  void TearDown() override {
    server_->stop();
    thread_.join();
  }
  nlohmann::json post(const std::string& body, int expect_status) {
    auto r = client_->Post("/api/site", body, "application/json");
    EXPECT_TRUE(r) << "no answer";
    if (!r) return {};
    EXPECT_EQ(r->status, expect_status) << body << " -> " << r->body;
    EXPECT_EQ(r->get_header_value("Content-Type"), "application/json");
    return nlohmann::json::parse(r->body);
  }
  void expect_field_error(const std::string& body, const std::string& field,
                          const std::string& words) {
    const nlohmann::json j = post(body, 400);
    EXPECT_EQ(j["field"], field) << body;
    EXPECT_NE(j["error"].get<std::string>().find(words), std::string::npos) << j["error"];
  }
  void expect_alive() {
    auto r = client_->Get("/api/meta");
    ASSERT_TRUE(r);
    EXPECT_EQ(r->status, 200);
  }
  std::unique_ptr<DashboardServer> server_;
  std::thread thread_;
  int port_ = 0;
  std::unique_ptr<httplib::Client> client_;
};

}  // namespace

TEST_F(Dashboard, MetaListsScenariosDefaultsAndTheHorizonTheFileAllows) {
  auto r = client_->Get("/api/meta");
  ASSERT_TRUE(r);
  ASSERT_EQ(r->status, 200);
  const auto j = nlohmann::json::parse(r->body);
  EXPECT_EQ(j["scenarios"], nlohmann::json({"base", "bear"}));
  EXPECT_EQ(j["defaults"]["site_power_kw"].get<double>(), 200.0);
  EXPECT_EQ(j["ranges"]["horizon_years"]["max"].get<int>(), 2);
  EXPECT_TRUE(j["error"].is_null());
}

TEST_F(Dashboard, AnswerIsTheEnginesSiteComputationForTheSameInputs) {
  const nlohmann::json j =
      post(R"({"power_price_per_kwh": 0.045, "site_power_kw": 150, "discount_rate": 0.1})", 200);
  // The same inputs through the engine directly, from the YAML the server says it ran.
  const std::string yaml = j["site_yaml"];
  const site::SiteConfig c = site::parse_site_config(yaml, kData / "site.yaml");
  EXPECT_DOUBLE_EQ(c.power_price_per_kwh, 0.045);
  EXPECT_DOUBLE_EQ(c.site_power_kw, 150.0);
  EXPECT_DOUBLE_EQ(c.discount_rate_per_year, 0.1);
  const nlohmann::json want = site::summary_json(site::run_site(c, results_file(), {}, ""));
  const auto& got = j["summary"];
  EXPECT_EQ(got["site"]["n_miners"], want["site"]["n_miners"]);
  EXPECT_EQ(got["selection"]["chosen"], want["selection"]["chosen"]);
  EXPECT_DOUBLE_EQ(got["site"]["gross_profit_per_day_site_ccy"].get<double>(),
                   want["site"]["gross_profit_per_day_site_ccy"].get<double>());
  for (const char* s : {"base", "bear"})
    EXPECT_DOUBLE_EQ(got["scenarios"][s]["plays"]["site"]["npv_site_ccy"]["p50"].get<double>(),
                     want["scenarios"][s]["plays"]["site"]["npv_site_ccy"]["p50"].get<double>());
  EXPECT_EQ(j["scenarios"].size(), 2u);
  EXPECT_FALSE(j["data"]["live"].get<bool>());
}

TEST_F(Dashboard, BadInputsAnswer400WithTheField) {
  expect_field_error(R"({"load_factor": 1.5})", "load_factor",
                     "load_factor = 1.5 is not in [0.01, 1]");
  expect_field_error(R"({"site_power_kw": "abc"})", "site_power_kw", "must be a number");
  expect_field_error(R"({"site_power_kw": ""})", "site_power_kw", "must be a number");
  expect_field_error(R"({"site_power_kw": -5})", "site_power_kw", "is not in");
  expect_field_error(R"({"power_price_per_kwh": 11})", "power_price_per_kwh", "is not in");
  expect_field_error(R"({"horizon_years": 1.5})", "horizon_years", "whole number");
  expect_field_error(R"({"horizon_years": 3})", "horizon_years", "2 year(s) at most");
  expect_field_error(R"({"discount_rate": 2})", "discount_rate", "is not in");
  expect_field_error(R"({"currency": "XBT"})", "currency", "currency");
  expect_field_error(R"({"currency": 5})", "currency", "one of GBP, USD, EUR");
  expect_field_error(R"({"live": "yes"})", "live", "true or false");
  expect_field_error(R"({"power": 1})", "power", "unknown input");
  // EUR: the test results have no FX snapshot and the site's fixed rate is in GBP.
  expect_field_error(R"({"currency": "EUR"})", "currency", "EUR needs a USD to EUR exchange rate");
  expect_field_error(R"({"currency": "GBP", "input_currency": "XBT"})", "currency",
                     "one of GBP, USD, EUR");
  expect_alive();
}

TEST(DashboardDefaults, HorizonCutToWhatTheResultsFileSimulates) {
  DashboardOptions o;
  o.results = results_file();  // 760 days: 2 years at most
  o.site_file = hashsim::report::testing::temp_dir() / "five-years.yaml";
  std::string text = read_file(kData / "site.yaml");
  text.replace(text.find("horizon_years: 2"), 16, "horizon_years: 5");
  text.replace(text.find("../../../data"), 13,
               (std::filesystem::path(HASHSIM_SOURCE_DIR) / "data").string());
  write_file_atomic(o.site_file, text);
  SiteCalculator calc(o);
  EXPECT_EQ(calc.meta()["defaults"]["horizon_years"].get<int>(), 2);
  const ApiReply r = calc.site("{}");
  ASSERT_EQ(r.status, 200) << r.body.dump();
  EXPECT_EQ(r.body["scenarios"][0]["years"].get<int>(), 2);
}

TEST_F(Dashboard, SurvivesMalformedRequests) {
  for (const char* body : {"garbage", "", "{", "[1,2]", "null", "{\"site_power_kw\": 1e999}"}) {
    auto r = client_->Post("/api/site", body, "application/json");
    ASSERT_TRUE(r) << body;
    EXPECT_EQ(r->status, 400) << body;
    const auto j = nlohmann::json::parse(r->body, nullptr, false);
    ASSERT_FALSE(j.is_discarded()) << r->body;
    EXPECT_TRUE(j.contains("error"));
  }
  const std::string huge(2 << 20, '{');
  auto big = client_->Post("/api/site", huge, "application/json");
  ASSERT_TRUE(big);
  EXPECT_EQ(big->status, 413);
  auto get = client_->Get("/api/site");
  ASSERT_TRUE(get);
  EXPECT_EQ(get->status, 405);
  EXPECT_EQ(get->get_header_value("Allow"), "POST");
  auto del = client_->Delete("/api/site");
  ASSERT_TRUE(del);
  EXPECT_EQ(del->status, 405);
  auto missing = client_->Get("/etc/passwd");
  ASSERT_TRUE(missing);
  EXPECT_EQ(missing->status, 404);
  auto traversal = client_->Get("/assets/..%2Fserver.cpp");
  ASSERT_TRUE(traversal);
  EXPECT_EQ(traversal->status, 404);
  expect_alive();
  post(R"({"power_price_per_kwh": 0.05})", 200);
}

TEST_F(Dashboard, ConcurrentRequestsAllAnswered) {
  // The HDF5 library is not thread-safe: the server serialises computations; all must succeed.
  std::vector<std::thread> threads;
  std::atomic<int> ok{0};
  for (int i = 0; i < 4; ++i)
    threads.emplace_back([&, i] {
      httplib::Client c("127.0.0.1", port_);
      c.set_read_timeout(60, 0);
      auto r = c.Post("/api/site", "{\"power_price_per_kwh\": 0.0" + std::to_string(4 + i) + "}",
                      "application/json");
      auto m = c.Get("/api/meta");
      if (r && r->status == 200 && m && m->status == 200) ++ok;
    });
  for (auto& t : threads) t.join();
  EXPECT_EQ(ok.load(), 4);
}

TEST_F(Dashboard, ServesThePageAndTheSameChartLibrary) {
  auto page = client_->Get("/");
  ASSERT_TRUE(page);
  EXPECT_EQ(page->status, 200);
  EXPECT_NE(page->body.find("/assets/chart.js"), std::string::npos);
  auto lib = client_->Get("/assets/chart.js");
  ASSERT_TRUE(lib);
  EXPECT_EQ(lib->status, 200);
  EXPECT_NE(lib->body.find("Chart.js v4"), std::string::npos);
}

TEST(DashboardOptions, LoopbackByDefault) {
  EXPECT_EQ(DashboardOptions{}.host, "127.0.0.1");
  EXPECT_EQ(DashboardOptions{}.port, 8080);
}

// Issue 16, item 14: cpp-httplib's SO_REUSEPORT let a second server bind the same port (the
// kernel then split connections between the two). The second must be refused, naming the port.
TEST_F(Dashboard, SecondServerOnABusyPortIsRefused) {
  DashboardOptions o;
  o.port = port_;
  o.results = results_file();
  o.site_file = kData / "site.yaml";
  DashboardServer second(o);
  try {
    second.bind();
    FAIL() << "a second server bound the busy port " << port_;
  } catch (const hashsim::Error& e) {
    const std::string m = e.what();
    EXPECT_NE(m.find("port " + std::to_string(port_) + " is in use"), std::string::npos) << m;
  }
  expect_alive();
}

// Issue 16, item 15: 200 POSTs at once were answered with 7 connection resets (cpp-httplib's
// listen backlog of 5). Every one must get an answer: 200, or 503 with Retry-After.
TEST_F(Dashboard, BurstOf200ConcurrentPostsAllAnswered) {
  constexpr int kClients = 200;
  std::atomic<int> ready{0}, ok{0}, busy{0}, failed{0};
  std::atomic<bool> go{false};
  std::vector<std::thread> threads;
  for (int i = 0; i < kClients; ++i)
    threads.emplace_back([&] {
      httplib::Client c("127.0.0.1", port_);
      c.set_connection_timeout(60, 0);
      c.set_read_timeout(120, 0);
      c.set_write_timeout(60, 0);
      ++ready;
      while (!go.load()) std::this_thread::yield();
      auto r = c.Post("/api/site", R"({"power_price_per_kwh": 0.05})", "application/json");
      if (!r)
        ++failed;
      else if (r->status == 200)
        ++ok;
      else if (r->status == 503 && !r->get_header_value("Retry-After").empty())
        ++busy;
      else
        ++failed;
    });
  while (ready.load() < kClients) std::this_thread::yield();
  go = true;
  for (auto& t : threads) t.join();
  EXPECT_EQ(failed.load(), 0) << ok.load() << " answered 200, " << busy.load() << " 503";
  EXPECT_EQ(ok.load() + busy.load(), kClients);
  expect_alive();
}

TEST(DashboardAddress, UrlBracketsIpv6AndShowsLoopbackForWildcards) {
  EXPECT_EQ(dashboard_url("127.0.0.1", 8080), "http://127.0.0.1:8080/");
  EXPECT_EQ(dashboard_url("::1", 8080), "http://[::1]:8080/");
  EXPECT_EQ(dashboard_url("fe80::1", 81), "http://[fe80::1]:81/");
  EXPECT_EQ(dashboard_url("0.0.0.0", 8080), "http://127.0.0.1:8080/");
  EXPECT_EQ(dashboard_url("::", 8080), "http://[::1]:8080/");
}

TEST(DashboardAddress, WarnsWhenReachableFromOtherMachines) {
  EXPECT_EQ(exposure_warning("127.0.0.1", 8080), "");
  EXPECT_EQ(exposure_warning("127.0.0.2", 8080), "");
  EXPECT_EQ(exposure_warning("::1", 8080), "");
  EXPECT_EQ(exposure_warning("localhost", 8080), "");
  for (const char* h : {"0.0.0.0", "::", "192.168.1.5"}) {
    const std::string w = exposure_warning(h, 8080);
    EXPECT_NE(w.find("warning"), std::string::npos) << h;
    EXPECT_NE(w.find("--host 127.0.0.1"), std::string::npos) << h;
  }
}

TEST(DashboardAddress, HostHeaderMustNameThisServer) {
  const std::vector<std::string> none, mine = {"calc.lan"};
  for (const char* ok : {"127.0.0.1:8080", "127.0.0.1", "localhost:8080", "LOCALHOST", "[::1]:8080",
                         "[::1]", "192.168.1.5:80"})
    EXPECT_TRUE(host_header_allowed(ok, none)) << ok;
  for (const char* bad : {"", "evil.example:8080", "evil.example", "127.0.0.1.evil.example",
                          "::1:8080", "[::1", "[::1]x", "localhost:80a", "calc.lan:8080"})
    EXPECT_FALSE(host_header_allowed(bad, none)) << bad;
  EXPECT_TRUE(host_header_allowed("calc.lan:8080", mine));
  EXPECT_TRUE(host_header_allowed("CALC.LAN", mine));
}

// DNS rebinding: a page on evil.example whose name now resolves to 127.0.0.1 sends
// Host: evil.example. Refused before any route, for GET and POST alike.
TEST_F(Dashboard, ForeignHostHeaderIsRefused) {
  httplib::Headers h = {{"Host", "evil.example:" + std::to_string(port_)}};
  for (const char* path : {"/", "/api/meta"}) {
    auto r = client_->Get(path, h);
    ASSERT_TRUE(r) << path;
    EXPECT_EQ(r->status, 403) << path;
    EXPECT_NE(r->body.find("DNS rebinding"), std::string::npos) << r->body;
  }
  httplib::Client c("127.0.0.1", port_);
  auto post = c.Post("/api/site", h, R"({"power_price_per_kwh": 0.05})", "application/json");
  ASSERT_TRUE(post);
  EXPECT_EQ(post->status, 403);
  auto local = client_->Get("/api/meta", {{"Host", "localhost:" + std::to_string(port_)}});
  ASSERT_TRUE(local);
  EXPECT_EQ(local->status, 200);
}

// A cross-site form can POST text/plain without a CORS preflight; JSON it cannot. text/plain
// and form posts are refused, and so is a POST whose Origin is another site.
TEST_F(Dashboard, PostsMustBeSameOriginJson) {
  for (const char* type :
       {"text/plain", "application/x-www-form-urlencoded", "text/plain;charset=UTF-8"}) {
    auto r = client_->Post("/api/site", R"({"power_price_per_kwh": 0.05})", type);
    ASSERT_TRUE(r) << type;
    EXPECT_EQ(r->status, 415) << type;
    EXPECT_NE(r->body.find("application/json"), std::string::npos) << r->body;
  }
  auto cross = client_->Post("/api/site", {{"Origin", "http://evil.example"}},
                             R"({"power_price_per_kwh": 0.05})", "application/json");
  ASSERT_TRUE(cross);
  EXPECT_EQ(cross->status, 403);
  auto same = client_->Post("/api/site", {{"Origin", "http://127.0.0.1:" + std::to_string(port_)}},
                            R"({"power_price_per_kwh": 0.05})", "application/json; charset=utf-8");
  ASSERT_TRUE(same);
  EXPECT_EQ(same->status, 200) << same->body;
}

// Issue 16, item 17: switching currency relabelled the site's money inputs (other opex 40
// GBP/miner/yr became 40 USD). They are converted at the rate the engine then runs with; the
// form's power price, sent with the currency it was shown in, too.
TEST_F(Dashboard, SwitchingCurrencyConvertsMoneyInputs) {
  const nlohmann::json j =
      post(R"({"currency": "USD", "input_currency": "GBP", "power_price_per_kwh": 0.06})", 200);
  const YAML::Node y = YAML::Load(j["site_yaml"].get<std::string>());
  EXPECT_EQ(y["currency"].as<std::string>(), "USD");
  // The site file: 0.75 GBP per USD.
  EXPECT_NEAR(y["other_opex_per_miner_per_year"].as<double>(), 40 / 0.75, 1e-4);
  EXPECT_NEAR(y["hosted_price_per_kwh"].as<double>(), 0.075 / 0.75, 1e-6);
  EXPECT_NEAR(y["power_price_per_kwh"].as<double>(), 0.06 / 0.75, 1e-6);
  EXPECT_FALSE(y["fx_usd_to_site"].IsDefined());
  const auto& conv = j["data"]["conversion"];
  EXPECT_EQ(conv["from_currency"], "GBP");
  EXPECT_NEAR(conv["power_price_per_kwh"].get<double>(), 0.08, 1e-9);
  // Back to GBP: the same numbers as the site file.
  const nlohmann::json back =
      post(R"({"currency": "GBP", "input_currency": "USD", "power_price_per_kwh": 0.08})", 200);
  const YAML::Node b = YAML::Load(back["site_yaml"].get<std::string>());
  EXPECT_DOUBLE_EQ(b["other_opex_per_miner_per_year"].as<double>(), 40.0);
  EXPECT_NEAR(b["power_price_per_kwh"].as<double>(), 0.06, 1e-9);
  EXPECT_DOUBLE_EQ(b["fx_usd_to_site"].as<double>(), 0.75);
}

// Issue 16, item 17: with the built-in site, EUR failed naming <cwd>/site-default.yaml. The meta
// says which currencies have a rate with live data off; EUR's error says what to do.
TEST(DashboardDefaults, CurrencyWithoutARateSaysWhatToDo) {
  DashboardOptions o;
  o.results = results_file();
  SiteCalculator calc(o);
  const nlohmann::json m = calc.meta();
  EXPECT_TRUE(m["fx"]["EUR"].is_null());
  EXPECT_DOUBLE_EQ(m["fx"]["USD"]["usd_to_ccy"].get<double>(), 1.0);
  EXPECT_TRUE(m["fx"]["GBP"].is_object());  // the built-in site's fallback rate
  const ApiReply r = calc.site(R"({"currency": "EUR"})");
  EXPECT_EQ(r.status, 400);
  EXPECT_EQ(r.body["field"], "currency");
  const std::string msg = r.body["error"];
  EXPECT_EQ(msg.find("site-default.yaml"), std::string::npos) << msg;
  EXPECT_NE(msg.find("Live data"), std::string::npos) << msg;
}

// Under load the 200-POST burst above timed out (138 s): every identical form was computed again,
// one at a time. The same form within a minute now gets the answer computed for it: the second
// identical request is answered even once the results file is gone, while another form is
// computed, and fails without it.
TEST(DashboardRecentAnswers, AnIdenticalFormIsAnsweredWithoutComputingAgain) {
  const auto copy = hashsim::report::testing::temp_dir() / "recent-answers.h5";
  std::filesystem::copy_file(results_file(), copy,
                             std::filesystem::copy_options::overwrite_existing);
  DashboardOptions o;
  o.results = copy;
  o.site_file = kData / "site.yaml";
  SiteCalculator calc(o);
  const std::string form = R"({"power_price_per_kwh": 0.05})";
  const ApiReply first = calc.site(form);
  ASSERT_EQ(first.status, 200) << first.body.dump();
  std::filesystem::remove(copy);
  const ApiReply again = calc.site(form);
  EXPECT_EQ(again.status, 200);
  EXPECT_EQ(again.body, first.body);
  const ApiReply other = calc.site(R"({"power_price_per_kwh": 0.06})");
  EXPECT_NE(other.status, 200) << other.body.dump();
}
