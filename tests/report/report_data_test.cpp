// Report data extraction: halvings from heights, the JSON the page draws (checked against the
// results file's own datasets), the site view's bands and histograms, and the HTML assembly.
#include <gtest/gtest.h>

#include <cmath>
#include <regex>

#include "engine/io/hdf5.h"
#include "engine/io/schema.h"
#include "engine/report/html.h"
#include "engine/report/report_data.h"
#include "engine/report/site_view.h"
#include "engine/site/site_output.h"
#include "tests/engine/test_support.h"
#include "tests/report/fixture.h"

using namespace hashsim;
using namespace hashsim::report;
using hashsim::report::testing::kData;
using hashsim::report::testing::results_file;
using hashsim::report::testing::temp_dir;
namespace sc = hashsim::io::schema;
namespace ts = hashsim::test_support;

TEST(Halvings, FirstDayReachingEachMultipleOf210000) {
  // Start just below the 5th halving (1,050,000); cross it on day 2; the 6th on day 4.
  const std::vector<double> h = {1'049'998, 1'049'999.5, 1'050'000,
                                 1'200'000, 1'260'000,   1'260'001};
  const auto hv = halvings_from_heights(h);
  ASSERT_EQ(hv.size(), 2u);
  EXPECT_EQ(hv[0].day_index, 2u);
  EXPECT_EQ(hv[0].height, 1'050'000);
  EXPECT_EQ(hv[1].day_index, 4u);
  EXPECT_EQ(hv[1].height, 1'260'000);
}

