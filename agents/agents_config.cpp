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
}  // namespace

DefaultRules draw_path_rules(const DefaultRules& mean, const ParameterUncertainty& u,
                             const double (&z)[kUncertainParameterCount]) {
  DefaultRules r = mean;
  // Ranges: the YAML ranges of the keys (parse_agents_config below).
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
  const std::string cat = m.text("catalogue");
  c.catalogue_file = resolve(scenario_file, cat);
  if (!regular_file_exists(c.catalogue_file))
    m.fail("catalogue",
           "= " + shorten(cat) + ": cannot read file " + shorten(c.catalogue_file.string()));

  // Tariff bands: each a price or a [low, high] range (its midpoint), with a weight; weights
  // must sum to 1 (within 1e-9) so the archetype distribution is a distribution.
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
    c.tariffs.push_back(b);
  }
  if (c.tariffs.empty()) m.fail("tariffs", "must list at least one tariff band");
  if (std::fabs(weight_sum - 1.0) > 1e-9)
    m.fail("tariffs", "weights sum to " + format_number(weight_sum) + "; they must sum to 1");
  for (std::size_t i = 0; i < c.tariffs.size(); ++i)
    for (std::size_t j = 0; j < i; ++j)
      if (c.tariffs[i].usd_per_kwh == c.tariffs[j].usd_per_kwh)
        m.fail("tariffs",
               "lists the price " + format_number(c.tariffs[i].usd_per_kwh) + " USD/kWh twice");

  {
    YamlMap s = m.map("strategies");
    c.strategy_weight[0] = s.number("sell_daily", 0.0, 1.0, 0.5);
    c.strategy_weight[1] = s.number("long_btc", 0.0, 1.0, 0.5);
    s.finish();
    if (std::fabs(c.strategy_weight[0] + c.strategy_weight[1] - 1.0) > 1e-9)
      m.fail("strategies", "weights sell_daily + long_btc = " +
                               format_number(c.strategy_weight[0] + c.strategy_weight[1]) +
                               "; they must sum to 1");
  }

  std::optional<MachineCatalogue> catalogue;  // read only when there are observers
  for (auto& o : m.map_list("observers")) {
    ObserverFleet f;
    f.machine = o.text("machine");
    // Checked here, where the file and line are known (the agent model would only say "unknown
    // machine").
    if (!catalogue) catalogue = load_machine_catalogue(c.catalogue_file);
    if (std::none_of(catalogue->machines.begin(), catalogue->machines.end(),
                     [&](const auto& mc) { return mc.name == f.machine; })) {
      std::string known;
      for (const auto& mc : catalogue->machines) known += (known.empty() ? "" : ", ") + mc.name;
      o.fail("machine", "= " + shorten(f.machine) + " is not in the catalogue " +
                            c.catalogue_file.string() + " (it has: " + known + ")");
    }
    f.tariff_usd_per_kwh = o.number("tariff_usd_per_kwh", 0.0, 10.0);
    f.strategy = o.choice("strategy", {"sell_daily", "long_btc"}) == "sell_daily"
                     ? Strategy::SellDaily
                     : Strategy::LongBtc;
    f.budget_usd = o.number("budget_usd", 1.0, 1e12, 1e6);
    f.counts_in_network = o.boolean("counts_in_network", true);
    o.finish();
    c.observers.push_back(f);
  }

  {
    YamlMap r = m.map("rules");
    if (c.profile == RuleProfile::Reference2021 && r.has("window_days"))
      r.fail("window_days", "is fixed at 30 by the reference-2021 profile");
    c.rules.window_days = static_cast<int>(r.integer("window_days", 1, 365, 30));
    c.rules.pool_fee = r.number("pool_fee", 0.0, 0.5, 0.0);
    c.rules.hardware_failure_rate_per_year = r.number(
        "hardware_failure_rate_per_year", 0.0, 1.0, DefaultRules{}.hardware_failure_rate_per_year);
    c.rules.reinvest_fraction = r.number("reinvest_fraction", 0.0, 1.0, 0.5);
    c.rules.max_payback_days = r.number("max_payback_days", 1.0, 3650.0, 720.0);
    c.rules.max_switch_off_fraction_per_day =
        r.number("max_switch_off_fraction_per_day", 0.0, 1.0, 0.10);
    c.rules.restart_fraction_per_day = r.number("restart_fraction_per_day", 0.0, 1.0, 0.25);
    const DefaultRules d{};
    c.rules.expected_difficulty_growth_per_year = r.number(
        "expected_difficulty_growth_per_year", 0.0, 5.0, d.expected_difficulty_growth_per_year);
    c.rules.anticipate_halving = r.boolean("anticipate_halving", d.anticipate_halving);
    c.rules.scale_orders_by_value = r.boolean("scale_orders_by_value", d.scale_orders_by_value);
    c.rules.switch_window_days =
        static_cast<int>(r.integer("switch_window_days", 1, 365, d.switch_window_days));
    c.rules.proportional_restart = r.boolean("proportional_restart", d.proportional_restart);
    c.rules.retire_fraction_per_day =
        r.number("retire_fraction_per_day", 0.0, 1.0, d.retire_fraction_per_day);
    c.rules.resale_fraction = r.number("resale_fraction", 0.0, 1.0, d.resale_fraction);
    c.rules.equilibrium_start = r.boolean("equilibrium_start", d.equilibrium_start);
    c.rules.equilibrium_machine_prices =
        r.boolean("equilibrium_machine_prices", d.equilibrium_machine_prices);
    if (r.has("equilibrium_growth_per_year"))
      c.rules.equilibrium_growth_per_year = r.number("equilibrium_growth_per_year", -1.0, 5.0, 0.0);
    c.rules.machine_price_level_max =
        r.number("machine_price_level_max", 1.0, 100.0, d.machine_price_level_max);
    c.rules.band_capacity_headroom =
        r.number("band_capacity_headroom", -1.0, 100.0, d.band_capacity_headroom);
    c.rules.band_capacity_growth_per_year =
        r.number("band_capacity_growth_per_year", -1.0, 10.0, d.band_capacity_growth_per_year);
    r.finish();
  }

  const bool is_reference = c.profile == RuleProfile::Reference2021;
  for (const char* k : {"generations", "supply", "shocks", "uncertainty"})
    if (is_reference && m.has(k)) m.fail(k, "is only allowed with profile: default");
  if (m.has("generations")) {
    YamlMap g = m.map("generations");
    c.generations.enabled = true;
    c.generations.new_sale_years =
        g.number("new_sale_years", 0.0, 50.0, c.generations.new_sale_years);
    c.generations.future_every_days =
        static_cast<int>(g.integer("future_every_days", 0, 3650, c.generations.future_every_days));
    const std::string specs = g.text("specs");
    c.generations.specs_file = resolve(scenario_file, specs);
    if (!regular_file_exists(c.generations.specs_file))
      g.fail("specs", "= " + shorten(specs) + ": cannot read file " +
                          shorten(c.generations.specs_file.string()));
    g.finish();
    c.generations.log_efficiency_change_per_year =
        fit_efficiency_frontier(c.generations.specs_file).log_change_per_year;
  }
  if (m.has("supply")) {
    YamlMap sp = m.map("supply");
    c.rules.supply_share_per_month = sp.number("shipped_share_per_month", 0.0, 10.0);
    c.rules.supply_growth_per_year = sp.number("growth_per_year", -1.0, 10.0, 0.0);
    c.rules.supply_price_premium_per_backlog_month =
        sp.number("price_premium_per_backlog_month", 0.0, 10.0, 0.0);
    c.rules.supply_max_wait_days =
        static_cast<int>(sp.integer("max_wait_days", 1, kMaxDeliveryDelayDays, 180));
    sp.finish();
  }
  if (m.has("shocks")) {
    YamlMap sh = m.map("shocks");
    c.shocks.rate_per_year = sh.number("rate_per_year", 0.0, 365.0);
    c.shocks.fraction_min = sh.number("fraction_min", 0.0, 0.99);
    c.shocks.fraction_max = sh.number("fraction_max", 0.0, 0.99);
    if (c.shocks.fraction_max < c.shocks.fraction_min)
      sh.fail("fraction_max",
              "= " + format_number(c.shocks.fraction_max) +
                  " is below fraction_min = " + format_number(c.shocks.fraction_min));
    c.shocks.duration_days = static_cast<int>(sh.integer("duration_days", 1, 365));
    sh.finish();
  }
  if (m.has("uncertainty")) {
    YamlMap u = m.map("uncertainty");
    c.uncertainty.expected_difficulty_growth_sd =
        u.number("expected_difficulty_growth_per_year_sd", 0.0, 5.0, 0.0);
    c.uncertainty.reinvest_fraction_sd = u.number("reinvest_fraction_sd", 0.0, 1.0, 0.0);
    c.uncertainty.band_capacity_growth_sd =
        u.number("band_capacity_growth_per_year_sd", 0.0, 10.0, 0.0);
    c.uncertainty.supply_growth_sd = u.number("supply_growth_per_year_sd", 0.0, 10.0, 0.0);
    c.uncertainty.hashrate_drift = u.number("hashrate_drift_per_year", -5.0, 5.0, 0.0);
    c.uncertainty.hashrate_drift_sd = u.number("hashrate_drift_per_year_sd", 0.0, 5.0, 0.0);
    u.finish();
  }

  if (c.profile == RuleProfile::Reference2021) {
    YamlMap r = m.map("reference", true);
    c.reference.start_price_usd = r.number("start_price_usd", 0.01, 1e9);
    c.reference.start_hashrate_ths = r.number("start_hashrate_ths", 1.0, 1e15);
    c.reference.seed_hashprice_usd_per_th_day = r.number("seed_hashprice_usd_per_th_day", 0.0, 1e3);
    YamlMap rw = r.map("reward", true);
    const std::string file = rw.text("file");
    c.reference.reward.file = resolve(scenario_file, file);
    if (!regular_file_exists(c.reference.reward.file))
      rw.fail("file", "= " + shorten(file) + ": cannot read file " +
                          shorten(c.reference.reward.file.string()));
    c.reference.reward.value_column = rw.text("column", "reward_btc_per_day");
    c.reference.reward.day_column = rw.text("day_column", "day");
    c.reference.reward.path_column = rw.text("path_column", "");
    rw.finish();
    r.finish();
  } else if (m.has("reference")) {
    m.fail("reference", "is only allowed with profile: reference-2021");
  }
  c.archetype_series_every_days =
      static_cast<int>(m.integer("archetype_series_every_days", 0, 3650, 0));
  m.finish();
  return c;
}

}  // namespace hashsim::agents
