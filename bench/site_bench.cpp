// Site metrics throughput: NPV, IRR (every root), MIRR, ROIC and both paybacks per path plus the
// distributions, for 100,000 paths x 5 years (setup outside the timed loop; rate as paths/s); one
// scenario's site (daily operating policy) and buy-BTC plays; the plant's daily operation alone
// (path-days/s); and the whole per-path site evaluation as `hashsim site` runs it (analyse_site:
// miner ranking, every play, policy value, tornado and breakeven), paths/s. The last two run paths
// on TBB's threads, so they are timed on the wall clock (taskset -c 0 for one core).
#include <benchmark/benchmark.h>

#include <cmath>
#include <cstdint>
#include <vector>

#include "engine/site/economics.h"

using namespace hashsim::site;

namespace {
// Deterministic uniform draws on [0, 1) for the synthetic paths: a 64-bit LCG (Knuth's MMIX
// constants), top 53 bits.
struct Uniform01 {
  std::uint64_t state;
  double operator()() {
    state = state * 6364136223846793005ull + 1442695040888963407ull;
    return static_cast<double>(state >> 11) * 0x1.0p-53;
  }
};

// Deterministic pseudo-random daily hashprice (USD per TH/s per day) around 0.04 with a wide
// spread, so some paths lose money, some never pay back and a few have several IRR roots.
MarketPaths synthetic_paths(std::size_t n, int years) {
  MarketPaths m;
  m.scenario = "bench";
  m.n_paths = n;
  m.years = years;
  Uniform01 u{0x9E3779B97F4A7C15ull};
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

// Smoother paths for the operating policy: hashprice a log random walk drifting down 40 % a year
// from 0.05 USD/TH/day (daily sd 3 %), so the plant switches off in runs, as on simulated paths.
MarketPaths drifting_paths(std::size_t n, int years) {
  MarketPaths m;
  m.scenario = "bench";
  m.n_paths = n;
  m.years = years;
  Uniform01 u{0x2545F4914F6CDD1Dull};
  const std::size_t D = m.days();
  m.hashprice_usd_per_th_day.resize(n * D);
  m.price_usd.resize(n * D);
  for (std::size_t i = 0; i < n; ++i) {
    double lh = std::log(0.05), lp = std::log(100000.0);
    for (std::size_t d = 0; d < D; ++d) {
      const double z = (u() - 0.5) * 3.4641016151377544;  // uniform with unit variance
      lh += -0.4 / 365.0 + 0.03 * z;
      lp += 0.5 / 365.0 + 0.03 * z;
      m.hashprice_usd_per_th_day[i * D + d] = std::exp(lh);
      m.price_usd[i * D + d] = std::exp(lp);
    }
  }
  return m;
}

// The plant's day-by-day operation under the daily policy, 10 years: path-days/s.
void BM_PlantCashflowsDaily(benchmark::State& state) {
  const auto n = static_cast<std::size_t>(state.range(0));
  const MarketPaths m = drifting_paths(n, 10);
  Plant p = bench_plant();
  p.terms.policy.restart_cost_per_miner = 1.0;
  for (auto _ : state) {
    const auto cf = plant_cashflows(p, m, Operation::Policy);
    benchmark::DoNotOptimize(cf.data());
  }
  state.counters["path-days/s"] = benchmark::Counter(static_cast<double>(n * m.days()),
                                                     benchmark::Counter::kIsIterationInvariantRate);
}
BENCHMARK(BM_PlantCashflowsDaily)
    ->Arg(1'000)
    ->UseRealTime()
    ->Unit(benchmark::kMillisecond)
    ->Repetitions(3);

// The site-default.yaml terms (scenarios/site-default.yaml), 10-year horizon, with six miners on
// offer: everything `hashsim site` computes per path for one scenario that is also the selection
// scenario (miner ranking over the horizon, every play, the policy values, the tornado and the
// breakeven bisection).
SiteConfig bench_site_config() {
  SiteConfig c;
  c.name = "bench";
  c.site_power_kw = 1000;
  c.load_factor = 0.95;
  c.power_price_per_kwh = 0.06;
  c.discount_rate_per_year = 0.08;
  c.horizon_years = 10;
  c.selection_scenario = "bench";
  c.pool_fee_fraction = 0.02;
  c.uptime_fraction = 0.97;
  c.overhead_power_fraction = 0.05;
  c.other_opex_per_miner_per_year = 40;
  c.resale_fraction = 0.05;
  c.policy.restart_cost_per_miner = 1.0;
  c.infrastructure = {150, 10, 0.5};
  c.financing = {0.5, 0.09, 4, "annuity"};
  c.tax.enabled = true;
  c.hosted.price_per_kwh = 0.075;
  c.hosted.uptime_guarantee = 0.95;
  c.hosted.setup_fee_per_miner = 30;
  c.tradfi = {0.04, 0.07, 0.16};
  return c;
}

void BM_AnalyseSitePerPath(benchmark::State& state) {
  const auto n = static_cast<std::size_t>(state.range(0));
  const MarketPaths m = drifting_paths(n, 10);
  const SiteConfig c = bench_site_config();
  const std::vector<MinerOffer> offers{{"S21 XP", 270, 3645, 4050}, {"S21 Pro", 234, 3510, 3200},
                                       {"S21", 200, 3500, 2600},    {"M60S", 186, 3441, 2300},
                                       {"S19 XP", 141, 3031, 1100}, {"S19j Pro", 104, 3068, 500}};
  const FxRate fx{0.75, "bench", "", "", false};
  for (auto _ : state) {
    const SiteAnalysis a = analyse_site(c, fx, offers, m, {&m});
    benchmark::DoNotOptimize(a.scenarios.front().breakeven.revenue_factor);
  }
  state.counters["paths/s"] =
      benchmark::Counter(static_cast<double>(n), benchmark::Counter::kIsIterationInvariantRate);
}
BENCHMARK(BM_AnalyseSitePerPath)
    ->Arg(200)
    ->UseRealTime()
    ->Unit(benchmark::kMillisecond)
    ->Repetitions(3);
}  // namespace

BENCHMARK_MAIN();
