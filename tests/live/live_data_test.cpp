// The fallback chain end to end against the loopback providers: live values and their sources,
// cache hit / miss / expiry / corruption, each fallback step with its message, honest timestamps,
// politeness (call limit, no calls offline), identity and secrets, scenario start conditions.
#include <gtest/gtest.h>
#include <spdlog/sinks/ostream_sink.h>
#include <spdlog/spdlog.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <map>
#include <sstream>

#include "engine/live/cache.h"
#include "engine/live/live_data.h"
#include "engine/live/network_defaults.h"
#include "engine/live/timestamps.h"
#include "engine/util/atomic_file.h"
#include "tests/live/fake_providers.h"

namespace hashsim::live {
namespace {

using testing::FakeProviders;
using testing::fixture;
using testing::Reply;
namespace fs = std::filesystem;

constexpr const char* kApiKey = "CG-tEsTsEcReT-8f3a9c";

// Captures everything spdlog's default logger writes, at debug level, for the test's lifetime.
class LogCapture {
 public:
  LogCapture() : previous_(spdlog::default_logger()) {
    auto sink = std::make_shared<spdlog::sinks::ostream_sink_mt>(out_);
    auto logger = std::make_shared<spdlog::logger>("capture", sink);
    logger->set_level(spdlog::level::debug);
    spdlog::set_default_logger(logger);
  }
  ~LogCapture() { spdlog::set_default_logger(previous_); }
  std::string text() const { return out_.str(); }

 private:
  std::ostringstream out_;
  std::shared_ptr<spdlog::logger> previous_;
};

class LiveData : public ::testing::Test {
 protected:
  void SetUp() override {
    const auto* info = ::testing::UnitTest::GetInstance()->current_test_info();
    cache_dir_ = fs::temp_directory_path() /
                 ("hashsim_live_" + std::to_string(::getpid()) + "_" + info->name());
    fs::remove_all(cache_dir_);
    opts_ = testing::test_options(server_, cache_dir_.string());
  }
  void TearDown() override { fs::remove_all(cache_dir_); }

  fs::path cache_file() const { return cache_dir_ / kSnapshotCacheFile; }

  // Rewrites every cached fetch time to `age_s` ago (a cache written earlier).
  void age_cache(std::int64_t age_s) {
    Snapshot s = snapshot_from_text(read_file(cache_file()));
    for (auto& v : s.values)
      if (v) v->fetched_at = format_utc_iso8601(now_unix_s() - age_s);
    write_file_atomic(cache_file(), snapshot_to_text(s));
  }

