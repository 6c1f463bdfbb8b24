#pragma once
// Small scenarios for the runner, CLI and benchmark code, as YAML text (so they go through the
// same loader as real scenario files).
#include <string>

namespace hashsim::test_support {

// Start conditions shared by the scenarios below (about mid-2026: ~900 EH/s, 3.125 BTC era).
inline const std::string kStartYaml =
    "start:\n"
    "  date: 2026-06-13\n"
    "  price_usd: 100000\n"
    "  network_hashrate_ths: 9.0e8\n"
    "  difficulty: 1.2e14\n"
    "  height: 950000\n"
    "  fee_btc_per_block: 0.03\n";

// name, size, seed and start conditions.
inline std::string head_yaml(const std::string& name, int paths, int days, unsigned seed) {
  return "name: " + name + "\nhorizon_days: " + std::to_string(days) +
         "\npaths: " + std::to_string(paths) + "\nseed: " + std::to_string(seed) + "\n" +
         kStartYaml;
}

// Exogenous network hashrate; every random stream in use (GBM + jumps, AR(1) fees, Poisson
// blocks, hashrate noise).
inline std::string exogenous_yaml(const std::string& name, int paths, int days, unsigned seed,
                                  int record_every = 1) {
  return head_yaml(name, paths, days, seed) + "description: exogenous-hashrate test scenario\n" +
         "price:\n"
         "  model: gbm\n"
         "  drift_per_year: 0.1\n"
         "  vol_per_sqrt_year: 0.6\n"
         "  jumps: {intensity_per_year: 4, log_mean: -0.1, log_sd: 0.15}\n"
         "fees:\n"
         "  model: lognormal\n"
         "  median_btc_per_block: 0.03\n"
         "  log_sd: 0.5\n"
         "  ar1_phi: 0.7\n"
         "chain:\n"
         "  block_arrivals: poisson\n"
         "network:\n"
         "  model: exogenous\n"
         "  growth_per_year: 0.3\n"
         "  vol_per_sqrt_year: 0.2\n"
         "record:\n"
         "  every_days: " +
         std::to_string(record_every) + "\n";
}

// hashsim's default agent profile on a catalogue (absolute path), with `tariffs` lines already
// formatted as YAML list items, observer fleets (one not counted in the network) and
// per-archetype series every 10 days.
inline std::string agents_yaml(const std::string& name, const std::string& catalogue, int paths,
                               int days, unsigned seed,
                               const std::string& tariffs =
                                   "    - {usd_per_kwh: 0.03, weight: 0.3}\n"
                                   "    - {range: [0.04, 0.06], weight: 0.5}\n"
                                   "    - {usd_per_kwh: 0.08, weight: 0.2}\n",
                               bool with_series = true) {
  return head_yaml(name, paths, days, seed) +
         "price: {model: gbm, drift_per_year: 0.05, vol_per_sqrt_year: 0.5}\n"
         "fees: {model: lognormal, median_btc_per_block: 0.03, log_sd: 0.4, ar1_phi: 0.5}\n"
         "chain: {block_arrivals: poisson}\n"
         "network: {model: agents}\n"
         "agents:\n"
         "  profile: default\n"
         "  catalogue: " +
         catalogue + "\n" + "  tariffs:\n" + tariffs +
         "  strategies: {sell_daily: 0.6, long_btc: 0.4}\n"
         "  rules: {pool_fee: 0.02, hardware_failure_rate_per_year: 0.05}\n"
         "  observers:\n"
         "    - {machine: Antminer S21, tariff_usd_per_kwh: 0.05, strategy: sell_daily, "
         "budget_usd: 1000000}\n"
         "    - {machine: Antminer S19 XP, tariff_usd_per_kwh: 0.07, strategy: long_btc, "
         "budget_usd: 500000,"
         " counts_in_network: false}\n" +
         (with_series ? "  archetype_series_every_days: 10\n" : "") + "record: {every_days: 1}\n";
}

}  // namespace hashsim::test_support
