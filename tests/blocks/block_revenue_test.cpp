// Per-block revenue checked by hand on a few blocks.
#include <gtest/gtest.h>

#include <cmath>
#include <filesystem>
#include <unistd.h>

#include "engine/blocks/block_revenue.h"
#include "engine/util/atomic_file.h"
#include "engine/util/error.h"

namespace hashsim::blocks {
namespace {

DailyCloses closes() {
  return DailyCloses::load(DailyTable::parse(
      "date,price_usd\n2025-06-14,100000\n2025-06-15,110000\n2025-06-16,\n2025-06-17,120000\n",
      "prices.csv"));
}

std::vector<BlockRecord> three_blocks() {
  const std::string h(64, 'f');
  return {
      {900000, h, 1'750'000'000, 312'500'000, 10'000'000, 8e8},
      {900001, h, 1'750'000'600, 312'500'000, 0, 8e8},           // empty block
      {900002, h, 1'750'000'500, 312'500'000, 2'500'000, 1e9}};  // timestamp before its parent's
}

BlockRevenueOptions s21_at_5c() {
  BlockRevenueOptions o;
  o.machines = {{"Bitmain Antminer S21", 200.0, 3500.0, 285.0},
                {"Antminer S21+", 216.0, 3564.0, 280.0}};
  o.tariff_usd_per_kwh = 0.05;
  return o;
}

TEST(BlockRevenue, HandComputedBlocks) {
  const BlockRevenueResult r = block_revenue(three_blocks(), closes(), s21_at_5c());
  ASSERT_EQ(r.heights.size(), 3u);
  // Block 900000 at 2025-06-15 15:06:40 UTC: nearest close is 2025-06-15's, stamped 2025-06-16
  // 00:00 UTC = 1750032000, 32000 s later.
  EXPECT_EQ(r.column("price_usd")[0], 110000.0);
  EXPECT_EQ(r.column("price_gap_s")[0], -32000.0);
  // share = 285 x 200 TH/s / 8e8 TH/s = 7.125e-5; reward 3.125 + 0.1 BTC.
  const auto& btc = r.column("bitmain_antminer_s21_revenue_btc");
  EXPECT_NEAR(btc[0], 7.125e-5 * 3.225, 1e-15);
  EXPECT_NEAR(r.column("bitmain_antminer_s21_revenue_usd")[0], 7.125e-5 * 3.225 * 110000.0, 1e-9);
  // First block: no previous block stored, no interval, no power cost.
  EXPECT_EQ(r.column("interval_known")[0], 0.0);
  EXPECT_EQ(r.column("bitmain_antminer_s21_power_cost_usd")[0], 0.0);
  // Empty block: subsidy only; 600 s of 997.5 kW at 5 c = 8.3125 USD.
  EXPECT_NEAR(btc[1], 7.125e-5 * 3.125, 1e-15);
  EXPECT_EQ(r.column("interval_s")[1], 600.0);
  EXPECT_NEAR(r.column("bitmain_antminer_s21_power_cost_usd")[1], 8.3125, 1e-12);
  EXPECT_NEAR(r.column("bitmain_antminer_s21_profit_usd")[1], 7.125e-5 * 3.125 * 110000.0 - 8.3125,
              1e-9);
  // Negative interval (-100 s) clamped to 0: no power cost, flagged.
  EXPECT_EQ(r.column("interval_s")[2], 0.0);
  EXPECT_EQ(r.column("interval_clamped")[2], 1.0);
  EXPECT_EQ(r.clamped_intervals, 1);
  EXPECT_NEAR(btc[2], 57000.0 / 1e9 * 3.15, 1e-15);
  // Second machine side by side: 280 x 216 TH/s.
  EXPECT_NEAR(r.column("antminer_s21plus_revenue_btc")[1], 280.0 * 216.0 / 8e8 * 3.125, 1e-15);
  EXPECT_NEAR(r.column("antminer_s21plus_power_cost_usd")[1], 280 * 3.564 * 600 / 3600 * 0.05,
              1e-12);
}

TEST(BlockRevenue, PriceGapsAndBadInputAreErrors) {
  auto blocks = three_blocks();
  blocks[2].time_unix = 1'760'000'000;  // months after the last price
  EXPECT_THROW(block_revenue(blocks, closes(), s21_at_5c()), Error);
  EXPECT_THROW(block_revenue({}, closes(), s21_at_5c()), Error);
  BlockRevenueOptions none = s21_at_5c();
  none.machines.clear();
  EXPECT_THROW(block_revenue(three_blocks(), closes(), none), Error);
  // A blank price day is skipped: a block on 2025-06-16 12:00 prices at the nearest close.
  DailyCloses c = closes();
  EXPECT_EQ(c.price_usd.size(), 3u);
}

TEST(BlockRevenue, CsvHasHeightsAndExactIntegers) {
  const BlockRevenueResult r = block_revenue(three_blocks(), closes(), s21_at_5c());
  const auto path = std::filesystem::temp_directory_path() /
                    ("hashsim_rev_" + std::to_string(::getpid()) + ".csv");
  write_block_revenue_csv(r, path);
  const std::string text = read_file(path);
  std::filesystem::remove(path);
  EXPECT_EQ(
      text.rfind("height,time_unix,interval_s,interval_clamped,interval_known,subsidy_sat,fee_sat,",
                 0),
      0u);
  EXPECT_NE(text.find("\n900000,1750000000,0,0,0,312500000,10000000,800000000,110000,-32000,"),
            std::string::npos)
      << text.substr(0, 400);
  EXPECT_EQ(machine_slug("Bitmain Antminer S21+ Hydro"), "bitmain_antminer_s21plus_hydro");
}

TEST(BlockRevenue, IntervalsAddUpToTheElapsedTimeAfterABackwardsTimestamp) {
  // Times 0, 600, 500, 1200 (s after t0): the third block is older than the second; the fourth must
  // count 600 s (from 600), not 700 s (from 500), or the time 500..600 is paid twice.
  const std::string h(64, 'f');
  const std::int64_t t0 = 1'750'000'000;
  const std::vector<BlockRecord> blocks = {{900000, h, t0, 312'500'000, 0, 8e8},
                                           {900001, h, t0 + 600, 312'500'000, 0, 8e8},
                                           {900002, h, t0 + 500, 312'500'000, 0, 8e8},
                                           {900003, h, t0 + 1200, 312'500'000, 0, 8e8}};
  const BlockRevenueResult r = block_revenue(blocks, closes(), s21_at_5c());
  EXPECT_EQ(r.column("interval_s"), (std::vector<double>{0.0, 600.0, 0.0, 600.0}));
  EXPECT_EQ(r.column("interval_clamped")[2], 1.0);
  EXPECT_EQ(r.column("interval_clamped")[3], 0.0);
  EXPECT_DOUBLE_EQ(r.total("interval_s"), 1200.0);  // = elapsed time
  EXPECT_NEAR(r.total("bitmain_antminer_s21_power_cost_usd"), 285 * 3.5 * 1200.0 / 3600.0 * 0.05,
              1e-9);
}

TEST(BlockRevenue, DailyAndMonthlySummariesAddUp) {
  // Blocks every 6 h over 2025-06-14 18:00 .. 2025-06-17 06:00 UTC.
  const std::string h(64, 'f');
  std::vector<BlockRecord> blocks;
  for (int i = 0; i < 11; ++i)
    blocks.push_back({900000 + i, h, 1'749'924'000 + i * 21600, 312'500'000, 1000 * i, 8e8});
  const BlockRevenueResult r = block_revenue(blocks, closes(), s21_at_5c());
  const RevenueSummary d = summarize_block_revenue(r, SummaryPeriod::Day);
  EXPECT_EQ(d.key_name, "day");
  EXPECT_EQ(d.keys,
            (std::vector<std::string>{"2025-06-14", "2025-06-15", "2025-06-16", "2025-06-17"}));
  EXPECT_EQ(d.columns[0].name, "blocks");
  EXPECT_EQ(d.columns[0].values, (std::vector<double>{1, 4, 4, 2}));
  const RevenueSummary m = summarize_block_revenue(r, SummaryPeriod::Month);
  EXPECT_EQ(m.keys, (std::vector<std::string>{"2025-06"}));
  for (const auto& c : m.columns) {
    if (c.name == "blocks") continue;
    double day_sum = 0.0;
    for (const auto& dc : d.columns)
      if (dc.name == c.name)
        for (double v : dc.values) day_sum += v;
    EXPECT_NEAR(c.values[0], r.total(c.name), 1e-9 * std::max(1.0, std::abs(r.total(c.name))))
        << c.name;
    EXPECT_NEAR(day_sum, c.values[0], 1e-9 * std::max(1.0, std::abs(c.values[0]))) << c.name;
  }
  EXPECT_NEAR(d.columns[1].values[1], 4 * 21600.0, 1e-9);  // interval_s on 2025-06-15
}

}  // namespace
}  // namespace hashsim::blocks
