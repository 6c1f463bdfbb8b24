// Snapshot JSON contract, static defaults, options from the environment, timestamps, redaction.
#include <gtest/gtest.h>

#include <map>

#include "engine/live/network_defaults.h"
#include "engine/live/options.h"
#include "engine/net/redact.h"
#include "engine/live/snapshot.h"
#include "engine/live/timestamps.h"
#include "engine/util/atomic_file.h"
#include "engine/util/error.h"

namespace hashsim::live {
namespace {
using namespace hashsim::net;

Snapshot sample() {
  Snapshot s;
  s.created_utc = "2026-07-10T14:02:00Z";
  for (int i = 0; i < kValueCount; ++i) {
    LiveValue v;
    v.value = 1.5 + i;
    v.source = i % 2 ? "coingecko" : "static";
    v.provider_time = i % 2 ? std::optional<std::string>("2026-07-10T14:00:00Z") : std::nullopt;
    v.fetched_at = "2026-07-10T14:02:00Z";
    v.stale = i == 3;
    v.note = std::to_string(i);
    v.note.insert(0, "note ");
    s.set(static_cast<ValueKey>(i), v);
  }
  return s;
}

TEST(Snapshot, JsonHasExactlyTheContractKeys) {
  const nlohmann::json j = sample();
  EXPECT_EQ(j.at("schema"), 1);
  EXPECT_EQ(j.at("created_utc"), "2026-07-10T14:02:00Z");
  std::set<std::string> keys;
  for (const auto& [k, v] : j.at("values").items()) {
    keys.insert(k);
    std::set<std::string> fields;
    for (const auto& [f, x] : v.items()) fields.insert(f);
    EXPECT_EQ(fields, (std::set<std::string>{"value", "source", "provider_time", "fetched_at",
                                             "stale", "note"}));
  }
  EXPECT_EQ(keys,
            (std::set<std::string>{"price_usd", "price_gbp", "price_eur", "difficulty",
                                   "network_hashrate_ths", "height", "fx_usd_gbp", "fx_usd_eur"}));
  EXPECT_TRUE(j.at("values").at("price_usd").at("provider_time").is_null());
}

TEST(Snapshot, RoundTripsThroughText) {
  const Snapshot a = sample();
  const Snapshot b = snapshot_from_text(snapshot_to_text(a));
  ASSERT_TRUE(b.complete());
  for (int i = 0; i < kValueCount; ++i) {
    const auto k = static_cast<ValueKey>(i);
    EXPECT_EQ(a.at(k).value, b.at(k).value);
    EXPECT_EQ(a.at(k).source, b.at(k).source);
    EXPECT_EQ(a.at(k).provider_time, b.at(k).provider_time);
    EXPECT_EQ(a.at(k).stale, b.at(k).stale);
    EXPECT_EQ(a.at(k).note, b.at(k).note);
  }
}

TEST(Snapshot, FromTextRejectsBadShapes) {
  EXPECT_THROW(snapshot_from_text("{not json"), Error);
  EXPECT_THROW(snapshot_from_text(R"({"schema":2,"created_utc":"x","values":{}})"), Error);
  EXPECT_THROW(
      snapshot_from_text(
          R"({"schema":1,"created_utc":"x","values":{"price_usd":{"value":"1","source":"static","provider_time":null,"fetched_at":null,"stale":true,"note":""}}})"),
      Error);
  EXPECT_THROW(
      snapshot_from_text(
          R"({"schema":1,"created_utc":"x","values":{"price_usd":{"value":1,"source":"moon","provider_time":null,"fetched_at":null,"stale":true,"note":""}}})"),
      Error);
  EXPECT_THROW(snapshot_from_text(R"({"schema":1,"created_utc":"x","values":{"volume":{}}})"),
               Error);
}

TEST(NetworkDefaults, BuiltInCopyIsTheDataFileAndParses) {
  EXPECT_EQ(builtin_network_defaults_yaml(),
            read_file(std::string(HASHSIM_SOURCE_DIR) + "/data/network_defaults.yaml"));
  const NetworkDefaults d = load_network_defaults();
  EXPECT_DOUBLE_EQ(d.at(ValueKey::PriceUsd).value, 64429.99);
  EXPECT_DOUBLE_EQ(d.at(ValueKey::Difficulty).value,
                   1.389554e14);  // corrected epochs (data/history/README.md)
  EXPECT_DOUBLE_EQ(d.at(ValueKey::Height).value, 953565);
  EXPECT_EQ(d.at(ValueKey::PriceUsd).as_of, "2026-06-13");
  EXPECT_GT(d.fee_btc_per_block.value, 0.0);
  // Implied hashrate and difficulty agree to within the noise of a 30-day mean.
  const double implied_ths = d.at(ValueKey::Difficulty).value * 4294967296.0 / 600.0 / 1e12;
  EXPECT_NEAR(d.at(ValueKey::NetworkHashrateThs).value / implied_ths, 1.0, 0.1);
  const LiveValue v = static_value(d, ValueKey::PriceUsd);
  EXPECT_EQ(v.source, "static");
  EXPECT_TRUE(v.stale);
  EXPECT_FALSE(v.fetched_at.has_value());
}

TEST(NetworkDefaults, RejectsMissingAndUnknownKeys) {
  std::string y = builtin_network_defaults_yaml();
  std::string missing = y;
  missing.replace(missing.find("  height:"), 9, "  heigth:");
  EXPECT_THROW(parse_network_defaults(missing, "t.yaml"), Error);
  EXPECT_THROW(parse_network_defaults("schema: 1\nvalues: {}\n", "t.yaml"), Error);
}

TEST(LiveOptions, ReadsTheEnvironment) {
  std::map<std::string, std::string> env{
      {"XDG_CACHE_HOME", "/x"},
      {"HOME", "/home/u"},
      {"LIVE_DATA_CACHE_TTL_S", "60"},
      {"LIVE_DATA_USER_AGENT", "acme-mining/2 (ops@acme.invalid)"},
      {"COINGECKO_API_KEY", "CG-abc"},
      {"LIVE_DATA_COINGECKO_URL", "http://127.0.0.1:1/"},
      {"LIVE_DATA_DAILY_CALL_LIMIT", "50"}};
  const EnvLookup lookup = [&](const std::string& n) -> std::optional<std::string> {
    auto it = env.find(n);
    return it == env.end() ? std::nullopt : std::optional<std::string>(it->second);
  };
  LiveOptions o = live_options_from_env(lookup);
  EXPECT_EQ(o.cache_dir, "/x/hashsim");
  EXPECT_EQ(o.cache_ttl_s, 60);
  EXPECT_EQ(o.user_agent, "acme-mining/2 (ops@acme.invalid)");
  EXPECT_EQ(o.coingecko_api_key, "CG-abc");
  EXPECT_EQ(o.endpoints.coingecko, "http://127.0.0.1:1");
  EXPECT_EQ(o.daily_call_limit, 50);
  EXPECT_EQ(o.mode, LiveMode::Auto);

  env["HASHSIM_CACHE_DIR"] = "/c";
  env["HASHSIM_OFFLINE"] = "1";
  env.erase("LIVE_DATA_USER_AGENT");
  o = live_options_from_env(lookup);
  EXPECT_EQ(o.cache_dir, "/c");
  EXPECT_EQ(o.mode, LiveMode::CacheOnly);
  EXPECT_EQ(o.user_agent.rfind("hashsim/", 0), 0u);
  env.erase("HASHSIM_CACHE_DIR");
  env.erase("XDG_CACHE_HOME");
  EXPECT_EQ(live_options_from_env(lookup).cache_dir, "/home/u/.cache/hashsim");

  env["LIVE_DATA_CACHE_TTL_S"] = "soon";
  try {
    live_options_from_env(lookup);
    FAIL();
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("LIVE_DATA_CACHE_TTL_S"), std::string::npos);
    EXPECT_EQ(std::string(e.what()).find("CG-abc"), std::string::npos);
  }
}

TEST(Timestamps, ParseAndFormatUtc) {
  EXPECT_EQ(parse_utc_iso8601("2026-07-10T14:02:00Z"), 1783692120);
  EXPECT_EQ(parse_utc_iso8601("2026-07-10T14:02:00.250+00:00"), 1783692120);
  EXPECT_EQ(parse_utc_iso8601("2026-07-10"), 1783692120 - 14 * 3600 - 120);
  EXPECT_FALSE(parse_utc_iso8601("2026-07-10T14:02:00+02:00"));
  EXPECT_FALSE(parse_utc_iso8601("yesterday"));
  EXPECT_FALSE(parse_utc_iso8601("2026-02-30"));
  EXPECT_EQ(format_utc_iso8601(1783692120), "2026-07-10T14:02:00Z");
  EXPECT_EQ(format_utc_human(1783692120), "2026-07-10 14:02 UTC");
  EXPECT_EQ(format_age(30), "30 s");
  EXPECT_EQ(format_age(600), "10 min");
}

TEST(Redact, ReplacesEverySecretOccurrence) {
  EXPECT_EQ(redact("key=abc123&x=abc123", {"abc123", ""}), "key=[REDACTED]&x=[REDACTED]");
  EXPECT_EQ(redact("nothing here", {"abc123"}), "nothing here");
}

}  // namespace
}  // namespace hashsim::live
