#include "engine/history/scenario_summary.h"

#include "agents/legacy_rules.h"

#include <algorithm>
#include <cmath>
#include <cstdio>

#include "engine/sim/market_inputs.h"
#include "engine/sim/outputs.h"
#include "engine/sim/runner.h"
#include "engine/history/history_run.h"
#include "engine/util/error.h"
#include "engine/util/stats.h"
#include "engine/util/units.h"

namespace hashsim::history {

namespace {
constexpr auto kHalvingInterval = static_cast<double>(units::kHalvingInterval);
constexpr int kTroughWindowDays = 60;

double quantile_of(std::vector<double> v, double q) {
  std::sort(v.begin(), v.end());
  return quantile_sorted(v, q);
}

void check_summary_inputs(const scenario::Scenario& s, std::int64_t paths,
                          const std::string& variant) {
  if (!s.agents || s.network.kind != scenario::NetworkModelKind::Agents ||
      s.agents->profile != agents::RuleProfile::Default)
    throw Error(s.file.string() +
                ": scenario-summary needs network.model: agents, profile default");
  if (variant != "pre-issue-15" && variant != "current")
    throw Error("--variant: '" + variant + "' is not one of: current, pre-issue-15");
  if (paths < 1 || paths > 100000)
    throw Error("--paths = " + std::to_string(paths) + " is not in [1, 100000]");
}

// What the summary reads of every path: the daily network hashrate and height, [path][day], and
// each archetype's final machines on and hashrate, [path][archetype].
struct SummaryRuns {
  std::vector<double> hashrate, height, machines_on, hashrate_ths;
  std::size_t days = 0, archetypes = 0;
};

SummaryRuns run_summary_paths(const scenario::Scenario& s, const agents::ArchetypeTable& t,
                              std::int64_t paths, int threads) {
  const sim::OutputLayout layout = sim::make_output_layout(s, t.size(), t.n_observers);
  SummaryRuns runs;
  runs.days = static_cast<std::size_t>(s.horizon_days);
  runs.archetypes = t.size();
  sim::RunOptions ro;
  ro.threads = threads;
  ro.block_paths = 4;
  // Slots 0 and 1: the recorded series, hashrate then height.
  std::vector<std::vector<double>> v =
      run_and_gather(s, paths, ro,
                     {{0, runs.days},
                      {1, runs.days},
                      {layout.slot(io::schema::ArchetypeFinal::MachinesOn), runs.archetypes},
                      {layout.slot(io::schema::ArchetypeFinal::HashrateThs), runs.archetypes}});
  runs.hashrate = std::move(v[0]);
  runs.height = std::move(v[1]);
  runs.machines_on = std::move(v[2]);
  runs.hashrate_ths = std::move(v[3]);
  return runs;
}

// Hashrate P50 at 1, 2 and 5 years inside the horizon (a 5-year run's last day stands for day
// 1825).
void add_hashrate_p50s(const SummaryRuns& runs, std::int64_t paths, int horizon_days,
                       ScenarioSummary& r) {
  const std::size_t n_days = runs.days;
  for (int d : {365, 730, 1825}) {
    if (d >= horizon_days) continue;
    std::vector<double> v;
    for (std::size_t p = 0; p < static_cast<std::size_t>(paths); ++p)
      v.push_back(runs.hashrate[p * n_days + static_cast<std::size_t>(d)]);
    r.days.push_back(d);
    r.hashrate_p50_ths.push_back(quantile_of(v, 0.5));
  }
  if (horizon_days == 1825 && r.days.size() == 2) {
    std::vector<double> v;
    for (std::size_t p = 0; p < static_cast<std::size_t>(paths); ++p)
      v.push_back(runs.hashrate[p * n_days + n_days - 1]);
    r.days.push_back(1825);
    r.hashrate_p50_ths.push_back(quantile_of(v, 0.5));
  }
}

// Deepest hashrate fall within kTroughWindowDays after each path's first halving (P50, P5).
void add_halving_trough(const SummaryRuns& runs, std::int64_t paths, ScenarioSummary& r) {
  const std::size_t n_days = runs.days;
  const std::vector<double>& hr = runs.hashrate;
  std::vector<double> troughs;
  for (std::size_t p = 0; p < static_cast<std::size_t>(paths); ++p) {
    const double* h = &runs.height[p * n_days];
    std::size_t hd = 0;
    for (std::size_t d = 1; d < n_days && hd == 0; ++d)
      if (std::floor(h[d] / kHalvingInterval) > std::floor(h[d - 1] / kHalvingInterval)) hd = d;
    if (hd == 0 || hd + kTroughWindowDays >= n_days) continue;
    if (p == 0) r.halving_day = static_cast<int>(hd);
    double lo = HUGE_VAL;
    for (std::size_t d = 1; d <= kTroughWindowDays; ++d)
      lo = std::min(lo, hr[p * n_days + hd + d] / hr[p * n_days + hd] - 1.0);
    troughs.push_back(lo);
  }
  r.halving_trough_p50 = troughs.empty() ? std::nan("") : quantile_of(troughs, 0.5);
  r.halving_trough_p5 = troughs.empty() ? std::nan("") : quantile_of(troughs, 0.05);
}

// The final fleet's J/TH (P50 over paths) and the mean share of online hashrate in each tariff
// band.
void add_final_fleet(const SummaryRuns& runs, const agents::ArchetypeTable& t,
                     const scenario::Scenario& s, std::int64_t paths, ScenarioSummary& r) {
  const std::size_t n_arch = runs.archetypes;
  // Specs in force at the horizon: the last generation epoch that has begun.
  const std::vector<double>* kw = &t.power_kw;
  for (const auto& e : t.epochs)
    if (e.first_day <= s.horizon_days - 1) kw = &e.power_kw;
  std::vector<double> jth;
  std::vector<double> share_sum(t.n_bands, 0.0);
  for (std::size_t p = 0; p < static_cast<std::size_t>(paths); ++p) {
    double w = 0.0, ths = 0.0;
    std::vector<double> band(t.n_bands, 0.0);
    for (std::size_t a = 0; a < t.n_env; ++a) {
      w += runs.machines_on[p * n_arch + a] * (*kw)[a] * 1000.0;
      ths += runs.hashrate_ths[p * n_arch + a];
      band[static_cast<std::size_t>(t.tariff_band[a])] += runs.hashrate_ths[p * n_arch + a];
    }
    if (ths > 0.0) {
      jth.push_back(w / ths);
      for (std::size_t b = 0; b < t.n_bands; ++b) share_sum[b] += band[b] / ths;
    }
  }
  r.final_j_per_th_p50 = jth.empty() ? std::nan("") : quantile_of(jth, 0.5);
  for (std::size_t b = 0; b < t.n_bands; ++b) {
    r.tariff_usd_per_kwh.push_back(s.agents->tariffs[b].usd_per_kwh);
    r.band_share_mean.push_back(jth.empty() ? std::nan("")
                                            : share_sum[b] / static_cast<double>(jth.size()));
  }
}
}  // namespace

void apply_pre_issue15_variant(scenario::Scenario& s) {
  if (!s.agents) throw Error(s.file.string() + ": scenario-summary needs agents");
  auto& a = *s.agents;
  agents::switch_off_issue15_rules(a.rules);
  a.rules.supply_share_per_month = 0.0;
  a.generations = agents::Generations{};
  a.shocks = agents::Shocks{};
  a.uncertainty = agents::ParameterUncertainty{};
}

ScenarioSummary summarise_scenario(const scenario::Scenario& base, std::int64_t paths,
                                   const std::string& variant, int threads) {
  check_summary_inputs(base, paths, variant);
  scenario::Scenario s = base;
  if (variant == "pre-issue-15") apply_pre_issue15_variant(s);
  s.paths = paths;
  s.record.every_days = 1;
  s.record.series = {scenario::Series::NetworkHashrateThs, scenario::Series::Height};
  s.agents->archetype_series_every_days = 0;
  const sim::MarketInputs in = sim::MarketInputs::load(s);
  const agents::ArchetypeTable& t = *in.agents;
  const SummaryRuns runs = run_summary_paths(s, t, paths, threads);

  ScenarioSummary r;
  r.name = s.name;
  r.variant = variant;
  r.paths = paths;
  r.start_hashrate_ths = runs.hashrate[0];
  add_hashrate_p50s(runs, paths, s.horizon_days, r);
  add_halving_trough(runs, paths, r);
  add_final_fleet(runs, t, s, paths, r);
  return r;
}

std::string scenario_summary_table(const std::vector<ScenarioSummary>& rows) {
  std::string out =
      "| scenario | variant | paths | hashrate P50, EH/s (x start) at 1 / 2 / 5 y | halving trough "
      "P50 (P5) | final fleet J/TH | online hashrate share by tariff band (USD/kWh) |\n"
      "|---|---|---|---|---|---|---|\n";
  char buf[256];
  for (const auto& r : rows) {
    std::string hr;
    for (std::size_t k = 0; k < r.days.size(); ++k) {
      std::snprintf(buf, sizeof buf, "%s%.0f (x%.2f)", k ? " / " : "", r.hashrate_p50_ths[k] / 1e6,
                    r.hashrate_p50_ths[k] / r.start_hashrate_ths);
      hr += buf;
    }
    std::string trough = "-";
    if (std::isfinite(r.halving_trough_p50)) {
      std::snprintf(buf, sizeof buf, "%+.1f %% (%+.1f %%)", 100.0 * r.halving_trough_p50,
                    100.0 * r.halving_trough_p5);
      trough = buf;
    }
    std::string bands;
    for (std::size_t b = 0; b < r.band_share_mean.size(); ++b) {
      std::snprintf(buf, sizeof buf, "%s%.2f: %.0f %%", b ? ", " : "", r.tariff_usd_per_kwh[b],
                    100.0 * r.band_share_mean[b]);
      bands += buf;
    }
    std::snprintf(buf, sizeof buf, "| %s | %s | %lld | ", r.name.c_str(), r.variant.c_str(),
                  static_cast<long long>(r.paths));
    out += buf + hr + " | " + trough + " | ";
    std::snprintf(buf, sizeof buf, "%.1f", r.final_j_per_th_p50);
    out += buf + std::string(" | ") + bands + " |\n";
  }
  return out;
}

}  // namespace hashsim::history
