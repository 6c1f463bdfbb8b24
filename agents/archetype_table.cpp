#include "agents/archetype_table.h"

#include <algorithm>
#include <cmath>

#include "engine/util/dates.h"
#include "engine/util/error.h"
#include "engine/util/units.h"

namespace hashsim::agents {

double ArchetypeTable::initial_network_hashrate_ths() const {
  double h = 0.0;
  for (std::size_t a = 0; a < size(); ++a)
    h += network_weight[a] * hashrate_ths[a] * initial_machines[a];
  return h;
}

namespace {
void push_agent(ArchetypeTable& t, int m, int band, double tariff, Strategy s, double machines,
                double weight, double budget) {
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
  t.buyable.push_back(1.0);
  if (spec.delivery_delay_days > t.max_delay_days) t.max_delay_days = spec.delivery_delay_days;
}

using units::kDaysPerYear;

// Per-agent arrays of one epoch from the slots' generations (observers keep their own machine).
GenerationEpoch make_epoch(const ArchetypeTable& t, int first_day,
                           const std::vector<MachineSpec>& slots,
                           const std::vector<std::int64_t>& release_rel, const Generations& g,
                           double horizon_days) {
  GenerationEpoch e;
  e.first_day = first_day;
  e.machines = slots;
  const double sale_days = g.new_sale_years * kDaysPerYear;
  for (std::size_t a = 0; a < t.size(); ++a) {
    const bool env = a < t.n_env;
    const std::size_t m = static_cast<std::size_t>(t.machine[a]);
    if (!env) {
      e.hashrate_ths.push_back(t.hashrate_ths[a]);
      e.power_kw.push_back(t.power_kw[a]);
      e.power_cost_usd_per_day.push_back(t.power_cost_usd_per_day[a]);
      e.inv_power_cost_usd_per_day.push_back(t.inv_power_cost_usd_per_day[a]);
      e.buyable.push_back(0.0);
      e.pipeline_delay_days.push_back(t.pipeline_delay_days[a]);
      continue;
    }
    const MachineSpec& spec = slots[m];
    const double cost = spec.power_kw() * t.tariff_usd_per_kwh[a] * 24.0;
    e.hashrate_ths.push_back(spec.hashrate_ths);
    e.power_kw.push_back(spec.power_kw());
    e.power_cost_usd_per_day.push_back(cost);
    e.inv_power_cost_usd_per_day.push_back(cost > 0.0 ? 1.0 / cost : 0.0);
    const bool released = release_rel[m] <= first_day;
    const bool on_sale =
        g.new_sale_years <= 0.0 || static_cast<double>(first_day - release_rel[m]) < sale_days;
    e.buyable.push_back(released && on_sale ? 1.0 : 0.0);
    e.pipeline_delay_days.push_back(std::max(1, spec.delivery_delay_days));
  }
  // Orders go to the generation on sale with the lowest cost per TH/s over the payback horizon T
  // at the group's tariff, (price + T * 24 * kW * tariff) / TH (catalogue prices), in the payer's
  // group (strategy, band): archetype index = (slot * 2 + strategy) * n_bands + band.
  const std::size_t per_slot = 2 * t.n_bands;
  const std::vector<double> on_sale = e.buyable;  // per archetype: its own slot is sold new
  e.order_to.resize(t.size());
  e.order_slot.resize(t.size());
  for (std::size_t a = 0; a < t.size(); ++a) {
    e.order_to[a] = static_cast<int>(a);
    e.order_slot[a] = t.machine[a];
  }
  for (std::size_t a = 0; a < t.n_env; ++a) {
    const std::size_t group = a % per_slot;
    const auto cost_per_th = [&](std::size_t m) {
      return (slots[m].price_usd +
              horizon_days * 24.0 * slots[m].power_kw() * t.tariff_usd_per_kwh[a]) /
             slots[m].hashrate_ths;
    };
    int best = -1;
    double best_cost = 0.0;
    for (std::size_t m = 0; m < slots.size(); ++m) {
      const std::size_t b = m * per_slot + group;
      if (on_sale[b] > 0.0 && (best < 0 || cost_per_th(m) < best_cost)) {
        best = static_cast<int>(b);
        best_cost = cost_per_th(m);
      }
    }
    if (best >= 0) {
      e.order_to[a] = best;
      e.order_slot[a] = t.machine[static_cast<std::size_t>(best)];
    }
  }
  for (std::size_t a = 0; a < t.size(); ++a) {
    const auto b = static_cast<std::size_t>(e.order_to[a]);
    const bool can_order = a < t.n_env && on_sale[b] > 0.0;
    e.order_hashrate_ths.push_back(e.hashrate_ths[b]);
    e.order_power_kw.push_back(e.power_kw[b]);
    e.order_power_cost_usd_per_day.push_back(e.power_cost_usd_per_day[b]);
    e.order_delay_days.push_back(e.pipeline_delay_days[b]);
    e.buyable[a] =
        can_order ? 1.0 : 0.0;  // from here on: may agent a order (its target is on sale)
  }
  group_forward_value_pairs(t.n_env, e.order_slot.data(), e.order_hashrate_ths.data(),
                            e.order_power_cost_usd_per_day.data(), e.value_source,
                            e.value_evaluated);
  return e;
}

// Each catalogue machine's release day relative to the start (rel), and the newest release (ties:
// the most efficient machine of that day).
struct Releases {
  std::vector<std::int64_t> rel;
  std::size_t newest = 0;
};
Releases catalogue_releases(const ArchetypeTable& t, std::int64_t start_day) {
  const auto& cat = t.catalogue.machines;
  Releases r;
  r.rel.resize(cat.size());
  for (std::size_t m = 0; m < cat.size(); ++m) {
    if (cat[m].release_day == MachineSpec::kAlwaysReleased)
      throw Error(t.catalogue.file.string() +
                  ": machine generations need a release_date for every machine ('" + cat[m].name +
                  "' has none)");
    r.rel[m] = cat[m].release_day - start_day;
    if (r.rel[m] > r.rel[r.newest] ||
        (r.rel[m] == r.rel[r.newest] &&
         cat[m].efficiency_j_per_th() < cat[r.newest].efficiency_j_per_th()))
      r.newest = m;
  }
  return r;
}

// The days on which the machines on sale change (sorted, unique, day 0 first): releases and ends
// of sale inside the horizon, and the future releases (also returned in `future`).
std::vector<std::int64_t> epoch_days(const Releases& r, const Generations& g, int horizon_days,
                                     std::vector<std::int64_t>& future) {
  std::vector<std::int64_t> days{0};
  const auto in_horizon = [&](std::int64_t d) { return d > 0 && d < horizon_days; };
  const double sale_days = g.new_sale_years * kDaysPerYear;
  for (const std::int64_t rel : r.rel) {
    if (in_horizon(rel)) days.push_back(rel);
    if (g.new_sale_years > 0.0) {
      const auto end = rel + static_cast<std::int64_t>(std::ceil(sale_days));
      if (in_horizon(end)) days.push_back(end);
    }
  }
  if (g.future_every_days > 0)
    for (std::int64_t d = std::max<std::int64_t>(r.rel[r.newest], 0) + g.future_every_days;
         d < horizon_days; d += g.future_every_days) {
      future.push_back(d);
      days.push_back(d);
      const auto end = d + static_cast<std::int64_t>(std::ceil(sale_days));
      if (g.new_sale_years > 0.0 && in_horizon(end)) days.push_back(end);
    }
  std::sort(days.begin(), days.end());
  days.erase(std::unique(days.begin(), days.end()), days.end());
  return days;
}

// The least efficient slot released by `day`, other than `except`; -1 when there is none.
int least_efficient_released(const std::vector<MachineSpec>& slots,
                             const std::vector<std::int64_t>& rel, std::int64_t day, int except) {
  int worst = -1;
  for (std::size_t m = 0; m < slots.size(); ++m) {
    if (rel[m] > day || static_cast<int>(m) == except) continue;
    if (worst < 0 || slots[m].efficiency_j_per_th() >
                         slots[static_cast<std::size_t>(worst)].efficiency_j_per_th())
      worst = static_cast<int>(m);
  }
  return worst;
}

// The future generation released on `day`: the newest catalogue machine's power, delay and price
// elasticity at the frontier's J/TH for that day, priced at `usd_per_th`.
MachineSpec future_generation(const MachineSpec& newest, std::int64_t newest_rel,
                              const Generations& g, double usd_per_th, std::int64_t start_day,
                              std::int64_t day) {
  MachineSpec next = newest;
  const double years = static_cast<double>(day - newest_rel) / kDaysPerYear;
  const double j_per_th =
      newest.efficiency_j_per_th() * std::exp(g.log_efficiency_change_per_year * years);
  next.hashrate_ths = newest.power_w / j_per_th;
  next.price_usd = usd_per_th * next.hashrate_ths;
  next.name = "generation " + civil_from_days(start_day + day);
  next.initial_units = 0.0;
  next.source = "future generation on the fitted efficiency frontier";
  next.release_day = start_day + day;
  return next;
}

// The generation schedule (README "Miner agents"): events are catalogue releases after the
// start, ends of sale (release + new_sale_years) and future releases every future_every_days
// after max(newest catalogue release, start), J/TH on the fitted frontier slope.
void build_generation_epochs(ArchetypeTable& t, const Generations& g, double payback_days,
                             std::int64_t start_day, int horizon_days) {
  const auto& cat = t.catalogue.machines;
  Releases r = catalogue_releases(t, start_day);
  std::vector<std::int64_t>& rel = r.rel;
  std::vector<std::int64_t> future;
  const std::vector<std::int64_t> days = epoch_days(r, g, horizon_days, future);

  // Future generations cost the lowest USD per TH/s among the newest catalogue release's machines.
  double usd_per_th = HUGE_VAL;
  for (std::size_t m = 0; m < cat.size(); ++m)
    if (rel[m] == rel[r.newest])
      usd_per_th = std::min(usd_per_th, cat[m].price_usd / cat[m].hashrate_ths);
  const std::int64_t newest_rel = rel[r.newest];
  std::vector<MachineSpec> slots = cat;
  std::size_t next_future = 0;
  for (std::int64_t day : days) {
    int from = -1, into = -1;
    double ratio = 0.0;
    if (next_future < future.size() && future[next_future] == day) {
      // The least efficient released slot takes the new generation; the next least efficient
      // receives its machines.
      from = least_efficient_released(slots, rel, day, -1);
      into = least_efficient_released(slots, rel, day, from);
      if (from >= 0 && into >= 0) {
        const auto f = static_cast<std::size_t>(from), i = static_cast<std::size_t>(into);
        ratio = slots[f].hashrate_ths / slots[i].hashrate_ths;
        slots[f] = future_generation(cat[r.newest], newest_rel, g, usd_per_th, start_day, day);
        rel[f] = day;
      } else {
        from = into = -1;
      }
      ++next_future;
    }
    GenerationEpoch e = make_epoch(t, static_cast<int>(day), slots, rel, g, payback_days);
    e.merge_from = from;
    e.merge_into = into;
    e.merge_ratio = ratio;
    t.epochs.push_back(std::move(e));
  }
}
}  // namespace

ArchetypeTable build_archetype_table(const AgentsConfig& config, double start_network_hashrate_ths,
                                     const std::string& start_date, int horizon_days) {
  ArchetypeTable t;
  t.catalogue = load_machine_catalogue(config.catalogue_file);
  const bool generations = config.generations.enabled && config.profile == RuleProfile::Default;
  std::int64_t start_day = 0;
  if (generations) {
    if (start_date.empty()) throw Error("machine generations need the start date (start.date)");
    start_day = parse_iso_date(start_date);
    // Machines released after the start have no units yet (they arrive by orders from their
    // release).
    for (auto& m : t.catalogue.machines)
      if (m.release_day != MachineSpec::kAlwaysReleased && m.release_day > start_day)
        m.initial_units = 0.0;
  }
  t.profile = config.profile;
  const auto& machines = t.catalogue.machines;
  t.n_bands = config.tariffs.size();

  // Unscaled counts: units x tariff weight x strategy weight (float, as in the reference).
  for (std::size_t m = 0; m < machines.size(); ++m) {
    for (Strategy s : {Strategy::SellDaily, Strategy::LongBtc}) {
      for (std::size_t b = 0; b < config.tariffs.size(); ++b) {
        const auto& band = config.tariffs[b];
        const double count =
            machines[m].initial_units * band.weight * config.strategy_weight[static_cast<int>(s)];
        push_agent(t, static_cast<int>(m), static_cast<int>(b), band.usd_per_kwh, s, count, 1.0,
                   0.0);
      }
    }
  }
  t.n_env = t.machine.size();
  for (const auto& o : config.observers) {
    const auto m = t.catalogue.index_of(o.machine);
    const double n = std::floor(o.budget_usd / machines[m].price_usd);
    push_agent(t, static_cast<int>(m), static_cast<int>(t.n_bands), o.tariff_usd_per_kwh,
               o.strategy, n, o.counts_in_network ? 1.0 : 0.0, o.budget_usd);
  }
  t.n_observers = t.machine.size() - t.n_env;

  double env_hashrate = 0.0;
  for (std::size_t a = 0; a < t.n_env; ++a)
    env_hashrate += t.hashrate_ths[a] * t.initial_machines[a];
  if (!(env_hashrate > 0.0))
    throw Error(config.catalogue_file.string() +
                ": the archetypes have no hashrate (all initial_units or weights are 0)");

  if (config.profile == RuleProfile::Reference2021) {
    // Seeded history uses the unscaled float counts; the fleet is then scaled with int()
    // truncation (reference generators.py / agents.py behaviour).
    const double hp = config.reference.seed_hashprice_usd_per_th_day;
    for (std::size_t a = 0; a < t.n_env; ++a) {
      const double c = t.initial_machines[a];
      t.seed_pnl_usd_per_day[a] =
          hp * t.hashrate_ths[a] * c - t.power_kw[a] * c * t.tariff_usd_per_kwh[a] * 24.0;
    }
    const double scalar = config.reference.start_hashrate_ths / env_hashrate;
    for (std::size_t a = 0; a < t.n_env; ++a)
      t.initial_machines[a] = std::trunc(t.initial_machines[a] * scalar);
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
  if (generations)
    build_generation_epochs(t, config.generations, config.rules.max_payback_days, start_day,
                            std::max(horizon_days, 1));
  return t;
}

void group_forward_value_pairs(std::size_t n, const int* order_slot,
                               const double* order_hashrate_ths,
                               const double* order_power_cost_usd_per_day,
                               std::vector<std::size_t>& source,
                               std::vector<std::size_t>& evaluated) {
  source.assign(n, 0);
  evaluated.clear();
  for (std::size_t a = 0; a < n; ++a) {
    std::size_t src = a;
    for (const std::size_t b : evaluated)
      if (order_slot[b] == order_slot[a] && order_hashrate_ths[b] == order_hashrate_ths[a] &&
          order_power_cost_usd_per_day[b] == order_power_cost_usd_per_day[a]) {
        src = b;
        break;
      }
    source[a] = src;
    if (src == a) evaluated.push_back(a);
  }
}

}  // namespace hashsim::agents