  FakeProviders server_;
  fs::path cache_dir_;
  LiveOptions opts_;
};

TEST_F(LiveData, AllProvidersUpGiveLiveValuesWithSourcesAndTimes) {
  LogCapture logs;
  const Snapshot s = build_snapshot(opts_);
  ASSERT_TRUE(s.complete());
  EXPECT_EQ(s.at(ValueKey::PriceUsd).source, "coingecko");
  EXPECT_DOUBLE_EQ(s.at(ValueKey::PriceUsd).value, 64128.49);
  EXPECT_DOUBLE_EQ(s.at(ValueKey::PriceGbp).value, 47985.03);
  EXPECT_TRUE(s.at(ValueKey::PriceUsd).provider_time.has_value());
  EXPECT_TRUE(s.at(ValueKey::PriceUsd).fetched_at.has_value());
  EXPECT_FALSE(s.at(ValueKey::PriceUsd).stale);
  EXPECT_EQ(s.at(ValueKey::Difficulty).source, "blockchain.info");
  EXPECT_DOUBLE_EQ(s.at(ValueKey::Difficulty).value, 126411437451912.2);
  EXPECT_EQ(s.at(ValueKey::NetworkHashrateThs).source, "blockchain.info");
  EXPECT_DOUBLE_EQ(s.at(ValueKey::NetworkHashrateThs).value, 905123456.789);  // GH/s -> TH/s
  EXPECT_EQ(s.at(ValueKey::Height).source, "mempool.space");
  EXPECT_DOUBLE_EQ(s.at(ValueKey::Height).value, 957491);
  EXPECT_EQ(s.at(ValueKey::FxUsdGbp).source, "frankfurter");
  EXPECT_DOUBLE_EQ(s.at(ValueKey::FxUsdEur).value, 0.8537);
  // One consolidated call per endpoint; no fallback provider needed.
  EXPECT_EQ(server_.hits(testing::kCoinGeckoPath), 1);
  EXPECT_EQ(server_.hits(testing::kCoinbasePath), 0);
  EXPECT_EQ(server_.total_hits(), 5);
  EXPECT_TRUE(fs::exists(cache_file()));
  // Quiet on success: nothing above debug.
  EXPECT_EQ(logs.text().find("[warning]"), std::string::npos) << logs.text();
}

TEST_F(LiveData, FreshCacheMeansNoNetworkCall) {
  build_snapshot(opts_);
  const int before = server_.total_hits();
  const Snapshot s = build_snapshot(opts_);
  EXPECT_EQ(server_.total_hits(), before);
  EXPECT_EQ(s.at(ValueKey::PriceUsd).source, "cache");
  EXPECT_FALSE(s.at(ValueKey::PriceUsd).stale);
  EXPECT_DOUBLE_EQ(s.at(ValueKey::PriceUsd).value, 64128.49);
  EXPECT_NE(s.at(ValueKey::PriceUsd).note.find("cached coingecko value"), std::string::npos);
}

TEST_F(LiveData, RefreshBypassesAFreshCache) {
  build_snapshot(opts_);
  opts_.mode = LiveMode::Refresh;
  const Snapshot s = build_snapshot(opts_);
  EXPECT_EQ(server_.total_hits(), 10);
  EXPECT_EQ(s.at(ValueKey::PriceUsd).source, "coingecko");
}

TEST_F(LiveData, ExpiredCacheIsRefetched) {
  build_snapshot(opts_);
  age_cache(opts_.cache_ttl_s + 60);
  const Snapshot s = build_snapshot(opts_);
  EXPECT_EQ(server_.total_hits(), 10);
  EXPECT_EQ(s.at(ValueKey::Height).source, "mempool.space");
}

TEST_F(LiveData, CorruptCacheIsIgnoredWithAWarningAndRefetched) {
  fs::create_directories(cache_dir_);
  write_file_atomic(cache_file(), "{\"schema\":1,\"values\":{\"price_usd\":{\"value\":\"oops\"");
  LogCapture logs;
  const Snapshot s = build_snapshot(opts_);
  EXPECT_NE(logs.text().find("unreadable"), std::string::npos) << logs.text();
  EXPECT_EQ(s.at(ValueKey::PriceUsd).source, "coingecko");
  EXPECT_NO_THROW(snapshot_from_text(read_file(cache_file())));  // rewritten whole
  // Binary garbage and a directory in place of the file are survived too.
  write_file_atomic(cache_file(), std::string("\x00\xff\xfe", 3));
  EXPECT_NO_THROW(build_snapshot(opts_));
  fs::remove(cache_file());
  fs::create_directories(cache_file() / "oops");
  Snapshot s2;
  EXPECT_NO_THROW(s2 = build_snapshot(opts_));
  EXPECT_EQ(s2.at(ValueKey::PriceUsd).source, "coingecko");
}

TEST_F(LiveData, UnwritableCacheDirectoryIsAWarningNotAFailure) {
  fs::create_directories(cache_dir_.parent_path());
  write_file_atomic(cache_dir_, "a file where the cache directory should be");
  opts_.cache_dir = cache_dir_ / "sub";
  LogCapture logs;
  const Snapshot s = build_snapshot(opts_);
  EXPECT_EQ(s.at(ValueKey::PriceUsd).source, "coingecko");
  EXPECT_NE(logs.text().find("cannot write the live data cache"), std::string::npos) << logs.text();
  fs::remove(cache_dir_);
}

TEST_F(LiveData, CoinGeckoDownFallsBackToCoinbaseWithDerivedFiatPrices) {
  server_.set(testing::kCoinGeckoPath, {500, "{}", "application/json", 0, {}});
  const Snapshot s = build_snapshot(opts_);
  EXPECT_EQ(server_.hits(testing::kCoinGeckoPath), opts_.retry.max_attempts);  // bounded retries
  const LiveValue& usd = s.at(ValueKey::PriceUsd);
  EXPECT_EQ(usd.source, "coinbase");
  EXPECT_DOUBLE_EQ(usd.value, 64130.12);
  EXPECT_FALSE(usd.provider_time.has_value());  // Coinbase spot has no timestamp
  EXPECT_NE(usd.note.find("CoinGecko: HTTP 500"), std::string::npos) << usd.note;
  const LiveValue& gbp = s.at(ValueKey::PriceGbp);
  EXPECT_EQ(gbp.source, "derived");  // Coinbase USD x FX, not a Coinbase quote
  EXPECT_DOUBLE_EQ(gbp.value, 64130.12 * 0.7419);
  EXPECT_NE(gbp.note.find("derived"), std::string::npos) << gbp.note;
}

TEST_F(LiveData, TimeoutAndOutageFallBackToTheCachedValueWithAClearMessage) {
  build_snapshot(opts_);
  age_cache(3 * 86400);
  opts_.total_timeout_ms = 150;
  opts_.retry.max_attempts = 2;
  server_.set(testing::kCoinGeckoPath,
              {200, fixture("coingecko_simple_price.json"), "application/json", 400, {}});
  server_.set(testing::kCoinbasePath, {503, "{}", "application/json", 0, {}});
  LogCapture logs;
  const Snapshot s = build_snapshot(opts_);
  const LiveValue& usd = s.at(ValueKey::PriceUsd);
  EXPECT_EQ(usd.source, "cache");
  EXPECT_TRUE(usd.stale);
  EXPECT_DOUBLE_EQ(usd.value, 64128.49);
  EXPECT_NE(
      usd.note.find(
          "Live price unavailable (CoinGecko: timeout; Coinbase: HTTP 503); using cached coingecko "
          "value from"),
      std::string::npos)
      << usd.note;
  EXPECT_NE(logs.text().find("Live price unavailable (CoinGecko: timeout; Coinbase: HTTP 503); "
                             "using cached value from"),
            std::string::npos)
      << logs.text();
  // The rest was live again and refreshes the cache; the stale price stays as it was.
  EXPECT_EQ(s.at(ValueKey::Height).source, "mempool.space");
  const Snapshot cached = snapshot_from_text(read_file(cache_file()));
  EXPECT_EQ(cached.at(ValueKey::PriceUsd).source, "coingecko");
}

TEST_F(LiveData, EverythingDownAndNoCacheUsesStaticDefaults) {
  server_.fail_everything(503);
  opts_.retry.max_attempts = 1;
  LogCapture logs;
  const Snapshot s = build_snapshot(opts_);
  const NetworkDefaults d = load_network_defaults();
  for (int i = 0; i < kValueCount; ++i) {
    const auto k = static_cast<ValueKey>(i);
    EXPECT_EQ(s.at(k).source, "static") << value_key_name(k);
    EXPECT_DOUBLE_EQ(s.at(k).value, d.at(k).value) << value_key_name(k);
    EXPECT_TRUE(s.at(k).stale);
    EXPECT_NE(s.at(k).note.find("using static default as of"), std::string::npos) << s.at(k).note;
  }
  EXPECT_NE(s.at(ValueKey::Height).note.find("mempool.space: HTTP 503"), std::string::npos);
  EXPECT_NE(logs.text().find("[warning]"), std::string::npos);
  EXPECT_FALSE(fs::exists(cache_file()));  // nothing live, nothing cached
}

TEST_F(LiveData, MalformedJsonAndWrongContentTypeAreRejectedPerProvider) {
  server_.set(testing::kCoinGeckoPath,
              {200, fixture("coingecko_truncated.json"), "application/json", 0, {}});
  server_.set(testing::kFrankfurterPath, {200, fixture("error_page.html"), "text/html", 0, {}});
  server_.set(testing::kDifficultyPath, {200, fixture("error_page.html"), "text/plain", 0, {}});
  const Snapshot s = build_snapshot(opts_);
  EXPECT_EQ(s.at(ValueKey::PriceUsd).source, "coinbase");
  EXPECT_NE(s.at(ValueKey::PriceUsd).note.find("malformed JSON"), std::string::npos);
  EXPECT_EQ(s.at(ValueKey::FxUsdGbp).source, "static");
  EXPECT_NE(s.at(ValueKey::FxUsdGbp).note.find("unexpected content type"), std::string::npos);
  // GBP price derived from Coinbase USD and the static FX rate, and says so.
  EXPECT_NE(s.at(ValueKey::PriceGbp).note.find("fx_usd_gbp (static)"), std::string::npos)
      << s.at(ValueKey::PriceGbp).note;
  EXPECT_EQ(s.at(ValueKey::Difficulty).source, "static");
  EXPECT_NE(s.at(ValueKey::Difficulty).note.find("not a plain number"), std::string::npos);
}

TEST_F(LiveData, WrongTypesAreRejectedPerValue) {
  server_.set(testing::kCoinGeckoPath,
              {200, fixture("coingecko_wrong_types.json"), "application/json", 0, {}});
  const Snapshot s = build_snapshot(opts_);
  EXPECT_EQ(s.at(ValueKey::PriceUsd).source, "coinbase");
  EXPECT_EQ(s.at(ValueKey::PriceGbp).source, "coingecko");
  EXPECT_DOUBLE_EQ(s.at(ValueKey::PriceGbp).value, 47985.03);
  EXPECT_NE(s.at(ValueKey::PriceEur).note.find("derived"), std::string::npos);
  EXPECT_NE(s.at(ValueKey::PriceEur).note.find("outside the plausible range"), std::string::npos);
}

TEST_F(LiveData, StaleProviderTimestampsAreFlagged) {
  server_.set(testing::kCoinGeckoPath,
              {200, fixture("coingecko_simple_price_stale.json"), "application/json", 0, {}});
  server_.set(testing::kFrankfurterPath,
              {200, fixture("frankfurter_latest_stale.json"), "application/json", 0, {}});
  const Snapshot s = build_snapshot(opts_);
  EXPECT_EQ(s.at(ValueKey::PriceUsd).source, "coingecko");
  EXPECT_EQ(s.at(ValueKey::PriceUsd).provider_time, "2026-07-10T14:02:00Z");
  EXPECT_TRUE(s.at(ValueKey::PriceUsd).stale);
  EXPECT_NE(s.at(ValueKey::PriceUsd).note.find("old"), std::string::npos);
  EXPECT_TRUE(s.at(ValueKey::FxUsdGbp).stale);
  EXPECT_EQ(s.at(ValueKey::FxUsdGbp).provider_time, "2026-01-02");
  EXPECT_FALSE(s.at(ValueKey::Height).stale);
}

TEST_F(LiveData, HeightGoingBackwardsIsRejected) {
  build_snapshot(opts_);
  age_cache(2 * 86400);
  // A provider a few blocks behind (within a day's blocks) lags: the cached height stands.
  server_.set(testing::kHeightPath, {200, "957480", "text/plain", 0, {}});
  const Snapshot s = build_snapshot(opts_);
  EXPECT_EQ(s.at(ValueKey::Height).source, "cache");
  EXPECT_DOUBLE_EQ(s.at(ValueKey::Height).value, 957491);
  EXPECT_NE(s.at(ValueKey::Height).note.find("below the cached height 957491"), std::string::npos);
}

TEST_F(LiveData, SendsUserAgentAndApiKeyHeader) {
  opts_.coingecko_api_key = kApiKey;
  build_snapshot(opts_);
  EXPECT_EQ(server_.last_header(testing::kHeightPath, "User-Agent"), opts_.user_agent);
  EXPECT_EQ(server_.last_header(testing::kCoinGeckoPath, "User-Agent"), opts_.user_agent);
  EXPECT_EQ(server_.last_header(testing::kCoinGeckoPath, "x-cg-demo-api-key"), kApiKey);
  // The key goes to CoinGecko only.
  EXPECT_EQ(server_.last_header(testing::kFrankfurterPath, "x-cg-demo-api-key"), "");
  // No identity configured: a neutral default, not libcurl's.
  opts_.user_agent.clear();
  opts_.mode = LiveMode::Refresh;
  build_snapshot(opts_);
  EXPECT_EQ(server_.last_header(testing::kHeightPath, "User-Agent"), default_user_agent());
  EXPECT_EQ(default_user_agent().rfind("hashsim/", 0), 0u);
}

TEST_F(LiveData, SecretsNeverReachLogsOrOutputs) {
  opts_.coingecko_api_key = kApiKey;
  // A hostile or buggy server echoes the key back in error bodies and malformed answers.
  server_.set(
      testing::kCoinGeckoPath,
      {500, std::string("{\"error\":\"bad key ") + kApiKey + "\"}", "application/json", 0, {}});
  server_.set(
      testing::kCoinbasePath,
      {200, std::string("{\"data\":{\"amount\":\"") + kApiKey + "\"", "application/json", 0, {}});
  server_.set(testing::kFrankfurterPath, {200, kApiKey, "text/html", 0, {}});
  // A mirror URL that embeds the key (some proxies want it in the path) must be redacted too.
  opts_.endpoints.blockchain_info = server_.base_url() + "/mirror/" + kApiKey;
  LogCapture logs;
  const Snapshot s = build_snapshot(opts_);
  const auto probes = probe_providers(opts_);
  scenario::StartConditions start;
  start.source = scenario::StartSource::Live;
  fill_start_conditions(start, opts_);
  EXPECT_NE(logs.text().find("/mirror/[REDACTED]/q/getdifficulty"), std::string::npos)
      << logs.text();
  EXPECT_EQ(logs.text().find(kApiKey), std::string::npos) << logs.text();
  EXPECT_EQ(snapshot_to_text(s).find(kApiKey), std::string::npos);
  EXPECT_EQ(start.provenance_json.find(kApiKey), std::string::npos);
  EXPECT_EQ(read_file(cache_file()).find(kApiKey), std::string::npos);
  for (const auto& p : probes) {
    EXPECT_EQ(p.error.find(kApiKey), std::string::npos);
    EXPECT_EQ(p.endpoint.find(kApiKey), std::string::npos);
  }
}

TEST_F(LiveData, DailyCallLimitStopsCallsAndUsesCachedData) {
  opts_.daily_call_limit = 5;  // exactly one refresh
  build_snapshot(opts_);
  EXPECT_EQ(server_.total_hits(), 5);
  opts_.mode = LiveMode::Refresh;
  LogCapture logs;
  const Snapshot s = build_snapshot(opts_);
  EXPECT_EQ(server_.total_hits(), 5);
  EXPECT_NE(logs.text().find("live data limit reached"), std::string::npos) << logs.text();
  EXPECT_NE(logs.text().find("using cached data"), std::string::npos);
  EXPECT_EQ(s.at(ValueKey::PriceUsd).source, "cache");
  EXPECT_NE(s.at(ValueKey::PriceUsd).note.find("daily call limit reached"), std::string::npos);
}

TEST_F(LiveData, OfflineModesNeverTouchTheNetwork) {
  opts_.mode = LiveMode::CacheOnly;
  Snapshot s = build_snapshot(opts_);
  EXPECT_EQ(s.at(ValueKey::PriceUsd).source, "static");
  opts_.mode = LiveMode::Auto;
  build_snapshot(opts_);
  const int hits = server_.total_hits();
  age_cache(10 * 86400);
  opts_.mode = LiveMode::CacheOnly;
  s = build_snapshot(opts_);
  EXPECT_EQ(s.at(ValueKey::PriceUsd).source, "cache");
  EXPECT_TRUE(s.at(ValueKey::PriceUsd).stale);
  opts_.mode = LiveMode::StaticOnly;
  s = build_snapshot(opts_);
  EXPECT_EQ(s.at(ValueKey::PriceUsd).source, "static");
  EXPECT_EQ(server_.total_hits(), hits);
}

TEST_F(LiveData, FillStartConditionsForEachSource) {
  const NetworkDefaults d = load_network_defaults();
  scenario::StartConditions st;
  st.source = scenario::StartSource::Static;
  fill_start_conditions(st, opts_);
  EXPECT_EQ(server_.total_hits(), 0);
  EXPECT_EQ(st.date, "2026-06-13");
  EXPECT_DOUBLE_EQ(st.price_usd, d.at(ValueKey::PriceUsd).value);
  EXPECT_DOUBLE_EQ(st.network_hashrate_ths, d.at(ValueKey::NetworkHashrateThs).value);
  EXPECT_DOUBLE_EQ(st.difficulty, d.at(ValueKey::Difficulty).value);
  EXPECT_DOUBLE_EQ(st.height, d.at(ValueKey::Height).value);
  EXPECT_DOUBLE_EQ(st.fee_btc_per_block, d.fee_btc_per_block.value);
  const Snapshot prov = snapshot_from_text(st.provenance_json);
  EXPECT_TRUE(prov.complete());

  scenario::StartConditions cached;
  cached.source = scenario::StartSource::Cached;
  fill_start_conditions(cached, opts_);
  EXPECT_EQ(server_.total_hits(), 0);
  EXPECT_DOUBLE_EQ(cached.price_usd, d.at(ValueKey::PriceUsd).value);

  scenario::StartConditions live;
  live.source = scenario::StartSource::Live;
  fill_start_conditions(live, opts_);
  EXPECT_DOUBLE_EQ(live.price_usd, 64128.49);
  EXPECT_DOUBLE_EQ(live.height, 957491);
  EXPECT_EQ(live.date, format_utc_iso8601(now_unix_s()).substr(0, 10));
  EXPECT_EQ(snapshot_from_text(live.provenance_json).at(ValueKey::PriceUsd).source, "coingecko");

  fill_start_conditions(cached, opts_);  // now there is a cache
  EXPECT_DOUBLE_EQ(cached.price_usd, 64128.49);

  scenario::StartConditions own;
  own.price_usd = 1234.0;
  fill_start_conditions(own, opts_);
  EXPECT_DOUBLE_EQ(own.price_usd, 1234.0);
  EXPECT_TRUE(own.provenance_json.empty());
}

TEST_F(LiveData, HealthProbesReportEachProvider) {
  server_.set(testing::kCoinbasePath, {503, "{}", "application/json", 0, {}});
  const auto probes = probe_providers(opts_);
  ASSERT_EQ(probes.size(), 6u);
  int down = 0;
  for (const auto& p : probes) {
    if (p.ok) {
      EXPECT_FALSE(p.value.empty());
      EXPECT_EQ(p.http_status, 200);
      EXPECT_GT(p.latency_ms, 0.0);
    } else {
      ++down;
      EXPECT_EQ(p.provider, "Coinbase");
      EXPECT_EQ(p.error, "HTTP 503");
    }
  }
  EXPECT_EQ(down, 1);
  EXPECT_EQ(server_.hits(testing::kCoinbasePath), 1);  // probes never retry
}

// ---- issue 16, items 1-9 ----

// Writes one value into the cache file as if a provider had delivered it `age_s` ago.
void put_cached(const fs::path& dir, ValueKey k, double value, std::int64_t fetched_at,
                const std::string& source) {
  fs::create_directories(dir);
  Snapshot s;
  s.created_utc = format_utc_iso8601(now_unix_s());
  LiveValue v;
  v.value = value;
  v.source = source;
  v.fetched_at = format_utc_iso8601(fetched_at);
  s.set(k, v);
  write_file_atomic(dir / kSnapshotCacheFile, snapshot_to_text(s));
}

TEST_F(LiveData, ImplausibleValuesAreRejectedOnFetch) {
  // Height 0 (today accepted: a run would start at 50 BTC subsidy), a height below the static
  // default's, a price 30x the default and an FX rate 6x it.
  for (const char* height : {"0", "900000", "19999999"}) {
    server_.set(testing::kHeightPath, {200, height, "text/plain", 0, {}});
    opts_.mode = LiveMode::Refresh;
    const Snapshot s = build_snapshot(opts_);
    EXPECT_NE(s.at(ValueKey::Height).source, "mempool.space") << height;
    EXPECT_NE(s.at(ValueKey::Height).value, std::stod(height)) << height;
    EXPECT_NE(s.at(ValueKey::Height).note.find("outside the plausible range"), std::string::npos)
        << s.at(ValueKey::Height).note;
  }
  fs::remove_all(cache_dir_);
  server_.set(
      testing::kCoinGeckoPath,
      {200,
       R"({"bitcoin":{"usd":2000000,"gbp":47985.03,"eur":56549.43,"last_updated_at":{{NOW_UNIX}}}})",
       "application/json",
       0,
       {}});
  server_.set(testing::kFrankfurterPath,
              {200,
               R"({"amount":1.0,"base":"USD","date":"{{TODAY}}","rates":{"EUR":5.5,"GBP":0.7419}})",
               "application/json",
               0,
               {}});
  const Snapshot s = build_snapshot(opts_);
  EXPECT_EQ(s.at(ValueKey::PriceUsd).source, "coinbase");  // the fallback provider
  EXPECT_NE(
      s.at(ValueKey::PriceUsd).note.find("price_usd = 2000000 is outside the plausible range"),
      std::string::npos)
      << s.at(ValueKey::PriceUsd).note;
  EXPECT_EQ(s.at(ValueKey::FxUsdEur).source, "static");
  EXPECT_EQ(s.at(ValueKey::FxUsdGbp).source, "frankfurter");
  // The bounds themselves: never below the static default's height, and they grow with time.
  const NetworkDefaults d = load_network_defaults();
  const Bounds h = plausible_bounds(d, ValueKey::Height, now_unix_s());
  EXPECT_DOUBLE_EQ(h.lo, d.at(ValueKey::Height).value);
  EXPECT_GT(h.hi, 957491.0);
  EXPECT_LT(plausible_bounds(d, ValueKey::Height, 0).hi, h.hi + 1.0);
}

TEST_F(LiveData, FutureProviderTimestampsAreNotTrusted) {
  const std::int64_t year_ahead = now_unix_s() + 365 * 86400;
  server_.set(testing::kCoinGeckoPath,
              {200,
               R"({"bitcoin":{"usd":64128.49,"gbp":47985.03,"eur":56549.43,"last_updated_at":)" +
                   std::to_string(year_ahead) + "}}",
               "application/json",
               0,
               {}});
  server_.set(testing::kFrankfurterPath, {200,
                                          R"({"amount":1.0,"base":"USD","date":")" +
                                              format_utc_iso8601(year_ahead).substr(0, 10) +
                                              R"(","rates":{"EUR":0.8537,"GBP":0.7419}})",
                                          "application/json",
                                          0,
                                          {}});
  const Snapshot s = build_snapshot(opts_);
  const LiveValue& usd = s.at(ValueKey::PriceUsd);
  EXPECT_TRUE(usd.stale);
  EXPECT_FALSE(usd.provider_time.has_value());
  EXPECT_NE(usd.note.find("in the future"), std::string::npos) << usd.note;
  EXPECT_TRUE(s.at(ValueKey::FxUsdGbp).stale);
  EXPECT_FALSE(s.at(ValueKey::FxUsdGbp).provider_time.has_value());
  EXPECT_NE(s.at(ValueKey::FxUsdGbp).note.find("in the future"), std::string::npos);
  // A run starting from live data starts today, not a year ahead.
  scenario::StartConditions start;
  start.source = scenario::StartSource::Live;
  opts_.mode = LiveMode::Refresh;
  fill_start_conditions(start, opts_);
  EXPECT_EQ(start.date, format_utc_iso8601(now_unix_s()).substr(0, 10));
}

