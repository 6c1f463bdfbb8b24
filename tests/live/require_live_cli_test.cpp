// `--require-live` on `hashsim run`, `hashsim sweep` and `hashsim site --sweep` (issue 16, items 9
// and 13): the real CLI in a child process against the loopback fake providers, so the flag, the
// start-source resolution in sim::simulate_to_file and the exit status are all under test. A run
// whose start values are not all live exits 1 naming them and writes nothing; without the flag the
// same run falls back honestly and exits 0.
#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>
#include <vector>

#include "tests/engine/test_basics.h"
#include "tests/live/fake_providers.h"

namespace hashsim::live {
namespace {

namespace fs = std::filesystem;
using testing::FakeProviders;

namespace ts = hashsim::test_support;
using ts::TempDir;
using ts::write_text;

// hashsim `args` with the live-data layer aimed at `server`, a private cache and short timeouts.
ts::ChildResult run_hashsim(const FakeProviders& server, const TempDir& dir,
                            const std::vector<std::string>& args) {
  const fs::path log = dir / "hashsim.log";
  const std::string base = server.base_url();
  std::vector<std::string> env = {"PATH=/usr/bin:/bin",
                                  "HOME=" + dir.path().string(),
                                  "HASHSIM_CACHE_DIR=" + (dir / "cache").string(),
                                  "LIVE_DATA_COINGECKO_URL=" + base,
                                  "LIVE_DATA_COINBASE_URL=" + base,
                                  "LIVE_DATA_BLOCKCHAIN_INFO_URL=" + base,
                                  "LIVE_DATA_MEMPOOL_URL=" + base,
                                  "LIVE_DATA_FRANKFURTER_URL=" + base,
                                  "LIVE_DATA_CONNECT_TIMEOUT_MS=1000",
                                  "LIVE_DATA_TIMEOUT_MS=2000",
                                  "LIVE_DATA_MAX_ATTEMPTS=1"};
  return ts::wait_for(ts::spawn_hashsim(args, log, {.env = std::move(env)}), log);
}

bool contains(const std::string& text, const std::string& part) {
  return text.find(part) != std::string::npos;
}

// A small exogenous scenario whose start comes from `source`.
fs::path write_scenario(const TempDir& dir, const std::string& name, const std::string& source) {
  const fs::path p = dir / (name + ".yaml");
  std::string start = "start:\n  source: " + source + "\n";
  if (source == "scenario")
    start +=
        "  date: 2026-06-13\n  price_usd: 100000\n  network_hashrate_ths: 9.0e8\n  difficulty: "
        "1.2e14\n"
        "  height: 950000\n  fee_btc_per_block: 0.03\n";
  write_text(p, "name: " + name + "\nhorizon_days: 20\npaths: 4\nseed: 1\n" + start +
                    "price: {model: gbm, drift_per_year: 0.0, vol_per_sqrt_year: 0.6}\n"
                    "fees: {model: lognormal, median_btc_per_block: 0.02, log_sd: 0.5}\n"
                    "network: {model: exogenous, growth_per_year: 0.3, vol_per_sqrt_year: 0.2}\n");
  return p;
}

const std::vector<std::string> kQuiet = {"--threads", "1", "--no-progress", "--no-summary"};
std::vector<std::string> cat(std::vector<std::string> a, const std::vector<std::string>& b) {
  a.insert(a.end(), b.begin(), b.end());
  return a;
}

TEST(RequireLiveCli, RunWithEveryValueLiveWritesTheFile) {
  FakeProviders server;
  TempDir dir;
  const fs::path in = write_scenario(dir, "live-start", "live");
  const fs::path out = dir / "out.h5";
  const ts::ChildResult r = run_hashsim(
      server, dir, cat({"run", in.string(), "-o", out.string(), "--require-live"}, kQuiet));
  EXPECT_EQ(r.exit_code, 0) << r.out;
  EXPECT_TRUE(fs::exists(out)) << r.out;
}

TEST(RequireLiveCli, RunWithAValueNotLiveFailsNamingItAndWritesNothing) {
  FakeProviders server;
  server.set(testing::kDifficultyPath, {503, "down", "text/plain", 0, {}});
  TempDir dir;
  const fs::path in = write_scenario(dir, "live-start", "live");
  const fs::path out = dir / "out.h5";
  ts::ChildResult r = run_hashsim(
      server, dir, cat({"run", in.string(), "-o", out.string(), "--require-live"}, kQuiet));
  EXPECT_EQ(r.exit_code, 1) << r.out;
  EXPECT_TRUE(contains(r.out, "--require-live: 1 start value(s) not live (start.source live)"))
      << r.out;
  EXPECT_TRUE(contains(r.out, "difficulty: static default")) << r.out;
  EXPECT_FALSE(contains(r.out, "price_usd:")) << r.out;  // only the value that is not live is named
  EXPECT_FALSE(fs::exists(out));
  EXPECT_FALSE(fs::exists(out.string() + ".partial"));
  // Without the flag the same run falls back to the static difficulty and succeeds.
  r = run_hashsim(server, dir, cat({"run", in.string(), "-o", out.string()}, kQuiet));
  EXPECT_EQ(r.exit_code, 0) << r.out;
  EXPECT_TRUE(fs::exists(out));
}

TEST(RequireLiveCli, EveryProviderDownNamesEveryStartValue) {
  FakeProviders server;
  server.fail_everything(500);
  TempDir dir;
  const fs::path in = write_scenario(dir, "live-start", "live");
  const ts::ChildResult r = run_hashsim(
      server, dir,
      cat({"run", in.string(), "-o", (dir / "out.h5").string(), "--require-live"}, kQuiet));
  EXPECT_EQ(r.exit_code, 1) << r.out;
  EXPECT_TRUE(contains(r.out, "4 start value(s) not live")) << r.out;
  for (const char* v : {"price_usd: static default", "network_hashrate_ths: static default",
                        "difficulty: static default", "height: static default"})
    EXPECT_TRUE(contains(r.out, v)) << v << "\n" << r.out;
}

TEST(RequireLiveCli, StaticOrScenarioStartsAreNotLive) {
  FakeProviders server;
  TempDir dir;
  const fs::path fixed = write_scenario(dir, "fixed-start", "scenario");
  ts::ChildResult r = run_hashsim(
      server, dir,
      cat({"run", fixed.string(), "-o", (dir / "a.h5").string(), "--require-live"}, kQuiet));
  EXPECT_EQ(r.exit_code, 1) << r.out;
  EXPECT_TRUE(contains(r.out, "scenario 'fixed-start'")) << r.out;
  EXPECT_TRUE(contains(r.out, "start.source: scenario")) << r.out;
  EXPECT_FALSE(fs::exists(dir / "a.h5"));
  const fs::path stat = write_scenario(dir, "static-start", "static");
  r = run_hashsim(
      server, dir,
      cat({"run", stat.string(), "-o", (dir / "b.h5").string(), "--require-live"}, kQuiet));
  EXPECT_EQ(r.exit_code, 1) << r.out;
  EXPECT_TRUE(contains(r.out, "4 start value(s) not live (start.source static)")) << r.out;
  EXPECT_EQ(server.total_hits(), 0);  // static never asks a provider
  EXPECT_FALSE(fs::exists(dir / "b.h5"));
}

TEST(RequireLiveCli, SweepAndSiteSweepRefuseAValueNotLive) {
  FakeProviders server;
  server.set(testing::kHeightPath, {500, "err", "text/plain", 0, {}});
  TempDir dir;
  write_scenario(dir, "base", "live");
  write_scenario(dir, "bear", "live");
  const fs::path sweep = dir / "sweep.yaml";
  write_text(sweep, "name: require-live-sweep\nscenarios: [base.yaml, bear.yaml]\n");
  ts::ChildResult r = run_hashsim(
      server, dir,
      cat({"sweep", sweep.string(), "-o", (dir / "s.h5").string(), "--require-live"}, kQuiet));
  EXPECT_EQ(r.exit_code, 1) << r.out;
  EXPECT_TRUE(contains(r.out, "height: static default")) << r.out;
  EXPECT_FALSE(fs::exists(dir / "s.h5"));

  const fs::path site = dir / "site.yaml";
  write_text(
      site,
      "name: require-live-site\nsite_power_kw: 200\ncurrency: USD\npower_price_per_kwh: 0.06\n"
      "horizon_years: 1\nminers:\n  catalogue: " +
          (fs::path(HASHSIM_SOURCE_DIR) / "data/machines/current_2026.csv").string() + "\n");
  r = run_hashsim(server, dir,
                  {"site", site.string(), "--sweep", sweep.string(), "--paths", "4", "--threads",
                   "1", "--no-report", "-o", (dir / "site.h5").string(), "--require-live"});
  EXPECT_EQ(r.exit_code, 1) << r.out;
  EXPECT_TRUE(contains(r.out, "height: static default")) << r.out;
  EXPECT_FALSE(fs::exists(dir / "site.h5"));
  // --require-live only means something where start sources are resolved.
  r = run_hashsim(server, dir,
                  {"site", site.string(), "--results", sweep.string(), "--require-live"});
  EXPECT_NE(r.exit_code, 0) << r.out;
  EXPECT_TRUE(contains(r.out, "--sweep")) << r.out;
}

}  // namespace
}  // namespace hashsim::live
