#include "agents/archetype_table.h"

#include <algorithm>
#include <cmath>

#include "engine/util/error.h"

namespace hashsim::agents {

double ArchetypeTable::initial_network_hashrate_ths() const {
  double h = 0.0;
  for (std::size_t a = 0; a < size(); ++a) h += network_weight[a] * hashrate_ths[a] * initial_machines[a];
  return h;
}

namespace {
void push_agent(ArchetypeTable& t, int m, int band, double tariff, Strategy s, double machines, double weight,
                double budget) {
  const MachineSpec& spec = t.catalogue.machines[static_cast<std::size_t>(m)];
  t.machine.push_back(m);
  t.tariff_usd_per_kwh.push_back(tariff);
  t.tariff_band.push_back(band);
  t.strategy.push_back(s);
  t.is_long_btc.push_back(s == Strategy::LongBtc ? 1.0 : 0.0);
  t.hashrate_ths.push_back(spec.hashrate_ths);
  t.power_kw.push_back(spec.power_kw());
  t.power_cost_usd_per_day.push_back(spec.power_kw() * tariff * 24.0);
  // Free power (tariff 0): never switched off for losses, so the inverse is 0, not inf.
  const double cost = spec.power_kw() * tariff * 24.0;
  t.inv_power_cost_usd_per_day.push_back(cost > 0.0 ? 1.0 / cost : 0.0);
  t.price0_usd.push_back(spec.price_usd);
  t.growth_factor.push_back(spec.price_growth_factor);
  t.delay_days.push_back(spec.delivery_delay_days);
  t.pipeline_delay_days.push_back(std::max(1, spec.delivery_delay_days));
  t.initial_machines.push_back(machines);
  t.network_weight.push_back(weight);
  t.budget_usd.push_back(budget);
  t.seed_pnl_usd_per_day.push_back(0.0);
  if (spec.delivery_delay_days > t.max_delay_days) t.max_delay_days = spec.delivery_delay_days;
}
}  // namespace

ArchetypeTable build_archetype_table(const AgentsConfig& config, double start_network_hashrate_ths) {
  ArchetypeTable t;
  t.catalogue = load_machine_catalogue(config.catalogue_file);
  t.profile = config.profile;
  const auto& machines = t.catalogue.machines;
  t.n_bands = config.tariffs.size();

  // Unscaled counts: units x tariff weight x strategy weight (float, as in the reference).
  for (std::size_t m = 0; m < machines.size(); ++m) {
    for (Strategy s : {Strategy::SellDaily, Strategy::LongBtc}) {
      for (std::size_t b = 0; b < config.tariffs.size(); ++b) {
        const auto& band = config.tariffs[b];
        const double count = machines[m].initial_units * band.weight * config.strategy_weight[static_cast<int>(s)];
        push_agent(t, static_cast<int>(m), static_cast<int>(b), band.usd_per_kwh, s, count, 1.0, 0.0);
      }
    }
  }
  t.n_env = t.machine.size();
  for (const auto& o : config.observers) {
    const auto m = t.catalogue.index_of(o.machine);
    const double n = std::floor(o.budget_usd / machines[m].price_usd);
    push_agent(t, static_cast<int>(m), static_cast<int>(t.n_bands), o.tariff_usd_per_kwh, o.strategy, n, o.counts_in_network ? 1.0 : 0.0,
               o.budget_usd);
  }
  t.n_observers = t.machine.size() - t.n_env;

  double env_hashrate = 0.0;
  for (std::size_t a = 0; a < t.n_env; ++a) env_hashrate += t.hashrate_ths[a] * t.initial_machines[a];
  if (!(env_hashrate > 0.0))
    throw Error(config.catalogue_file.string() + ": the archetypes have no hashrate (all initial_units or weights are 0)");

  if (config.profile == RuleProfile::Reference2021) {
    // Seeded history uses the unscaled float counts; the fleet is then scaled with int()
    // truncation (reference generators.py / agents.py behaviour).
    const double hp = config.reference.seed_hashprice_usd_per_th_day;
    for (std::size_t a = 0; a < t.n_env; ++a) {
      const double c = t.initial_machines[a];
      t.seed_pnl_usd_per_day[a] = hp * t.hashrate_ths[a] * c - t.power_kw[a] * c * t.tariff_usd_per_kwh[a] * 24.0;
    }
    const double scalar = config.reference.start_hashrate_ths / env_hashrate;
    for (std::size_t a = 0; a < t.n_env; ++a) t.initial_machines[a] = std::trunc(t.initial_machines[a] * scalar);
  } else {
    double observers_hashrate = 0.0;
    for (std::size_t a = t.n_env; a < t.size(); ++a)
      observers_hashrate += t.network_weight[a] * t.hashrate_ths[a] * t.initial_machines[a];
    const double target = start_network_hashrate_ths - observers_hashrate;
    if (!(target > 0.0))
      throw Error("the observer fleets alone (" + std::to_string(observers_hashrate) +
                  " TH/s) reach the start network hashrate; nothing is left for the archetypes");
    const double scalar = target / env_hashrate;
    for (std::size_t a = 0; a < t.n_env; ++a) t.initial_machines[a] *= scalar;
  }
  return t;
}

}  // namespace hashsim::agents