TEST_F(LiveData, CacheFetchedInTheFutureIsNotFresh) {
  build_snapshot(opts_);
  age_cache(-365 * 86400);  // fetched_at a year ahead
  const int before = server_.total_hits();
  LogCapture logs;
  const Snapshot s = build_snapshot(opts_);
  EXPECT_EQ(server_.total_hits(), before + 5);  // refetched, not served as fresh
  EXPECT_EQ(s.at(ValueKey::PriceUsd).source, "coingecko");
  EXPECT_NE(logs.text().find("in the future"), std::string::npos) << logs.text();
  // Offline, the value is not used either, and the note says why.
  age_cache(-365 * 86400);
  opts_.mode = LiveMode::CacheOnly;
  const Snapshot off = build_snapshot(opts_);
  EXPECT_EQ(off.at(ValueKey::PriceUsd).source, "static");
  EXPECT_NE(off.at(ValueKey::PriceUsd).note.find("cached value rejected: fetched_at"),
            std::string::npos)
      << off.at(ValueKey::PriceUsd).note;
}

TEST_F(LiveData, CachedValuesAreValidatedOnRead) {
  for (const double bad : {0.0, -5.0, 1e308}) {
    put_cached(cache_dir_, ValueKey::PriceUsd, bad, now_unix_s() - 60, "coingecko");
    opts_.mode = LiveMode::CacheOnly;
    const Snapshot off = build_snapshot(opts_);
    EXPECT_EQ(off.at(ValueKey::PriceUsd).source, "static") << bad;
    EXPECT_NE(off.at(ValueKey::PriceUsd).note.find("cached value rejected: price_usd"),
              std::string::npos)
        << off.at(ValueKey::PriceUsd).note;
    // Online, a fresh but bad cache entry does not spare the request.
    opts_.mode = LiveMode::Auto;
    const int before = server_.hits(testing::kCoinGeckoPath);
    const Snapshot on = build_snapshot(opts_);
    EXPECT_EQ(server_.hits(testing::kCoinGeckoPath), before + 1) << bad;
    EXPECT_DOUBLE_EQ(on.at(ValueKey::PriceUsd).value, 64128.49);
    fs::remove_all(cache_dir_);
  }
}

