// Engine benchmarks (DESIGN.md 5: setup outside the timed loop, rates as counters).
//   cmake --build build -j2 --target engine_bench
//   build/bench/engine_bench --benchmark_repetitions=3 --benchmark_report_aggregates_only=true
// Runner benchmarks use sim::run_paths (the run_scenario pipeline without the HDF5 writer), so
// disk time does not hide simulation time. Each runner iteration also loads the scenario's
// inputs (for agents: the catalogue CSV and the archetype table), well under 1% of its time.
#include <benchmark/benchmark.h>

#include <cmath>
#include <string>

#include "agents/miner_rules.h"
#include "agents/miner_state.h"
#include "engine/chain/chain_state.h"
#include "engine/chain/consensus.h"
#include "engine/market/fee_model.h"
#include "engine/market/price_model.h"
#include "engine/rng/streams.h"
#include "engine/scenario/scenario.h"
#include "engine/sim/market_inputs.h"
#include "engine/sim/runner.h"
#include "tests/engine/scenarios.h"

using namespace hashsim;

namespace {
constexpr int kDays = 3650;

void BM_PricePath(benchmark::State& state) {
  market::GbmParams p;
  p.drift_per_year = 0.1;
  p.vol_per_sqrt_year = 0.6;
  p.jumps = {4.0, -0.1, 0.15};
  const market::GbmPriceModel model(p);
  std::uint64_t path = 0;
  double sink = 0.0;
  for (auto _ : state) {
    auto price_rng = rng::make_rng(1, rng::Stream::Price, path);
    auto jump_rng = rng::make_rng(1, rng::Stream::Jumps, path);
    ++path;
    double x = std::log(1e5);
    for (int d = 1; d < kDays; ++d) x = model.step_log(x, price_rng, jump_rng);
    sink += x;
  }
  benchmark::DoNotOptimize(sink);
  state.counters["paths/s"] =
      benchmark::Counter(static_cast<double>(state.iterations()), benchmark::Counter::kIsRate);
  state.counters["path-days/s"] = benchmark::Counter(
      static_cast<double>(state.iterations()) * kDays, benchmark::Counter::kIsRate);
}
BENCHMARK(BM_PricePath)->Unit(benchmark::kMicrosecond);

// One chain day; arg 0: expected arrivals, 1: Poisson arrivals (144 blocks/day).
void BM_ChainStep(benchmark::State& state) {
  chain::ChainOptions o;
  o.arrivals = state.range(0) ? chain::BlockArrivals::Poisson : chain::BlockArrivals::Expected;
  const double difficulty = 1.2e14;
  const double hashrate = chain::hashrate_at_target_pace_ths(difficulty);
  chain::ChainState c;
  c.reset({900'000.0, difficulty, -1.0}, o);
  auto rng = rng::make_rng(1, rng::Stream::Blocks, 0);
  double sink = 0.0;
  for (auto _ : state) sink += c.advance_day(hashrate, rng).subsidy_btc;
  benchmark::DoNotOptimize(sink);
  state.counters["days/s"] =
      benchmark::Counter(static_cast<double>(state.iterations()), benchmark::Counter::kIsRate);
}
BENCHMARK(BM_ChainStep)->Arg(0)->Arg(1)->ArgName("poisson");

void BM_FeeStep(benchmark::State& state) {
  const market::LognormalFeeModel model({0.03, 0.5, 0.7});
  auto rng = rng::make_rng(1, rng::Stream::Fees, 0);
  double x = std::log(0.03);
  for (auto _ : state) x = model.step_log(x, rng);
  benchmark::DoNotOptimize(x);
  state.counters["days/s"] =
      benchmark::Counter(static_cast<double>(state.iterations()), benchmark::Counter::kIsRate);
}
BENCHMARK(BM_FeeStep);

std::string catalogue() {
  return std::string(HASHSIM_SOURCE_DIR) + "/data/machines/current_2026.csv";
}

// 11 machines x 2 strategies x 7 tariff bands = 154 archetypes, plus the 2 observer fleets of
// the test scenario.
const char* kSevenTariffs =
    "    - {usd_per_kwh: 0.02, weight: 0.05}\n"
    "    - {usd_per_kwh: 0.03, weight: 0.10}\n"
    "    - {usd_per_kwh: 0.04, weight: 0.20}\n"
    "    - {usd_per_kwh: 0.05, weight: 0.35}\n"
    "    - {usd_per_kwh: 0.06, weight: 0.20}\n"
    "    - {usd_per_kwh: 0.07, weight: 0.05}\n"
    "    - {usd_per_kwh: 0.08, weight: 0.05}\n";

void run_bench(benchmark::State& state, const scenario::Scenario& s, std::uint64_t paths_per_iter,
               double agents) {
  sim::RunOptions o;
  o.threads = static_cast<int>(state.range(0));
  o.lanes = state.range(1) > 0 ? static_cast<int>(state.range(1)) : 1;
  o.block_paths = 4;
  double sink = 0.0;
  for (auto _ : state) {
    sim::run_paths(s, 0, paths_per_iter, o,
                   [&](std::uint64_t, std::uint64_t, const std::vector<const double*>& data) {
                     sink += data[0][0];
                   });
  }
  benchmark::DoNotOptimize(sink);
  const double paths = static_cast<double>(state.iterations() * paths_per_iter);
  state.counters["paths/s"] = benchmark::Counter(paths, benchmark::Counter::kIsRate);
  state.counters["path-days/s"] =
      benchmark::Counter(paths * s.horizon_days, benchmark::Counter::kIsRate);
  if (agents > 0)
    state.counters["agent-days/s"] =
        benchmark::Counter(paths * s.horizon_days * agents, benchmark::Counter::kIsRate);
}

void BM_RunnerExogenous(benchmark::State& state) {
  const auto s = scenario::parse_scenario(test_support::exogenous_yaml("bench-exo", 64, kDays, 1),
                                          "bench-exo.yaml");
  run_bench(state, s, 32, 0.0);
}
BENCHMARK(BM_RunnerExogenous)
    ->ArgsProduct({{1, 2}, {1}})
    ->ArgNames({"threads", "lanes"})
    ->Unit(benchmark::kMillisecond)
    ->UseRealTime();

void BM_RunnerDefaultAgents(benchmark::State& state) {
  const auto s = scenario::parse_scenario(
      test_support::agents_yaml("bench-agents", catalogue(), 16, kDays, 1, kSevenTariffs, false),
      "bench-agents.yaml");
  const auto inputs = sim::MarketInputs::load(s);
  if (inputs.agents->n_env != 154) state.SkipWithError("expected 154 archetypes");
  run_bench(state, s, 32, static_cast<double>(inputs.agents->size()));
  state.counters["agents"] = static_cast<double>(inputs.agents->size());
}
BENCHMARK(BM_RunnerDefaultAgents)
    ->ArgsProduct({{1, 2}, {1, 2, 4}})
    ->ArgNames({"threads", "lanes"})
    ->Unit(benchmark::kMillisecond)
    ->UseRealTime();

// The shipped default scenario (scenarios/base.yaml, the `hashsim bench` workload): the default
// profile with machine generations, supply limits and shocks on, which BM_RunnerDefaultAgents
// (the test scenario's rules) leaves off.
void BM_RunnerBaseScenario(benchmark::State& state) {
  const auto s = scenario::load_scenario(std::string(HASHSIM_SOURCE_DIR) + "/scenarios/base.yaml",
                                         {16, kDays, std::nullopt});
  const auto inputs = sim::MarketInputs::load(s);
  run_bench(state, s, 16, static_cast<double>(inputs.agents->size()));
  state.counters["agents"] = static_cast<double>(inputs.agents->size());
}
BENCHMARK(BM_RunnerBaseScenario)
    ->ArgsProduct({{1, 2}, {1, 2, 4}})
    ->ArgNames({"threads", "lanes"})
    ->Unit(benchmark::kMillisecond)
    ->UseRealTime();

// The daily agent kernel alone: agents::step_default_lanes over every day of L paths advanced
// together (SIMD lanes across paths; reset, seed on day 0, 3649 steps), with the engine's network
// feedback (decision hashprice = 144 (subsidy + fee) P / H on yesterday's fleet, halving outlook
// from the height at 144 blocks a day) on GBM price paths (one per lane) and the fee median drawn
// once outside the timed loop: no RNG, no chain, no recording. The runner benchmarks above add
// those (the rest of the engine's per-path-day cost).
template <int L>
void BM_AgentDayKernel(benchmark::State& state) {
  const auto s = scenario::parse_scenario(
      test_support::agents_yaml("bench-kernel", catalogue(), 1, kDays, 1, kSevenTariffs, false),
      "bench-kernel.yaml");
  const auto inputs = sim::MarketInputs::load(s);
  const agents::ArchetypeTable& t = *inputs.agents;
  if (t.n_env != 154) state.SkipWithError("expected 154 archetypes");
  const agents::DefaultRules& rules = s.agents->rules;
  agents::MinerState one;  // each lane is seeded by the one-path code
  one.allocate(t, rules);
  agents::BasicMinerState<L> miners;
  miners.allocate(t, rules);
  const market::GbmPriceModel model(s.price.gbm);
  std::vector<double> price(static_cast<std::size_t>(kDays) * L);  // [day][lane]
  for (int l = 0; l < L; ++l) {
    auto price_rng = rng::make_rng(s.seed, rng::Stream::Price, static_cast<std::uint64_t>(l));
    auto jump_rng = rng::make_rng(s.seed, rng::Stream::Jumps, static_cast<std::uint64_t>(l));
    double log_price = std::log(s.start.price_usd);
    for (int d = 0; d < kDays; ++d) {
      if (d > 0) log_price = model.step_log(log_price, price_rng, jump_rng);
      price[static_cast<std::size_t>(d * L + l)] = std::exp(log_price);
    }
  }
  const double fee = s.fees.lognormal.median_btc_per_block;
  double sink = 0.0;
  for (auto _ : state) {
    double hashrate[L];
    for (double& h : hashrate) h = t.initial_network_hashrate_ths();
    for (int d = 0; d < kDays; ++d) {
      const double height = s.start.height + 144.0 * d;
      const double subsidy =
          static_cast<double>(chain::block_subsidy_sat(static_cast<std::int64_t>(height))) / 1e8;
      const auto outlook = agents::reward_outlook(height, subsidy, fee);
      agents::LaneDay<L> in;
      for (int l = 0; l < L; ++l) {
        const double p = price[static_cast<std::size_t>(d * L + l)];
        const double hp_btc = 144.0 * (subsidy + fee) / hashrate[l];
        if (d == 0) {
          one.reset(t);
          agents::seed_default(t, rules, one, hp_btc * p, outlook);
          if constexpr (L > 1) {
            miners.set_lane(l, one);
          } else {
            miners = one;
          }
        }
        agents::set_lane<L>(in.price_usd, l, p);
        agents::set_lane<L>(in.hashprice_btc_per_th_day, l, hp_btc);
        agents::set_lane<L>(in.decision_hashprice_usd_per_th_day, l, hp_btc * p);
        agents::set_lane<L>(in.online_share, l, 1.0);
        in.outlook[l] = outlook;
        in.rules[l] = &rules;
      }
      if (d == 0) continue;
      const agents::Lane<L> h = agents::step_default_lanes<L>(t, miners, d, in);
      for (int l = 0; l < L; ++l) hashrate[l] = agents::lane<L>(h, l);
    }
    sink += hashrate[0];
  }
  benchmark::DoNotOptimize(sink);
  state.counters["agent-days/s"] = benchmark::Counter(
      static_cast<double>(state.iterations()) * L * kDays * static_cast<double>(t.size()),
      benchmark::Counter::kIsRate);
  state.counters["agents"] = static_cast<double>(t.size());
  state.counters["lanes"] = L;
}
BENCHMARK(BM_AgentDayKernel<1>)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_AgentDayKernel<2>)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_AgentDayKernel<4>)->Unit(benchmark::kMillisecond);
}  // namespace

BENCHMARK_MAIN();
