// The "Block revenue" section of the report and the dashboard (issue 16, item 13): a file of
// `hashsim blocks revenue --h5` read back into the view the pages draw, per block and per UTC day,
// with the numbers of the engine (block_revenue, summarize_block_revenue) unchanged; the report
// of a ledger alone; GET /api/blocks of `hashsim serve --blocks`.
#include <gtest/gtest.h>
#include <httplib.h>

#include <chrono>
#include <cmath>
#include <thread>

#include "engine/blocks/block_revenue.h"
#include "engine/report/blocks_view.h"
#include "engine/report/html.h"
#include "engine/report/server.h"
#include "engine/util/atomic_file.h"
#include "engine/util/dates.h"
#include "engine/util/error.h"
#include "tests/report/fixture.h"

using namespace hashsim;
using namespace hashsim::report;
using hashsim::report::testing::kData;
using hashsim::report::testing::results_file;
using hashsim::report::testing::temp_dir;

namespace {

// 600 blocks from 2025-03-01 00:05 UTC, about 10 minutes apart (one header time behind the block
// before it, as real chains have), across the halving-free subsidy of 3.125 BTC; two machines.
struct Ledger {
  std::vector<blocks::BlockRecord> rows;
  blocks::DailyCloses closes;
  blocks::BlockRevenueOptions options;
  blocks::BlockRevenueResult result;
  std::filesystem::path file;
};

const Ledger& ledger() {
  static const Ledger l = [] {
    Ledger x;
    const std::int64_t t0 = days_from_civil(2025, 3, 1) * 86400 + 300;
    for (int i = 0; i < 600; ++i) {
      std::int64_t t = t0 + 600LL * i + (i % 7) * 37;
      if (i == 100) t -= 1500;  // behind block 99: interval clamped to 0
      x.rows.push_back({890000 + i, "h" + std::to_string(i), t, 312'500'000,
                        1'000'000 + 5'000LL * (i % 11), 8.0e8 * (1.0 + 0.0005 * i)});
    }
    for (int d = -1; d < 6; ++d) {
      x.closes.stamp_unix.push_back((days_from_civil(2025, 3, 1) + d + 1) * 86400);
      x.closes.price_usd.push_back(85000.0 + 1500.0 * d);
    }
    x.closes.file = "prices.csv";
    x.options.tariff_usd_per_kwh = 0.07;
    x.options.pool_fee = 0.02;
    x.options.machines = {{"Bitmain Antminer S21", 200.0, 3500.0, 285.0},
                          {"Bitmain Antminer S19 Pro", 110.0, 3250.0, 307.0}};
    x.result = blocks::block_revenue(x.rows, x.closes, x.options);
    x.file = temp_dir() / "revenue.h5";
    blocks::write_block_revenue_hdf5(x.result, x.options, x.file,
                                     "hashsim blocks revenue --h5 revenue.h5", "ledger.sqlite",
                                     "prices.csv");
    return x;
  }();
  return l;
}

std::vector<double> doubles(const nlohmann::json& a) {
  std::vector<double> v;
  for (const auto& x : a) v.push_back(x.get<double>());
  return v;
}

nlohmann::json embedded_data(const std::string& html) {
  const std::string open = "<script type=\"application/json\" id=\"report-data\">";
  const auto p = html.find(open);
  if (p == std::string::npos) return nullptr;
  const auto q = html.find("</script>", p);
  return nlohmann::json::parse(html.substr(p + open.size(), q - p - open.size()));
}

TEST(BlocksView, PerBlockAndPerDayNumbersAreTheEngines) {
  const Ledger& l = ledger();
  const nlohmann::json v = blocks_view_json(l.file);
  EXPECT_EQ(v["n_blocks"], 600);
  EXPECT_EQ(v["first_height"], 890000);
  EXPECT_EQ(v["last_height"], 890599);
  EXPECT_EQ(v["first_time_utc"], "2025-03-01T00:05:00Z");
  EXPECT_EQ(v["clamped_intervals"], 1);
  EXPECT_EQ(v["unknown_intervals"], 1);
  EXPECT_DOUBLE_EQ(v["tariff_usd_per_kwh"].get<double>(), 0.07);
  EXPECT_DOUBLE_EQ(v["pool_fee"].get<double>(), 0.02);
  EXPECT_EQ(v["provenance"]["command_line"], "hashsim blocks revenue --h5 revenue.h5");
  ASSERT_EQ(v["machines"].size(), 2u);
  EXPECT_EQ(v["machines"][0]["name"], "Bitmain Antminer S21");
  EXPECT_EQ(v["machines"][1]["slug"], "bitmain_antminer_s19_pro");
  EXPECT_EQ(v["machines"][1]["count"], 307.0);
  EXPECT_EQ(v["block"]["height"].size(), 600u);
  EXPECT_EQ(doubles(v["block"]["time_unix"]), l.result.column("time_unix"));

  const blocks::RevenueSummary days =
      blocks::summarize_block_revenue(l.result, blocks::SummaryPeriod::Day);
  EXPECT_EQ(v["day"]["day"].get<std::vector<std::string>>(), days.keys);
  ASSERT_EQ(days.keys.size(), 5u);  // 600 blocks x ~10 min: 1 Mar .. 5 Mar
  EXPECT_EQ(days.keys.front(), "2025-03-01");
  double blocks_per_day = 0.0;
  for (double n : doubles(v["day"]["blocks"])) blocks_per_day += n;
  EXPECT_EQ(blocks_per_day, 600.0);
  for (std::size_t m = 0; m < 2; ++m) {
    const std::string slug = v["machines"][m]["slug"];
    for (const char* field : {"revenue_btc", "revenue_usd", "power_cost_usd", "profit_usd"}) {
      const std::string col = slug + "_" + field;
      // Per block (revenue and profit, what is drawn): exactly the file's column; per day: exactly
      // the --by day sums; totals: the sum.
      if (v["block"][slug].contains(field)) {
        EXPECT_EQ(doubles(v["block"][slug][field]), l.result.column(col)) << col;
      }
      for (const auto& c : days.columns)
        if (c.name == col) {
          EXPECT_EQ(doubles(v["day"][slug][field]), c.values) << col;
        }
      EXPECT_DOUBLE_EQ(v["machines"][m]["total"][field].get<double>(), l.result.total(col)) << col;
    }
    EXPECT_EQ(v["block"][slug].size(), 2u);
    // Profit is revenue less power, day by day.
    const auto rev = doubles(v["day"][slug]["revenue_usd"]),
               pow = doubles(v["day"][slug]["power_cost_usd"]),
               pro = doubles(v["day"][slug]["profit_usd"]);
    for (std::size_t i = 0; i < rev.size(); ++i)
      EXPECT_NEAR(pro[i], rev[i] - pow[i], 1e-9 * std::abs(rev[i]));
  }
  // A hand check of block 890000 (1 March 00:05): the S21 fleet's share of subsidy and fees, less
  // the pool fee, at the nearest daily close: 28 February's, stamped 1 March 00:00 (83,500 USD).
  const double share = 285.0 * 200.0 / 8.0e8;
  const double btc = share * (312'500'000.0 + 1'000'000.0) / 1e8 * 0.98;
  EXPECT_NEAR(v["block"]["bitmain_antminer_s21"]["revenue_usd"][0].get<double>(), btc * 83500.0,
              1e-9);
}

TEST(BlocksView, AnythingElseIsRefusedNamingTheFile) {
  try {
    blocks_view_json(results_file());
    FAIL() << "a results file was taken for a block revenue file";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("not a block revenue file"), std::string::npos)
        << e.what();
    EXPECT_NE(std::string(e.what()).find(results_file().string()), std::string::npos) << e.what();
  }
  const auto text = temp_dir() / "not.h5";
  write_file_atomic(text, "height,revenue\n1,2\n");
  EXPECT_THROW(blocks_view_json(text), Error);
}

TEST(BlocksView, ReportOfALedgerAloneHasTheSection) {
  const Ledger& l = ledger();
  const auto out = temp_dir() / "blocks_report.html";
  write_report({}, {}, out, {}, Overwrite::kReplace, l.file);
  const std::string html = read_file(out);
  EXPECT_NE(html.find("<section id=\"blocks\">"), std::string::npos);
  EXPECT_NE(html.find("HS.blockRevenue"), std::string::npos);  // blocks.js is inline
  EXPECT_EQ(html.find("<script src"), std::string::npos);
  const nlohmann::json data = embedded_data(html);
  ASSERT_TRUE(data.is_object());
  EXPECT_TRUE(data["meta"]["results_file"].is_null());
  EXPECT_TRUE(data["scenarios"].empty());
  EXPECT_EQ(data["blocks"], blocks_view_json(l.file));
  // Nothing to report, or a site without the results it ran over: refused.
  EXPECT_THROW(write_report({}, {}, temp_dir() / "none.html"), Error);
  EXPECT_THROW(write_report({}, l.file, temp_dir() / "site_only.html"), Error);
  EXPECT_FALSE(std::filesystem::exists(temp_dir() / "none.html"));
}

TEST(BlocksView, ReportWithResultsAndBlocksHasBoth) {
  const Ledger& l = ledger();
  const auto out = temp_dir() / "both_report.html";
  write_report(results_file(), {}, out, {}, Overwrite::kReplace, l.file);
  const nlohmann::json data = embedded_data(read_file(out));
  EXPECT_EQ(data["scenarios"].size(), 2u);
  EXPECT_EQ(data["blocks"]["n_blocks"], 600);
  // Without --blocks the data has no such key (the page keeps its "no block revenue" note).
  write_report(results_file(), {}, out);
  EXPECT_FALSE(embedded_data(read_file(out)).contains("blocks"));
}

TEST(BlocksView, DashboardServesTheSameView) {
  const Ledger& l = ledger();
  DashboardOptions o;
  o.port = 0;
  o.results = results_file();
  o.site_file = kData / "site.yaml";
  o.blocks_file = l.file;
  DashboardServer server(o);
  const int port = server.bind();
  std::thread t([&] { server.listen(); });
  while (!server.running()) std::this_thread::sleep_for(std::chrono::milliseconds(1));
  httplib::Client c("127.0.0.1", port);
  auto meta = c.Get("/api/meta");
  ASSERT_TRUE(meta);
  EXPECT_EQ(nlohmann::json::parse(meta->body)["blocks_file"], l.file.string());
  auto r = c.Get("/api/blocks");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 200);
  EXPECT_EQ(nlohmann::json::parse(r->body), blocks_view_json(l.file));
  auto js = c.Get("/assets/blocks.js");
  ASSERT_TRUE(js);
  EXPECT_EQ(js->status, 200);
  EXPECT_NE(js->body.find("HS.blockRevenue"), std::string::npos);
  auto page = c.Get("/");
  ASSERT_TRUE(page);
  EXPECT_NE(page->body.find("/assets/blocks.js"), std::string::npos);
  EXPECT_NE(page->body.find("id=\"tab-blocks\""), std::string::npos);
  EXPECT_EQ(c.Post("/api/blocks", "{}", "application/json")->status, 405);
  server.stop();
  t.join();

  // Without --blocks: 404 saying how to get one.
  DashboardOptions none = o;
  none.blocks_file.clear();
  SiteCalculator calc(none);
  const ApiReply a = calc.blocks();
  EXPECT_EQ(a.status, 404);
  EXPECT_NE(a.body["error"].get<std::string>().find("--blocks"), std::string::npos);
  EXPECT_TRUE(calc.meta()["blocks_file"].is_null());
  // A bad --blocks file stops the server at start, naming it.
  DashboardOptions bad = o;
  bad.blocks_file = results_file();
  EXPECT_THROW(SiteCalculator{bad}, Error);
}

}  // namespace