TEST(Halvings, StartOnAMultipleIsNotAHalvingInTheHorizon) {
  EXPECT_TRUE(halvings_from_heights({1'050'000, 1'050'100, 1'050'300}).empty());
  EXPECT_TRUE(halvings_from_heights({}).empty());
  // Two multiples crossed on one recorded day (coarse recording) are both reported on that day.
  const auto hv = halvings_from_heights({200'000, 430'000});
  ASSERT_EQ(hv.size(), 2u);
  EXPECT_EQ(hv[0].height, 210'000);
  EXPECT_EQ(hv[1].height, 420'000);
  EXPECT_EQ(hv[1].day_index, 1u);
}

TEST(ReportJson, SeriesBandsAreTheEnginesSummaries) {
  const nlohmann::json j = report_json(results_file());
  ASSERT_EQ(j["scenarios"].size(), 2u);
  EXPECT_EQ(j["scenarios"][0]["name"], "base");
  EXPECT_EQ(j["scenarios"][1]["name"], "bear");
  h5::Handle f = h5::open_file_readonly(results_file().string());
  for (const auto& s : j["scenarios"]) {
    h5::Handle g = h5::open_group(f.get(), sc::scenario_group(s["name"].get<std::string>()));
    for (const char* series : kFanSeries)
      for (const char* stat : {sc::kStatP5, sc::kStatP50, sc::kStatP95, sc::kStatMean}) {
        const auto want = h5::read_vector(g.get(), sc::summary_dataset(series, stat));
        const auto& got = s["series"][series][stat];
        ASSERT_EQ(got.size(), want.size()) << series << " " << stat;
        for (std::size_t d = 0; d < want.size(); d += 37)
          EXPECT_DOUBLE_EQ(got[d].get<double>(), want[d]);
      }
    EXPECT_EQ(s["date"].size(), 760u);
    EXPECT_EQ(s["date"][0], "2026-06-13");
    EXPECT_EQ(s["master_seed"].get<std::int64_t>(), s["name"] == "base" ? 11 : 12);
    EXPECT_NE(s["scenario_yaml"].get<std::string>().find("observers:"), std::string::npos);
  }
}

TEST(ReportJson, HalvingOnTheDayTheMedianHeightCrosses1050000) {
  const nlohmann::json j = report_json(results_file());
  h5::Handle f = h5::open_file_readonly(results_file().string());
  for (const auto& s : j["scenarios"]) {
    ASSERT_EQ(s["halvings"].size(), 1u) << s["name"];
    const auto& h = s["halvings"][0];
    EXPECT_EQ(h["height"].get<std::int64_t>(), 1'050'000);
    h5::Handle g = h5::open_group(f.get(), sc::scenario_group(s["name"].get<std::string>()));
    const auto height =
        h5::read_vector(g.get(), sc::summary_dataset(sc::kSeriesHeight, sc::kStatP50));
    const auto d = h["day_index"].get<std::size_t>();
    EXPECT_GE(height[d], 1'050'000.0);
    EXPECT_LT(height[d - 1], 1'050'000.0);
    EXPECT_EQ(h["date"], s["date"][d]);
  }
}

TEST(ReportJson, ArchetypeGridAndFleets) {
  const nlohmann::json j = report_json(results_file());
  h5::Handle f = h5::open_file_readonly(results_file().string());
  const auto& s = j["scenarios"][0];
  h5::Handle g = h5::open_group(f.get(), sc::scenario_group("base"));
  const auto observer = h5::read_vector(g.get(), ts::agents_dataset(sc::kAgentsIsObserver));
  const auto mean = h5::read_vector(
      g.get(),
      sc::summary_dataset(ts::field_dataset(sc::ArchetypeFinal::ProfitTotalUsd), sc::kStatMean));
  std::size_t n_env = 0;
  for (double o : observer) n_env += o == 0.0;
  const auto& cells = s["archetypes"]["profit_total_usd"];
  ASSERT_EQ(cells.size(), n_env);
  // machines x 3 tariffs x 2 strategies, observers left out
  EXPECT_EQ(n_env % 6, 0u);
  for (std::size_t a = 0; a < n_env; a += 7)
    EXPECT_DOUBLE_EQ(cells[a]["mean"].get<double>(), mean[a]);
  ASSERT_EQ(s["fleets"].size(), 2u);
  EXPECT_EQ(s["fleets"][0]["name"], "Antminer S21 at 5 c/kWh, sell_daily");
  EXPECT_EQ(s["fleets"][1]["name"], "Antminer S19 XP at 7 c/kWh, long_btc");
  const auto p50 = h5::read_vector(
      g.get(), sc::summary_dataset(ts::field_dataset(sc::Fleet::ValueOverBudget), sc::kStatP50));
  ASSERT_EQ(s["fleets"][1]["p50"].size(), 760u);
  EXPECT_DOUBLE_EQ(s["fleets"][1]["p50"][500].get<double>(), p50[760 + 500]);
}

TEST(SiteView, BandsCumulativeAndHistogram) {
  // 3 paths x (2 years + 1): cumulative and discounted cumulative per path, quantiles by year.
  const std::vector<double> cf = {-100, 60, 60, -100, 50, 50, -100, 70, 80};
  const auto cum = cumulative(cf, 3, 2);
  EXPECT_EQ(cum, (std::vector<double>{-100, -40, 20, -100, -50, 0, -100, -30, 50}));
  const auto disc = cumulative(cf, 3, 2, 0.1, true);
  EXPECT_NEAR(disc[2], -100 + 60 / 1.1 + 60 / 1.21, 1e-12);
  const Bands b = year_bands(cum, 3, 2);
  EXPECT_DOUBLE_EQ(b.p50[2], 20.0);
  EXPECT_DOUBLE_EQ(b.mean[1], -40.0);
  EXPECT_DOUBLE_EQ(b.p5[0], -100.0);
  const Histogram h = histogram({0.0, 1.0, 2.0, 3.0, std::nan(""), 4.0}, 4);
  EXPECT_EQ(h.n_undefined, 1u);
  EXPECT_DOUBLE_EQ(h.lo, 0.0);
  EXPECT_DOUBLE_EQ(h.hi, 4.0);
  EXPECT_EQ(h.counts, (std::vector<std::size_t>{1, 1, 1, 2}));  // the maximum falls in the last bin
}

TEST(SiteView, FromHdf5EqualsFromTheRunInMemory) {
  const site::SiteConfig c = site::load_site_config(kData / "site.yaml");
  const site::SiteRun run = site::run_site(c, results_file(), {}, "test");
  const auto site_h5 = temp_dir() / "site.h5";
  site::write_site_hdf5(run, site_h5);
  nlohmann::json a = site_view_json(site_view_from_run(run));
  nlohmann::json b = site_view_json(read_site_view(site_h5));
  // The summary carries its creation time; everything else must agree.
  a["summary"].erase("created_utc");
  b["summary"].erase("created_utc");
  EXPECT_EQ(a.dump(), b.dump());
  ASSERT_EQ(a["scenarios"].size(), 2u);
  const auto& site_play = a["scenarios"][0]["plays"][0];
  EXPECT_EQ(site_play["key"], "site");
  // cumulative P50 at year 0 is -capex on every path
  EXPECT_DOUBLE_EQ(site_play["cumulative"]["p50"][0].get<double>(),
                   -run.analysis.site->plant.capex_total());
  std::size_t counted = site_play["npv_hist"]["n_undefined"].get<std::size_t>();
  for (const auto& c2 : site_play["npv_hist"]["counts"]) counted += c2.get<std::size_t>();
  EXPECT_EQ(counted, run.analysis.scenarios[0].n_paths);
}

TEST(ReportHtml, SelfContainedWithParsableData) {
  const auto site_h5 = temp_dir() / "site_for_html.h5";
  {
    const site::SiteRun run =
        site::run_site(site::load_site_config(kData / "site.yaml"), results_file(), {}, "t");
    site::write_site_hdf5(run, site_h5);
  }
  const auto out = temp_dir() / "report.html";
  write_report(results_file(), site_h5, out);
  const std::string html = read_file(out);
  EXPECT_FALSE(std::filesystem::exists(out.string() + ".partial"));
  // No external resource of any kind: nothing loaded by src= or href= from elsewhere.
  EXPECT_FALSE(std::regex_search(html, std::regex(R"((src|href)\s*=\s*["']?(https?:)?//)")));
  EXPECT_EQ(html.find("<script src"), std::string::npos);
  EXPECT_NE(html.find("Chart.js v"), std::string::npos);  // the library is inline
  const std::string open = "<script type=\"application/json\" id=\"report-data\">";
  const auto p = html.find(open);
  ASSERT_NE(p, std::string::npos);
  const auto q = html.find("</script>", p);
  const nlohmann::json data =
      nlohmann::json::parse(html.substr(p + open.size(), q - p - open.size()));
  EXPECT_EQ(data["scenarios"].size(), 2u);
  EXPECT_TRUE(data["site"].is_object());
}

TEST(ReportHtml, ScriptSafeEscapesClosingTags) {
  EXPECT_EQ(script_safe("a</script>b"), "a<\\/script>b");
  EXPECT_EQ(script_safe("x<y"), "x<y");
  const std::string page = render_report_html(
      {{"meta", {{"x", "</script><b>"}}}, {"scenarios", nlohmann::json::array()}});
  EXPECT_EQ(page.find("</script><b>"), std::string::npos);
}
