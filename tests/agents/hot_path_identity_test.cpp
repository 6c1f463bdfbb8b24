// The daily loop's fast paths must give the same bits as the general code they stand in for
// (issue 11: speed without changing results). Here: cap_orders_by_band's register-resident band
// sums (MinerState::bands_periodic, 1..8 bands) against the general loop over tariff_band, on a
// run where the band capacities bind, compared field by field, day by day.
#include <gtest/gtest.h>

#include <bit>
#include <cmath>
#include <cstdint>
#include <vector>

#include "agents/miner_rules.h"
#include "tests/agents/agents_fixture.h"

using namespace hashsim;
using namespace hashsim::agents;
namespace ts = hashsim::test_support;

namespace {
bool same_bits(const std::vector<double>& a, const std::vector<double>& b) {
  if (a.size() != b.size()) return false;
  for (std::size_t i = 0; i < a.size(); ++i)
    if (std::bit_cast<std::uint64_t>(a[i]) != std::bit_cast<std::uint64_t>(b[i])) return false;
  return true;
}
}  // namespace

TEST(HotPathIdentity, PeriodicBandCapsEqualTheGeneralLoop) {
  for (const std::size_t nb : {1u, 2u, 3u, 7u, 8u, 9u}) {
    ts::TempDir dir;
    std::vector<TariffBand> bands;
    for (std::size_t b = 0; b < nb; ++b)
      bands.push_back({0.02 + 0.01 * static_cast<double>(b), 1.0 / static_cast<double>(nb)});
    auto c = ts::make_config(dir,
                             {{"A", 100.0, 3000.0, 1500.0, 1.0, 10, 500.0},
                              {"B", 200.0, 3500.0, 4000.0, 0.8, 30, 300.0},
                              {"C", 60.0, 3200.0, 300.0, 1.2, 5, 900.0}},
                             bands, 0.6);
    ts::default_rules(c.rules);
    c.rules.band_capacity_headroom = 0.02;  // tight: the caps bind
    const ArchetypeTable t = build_archetype_table(c, 1e6);
    MinerState fast, general;
    fast.allocate(t, c.rules);
    general.allocate(t, c.rules);
    ASSERT_TRUE(fast.bands_periodic) << nb << " bands";
    general.bands_periodic = false;
    fast.reset(t);
    general.reset(t);
    const double price = 50'000.0;
    seed_default(t, c.rules, fast, 0.08, {});
    seed_default(t, c.rules, general, 0.08, {});
    bool capped = false;
    for (int day = 1; day <= 500; ++day) {
      // A hashprice that swings through profit and loss, so orders, caps, switching all happen.
      const double hp_usd = 0.08 * (1.0 + 0.6 * std::sin(day / 40.0)) * std::exp(-day / 2000.0);
      step_default(t, c.rules, fast, day, price, hp_usd / price, hp_usd);
      step_default(t, c.rules, general, day, price, hp_usd / price, hp_usd);
      for (std::size_t b = 0; b < nb; ++b) capped |= general.band_order_kw[b] < 1.0;
      ASSERT_TRUE(same_bits(fast.machines_on, general.machines_on)) << nb << " bands, day " << day;
      ASSERT_TRUE(same_bits(fast.machines_idle, general.machines_idle)) << day;
      ASSERT_TRUE(same_bits(fast.pending_machines, general.pending_machines)) << day;
      ASSERT_TRUE(same_bits(fast.usd, general.usd)) << day;
      ASSERT_TRUE(same_bits(fast.btc, general.btc)) << day;
      ASSERT_TRUE(same_bits(fast.buy_scratch, general.buy_scratch)) << day;
      ASSERT_TRUE(same_bits(fast.band_used_kw, general.band_used_kw)) << day;
      ASSERT_TRUE(same_bits(fast.band_order_kw, general.band_order_kw)) << day;
    }
    EXPECT_TRUE(capped) << nb << " bands: the caps never bound, the test covers nothing";
  }
}