TEST_F(LiveData, OneBadHeightDoesNotBlockLaterRealHeights) {
  // A bogus height in the cache (outside the bounds, or inside them but far ahead of the chain).
  for (const double bogus : {19'999'999.0, 957491.0 + 5000.0}) {
    put_cached(cache_dir_, ValueKey::Height, bogus, now_unix_s() - 3 * 86400, "mempool.space");
    const Snapshot s = build_snapshot(opts_);
    EXPECT_EQ(s.at(ValueKey::Height).source, "mempool.space") << bogus;
    EXPECT_DOUBLE_EQ(s.at(ValueKey::Height).value, 957491);
    EXPECT_DOUBLE_EQ(snapshot_from_text(read_file(cache_file())).at(ValueKey::Height).value,
                     957491);
    fs::remove_all(cache_dir_);
  }
}

TEST_F(LiveData, ZeroTtlAlwaysRefetches) {
  opts_.cache_ttl_s = 0;
  build_snapshot(opts_);
  const Snapshot s = build_snapshot(opts_);  // within the same second
  EXPECT_EQ(server_.total_hits(), 10);
  EXPECT_EQ(s.at(ValueKey::PriceUsd).source, "coingecko");
}

TEST_F(LiveData, HealthAppliesPlausibilityAndStaleness) {
  server_.set(testing::kHeightPath, {200, "0", "text/plain", 0, {}});
  server_.set(testing::kCoinGeckoPath,
              {200,
               R"({"bitcoin":{"usd":64128.49,"gbp":47985.03,"eur":56549.43,"last_updated_at":)" +
                   std::to_string(now_unix_s() + 365 * 86400) + "}}",
               "application/json",
               0,
               {}});
  server_.set(testing::kFrankfurterPath,
              {200,
               R"({"amount":1.0,"base":"USD","date":")" +
                   format_utc_iso8601(now_unix_s() - 30 * 86400).substr(0, 10) +
                   R"(","rates":{"EUR":0.8537,"GBP":0.7419}})",
               "application/json",
               0,
               {}});
  const auto probes = probe_providers(opts_);
  ASSERT_EQ(probes.size(), 6u);
  std::map<std::string, const ProbeResult*> by;
  for (const auto& p : probes) by[p.provider] = &p;
  const ProbeResult& height = *by.at("mempool.space");
  EXPECT_FALSE(height.ok);
  EXPECT_EQ(height.state, "BAD");
  EXPECT_NE(height.error.find("height = 0 is outside the plausible range"), std::string::npos)
      << height.error;
  const ProbeResult& cg = *by.at("CoinGecko");
  EXPECT_EQ(cg.state, "STALE");
  EXPECT_NE(cg.error.find("in the future"), std::string::npos) << cg.error;
  const ProbeResult& fx = *by.at("Frankfurter");
  EXPECT_EQ(fx.state, "STALE");
  EXPECT_NE(fx.error.find("old (limit 5.0 d)"), std::string::npos) << fx.error;
  EXPECT_EQ(by.at("Coinbase")->state, "up");
}

