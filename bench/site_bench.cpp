// Site metrics throughput: NPV, IRR (every root), MIRR, ROIC and both paybacks per path plus the
// distributions, for 100,000 paths x 5 years (setup outside the timed loop; rate as paths/s); and
// one scenario's site (daily operating policy) and buy-BTC plays.
#include <benchmark/benchmark.h>

#include <cstdint>
#include <vector>

#include "engine/site/economics.h"

using namespace hashsim::site;

namespace {
// Deterministic pseudo-random daily hashprice (USD per TH/s per day) around 0.04 with a wide
// spread, so some paths lose money, some never pay back and a few have several IRR roots.
MarketPaths synthetic_paths(std::size_t n, int years) {
  MarketPaths m;
  m.scenario = "bench";
  m.n_paths = n;
  m.years = years;
  std::uint64_t s = 0x9E3779B97F4A7C15ull;
  auto u = [&] {
    s = s * 6364136223846793005ull + 1442695040888963407ull;
    return static_cast<double>(s >> 11) * 0x1.0p-53;
  };
  m.hashprice_usd_per_th_day.resize(n * m.days());
  for (double& x : m.hashprice_usd_per_th_day) x = 0.005 + 0.07 * u();
  m.price_usd.resize(n * m.days());
  for (double& x : m.price_usd) x = 50000.0 + 100000.0 * u();
  return m;
}

Plant bench_plant() {
  OperatingTerms t;
  t.power_price_per_kwh = 0.06;
  t.overhead_power_fraction = 0.05;
  t.uptime_fraction = 0.97;
  t.pool_fee_fraction = 0.02;
  t.resale_fraction = 0.05;
  t.fx_usd_to_site = 0.75;
  return make_plant({"S21 XP", 270, 3645, 4050}, t, 248);
}

void BM_MetricsPerPath(benchmark::State& state) {
  const auto n = static_cast<std::size_t>(state.range(0));
  const MarketPaths m = synthetic_paths(n, 5);
  const Plant p = bench_plant();
  const std::vector<double> cf = plant_cashflows(p, m, Operation::AlwaysOn);
  const std::vector<double> capex{p.capex_miners_site_ccy};
  const std::vector<double> invested(n, p.capex_total());
  for (auto _ : state) {
    const PathMetrics pm = compute_metrics(cf, n, 5, 0.08, capex, RoicBasis::MinerCapex, true);
    const PlaySummary s = summarize_play(pm, invested);
    benchmark::DoNotOptimize(s.npv.p50);
  }
  state.counters["paths/s"] =
      benchmark::Counter(static_cast<double>(n), benchmark::Counter::kIsIterationInvariantRate);
}
BENCHMARK(BM_MetricsPerPath)
    ->Arg(100'000)
    ->Unit(benchmark::kMillisecond)
    ->Repetitions(3)
    ->ReportAggregatesOnly(true);

// One scenario as the site command evaluates it: site and buy-BTC cashflows, metrics and summaries.
void BM_ScenarioSiteAndBtcPlays(benchmark::State& state) {
  const auto n = static_cast<std::size_t>(state.range(0));
  const MarketPaths m = synthetic_paths(n, 5);
  const Plant p = bench_plant();
  for (auto _ : state) {
    const auto site_cf = plant_cashflows(p, m, Operation::Policy);
    std::vector<double> invested;
    const auto btc_cf = btc_cashflows(p, m, Operation::Policy, nullptr, invested);
    const std::vector<double> capex{p.capex_miners_site_ccy};
    const std::vector<double> site_invested(n, p.capex_total());
    const PlaySummary a = summarize_play(
        compute_metrics(site_cf, n, 5, 0.08, capex, RoicBasis::MinerCapex, true), site_invested);
    const PlaySummary b = summarize_play(
        compute_metrics(btc_cf, n, 5, 0.08, invested, RoicBasis::Invested, false), invested);
    benchmark::DoNotOptimize(a.npv.p50 + b.npv.p50);
  }
  state.counters["paths/s"] =
      benchmark::Counter(static_cast<double>(n), benchmark::Counter::kIsIterationInvariantRate);
}
BENCHMARK(BM_ScenarioSiteAndBtcPlays)
    ->Arg(100'000)
    ->Unit(benchmark::kMillisecond)
    ->Repetitions(3)
    ->ReportAggregatesOnly(true);
}  // namespace

BENCHMARK_MAIN();
