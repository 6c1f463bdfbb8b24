// Site metrics throughput: NPV, IRR, ROIC and both paybacks per path plus the distributions, for
// 100,000 paths x 5 years (setup outside the timed loop; rate as paths/s).
#include <benchmark/benchmark.h>

#include <cstdint>
#include <vector>

#include "engine/site/economics.h"

using namespace hashsim::site;

namespace {
// Deterministic pseudo-random yearly revenue sums (USD per TH/s per year) around 15 with a wide
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
  m.hashprice_year_usd_per_th.resize(n * static_cast<std::size_t>(years));
  for (double& x : m.hashprice_year_usd_per_th) x = 2.0 + 26.0 * u();
  m.price_usd_day0.assign(n, 100000.0);
  m.price_usd_month_end.resize(n * static_cast<std::size_t>(months(years)));
  for (double& x : m.price_usd_month_end) x = 50000.0 + 100000.0 * u();
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
  const std::vector<double> cf = plant_cashflows(p, m);
  for (auto _ : state) {
    const PathMetrics pm = compute_metrics(cf, n, 5, 0.08, p.capex_site_ccy);
    const PlaySummary s = summarize_play(pm);
    benchmark::DoNotOptimize(s.npv.p50);
  }
  state.counters["paths/s"] = benchmark::Counter(static_cast<double>(n), benchmark::Counter::kIsIterationInvariantRate);
}
BENCHMARK(BM_MetricsPerPath)->Arg(100'000)->Unit(benchmark::kMillisecond)->Repetitions(3)->ReportAggregatesOnly(true);

// One scenario as the site command evaluates it: site and buy-BTC cashflows, metrics and summaries.
void BM_ScenarioSiteAndBtcPlays(benchmark::State& state) {
  const auto n = static_cast<std::size_t>(state.range(0));
  const MarketPaths m = synthetic_paths(n, 5);
  const Plant p = bench_plant();
  for (auto _ : state) {
    const auto site_cf = plant_cashflows(p, m);
    const auto btc_cf = btc_cashflows(p.capex_site_ccy, p, m);
    const PlaySummary a = summarize_play(compute_metrics(site_cf, n, 5, 0.08, p.capex_site_ccy));
    const PlaySummary b = summarize_play(compute_metrics(btc_cf, n, 5, 0.08, p.capex_site_ccy));
    benchmark::DoNotOptimize(a.npv.p50 + b.npv.p50);
  }
  state.counters["paths/s"] = benchmark::Counter(static_cast<double>(n), benchmark::Counter::kIsIterationInvariantRate);
}
BENCHMARK(BM_ScenarioSiteAndBtcPlays)->Arg(100'000)->Unit(benchmark::kMillisecond)->Repetitions(3)->ReportAggregatesOnly(true);
}  // namespace

BENCHMARK_MAIN();
