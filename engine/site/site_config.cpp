#include "engine/site/site_config.h"

#include <algorithm>
#include <cmath>
#include <limits>

#include "agents/machine_catalogue.h"
#include "engine/util/data_paths.h"
#include "engine/util/yaml_reader.h"
#include "engine/util/atomic_file.h"
#include "engine/util/error.h"

namespace hashsim::site {

namespace {
constexpr const char* kDefaultCatalogue = "data/machines/current_2026.csv";

// Relative catalogue paths resolve against the site file's directory first, then the current
// directory (so both `../data/...` from scenarios/ and `data/...` from the repo root work). The
// default (key absent) also tries the site file's parent directory and the shipped data
// (engine/util/data_paths.h: $HASHSIM_DATA_DIR, next to the executable or its installed prefix).
std::filesystem::path resolve_catalogue(const std::string& given,
                                        const std::filesystem::path& site_file, YamlMap& m,
                                        bool explicit_key) {
  std::filesystem::path p(given);
  std::vector<std::filesystem::path> tried;
  if (p.is_absolute()) {
    tried.push_back(p);
  } else {
    tried.push_back(site_file.parent_path() / p);
    tried.push_back(p);
    if (!explicit_key) {
      tried.push_back(site_file.parent_path() / ".." / p);
      tried.push_back(data_file(std::filesystem::path("machines") / "current_2026.csv"));
    }
  }
  for (const auto& t : tried)
    if (regular_file_exists(t)) return t;
  std::string list;
  for (const auto& t : tried) list += (list.empty() ? "" : ", ") + t.string();
  m.fail("catalogue",
         "= " + shorten(given) + ": machine catalogue not found (tried " + shorten(list) + ")");
}
// Name, power, currency, power price, FX, discounting and horizon: the top-level keys before
// `miners`.
void read_site_basics(YamlMap& top, SiteConfig& c) {
  c.name = top.text("name", std::string("site"));
  c.site_power_kw = top.number("site_power_kw", 0.001, 1e7);
  c.load_factor = top.number("load_factor", 0.01, 1.0, 1.0);
  c.currency = top.choice("currency", {"GBP", "USD", "EUR"}, std::string("GBP"));
  c.power_price_per_kwh = top.number("power_price_per_kwh", 0.0, 10.0);
  c.power_price_escalation_per_year = top.number("power_price_escalation_per_year", -0.5, 1.0, 0.0);
  if (top.has("fx_usd_to_site")) c.fx_usd_to_site = top.number("fx_usd_to_site", 1e-4, 1e4);
  if (top.has("fx_fallback_usd_to_site"))
    c.fx_fallback_usd_to_site = top.number("fx_fallback_usd_to_site", 1e-4, 1e4);
  if (c.currency == "USD" && c.fx_usd_to_site && *c.fx_usd_to_site != 1.0)
    top.fail("fx_usd_to_site", "= " + format_number(*c.fx_usd_to_site) +
                                   " must be 1 (or absent) when currency is USD");
  c.discount_rate_per_year = top.number("discount_rate", -0.5, 1.0, 0.08);
  c.horizon_years = static_cast<int>(top.integer("horizon_years", 1, kMaxHorizonYears, 5));
  c.selection_scenario = top.text("selection_scenario", std::string("base"));
}

// miners.list: the miners offered, given inline; each name once, at least one.
std::vector<InlineMiner> read_inline_miners(YamlMap& m) {
  std::vector<InlineMiner> miners;
  for (YamlMap& e : m.map_list("list", true)) {
    InlineMiner im;
    im.name = e.text("name");
    im.hashrate_ths = e.number("hashrate_ths", 1e-6, 1e6);
    im.power_w = e.number("power_w", 1e-3, 1e6);
    im.price_site_ccy = e.number("price", 0.01, 1e9);
    e.finish();
    for (const auto& other : miners)
      if (other.name == im.name) e.fail("name", "= " + shorten(im.name) + " is listed twice");
    miners.push_back(std::move(im));
  }
  if (miners.empty()) m.fail("list", "is empty (give at least one miner)");
  return miners;
}

// miners.choose must name a miner on offer. Checked here, where the line is known;
// miner_offers() checks again for configs built in code.
void check_forced_miner(const YamlMap& m, const SiteConfig& c) {
  if (c.forced_miner.empty()) return;
  std::vector<std::string> names;
  if (!c.inline_miners.empty()) {
    for (const auto& im : c.inline_miners) names.push_back(im.name);
  } else {
    for (const auto& mc : agents::load_machine_catalogue(c.catalogue_file).machines)
      names.push_back(mc.name);
  }
  if (std::find(names.begin(), names.end(), c.forced_miner) == names.end()) {
    std::string list;
    for (const auto& n : names) list += (list.empty() ? "" : ", ") + n;
    m.fail("choose",
           "= " + shorten(c.forced_miner) + " is not among the miners offered (" + list + ")");
  }
}

// miners: an inline list or a catalogue file (not both), and optionally the miner to use.
void read_miners(YamlMap& top, SiteConfig& c) {
  YamlMap m = top.map("miners");
  const bool has_cat = m.has("catalogue"), has_list = m.has("list");
  if (has_cat && has_list)
    m.fail("list", "cannot be given together with miners.catalogue (choose one)");
  if (has_list) {
    c.inline_miners = read_inline_miners(m);
  } else {
    const std::string given = m.text("catalogue", std::string(kDefaultCatalogue));
    c.catalogue_file = resolve_catalogue(given, c.file, m, has_cat);
  }
  c.forced_miner = m.text("choose", std::string(""));
  check_forced_miner(m, c);
  m.finish();
}

// Pool fee, uptime, overheads, fees, resale and how the miner is chosen.
void read_operating_terms(YamlMap& top, SiteConfig& c) {
  c.pool_fee_fraction = top.number("pool_fee", 0.0, 0.5, 0.0);
  c.uptime_fraction = top.number("uptime", 0.01, 1.0, 1.0);
  c.overhead_power_fraction = top.number("overhead_power_fraction", 0.0, 2.0, 0.0);
  c.other_opex_per_miner_per_year = top.number("other_opex_per_miner_per_year", 0.0, 1e6, 0.0);
  c.hosting_fee_per_miner_per_month = top.number("hosting_fee_per_miner_per_month", 0.0, 1e5, 0.0);
  c.resale_fraction = top.number("resale_fraction", 0.0, 1.0, 0.0);
  if (top.has("shutdown_when_unprofitable"))
    top.fail("shutdown_when_unprofitable",
             "was replaced by operating_policy (daily curtailment on what the operator knows; "
             "mode: always_on to never curtail): see scenarios/README-site.md");
  c.selection_criterion =
      top.choice("selection_criterion", {"min_payback", "max_npv_p50", "max_prob_npv_positive"},
                 std::string("min_payback"));
}

OperatingPolicyConfig read_operating_policy(YamlMap& top) {
  YamlMap m = top.map("operating_policy");
  OperatingPolicyConfig p;
  p.mode = m.choice("mode", {"daily", "always_on"}, std::string("daily"));
  p.trailing_days = static_cast<int>(m.integer("trailing_days", 1, 365, 7));
  p.threshold_per_mwh = m.number("threshold_per_mwh", -1e4, 1e4, 0.0);
  p.days_before_off = static_cast<int>(m.integer("days_before_off", 1, 365, 2));
  p.days_before_on = static_cast<int>(m.integer("days_before_on", 1, 365, 2));
  p.restart_cost_per_miner = m.number("restart_cost_per_miner", 0.0, 1e5, 0.0);
  m.finish();
  return p;
}

// A peak block's price defaults to the flat price (no peak surcharge).
TariffConfig read_tariff(YamlMap& top, double power_price_per_kwh) {
  YamlMap m = top.map("tariff");
  TariffConfig t;
  t.peak_hours_per_day = m.number("peak_hours_per_day", 0.0, 24.0, 0.0);
  t.peak_price_per_kwh = m.number("peak_price_per_kwh", 0.0, 10.0, power_price_per_kwh);
  m.finish();
  return t;
}

// hosted: a section, or the older top-level shorthand hosted_price_per_kwh (not both).
HostedConfig read_hosted(YamlMap& top) {
  const bool old_key = top.has("hosted_price_per_kwh");
  YamlMap m = top.map("hosted");
  if (old_key && m.has("price_per_kwh"))
    top.fail("hosted_price_per_kwh",
             "cannot be given together with hosted.price_per_kwh (choose one)");
  HostedConfig h;
  h.price_per_kwh = old_key ? top.number("hosted_price_per_kwh", 0.0, 10.0)
                            : m.number("price_per_kwh", 0.0, 10.0, 0.0);
  if (m.has("uptime_guarantee")) h.uptime_guarantee = m.number("uptime_guarantee", 0.01, 1.0);
  h.setup_fee_per_miner = m.number("setup_fee_per_miner", 0.0, 1e6, 0.0);
  h.term_years = static_cast<int>(m.integer("term_years", 0, kMaxHorizonYears, 0));
  m.finish();
  top.number("hosted_price_per_kwh", 0.0, 10.0, 0.0);  // marks the shorthand known
  return h;
}

InfrastructureConfig read_infrastructure(YamlMap& top) {
  YamlMap m = top.map("infrastructure");
  InfrastructureConfig i;
  i.capex_per_kw = m.number("capex_per_kw", 0.0, 1e5, 0.0);
  i.life_years = m.number("life_years", 1.0, 100.0, 10.0);
  i.recovery_of_book_value = m.number("recovery_of_book_value", 0.0, 1.0, 0.5);
  m.finish();
  return i;
}

// The loan's term defaults to the horizon.
FinancingConfig read_financing(YamlMap& top, int horizon_years) {
  YamlMap m = top.map("financing");
  FinancingConfig f;
  f.debt_share = m.number("debt_share", 0.0, 0.95, 0.0);
  f.interest_rate = m.number("interest_rate", 0.0, 1.0, 0.08);
  f.term_years = static_cast<int>(m.integer("term_years", 1, 50, horizon_years));
  f.amortisation =
      m.choice("amortisation", {"annuity", "linear", "bullet"}, std::string("annuity"));
  m.finish();
  return f;
}

// Tax applies when the section is present (`tax: {}` takes the UK defaults).
TaxConfig read_tax(YamlMap& top) {
  TaxConfig t;
  t.enabled = top.has("tax");
  YamlMap m = top.map("tax");
  t.rate = m.number("corporation_tax_rate", 0.0, 0.9, 0.25);
  t.first_year_allowance = m.number("first_year_allowance", 0.0, 1.0, 1.0);
  t.writing_down_rate = m.number("writing_down_rate", 0.0, 1.0, 0.18);
  m.finish();
  return t;
}

TradFiConfig read_tradfi(YamlMap& top) {
  YamlMap m = top.map("tradfi");
  TradFiConfig t;
  t.bond_yield = m.number("bond_yield", 0.0, 1.0, 0.0);
  t.equity_expected_return = m.number("equity_expected_return", -0.5, 1.0, 0.0);
  t.equity_vol = m.number("equity_vol", 0.0, 2.0, 0.0);
  m.finish();
  return t;
}

// A USD site has no FX risk to model.
FxModelConfig read_fx_model(YamlMap& top, const std::string& currency) {
  YamlMap m = top.map("fx_model");
  FxModelConfig f;
  f.model = m.choice("model", {"constant", "gbm"}, std::string("constant"));
  f.vol_per_sqrt_year = m.number("vol_per_sqrt_year", 0.0, 2.0, 0.0);
  f.correlation_with_btc = m.number("correlation_with_btc", -1.0, 1.0, 0.0);
  m.finish();
  if (f.model == "gbm" && currency == "USD")
    m.fail("model", "= gbm needs a non-USD site currency (a USD site has no FX risk)");
  return f;
}

SensitivityConfig read_sensitivity(YamlMap& top) {
  YamlMap m = top.map("sensitivity");
  SensitivityConfig s;
  s.power_price = m.number("power_price", 0.0, 0.99, 0.20);
  s.btc_price = m.number("btc_price", 0.0, 0.99, 0.20);
  s.hashrate_growth_per_year = m.number("hashrate_growth_per_year", 0.0, 0.9, 0.10);
  s.capex = m.number("capex", 0.0, 0.99, 0.20);
  s.discount_rate = m.number("discount_rate", 0.0, 0.4, 0.02);
  m.finish();
  return s;
}

// The power prices of the "payback by power price" table, ascending; default 0.02 .. 0.20.
std::vector<double> read_table_power_prices(YamlMap& top) {
  std::vector<double> prices;
  if (top.has("table_power_prices_per_kwh")) {
    prices = top.number_list("table_power_prices_per_kwh", 0.0, 10.0);
  } else {
    for (int k = 1; k <= 10; ++k) prices.push_back(0.02 * k);
  }
  std::sort(prices.begin(), prices.end());
  return prices;
}
}  // namespace

// Each piece fails on its first bad key, so the order below decides which error a file with several
// is told about first.
SiteConfig parse_site_config(const std::string& yaml_text, const std::filesystem::path& file) {
  const std::string fname = file.string();
  const YAML::Node root = parse_yaml(yaml_text, fname);
  if (!root || root.IsNull()) throw Error(fname + ": the site file is empty");
  YamlMap top(root, fname, "");

  SiteConfig c;
  c.file = file;
  c.yaml_text = yaml_text;
  read_site_basics(top, c);
  read_miners(top, c);
  read_operating_terms(top, c);
  c.policy = read_operating_policy(top);
  c.tariff = read_tariff(top, c.power_price_per_kwh);
  c.hosted = read_hosted(top);
  c.infrastructure = read_infrastructure(top);
  c.financing = read_financing(top, c.horizon_years);
  c.tax = read_tax(top);
  c.tradfi = read_tradfi(top);
  c.fx_model = read_fx_model(top, c.currency);
  c.sensitivity = read_sensitivity(top);
  c.seed = static_cast<std::uint64_t>(
      top.integer("seed", 0, std::numeric_limits<std::int64_t>::max(), 20260613));
  c.table_power_prices_per_kwh = read_table_power_prices(top);
  top.finish();
  return c;
}

SiteConfig load_site_config(const std::filesystem::path& file) {
  if (!regular_file_exists(file))
    throw Error(file.string() + ": cannot read site file (not found or not a regular file)");
  return parse_site_config(read_file(file), file);
}

std::vector<MinerOffer> miner_offers(const SiteConfig& c, double fx_usd_to_site) {
  std::vector<MinerOffer> out;
  if (!c.inline_miners.empty()) {
    for (const auto& m : c.inline_miners)
      out.push_back({m.name, m.hashrate_ths, m.power_w, m.price_site_ccy});
  } else {
    const auto cat = agents::load_machine_catalogue(c.catalogue_file);
    for (const auto& m : cat.machines)
      out.push_back({m.name, m.hashrate_ths, m.power_w, m.price_usd * fx_usd_to_site});
  }
  if (!c.forced_miner.empty() && std::none_of(out.begin(), out.end(), [&](const MinerOffer& o) {
        return o.name == c.forced_miner;
      })) {
    std::string names;
    for (const auto& o : out) names += (names.empty() ? "" : ", ") + o.name;
    throw Error(c.file.string() + ": miners.choose = " + c.forced_miner +
                " is not among the miners offered (" + names + ")");
  }
  return out;
}

}  // namespace hashsim::site