TEST_F(LiveData, ProvidersAreFetchedAtOnce) {
  // Each provider takes 400 ms to answer: one after another that is >= 2 s, at once ~0.4 s.
  server_.set(testing::kCoinGeckoPath,
              {200, fixture("coingecko_simple_price.json"), "application/json", 400, {}});
  server_.set(testing::kDifficultyPath,
              {200, fixture("blockchain_getdifficulty.txt"), "text/plain", 400, {}});
  server_.set(testing::kHashratePath,
              {200, fixture("blockchain_hashrate.txt"), "text/plain", 400, {}});
  server_.set(testing::kHeightPath,
              {200, fixture("mempool_tip_height.txt"), "text/plain", 400, {}});
  server_.set(testing::kFrankfurterPath,
              {200, fixture("frankfurter_latest.json"), "application/json", 400, {}});
  const auto t0 = std::chrono::steady_clock::now();
  const Snapshot s = build_snapshot(opts_);
  const auto took = std::chrono::steady_clock::now() - t0;
  for (int i = 0; i < kValueCount; ++i) EXPECT_NE(s.at(static_cast<ValueKey>(i)).source, "static");
  EXPECT_LT(took, std::chrono::milliseconds(1600));
}

TEST_F(LiveData, HangingProvidersCostOneOverallDeadline) {
  // Every provider hangs 2 s; per-request timeouts and retry budgets alone would allow far more.
  server_.fail_everything(200);
  for (const char* path :
       {testing::kCoinGeckoPath, testing::kCoinbasePath, testing::kDifficultyPath,
        testing::kHashratePath, testing::kHeightPath, testing::kFrankfurterPath})
    server_.set(path, {200, "1", "text/plain", 2000, {}});
  opts_.total_timeout_ms = 5000;
  opts_.retry = {3, 10, 40, 15000};
  opts_.refresh_deadline_ms = 500;
  const auto t0 = std::chrono::steady_clock::now();
  const Snapshot s = build_snapshot(opts_);
  const auto took = std::chrono::steady_clock::now() - t0;
  EXPECT_LT(took, std::chrono::milliseconds(1500));
  EXPECT_EQ(s.at(ValueKey::Height).source, "static");
  EXPECT_NE(s.at(ValueKey::Height).note.find("refresh deadline of 500 ms reached"),
            std::string::npos)
      << s.at(ValueKey::Height).note;
  const auto probes_t0 = std::chrono::steady_clock::now();
  probe_providers(opts_);
  EXPECT_LT(std::chrono::steady_clock::now() - probes_t0, std::chrono::milliseconds(1500));
}

