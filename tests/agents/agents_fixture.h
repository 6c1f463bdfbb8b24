#pragma once
// Tiny hand-built agent tables for exact rule tests: a catalogue CSV written to a temp dir and
// an AgentsConfig filled in code.
#include <algorithm>
#include <cmath>
#include <cstdio>
#include <string>
#include <vector>

#include "agents/agents_config.h"
#include "agents/archetype_table.h"
#include "agents/legacy_rules.h"
#include "agents/machine_catalogue.h"
#include "agents/miner_state.h"
#include "tests/engine/test_support.h"

namespace hashsim::test_support {

struct Machine {
  std::string name;
  double hashrate_ths, power_w, price_usd, growth_factor;
  int delay_days;
  double initial_units;
};

inline constexpr double kPrice = 50'000.0;  // USD/BTC in the exact rule tests

// 100 TH/s, 3 kW: at 0.10 USD/kWh a machine costs 7.2 USD/day.
inline Machine rig(const std::string& name, int delay = 0, double price = 1000.0,
                   double units = 1000.0, double growth = 0.0) {
  return {name, 100.0, 3000.0, price, growth, delay, units};
}

// Hashprice (BTC per TH/s per day) that pays `usd` per TH/s per day at kPrice.
inline double hp_btc(double usd) { return usd / kPrice; }

// |a - b| relative to |b|.
inline double rel(double a, double b) { return std::fabs(a - b) / std::max(std::fabs(b), 1e-300); }

inline std::string catalogue_csv(const std::vector<Machine>& machines) {
  std::string csv =
      "# test "
      "catalogue\nname,hashrate_ths,power_w,price_usd,price_growth_factor,delivery_delay_days,"
      "initial_units,source\n";
  auto num = [](double v) {
    char b[64];
    std::snprintf(b, sizeof b, "%.17g", v);
    return std::string(b);
  };
  for (const auto& m : machines)
    csv += m.name + "," + num(m.hashrate_ths) + "," + num(m.power_w) + "," + num(m.price_usd) +
           "," + num(m.growth_factor) + "," + std::to_string(m.delay_days) + "," +
           num(m.initial_units) + ",test\n";
  return csv;
}

// The default rules with every mechanism of issue 15 switched off (agents/legacy_rules.h). Tests
// switch mechanisms on one at a time.
inline void legacy_rules(agents::DefaultRules& r) { agents::switch_off_issue15_rules(r); }

// The shipped default rules (every mechanism on).
inline void default_rules(agents::DefaultRules& r) { r = agents::DefaultRules{}; }

// A config over `machines` with the given tariff bands and strategy weights (sell daily, long BTC).
inline agents::AgentsConfig make_config(
    const TempDir& dir, const std::vector<Machine>& machines,
    std::vector<agents::TariffBand> tariffs, double sell_weight = 1.0,
    agents::RuleProfile profile = agents::RuleProfile::Default) {
  write_text(dir / "catalogue.csv", catalogue_csv(machines));
  agents::AgentsConfig c;
  c.profile = profile;
  c.catalogue_file = dir / "catalogue.csv";
  c.tariffs = std::move(tariffs);
  c.strategy_weight[0] = sell_weight;
  c.strategy_weight[1] = 1.0 - sell_weight;
  legacy_rules(c.rules);
  return c;
}

inline agents::MinerState fresh_state(const agents::ArchetypeTable& t, int window = 30) {
  agents::MinerState s;
  s.allocate(t, window);
  s.reset(t);
  return s;
}

}  // namespace hashsim::test_support
