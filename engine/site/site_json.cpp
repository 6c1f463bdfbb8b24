#include "engine/site/site_output.h"
// summary_json: the JSON run summary (every input plus the data snapshot used).

#include <cmath>

#include "engine/util/dates.h"
#include "engine/util/sha256.h"
#include "engine/util/version.h"

namespace hashsim::site {

namespace {

// ---- JSON pieces -------------------------------------------------------------------------

// JSON has no NaN or infinity: a value that is not defined ("n/a": no IRR, nothing to summarise)
// is null; +infinity ("never": no payback within the horizon, as a quantile) is the string "never".
nlohmann::json num(double v) {
  if (std::isnan(v)) return nullptr;
  if (std::isinf(v)) return v > 0 ? "never" : "-inf";
  return v;
}

nlohmann::json dist_json(const Distribution& d) {
  return {
      {"mean", num(d.mean)}, {"p5", num(d.p5)},   {"p25", num(d.p25)}, {"p50", num(d.p50)},
      {"p75", num(d.p75)},   {"p95", num(d.p95)}, {"n", d.n},          {"n_defined", d.n_defined}};
}

nlohmann::json info_json(const ScenarioInfo& i) {
  nlohmann::json snap = nlohmann::json::parse(i.live_snapshot_json, nullptr, false);
  if (snap.is_discarded()) snap = i.live_snapshot_json;
  return {{"name", i.name},
          {"start_date", i.start_date},
          {"start_source", i.start_source},
          {"n_paths", i.n_paths},
          {"n_days", i.n_days},
          {"record_every_days", i.record_every_days},
          {"start_price_usd", i.start_price_usd},
          {"start_difficulty", i.start_difficulty},
          {"start_network_hashrate_ths", i.start_network_hashrate_ths},
          {"start_height", i.start_height},
          {"live_snapshot", snap}};
}

nlohmann::json config_json(const SiteConfig& c) {
  nlohmann::json j = {
      {"name", c.name},
      {"site_power_kw", c.site_power_kw},
      {"load_factor", c.load_factor},
      {"currency", c.currency},
      {"power_price_per_kwh", c.power_price_per_kwh},
      {"power_price_escalation_per_year", c.power_price_escalation_per_year},
      {"fx_usd_to_site", c.fx_usd_to_site ? nlohmann::json(*c.fx_usd_to_site) : nlohmann::json()},
      {"fx_fallback_usd_to_site",
       c.fx_fallback_usd_to_site ? nlohmann::json(*c.fx_fallback_usd_to_site) : nlohmann::json()},
      {"discount_rate", c.discount_rate_per_year},
      {"horizon_years", c.horizon_years},
      {"selection_scenario", c.selection_scenario},
      {"catalogue", c.catalogue_file.string()},
      {"choose", c.forced_miner},
      {"pool_fee", c.pool_fee_fraction},
      {"uptime", c.uptime_fraction},
      {"overhead_power_fraction", c.overhead_power_fraction},
      {"other_opex_per_miner_per_year", c.other_opex_per_miner_per_year},
      {"hosting_fee_per_miner_per_month", c.hosting_fee_per_miner_per_month},
      {"resale_fraction", c.resale_fraction},
      {"selection_criterion", c.selection_criterion},
      {"operating_policy",
       {{"mode", c.policy.mode},
        {"trailing_days", c.policy.trailing_days},
        {"threshold_per_mwh", c.policy.threshold_per_mwh},
        {"days_before_off", c.policy.days_before_off},
        {"days_before_on", c.policy.days_before_on},
        {"restart_cost_per_miner", c.policy.restart_cost_per_miner}}},
      {"tariff",
       {{"peak_hours_per_day", c.tariff.peak_hours_per_day},
        {"peak_price_per_kwh", c.tariff.peak_price_per_kwh}}},
      {"hosted",
       {{"price_per_kwh", c.hosted.price_per_kwh},
        {"uptime_guarantee",
         c.hosted.uptime_guarantee ? nlohmann::json(*c.hosted.uptime_guarantee) : nlohmann::json()},
        {"setup_fee_per_miner", c.hosted.setup_fee_per_miner},
        {"term_years", c.hosted.term_years}}},
      {"infrastructure",
       {{"capex_per_kw", c.infrastructure.capex_per_kw},
        {"life_years", c.infrastructure.life_years},
        {"recovery_of_book_value", c.infrastructure.recovery_of_book_value}}},
      {"financing",
       {{"debt_share", c.financing.debt_share},
        {"interest_rate", c.financing.interest_rate},
        {"term_years", c.financing.term_years},
        {"amortisation", c.financing.amortisation}}},
      {"tax",
       {{"enabled", c.tax.enabled},
        {"corporation_tax_rate", c.tax.rate},
        {"first_year_allowance", c.tax.first_year_allowance},
        {"writing_down_rate", c.tax.writing_down_rate}}},
      {"tradfi",
       {{"bond_yield", c.tradfi.bond_yield},
        {"equity_expected_return", c.tradfi.equity_expected_return},
        {"equity_vol", c.tradfi.equity_vol}}},
      {"fx_model",
       {{"model", c.fx_model.model},
        {"vol_per_sqrt_year", c.fx_model.vol_per_sqrt_year},
        {"correlation_with_btc", c.fx_model.correlation_with_btc}}},
      {"sensitivity",
       {{"power_price", c.sensitivity.power_price},
        {"btc_price", c.sensitivity.btc_price},
        {"hashrate_growth_per_year", c.sensitivity.hashrate_growth_per_year},
        {"capex", c.sensitivity.capex},
        {"discount_rate", c.sensitivity.discount_rate}}},
      {"seed", c.seed},
      {"table_power_prices_per_kwh", c.table_power_prices_per_kwh}};
  return j;
}

nlohmann::json selection_json(const Selection& s) {
  nlohmann::json miners = nlohmann::json::array();
  for (const auto& e : s.miners)
    miners.push_back({{"name", e.offer.name},
                      {"hashrate_ths", e.offer.hashrate_ths},
                      {"power_w", e.offer.power_w},
                      {"price_site_ccy", e.offer.price_site_ccy},
                      {"cost_per_day_site_ccy", e.cost_per_day_site_ccy},
                      {"revenue_per_day_site_ccy", e.revenue_per_day_site_ccy},
                      {"profit_per_day_site_ccy", e.profit_per_day_site_ccy},
                      {"payback_days", num(e.payback_days)},
                      {"breakeven_power_price_per_kwh", e.breakeven_power_price_per_kwh},
                      {"n_fit", e.n_fit},
                      {"npv_p50_site_ccy", num(e.npv_p50_site_ccy)},
                      {"prob_npv_positive", num(e.prob_npv_positive)}});
  return {{"hashprice_usd_per_th_day", s.hashprice_usd_per_th_day},
          {"power_price_per_kwh", s.power_price_per_kwh},
          {"criterion", s.criterion},
          {"chosen", s.chosen ? nlohmann::json(s.miners[*s.chosen].offer.name) : nlohmann::json()},
          {"reason", s.reason},
          {"miners", miners}};
}

nlohmann::json plant_json(const Plant& p) {
  return {{"miner", p.miner.name},
          {"n_miners", p.n_miners},
          {"hashrate_ths", p.hashrate_ths},
          {"energy_kwh_per_day", p.energy_kwh_per_day},
          {"capex_site_ccy", p.capex_total()},
          {"capex_miners_site_ccy", p.capex_miners_site_ccy},
          {"capex_infrastructure_site_ccy", p.capex_infra_site_ccy},
          {"setup_fees_site_ccy", p.setup_fees_site_ccy},
          {"fixed_cost_per_year_site_ccy", p.fixed_cost_per_year_site_ccy},
          {"power_price_per_kwh", p.terms.power_price_per_kwh},
          {"uptime", p.terms.uptime_fraction},
          {"operating_years", p.operating_years}};
}

// Every input: the site file (verbatim, hashed and as read), the results file and the miners
// offered at the prices used.
nlohmann::json inputs_json(const SiteRun& r) {
  const SiteConfig& c = r.analysis.config;
  nlohmann::json offers = nlohmann::json::array();
  for (const auto& m : r.offers)
    offers.push_back({{"name", m.name},
                      {"hashrate_ths", m.hashrate_ths},
                      {"power_w", m.power_w},
                      {"price_site_ccy", m.price_site_ccy}});
  return {{"site_file", c.file.string()},
          {"site_yaml", c.yaml_text},
          {"site_yaml_sha256", sha256_hex(c.yaml_text)},
          {"site", config_json(c)},
          {"results_file", r.results_file.string()},
          {"miners_offered", offers}};
}

// The data the numbers came from: the selection scenario's start and the FX rate.
nlohmann::json data_snapshot_json(const SiteRun& r) {
  const SiteAnalysis& a = r.analysis;
  nlohmann::json j = info_json(r.selection_info);
  j["fx"] = {{"usd_to_site", a.fx.usd_to_site},
             {"currency", a.config.currency},
             {"source", a.fx.source},
             {"provider_time", a.fx.provider_time},
             {"fetched_at", a.fx.fetched_at},
             {"stale", a.fx.stale},
             {"held_constant", true}};
  return j;
}

nlohmann::json site_build_json(const SiteBuild& b, int horizon_years) {
  nlohmann::json j = plant_json(b.plant);
  j.update({{"effective_power_kw", b.effective_power_kw},
            {"used_power_kw", b.used_power_kw},
            {"unused_power_kw", b.unused_power_kw},
            {"revenue_per_day_site_ccy", b.revenue_per_day_site_ccy},
            {"power_cost_per_day_site_ccy", b.power_cost_per_day_site_ccy},
            {"other_cost_per_day_site_ccy", b.other_cost_per_day_site_ccy},
            {"gross_profit_per_day_site_ccy", b.gross_profit_per_day_site_ccy},
            {"terminal_value_site_ccy", b.plant.terminal_value(horizon_years)}});
  return j;
}

// One play of a scenario: the distributions over paths and the median path's cash flows.
nlohmann::json play_json(const PlayResult& p, const ScenarioResult& s) {
  if (!p.available) return {{"available", false}, {"reason", p.unavailable_reason}};
  const PlaySummary& x = p.summary;
  const auto W = static_cast<std::size_t>(s.years) + 1;
  std::vector<double> median_cf(
      p.cashflows.begin() + static_cast<std::ptrdiff_t>(s.median_path * W),
      p.cashflows.begin() + static_cast<std::ptrdiff_t>((s.median_path + 1) * W));
  const nlohmann::json no_payback = {
      {"applicable", false},
      {"reason", "no inflow before the sale at the horizon to pay back with"}};
  nlohmann::json roots = nlohmann::json::array();
  for (double root : p.metrics.irr_roots[s.median_path]) roots.push_back(root);
  return {{"available", true},
          {"label", p.label},
          {"description", p.description},
          {"capital_site_ccy", p.capital_site_ccy},
          {"invested_site_ccy", dist_json(x.invested)},
          {"median_path_cashflows_site_ccy", median_cf},
          {"median_path_irr_roots", roots},
          {"npv_site_ccy", dist_json(x.npv)},
          {"irr", dist_json(x.irr)},
          {"mirr", dist_json(x.mirr)},
          {"roic", dist_json(x.roic)},
          {"roic_basis", p.roic_basis == RoicBasis::MinerCapex
                             ? "mean CF_t (t >= 1) / miner capex (spec)"
                             : "sum CF / (years x money invested)"},
          {"payback_years", p.payback_applicable ? dist_json(x.payback) : no_payback},
          {"discounted_payback_years",
           p.payback_applicable ? dist_json(x.discounted_payback) : no_payback},
          {"share_no_irr", x.share_no_irr},
          {"share_multiple_irr", x.share_multiple_irr},
          {"p_npv_negative", x.p_npv_negative},
          {"p_payback_never", p.payback_applicable ? num(x.p_payback_never) : nlohmann::json()},
          {"p_discounted_payback_never",
           p.payback_applicable ? num(x.p_discounted_payback_never) : nlohmann::json()},
          {"risk",
           {{"npv_p5_var95", num(x.risk.npv_p5)},
            {"expected_shortfall_5", num(x.risk.expected_shortfall)},
            {"p_loss", num(x.risk.p_loss)}}}};
}

// One scenario: its data, every play, the operating policies, the tornado and the breakeven.
nlohmann::json scenario_json(const ScenarioResult& s, const ScenarioInfo& info) {
  nlohmann::json plays = nlohmann::json::object();
  for (const auto& p : s.plays) plays[p.key] = play_json(p, s);
  nlohmann::json policies = nlohmann::json::array();
  for (const auto& pr : s.policies)
    policies.push_back({{"mode", pr.mode},
                        {"npv_site_ccy", dist_json(pr.npv)},
                        {"p_npv_negative", pr.p_npv_negative},
                        {"mean_days_on_share", pr.mean_days_on_share}});
  nlohmann::json tornado = nlohmann::json::array();
  for (const auto& b : s.tornado)
    tornado.push_back({{"driver", b.driver},
                       {"low", b.low_label},
                       {"high", b.high_label},
                       {"npv_p50_low", b.npv_p50_low},
                       {"npv_p50_high", b.npv_p50_high}});
  nlohmann::json be = nullptr;
  if (s.breakeven.found)
    be = {{"revenue_factor", s.breakeven.revenue_factor},
          {"btc_price_usd_day0", s.breakeven.btc_price_usd_day0},
          {"hashprice_usd_per_th_day", s.breakeven.hashprice_usd_per_th_day}};
  return {{"n_paths", s.n_paths},    {"median_path", s.median_path},
          {"data", info_json(info)}, {"plays", plays},
          {"policies", policies},    {"npv_p50_base", num(s.npv_p50_base)},
          {"tornado", tornado},      {"breakeven", be},
          {"warnings", s.warnings}};
}

}  // namespace

nlohmann::json summary_json(const SiteRun& r) {
  const SiteAnalysis& a = r.analysis;
  nlohmann::json j;
  j["schema"] = 1;
  j["tool"] = "hashsim site";
  j["hashsim_version"] = kVersion;
  j["git_sha"] = kGitSha;
  j["created_utc"] = utc_now_iso8601();
  j["command_line"] = r.command_line;
  j["inputs"] = inputs_json(r);
  j["data_snapshot"] = data_snapshot_json(r);
  j["selection"] = selection_json(a.selection);
  j["site"] = a.site ? site_build_json(*a.site, a.config.horizon_years) : nlohmann::json();
  j["hosted"] = a.hosted ? plant_json(*a.hosted) : nlohmann::json();
  j["warnings"] = a.warnings;
  if (a.debt) {
    j["debt"] = {{"amount_site_ccy", a.debt->amount},
                 {"interest_site_ccy", a.debt->interest},
                 {"principal_site_ccy", a.debt->principal}};
  }
  nlohmann::json sc = nlohmann::json::object();
  for (std::size_t i = 0; i < a.scenarios.size(); ++i)
    sc[a.scenarios[i].scenario] = scenario_json(a.scenarios[i], r.scenario_infos[i]);
  j["scenarios"] = sc;
  return j;
}

}  // namespace hashsim::site
