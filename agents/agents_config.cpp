#include "agents/agents_config.h"

#include <algorithm>
#include <cmath>
#include <optional>

#include "agents/generations.h"
#include "agents/machine_catalogue.h"

#include "engine/util/yaml_reader.h"
#include "engine/util/error.h"

namespace hashsim::agents {

const char* strategy_name(Strategy s) {
  return s == Strategy::SellDaily ? "sell_daily" : "long_btc";
}
const char* profile_name(RuleProfile p) {
  return p == RuleProfile::Default ? "default" : "reference-2021";
}

namespace {
std::filesystem::path resolve(const std::filesystem::path& scenario_file, const std::string& name) {
  std::filesystem::path p(name);
  return p.is_relative() ? scenario_file.parent_path() / p : p;
}

// The file named by `key`, relative to the scenario file's directory; an error when it cannot be
// read.
std::filesystem::path readable_file(YamlMap& m, const std::string& key,
                                    const std::filesystem::path& scenario_file) {
  const std::string given = m.text(key);
  std::filesystem::path p = resolve(scenario_file, given);
  if (!regular_file_exists(p))
    m.fail(key, "= " + shorten(given) + ": cannot read file " + shorten(p.string()));
  return p;
}

// Tariff bands: each a price or a [low, high] range (its midpoint), with a weight; weights must
// sum to 1 (within 1e-9) so the archetype distribution is a distribution.
std::vector<TariffBand> read_tariffs(YamlMap& m) {
  std::vector<TariffBand> tariffs;
  double weight_sum = 0.0;
  for (auto& band : m.map_list("tariffs", true)) {
    TariffBand b;
    if (band.has("range")) {
      const auto r = band.number_list("range", 0.0, 10.0);
      if (r.size() != 2 || r[1] < r[0])
        band.fail("range", "must be [low, high] USD/kWh with low <= high");
      b.usd_per_kwh = 0.5 * (r[0] + r[1]);
    } else {
      b.usd_per_kwh = band.number("usd_per_kwh", 0.0, 10.0);
    }
    b.weight = band.number("weight", 0.0, 1.0);
    band.finish();
    weight_sum += b.weight;
    tariffs.push_back(b);
  }
  if (tariffs.empty()) m.fail("tariffs", "must list at least one tariff band");
  if (std::fabs(weight_sum - 1.0) > 1e-9)
    m.fail("tariffs", "weights sum to " + format_number(weight_sum) + "; they must sum to 1");
  for (std::size_t i = 0; i < tariffs.size(); ++i)
    for (std::size_t j = 0; j < i; ++j)
      if (tariffs[i].usd_per_kwh == tariffs[j].usd_per_kwh)
        m.fail("tariffs",
               "lists the price " + format_number(tariffs[i].usd_per_kwh) + " USD/kWh twice");
  return tariffs;
}

// Shares of sell_daily and long_btc archetypes; they must sum to 1.
void read_strategy_weights(YamlMap& m, double (&weight)[2]) {
  YamlMap s = m.map("strategies");
  weight[0] = s.number("sell_daily", 0.0, 1.0, 0.5);
  weight[1] = s.number("long_btc", 0.0, 1.0, 0.5);
  s.finish();
  if (std::fabs(weight[0] + weight[1] - 1.0) > 1e-9)
    m.fail("strategies", "weights sell_daily + long_btc = " + format_number(weight[0] + weight[1]) +
                             "; they must sum to 1");
}

// Observer fleets; each machine must be in the catalogue (read only when there are observers).
std::vector<ObserverFleet> read_observers(YamlMap& m, const std::filesystem::path& catalogue_file) {
  std::vector<ObserverFleet> observers;
  std::optional<MachineCatalogue> catalogue;
  for (auto& o : m.map_list("observers")) {
    ObserverFleet f;
    f.machine = o.text("machine");
    // Checked here, where the file and line are known (the agent model would only say "unknown
    // machine").
    if (!catalogue) catalogue = load_machine_catalogue(catalogue_file);
    if (std::none_of(catalogue->machines.begin(), catalogue->machines.end(),
                     [&](const auto& mc) { return mc.name == f.machine; })) {
      std::string known;
      for (const auto& mc : catalogue->machines) known += (known.empty() ? "" : ", ") + mc.name;
      o.fail("machine", "= " + shorten(f.machine) + " is not in the catalogue " +
                            catalogue_file.string() + " (it has: " + known + ")");
    }
    f.tariff_usd_per_kwh = o.number("tariff_usd_per_kwh", 0.0, 10.0);
    f.strategy = o.choice("strategy", {"sell_daily", "long_btc"}) == "sell_daily"
                     ? Strategy::SellDaily
                     : Strategy::LongBtc;
    f.budget_usd = o.number("budget_usd", 1.0, 1e12, 1e6);
    f.counts_in_network = o.boolean("counts_in_network", true);
    o.finish();
    observers.push_back(f);
  }
  return observers;
}

// agents.rules: the miners' decision rules; absent keys keep DefaultRules' values (the
// reference-2021 profile fixes the profit window at 30 days).
void read_rules(YamlMap& m, RuleProfile profile, DefaultRules& rules) {
  YamlMap r = m.map("rules");
  if (profile == RuleProfile::Reference2021 && r.has("window_days"))
    r.fail("window_days", "is fixed at 30 by the reference-2021 profile");
  const DefaultRules d{};
  rules.window_days = static_cast<int>(r.integer("window_days", 1, 365, 30));
  rules.pool_fee = r.number("pool_fee", 0.0, 0.5, 0.0);
  rules.hardware_failure_rate_per_year =
      r.number("hardware_failure_rate_per_year", 0.0, 1.0, d.hardware_failure_rate_per_year);
  rules.reinvest_fraction = r.number("reinvest_fraction", 0.0, 1.0, 0.5);
  rules.max_payback_days = r.number("max_payback_days", 1.0, 3650.0, 720.0);
  rules.max_switch_off_fraction_per_day =
      r.number("max_switch_off_fraction_per_day", 0.0, 1.0, 0.10);
  rules.restart_fraction_per_day = r.number("restart_fraction_per_day", 0.0, 1.0, 0.25);
  rules.expected_difficulty_growth_per_year = r.number("expected_difficulty_growth_per_year", 0.0,
                                                       5.0, d.expected_difficulty_growth_per_year);
  rules.anticipate_halving = r.boolean("anticipate_halving", d.anticipate_halving);
  rules.scale_orders_by_value = r.boolean("scale_orders_by_value", d.scale_orders_by_value);
  rules.switch_window_days =
      static_cast<int>(r.integer("switch_window_days", 1, 365, d.switch_window_days));
  rules.proportional_restart = r.boolean("proportional_restart", d.proportional_restart);
  rules.retire_fraction_per_day =
      r.number("retire_fraction_per_day", 0.0, 1.0, d.retire_fraction_per_day);
  rules.resale_fraction = r.number("resale_fraction", 0.0, 1.0, d.resale_fraction);
  rules.equilibrium_start = r.boolean("equilibrium_start", d.equilibrium_start);
  rules.equilibrium_machine_prices =
      r.boolean("equilibrium_machine_prices", d.equilibrium_machine_prices);
  if (r.has("equilibrium_growth_per_year"))
    rules.equilibrium_growth_per_year = r.number("equilibrium_growth_per_year", -1.0, 5.0, 0.0);
  rules.machine_price_level_max =
      r.number("machine_price_level_max", 1.0, 100.0, d.machine_price_level_max);
  rules.band_capacity_headroom =
      r.number("band_capacity_headroom", -1.0, 100.0, d.band_capacity_headroom);
  rules.band_capacity_growth_per_year =
      r.number("band_capacity_growth_per_year", -1.0, 10.0, d.band_capacity_growth_per_year);
  r.finish();
}

// agents.generations (present: generations on); the efficiency trend is fitted on `specs`.
Generations read_generations(YamlMap& m, const std::filesystem::path& scenario_file) {
  YamlMap g = m.map("generations");
  Generations gen{};
  gen.enabled = true;
  gen.new_sale_years = g.number("new_sale_years", 0.0, 50.0, gen.new_sale_years);
  gen.future_every_days =
      static_cast<int>(g.integer("future_every_days", 0, 3650, gen.future_every_days));
  gen.specs_file = readable_file(g, "specs", scenario_file);
  g.finish();
  gen.log_efficiency_change_per_year = fit_efficiency_frontier(gen.specs_file).log_change_per_year;
  return gen;
}

// agents.supply: finite manufacturer shipments (fields of DefaultRules).
void read_supply(YamlMap& m, DefaultRules& rules) {
  YamlMap sp = m.map("supply");
  rules.supply_share_per_month = sp.number("shipped_share_per_month", 0.0, 10.0);
  rules.supply_growth_per_year = sp.number("growth_per_year", -1.0, 10.0, 0.0);
  rules.supply_price_premium_per_backlog_month =
      sp.number("price_premium_per_backlog_month", 0.0, 10.0, 0.0);
  rules.supply_max_wait_days =
      static_cast<int>(sp.integer("max_wait_days", 1, kMaxDeliveryDelayDays, 180));
  sp.finish();
}

// agents.shocks: hashrate shocks, a fraction drawn in [fraction_min, fraction_max].
Shocks read_shocks(YamlMap& m) {
  YamlMap sh = m.map("shocks");
  Shocks s{};
  s.rate_per_year = sh.number("rate_per_year", 0.0, 365.0);
  s.fraction_min = sh.number("fraction_min", 0.0, 0.99);
  s.fraction_max = sh.number("fraction_max", 0.0, 0.99);
  if (s.fraction_max < s.fraction_min)
    sh.fail("fraction_max", "= " + format_number(s.fraction_max) +
                                " is below fraction_min = " + format_number(s.fraction_min));
  s.duration_days = static_cast<int>(sh.integer("duration_days", 1, 365));
  sh.finish();
  return s;
}

// agents.uncertainty: per-path spreads of the rule parameters (draw_path_rules above).
ParameterUncertainty read_uncertainty(YamlMap& m) {
  YamlMap u = m.map("uncertainty");
  ParameterUncertainty p{};
  p.expected_difficulty_growth_sd =
      u.number("expected_difficulty_growth_per_year_sd", 0.0, 5.0, 0.0);
  p.reinvest_fraction_sd = u.number("reinvest_fraction_sd", 0.0, 1.0, 0.0);
  p.band_capacity_growth_sd = u.number("band_capacity_growth_per_year_sd", 0.0, 10.0, 0.0);
  p.supply_growth_sd = u.number("supply_growth_per_year_sd", 0.0, 10.0, 0.0);
  p.hashrate_drift = u.number("hashrate_drift_per_year", -5.0, 5.0, 0.0);
  p.hashrate_drift_sd = u.number("hashrate_drift_per_year_sd", 0.0, 5.0, 0.0);
  u.finish();
  return p;
}

// agents.reference (required by the reference-2021 profile): its start and the reward series.
Reference2021 read_reference(YamlMap& m, const std::filesystem::path& scenario_file) {
  YamlMap r = m.map("reference", true);
  Reference2021 ref{};
  ref.start_price_usd = r.number("start_price_usd", 0.01, 1e9);
  ref.start_hashrate_ths = r.number("start_hashrate_ths", 1.0, 1e15);
  ref.seed_hashprice_usd_per_th_day = r.number("seed_hashprice_usd_per_th_day", 0.0, 1e3);
  YamlMap rw = r.map("reward", true);
  ref.reward.file = readable_file(rw, "file", scenario_file);
  ref.reward.value_column = rw.text("column", "reward_btc_per_day");
  ref.reward.day_column = rw.text("day_column", "day");
  ref.reward.path_column = rw.text("path_column", "");
  rw.finish();
  r.finish();
  return ref;
}
}  // namespace

DefaultRules draw_path_rules(const DefaultRules& mean, const ParameterUncertainty& u,
                             const double (&z)[kUncertainParameterCount]) {
  DefaultRules r = mean;
  // Ranges: those the YAML keys accept (read_rules and read_supply above).
  r.expected_difficulty_growth_per_year = std::clamp(
      mean.expected_difficulty_growth_per_year + u.expected_difficulty_growth_sd * z[0], 0.0, 5.0);
  r.reinvest_fraction =
      std::clamp(mean.reinvest_fraction + u.reinvest_fraction_sd * z[1], 0.0, 1.0);
  r.band_capacity_growth_per_year =
      std::clamp(mean.band_capacity_growth_per_year + u.band_capacity_growth_sd * z[2], -1.0, 10.0);
  r.supply_growth_per_year =
      std::clamp(mean.supply_growth_per_year + u.supply_growth_sd * z[3], -1.0, 10.0);
  return r;
}

AgentsConfig parse_agents_config(YamlMap& m, const std::filesystem::path& scenario_file) {
  AgentsConfig c;
  const std::string profile =
      m.choice("profile", {"default", "reference-2021"}, std::string("default"));
  c.profile = profile == "default" ? RuleProfile::Default : RuleProfile::Reference2021;
  c.catalogue_file = readable_file(m, "catalogue", scenario_file);
  c.tariffs = read_tariffs(m);
  read_strategy_weights(m, c.strategy_weight);
  c.observers = read_observers(m, c.catalogue_file);
  read_rules(m, c.profile, c.rules);

  const bool is_reference = c.profile == RuleProfile::Reference2021;
  for (const char* k : {"generations", "supply", "shocks", "uncertainty"})
    if (is_reference && m.has(k)) m.fail(k, "is only allowed with profile: default");
  if (m.has("generations")) c.generations = read_generations(m, scenario_file);
  if (m.has("supply")) read_supply(m, c.rules);
  if (m.has("shocks")) c.shocks = read_shocks(m);
  if (m.has("uncertainty")) c.uncertainty = read_uncertainty(m);

  if (is_reference)
    c.reference = read_reference(m, scenario_file);
  else if (m.has("reference"))
    m.fail("reference", "is only allowed with profile: reference-2021");
  c.archetype_series_every_days =
      static_cast<int>(m.integer("archetype_series_every_days", 0, 3650, 0));
  m.finish();
  return c;
}

}  // namespace hashsim::agents
