// ForwardValueDay (the per-day form of forward_machine_value_usd that want_orders uses) must give
// the same bits as forward_machine_value_usd for every input: the golden runs depend on it. The
// inputs sweep the cases of run_segment_usd (under water, stopping inside a segment, running to
// its end, free power, halving before / at / after the horizon, no growth, growth so large that
// e^(k T) overflows) and, densely, revenue/cost ratios around each segment's run-to-end threshold
// e^(k b), where the skipped log decides the stop time.
#include <gtest/gtest.h>

#include <bit>
#include <cmath>
#include <cstdint>
#include <vector>

#include "agents/miner_rules.h"
#include "engine/market/price_model.h"

using namespace hashsim::agents;

namespace {
std::uint64_t bits(double x) { return std::bit_cast<std::uint64_t>(x); }
}  // namespace

TEST(ForwardValueDay, BitIdenticalToForwardMachineValue) {
  const double horizons[] = {720.0, 365.0, 1.0};
  const double growths[] = {0.35, 0.0, -0.2, 0.01, 3.0, 400.0};
  const double halvings[] = {1e9, 0.0, 0.5, 100.0, 719.99, 720.0, 1000.0};
  const double ratios[] = {1.0, 0.55, 0.5, 1.2};
  const double costs[] = {7.2, 0.0, 1e-3, 1234.5};
  std::size_t checked = 0;
  for (const double horizon : horizons)
    for (const double g : growths)
      for (const double days : halvings)
        for (const double ratio : ratios) {
          RewardOutlook o;
          o.days_to_halving = days;
          o.reward_ratio_after_halving = ratio;
          const ForwardValueDay day(horizon, g, o);
          const double k = std::max(g, 0.0) / hashsim::market::kDaysPerYear;
          const double t_h = std::min(days, horizon);
          for (const double cost : costs) {
            std::vector<double> revenues = {-1.0,       0.0,         cost * 0.5, cost,
                                            cost * 1.5, cost * 40.0, 1e300};
            // Around e^(k b) for both segment ends, before and after the halving ratio.
            for (const double b : {t_h, horizon})
              for (const double m : {1.0, ratio})
                for (int j = -150; j <= 150; ++j) {
                  const double threshold = cost * std::exp(k * b) / m;
                  revenues.push_back(threshold * (1.0 + j * 1e-8));
                  revenues.push_back(std::nextafter(threshold, j < 0 ? 0.0 : HUGE_VAL));
                }
            for (const double revenue : revenues) {
              const double want = forward_machine_value_usd(revenue, cost, horizon, g, o);
              const double got = day.value_usd(revenue, cost);
              ASSERT_EQ(bits(got), bits(want))
                  << "revenue " << revenue << " cost " << cost << " horizon " << horizon << " g "
                  << g << " halving in " << days << " ratio " << ratio;
              ++checked;
            }
          }
        }
  EXPECT_GT(checked, 1'000'000u);
}
