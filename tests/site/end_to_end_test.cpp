// From a results file to metrics and outputs: exact numbers over synthetic HDF5 files written
// with engine/io/hdf5.h, and a small end-to-end run over a file the simulator wrote.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <functional>

#include "engine/io/hdf5.h"
#include "engine/io/results_file.h"
#include "engine/io/schema.h"
#include "engine/scenario/scenario.h"
#include "engine/sim/runner.h"
#include "engine/site/site_output.h"
#include "engine/util/atomic_file.h"
#include "engine/util/error.h"

using namespace hashsim;
using namespace hashsim::site;
namespace fs = std::filesystem;
namespace sc = hashsim::io::schema;

namespace {
const fs::path kSrc = HASHSIM_SOURCE_DIR;

fs::path temp_dir() {
  const fs::path d = fs::path(HASHSIM_BINARY_DIR) / "site_test_tmp";
  fs::create_directories(d);
  return d;
}

using Series = std::function<double(std::uint64_t path, std::uint64_t recorded_day)>;

// A results file with one scenario holding the two series site economics reads.
void write_synthetic_many(const fs::path& file, const std::vector<std::string>& names,
                          std::uint64_t n_paths, std::int64_t n_days, std::int64_t every,
                          const Series& hashprice, const Series& price,
                          const std::string& snapshot = "{}") {
  h5::Handle f = h5::create_file(file.string());
  // What every reader checks first (io::check_results_schema): the schema version and day indices.
  h5::set_attr(f.get(), sc::kAttrSchemaVersion, io::kSchemaVersion);
  for (const auto& name : names) {
    h5::Handle g = h5::create_group(f.get(), sc::scenario_group(name));
    h5::set_attr(g.get(), sc::kAttrStartDate, std::string("2026-06-13"));
    h5::set_attr(g.get(), sc::kAttrStartSource, std::string("static"));
    h5::set_attr(g.get(), sc::kAttrNPaths, static_cast<std::int64_t>(n_paths));
    h5::set_attr(g.get(), sc::kAttrNDays, n_days);
    h5::set_attr(g.get(), sc::kAttrRecordEveryDays, every);
    h5::set_attr(g.get(), sc::kAttrStartPriceUsd, 100000.0);
    h5::set_attr(g.get(), sc::kAttrLiveSnapshot, snapshot);
    const auto rec = static_cast<std::uint64_t>((n_days + every - 1) / every);
    std::vector<std::int64_t> day(rec);
    for (std::uint64_t d = 0; d < rec; ++d) day[d] = static_cast<std::int64_t>(d) * every;
    h5::write_vector(g.get(), sc::kDimDay, day);
    for (const auto& [series, fn] :
         {std::pair<const char*, const Series*>{sc::kSeriesHashpriceUsd, &hashprice},
          {sc::kSeriesPriceUsd, &price}}) {
      const std::string ds = sc::paths_dataset(series);
      std::vector<double> v(n_paths * rec);
      for (std::uint64_t p = 0; p < n_paths; ++p)
        for (std::uint64_t d = 0; d < rec; ++d) v[p * rec + d] = (*fn)(p, d);
      h5::Handle h = h5::create_array(g.get(), ds, {n_paths, rec}, {n_paths, rec}, 0);
      h5::write_rows(h.get(), 0, n_paths, v.data());
    }
  }
}

void write_synthetic(const fs::path& file, const std::string& name, std::uint64_t n_paths,
                     std::int64_t n_days, std::int64_t every, const Series& hashprice,
                     const Series& price, const std::string& snapshot = "{}") {
  write_synthetic_many(file, {name}, n_paths, n_days, every, hashprice, price, snapshot);
}

const PlayResult& play(const ScenarioResult& s, const std::string& key) {
  for (const auto& p : s.plays)
    if (p.key == key) return p;
  throw Error("no play " + key);
}

SiteConfig usd_site() {
  return parse_site_config(
      "site_power_kw: 10\n"
      "currency: USD\n"
      "power_price_per_kwh: 0.05\n"
      "horizon_years: 2\n"
      "miners:\n"
      "  list:\n"
      "    - {name: M, hashrate_ths: 100, power_w: 1000, price: 2000}\n",
      temp_dir() / "usd-site.yaml");
}

double flat(std::uint64_t, std::uint64_t) { return 0.1; }
double flat_price(std::uint64_t, std::uint64_t) { return 100000.0; }
}  // namespace