TEST_F(LiveData, CrossHostRedirectIsRefusedAndTheKeyStaysHome) {
  FakeProviders elsewhere;
  opts_.coingecko_api_key = kApiKey;
  server_.set(testing::kCoinGeckoPath,
              {302,
               "",
               "text/plain",
               0,
               {{"Location", elsewhere.base_url() + testing::kCoinGeckoPath + "?steal=1"}}});
  const Snapshot s = build_snapshot(opts_);
  EXPECT_EQ(elsewhere.total_hits(), 0);
  EXPECT_EQ(s.at(ValueKey::PriceUsd).source, "coinbase");
  EXPECT_NE(
      s.at(ValueKey::PriceUsd).note.find("CoinGecko: redirect (HTTP 302) to another host refused"),
      std::string::npos)
      << s.at(ValueKey::PriceUsd).note;
}

TEST_F(LiveData, TheRealReasonIsInTheNote) {
  server_.set(testing::kHeightPath, {200, std::string(2u << 20, '9'), "text/plain", 0, {}});
  const Snapshot s = build_snapshot(opts_);
  EXPECT_NE(s.at(ValueKey::Height).note.find("mempool.space: response larger than"),
            std::string::npos)
      << s.at(ValueKey::Height).note;
  EXPECT_EQ(s.at(ValueKey::Height).note.find("connection failed"), std::string::npos);
}

}  // namespace
}  // namespace hashsim::live