TEST(SiteEndToEnd, FlatSyntheticPathsGiveTheClosedFormNpvAndIrr) {
  const fs::path file = temp_dir() / "flat.h5";
  write_synthetic(file, "base", 4, 730, 1, flat, flat_price);
  const SiteRun run = run_site(usd_site(), file, {"base"});
  const SiteAnalysis& a = run.analysis;
  ASSERT_TRUE(a.site);
  EXPECT_EQ(a.site->plant.n_miners, 10);
  // revenue 1000 TH x 0.1 USD x 365 = 36,500 a year; power 10 kW x 24 x 365 x 0.05 = 4,380
  const double cf1 = 36500 - 4380;
  const PlayResult& site = a.scenarios[0].plays[0];
  ASSERT_EQ(site.key, "site");
  EXPECT_NEAR(site.metrics.npv_site_ccy[3], -20000 + cf1 / 1.08 + cf1 / (1.08 * 1.08), 1e-6);
  // -20000 x^2 + cf1 x + cf1 = 0, x = 1 + IRR
  const double x = (cf1 + std::sqrt(cf1 * cf1 + 4 * 20000 * cf1)) / 40000;
  EXPECT_NEAR(site.metrics.irr[0], x - 1, 1e-9);
  EXPECT_NEAR(site.metrics.payback_years[0], 20000 / cf1, 1e-12);
  EXPECT_NEAR(site.metrics.roic[0], 2 * cf1 / (2 * 20000),
              1e-12);  // the spec's: mean CF_t / miner capex
  EXPECT_DOUBLE_EQ(site.summary.p_npv_negative, 0.0);
  // flat BTC price: the BTC play gets back exactly what it put in
  const PlayResult& btc = play(a.scenarios[0], "btc");
  EXPECT_NEAR(npv(std::span<const double>(btc.cashflows.data(), 3), 0.0), 0.0, 1e-6);
  EXPECT_FALSE(play(a.scenarios[0], "hosted").available);  // no hosted price given
}

TEST(SiteEndToEnd, CurrencyConversionScalesEveryCashflowByTheSnapshotRate) {
  const fs::path file = temp_dir() / "fx.h5";
  const std::string snapshot =
      R"({"schema":1,"values":{"fx_usd_gbp":{"value":0.8,"source":"test","provider_time":"2026-06-11T16:00:00Z",)"
      R"("fetched_at":"2026-06-13T09:00:00Z","stale":false}}})";
  write_synthetic(
      file, "base", 8, 730, 1,
      [](std::uint64_t p, std::uint64_t d) {
        return 0.05 + 0.001 * static_cast<double>(p) + 1e-5 * static_cast<double>(d);
      },
      flat_price, snapshot);
  const std::string common = "site_power_kw: 200\nhorizon_years: 2\n";
  const SiteConfig usd = parse_site_config(
      common + "currency: USD\npower_price_per_kwh: 0.05\nhosted_price_per_kwh: 0.07\n",
      temp_dir() / "u.yaml");
  const SiteConfig gbp = parse_site_config(
      common + "currency: GBP\npower_price_per_kwh: 0.04\nhosted_price_per_kwh: 0.056\n",
      temp_dir() / "g.yaml");
  const SiteRun ru = run_site(usd, file, {});
  const SiteRun rg = run_site(gbp, file, {});
  EXPECT_DOUBLE_EQ(rg.analysis.fx.usd_to_site, 0.8);
  EXPECT_EQ(rg.analysis.fx.provider_time, "2026-06-11T16:00:00Z");
  ASSERT_TRUE(ru.analysis.site && rg.analysis.site);
  EXPECT_EQ(ru.analysis.site->plant.miner.name, rg.analysis.site->plant.miner.name);
  EXPECT_NEAR(rg.analysis.site->plant.capex_total(), 0.8 * ru.analysis.site->plant.capex_total(),
              1e-6);
  ASSERT_EQ(ru.analysis.scenarios[0].plays.size(), rg.analysis.scenarios[0].plays.size());
  for (std::size_t k = 0; k < ru.analysis.scenarios[0].plays.size(); ++k) {
    const auto& cu = ru.analysis.scenarios[0].plays[k].cashflows;
    const auto& cg = rg.analysis.scenarios[0].plays[k].cashflows;
    ASSERT_EQ(cu.size(), cg.size());
    for (std::size_t i = 0; i < cu.size(); ++i)
      EXPECT_NEAR(cg[i], 0.8 * cu[i], 1e-6 * std::fabs(cu[i]) + 1e-6);
    // the IRR does not depend on the currency
    EXPECT_NEAR(rg.analysis.scenarios[0].plays[k].metrics.irr[0],
                ru.analysis.scenarios[0].plays[k].metrics.irr[0], 1e-9);
  }
}

TEST(SiteEndToEnd, SparseRecordingStandsForEveryDayItCovers) {
  const fs::path file = temp_dir() / "weekly.h5";
  write_synthetic(file, "base", 2, 730, 7, flat, flat_price);
  h5::Handle f = h5::open_file_readonly(file.string());
  const MarketPaths m = read_market_paths(f.get(), "base", 2);
  ASSERT_EQ(m.hashprice_usd_per_th_day.size(), 2u * 730);
  for (std::size_t i = 0; i < 2; ++i)
    for (int y = 1; y <= 2; ++y) EXPECT_NEAR(m.hashprice_year_sum(i, y), 36.5, 1e-9);
  for (double h : m.hashprice_usd_per_th_day) EXPECT_DOUBLE_EQ(h, 0.1);
}

TEST(SiteEndToEnd, TooShortOrMissingScenariosAreClearErrors) {
  const fs::path file = temp_dir() / "short.h5";
  write_synthetic(file, "base", 2, 365, 1, flat, flat_price);
  try {
    run_site(usd_site(), file, {});
    FAIL() << "expected an error";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("--days 730"), std::string::npos) << e.what();
  }
  write_synthetic(file, "base", 2, 730, 1, flat, flat_price);
  try {
    run_site(usd_site(), file, {"bull"});
    FAIL() << "expected an error";
  } catch (const Error& e) {
    EXPECT_NE(
        std::string(e.what()).find("scenario 'bull' is not in the results file (it has: base)"),
        std::string::npos)
        << e.what();
  }
}

TEST(SiteEndToEnd, ASingleScenarioNotNamedBaseNamesSelectionScenario) {
  // Regression (issue 12): the error said "scenario 'base' is not in the results file" without
  // naming the key to change.
  const fs::path file = temp_dir() / "only-up.h5";
  write_synthetic(file, "up", 2, 730, 1, flat, flat_price);
  try {
    run_site(usd_site(), file, {});
    FAIL() << "expected an error";
  } catch (const Error& e) {
    const std::string msg = e.what();
    EXPECT_NE(msg.find("selection_scenario = base"), std::string::npos) << msg;
    EXPECT_NE(msg.find("(it has: up)"), std::string::npos) << msg;
  }
  SiteConfig c = usd_site();
  c.selection_scenario = "up";
  EXPECT_EQ(run_site(c, file, {}).analysis.scenarios.size(), 1u);
}

TEST(SiteEndToEnd, EveryScenarioInTheFileIsAnalysedByDefault) {
  // Regression (issue 12): with base, bull and bear present the others were silently dropped.
  const fs::path file = temp_dir() / "five.h5";
  write_synthetic_many(file, {"base", "bear", "bull", "power-cost", "volatile"}, 2, 730, 1, flat,
                       flat_price);
  const SiteRun run = run_site(usd_site(), file, {});
  std::vector<std::string> names;
  for (const auto& s : run.analysis.scenarios) names.push_back(s.scenario);
  EXPECT_EQ(names, (std::vector<std::string>{"base", "bear", "bull", "power-cost", "volatile"}));
  EXPECT_NE(format_report(run).find("scenarios analysed: base, bear, bull, power-cost, volatile"),
            std::string::npos);
}

TEST(SiteEndToEnd, JsonSaysNeverAndNotApplicableDifferently) {
  // Regression (issue 12): NaN ("n/a") and +inf ("never") were both written as null.
  // Paths 0-2 earn well; path 3 earns nothing, so its payback is never and it has no IRR.
  const fs::path file = temp_dir() / "never.h5";
  write_synthetic(
      file, "base", 4, 730, 1, [](std::uint64_t p, std::uint64_t) { return p < 3 ? 0.1 : 0.0; },
      flat_price);
  SiteConfig c = usd_site();
  c.policy.mode = "always_on";
  c.selection_scenario = "base";
  const SiteRun run = run_site(c, file, {});
  const nlohmann::json j = summary_json(run);
  const auto& site = j["scenarios"]["base"]["plays"]["site"];
  EXPECT_EQ(site["payback_years"]["p95"], "never");
  EXPECT_TRUE(site["payback_years"]["p5"].is_number());
  EXPECT_DOUBLE_EQ(site["p_payback_never"].get<double>(), 0.25);
  const auto& btc = j["scenarios"]["base"]["plays"]["btc"];
  EXPECT_FALSE(btc["payback_years"]["applicable"].get<bool>());
  EXPECT_TRUE(btc["p_payback_never"].is_null());
}

TEST(SiteEndToEnd, SimulatedSweepToReportHdf5AndJson) {
  const fs::path results = temp_dir() / "sim.h5";
  {
    io::ResultsFile out(results, "site_tests");
    for (const char* n : {"base", "bull", "bear"}) {
      const auto s = scenario::load_scenario(kSrc / "tests/site/data" / (std::string(n) + ".yaml"),
                                             {32, 730, {}});
      sim::run_scenario(s, out.begin_scenario(s, sim::output_specs(s)), {});
    }
    out.commit();
  }
  const SiteConfig c = load_site_config(kSrc / "tests/site/data/site.yaml");
  const SiteRun run = run_site(c, results, {"base", "bull", "bear"}, "test");
  const SiteAnalysis& a = run.analysis;
  ASSERT_TRUE(a.site);
  ASSERT_EQ(a.scenarios.size(), 3u);
  EXPECT_EQ(a.scenarios[1].scenario, "bull");
  // same seed, higher drift: every bull path earns more than its bear twin
  const auto& bull = a.scenarios[1].plays[0].metrics.npv_site_ccy;
  const auto& bear = a.scenarios[2].plays[0].metrics.npv_site_ccy;
  ASSERT_EQ(bull.size(), 32u);
  for (std::size_t i = 0; i < 32; ++i) {
    EXPECT_TRUE(std::isfinite(bull[i]));
    EXPECT_GT(bull[i], bear[i]);
  }
  const std::string report = format_report(run);
  for (const char* s : {"How we chose your miner", "Your site, daily performance",
                        "Scenario 'bear'", "Median path #", "P(NPV<0)", "buy BTC", "hosted"})
    EXPECT_NE(report.find(s), std::string::npos) << s;

  const fs::path out = temp_dir() / "site.h5";
  write_site_hdf5(run, out);
  h5::Handle f = h5::open_file_readonly(out.string());
  h5::Handle site = h5::open_group(f.get(), sc::kSiteGroup);
  // <scenario group>/<child>/<dataset> under /site, by the schema's names
  const auto in_bull = [](const char* child, const char* dataset) {
    return sc::scenario_group("bull") + "/" + child + "/" + dataset;
  };
  h5::Handle cf = h5::open_dataset(site.get(), in_bull("site", sc::kSiteCashflows));
  EXPECT_EQ(h5::shape(cf.get()), (std::vector<std::uint64_t>{32, 3}));
  EXPECT_EQ(h5::read_vector(site.get(), in_bull("site", sc::kSiteNpv)), bull);
  EXPECT_EQ(h5::read_vector(site.get(), in_bull("site", sc::kSiteMirr)),
            a.scenarios[1].plays[0].metrics.mirr);
  EXPECT_EQ(h5::read_strings(site.get(), in_bull(sc::kSitePoliciesGroup, sc::kDimPolicy)).size(),
            3u);
  EXPECT_EQ(h5::read_strings(site.get(), in_bull(sc::kSiteTornadoGroup, sc::kDimDriver)).size(),
            5u);
  EXPECT_TRUE(h5::exists(site.get(), in_bull("btc", sc::kSiteInvested)));
  EXPECT_TRUE(h5::exists(site.get(), in_bull("equity", sc::kSiteIrrRoots)));
  EXPECT_EQ(h5::read_strings(site.get(), std::string(sc::kSiteSelectionGroup) + "/" + sc::kDimMiner)
                .size(),
            run.offers.size());
  EXPECT_EQ(h5::get_string_attr(site.get(), sc::kAttrSiteCurrency).value_or(""), "GBP");
  // Every play the run evaluates has a group the report reads (io::schema::kSitePlayKeys).
  for (const auto& sr : a.scenarios)
    for (const auto& p : sr.plays)
      EXPECT_NE(std::find(std::begin(sc::kSitePlayKeys), std::end(sc::kSitePlayKeys), p.key),
                std::end(sc::kSitePlayKeys))
          << p.key;

  const nlohmann::json j = summary_json(run);
  EXPECT_DOUBLE_EQ(j["data_snapshot"]["start_price_usd"].get<double>(), 105000);
  EXPECT_DOUBLE_EQ(j["data_snapshot"]["fx"]["usd_to_site"].get<double>(), 0.75);
  EXPECT_DOUBLE_EQ(j["inputs"]["site"]["power_price_per_kwh"].get<double>(), 0.06);
  EXPECT_EQ(j["scenarios"]["bear"]["plays"]["site"]["median_path_cashflows_site_ccy"].size(), 3u);
  EXPECT_FALSE(fs::exists(out.string() + ".partial"));
}
