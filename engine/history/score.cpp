#include "engine/history/score.h"

#include <algorithm>
#include <array>
#include <cmath>
#include <cstdio>
#include <map>

#include <nlohmann/json.hpp>

#include "engine/chain/consensus.h"
#include "engine/history/backtest.h"
#include "engine/history/calibrate.h"
#include "engine/util/temp_file.h"
#include "engine/sim/runner.h"
#include "engine/util/atomic_file.h"
#include "engine/util/dates.h"
#include "engine/util/error.h"
#include "engine/util/option_error.h"
#include "engine/util/units.h"
#include "engine/util/stats.h"

namespace hashsim::history {

const char* score_mode_name(ScoreMode m) { return m == ScoreMode::Replay ? "replay" : "simulated"; }

namespace {

std::string fmt(const char* f, double v) {
  char buf[64];
  std::snprintf(buf, sizeof buf, f, v);
  return buf;
}

// YYYY-MM-DD plus k months (day of month kept; must be <= 28 so that every month has it).
std::string add_months(const std::string& iso, int k) {
  const std::int64_t day = parse_iso_date(iso);  // validates
  (void)day;
  int y = std::stoi(iso.substr(0, 4)), m = std::stoi(iso.substr(5, 2));
  const int d = std::stoi(iso.substr(8, 2));
  const int months = y * 12 + (m - 1) + k;
  y = months / 12;
  m = months % 12 + 1;
  char buf[48];
  std::snprintf(buf, sizeof buf, "%04d-%02d-%02d", y, m, d);
  return buf;
}

// ln price by calendar day from a price table, gaps (blank or missing rows) filled log-linearly.
class LogPriceSeries {
 public:
  explicit LogPriceSeries(const DailyTable& t) {
    const std::size_t col = t.column({"price_usd", "PriceUSD"});
    first_ = t.day(0);
    const std::int64_t last = t.day(t.size() - 1);
    v_.assign(static_cast<std::size_t>(last - first_ + 1), std::nan(""));
    for (std::size_t i = 0; i < t.size(); ++i) {
      if (t.blank(i, col)) continue;
      const double p = t.number(i, col);
      if (!(p > 0.0)) throw Error(t.where(i) + ": price must be > 0");
      v_[static_cast<std::size_t>(t.day(i) - first_)] = std::log(p);
    }
    std::size_t prev = v_.size();
    for (std::size_t k = 0; k < v_.size(); ++k) {
      if (std::isnan(v_[k])) continue;
      if (prev != v_.size() && k > prev + 1)
        for (std::size_t j = prev + 1; j < k; ++j)
          v_[j] = v_[prev] + (v_[k] - v_[prev]) * static_cast<double>(j - prev) /
                                 static_cast<double>(k - prev);
      prev = k;
    }
    path_ = t.path().string();
  }
  double at(std::int64_t day) const {
    const std::int64_t k = day - first_;
    if (k < 0 || k >= static_cast<std::int64_t>(v_.size()) ||
        std::isnan(v_[static_cast<std::size_t>(k)]))
      throw Error(path_ + ": no price for " + civil_from_days(day));
    return v_[static_cast<std::size_t>(k)];
  }
  std::int64_t first_day() const { return first_; }

 private:
  std::int64_t first_ = 0;
  std::vector<double> v_;
  std::string path_;
};

// Index of the last row whose difficulty is present (the truth ends there).
std::size_t last_row_with_difficulty(const DailyTable& t) {
  const std::size_t c = t.column({"difficulty_mean"});
  for (std::size_t i = t.size(); i-- > 0;)
    if (!t.blank(i, c)) return i;
  throw Error(t.path().string() + ": no row has a difficulty_mean");
}

std::size_t series_slot(const scenario::Scenario& s, scenario::Series series) {
  const auto specs = sim::output_specs(s);
  for (std::size_t k = 0; k < specs.size(); ++k)
    if (specs[k].name == std::string("paths/") + scenario::series_name(series)) return k;
  throw Error(std::string("internal: the run records no ") + scenario::series_name(series));
}

struct Fits {
  double log_drift_per_year = 0.0, drift_per_year = 0.0, vol_per_sqrt_year = 0.0;
  market::FeeParams fees{};
};

// Key of a pooled cell.
using PoolKey = std::array<int, 4>;  // mode, variable, forecaster, horizon index

}  // namespace

ScoreResult run_score(const scenario::Scenario& base,
                      const std::optional<scenario::Scenario>& early, const DailyTable& daily,
                      const DailyTable& prices, const ScoreOptions& o) {
  for (const scenario::Scenario* s : {&base, early ? &*early : nullptr}) {
    if (!s) continue;
    if (!s->agents || s->network.kind != scenario::NetworkModelKind::Agents)
      throw Error(s->file.string() +
                  ": score needs network.model: agents (the agents drive the hashrate)");
    if (s->agents->profile != agents::RuleProfile::Default)
      throw Error(s->file.string() +
                  ": score needs agents.profile: default (reference-2021 replays its own paths)");
  }
  if (!o.early_before.empty() && !early) throw OptionError("{early_before} needs {early_scenario}");
  if (o.paths < 1 || o.paths > 100000)
    throw OptionError("{paths} = " + std::to_string(o.paths) + " is not in [1, 100000]");
  if (o.every_months < 1 || o.every_months > 120)
    throw OptionError("{every_months} = " + std::to_string(o.every_months) + " is not in [1, 120]");
  if (o.horizons.empty()) throw OptionError("{horizons}: at least one horizon");
  for (int h : o.horizons)
    if (h < 1 || h > 3650)
      throw OptionError("{horizons}: " + std::to_string(h) + " is not in [1, 3650] days");
  if (o.modes.empty()) throw OptionError("{modes}: at least one of replay, simulated");
  if (o.trailing_days < 1 || o.trailing_days > 365)
    throw OptionError("{hashrate_window} must be in [1, 365]");
  if (o.trend_days < 2 || o.price_fit_days < 30 || o.fee_fit_days < 30 ||
      o.elasticity_fit_days < 30 || o.elasticity_lag_days < 0)
    throw Error("score: fit windows must be >= 30 days (trend >= 2), the elasticity lag >= 0");
  const std::int64_t from_day = parse_iso_date(o.from), to_day = parse_iso_date(o.to);
  if (from_day > to_day) throw OptionError("{from} = " + o.from + " is after {to} = " + o.to);
  if (std::stoi(o.from.substr(8, 2)) > 28)
    throw OptionError("{from} = " + o.from + ": day of month must be <= 28");
  std::vector<int> horizons = o.horizons;
  std::sort(horizons.begin(), horizons.end());
  horizons.erase(std::unique(horizons.begin(), horizons.end()), horizons.end());
  const int max_h = horizons.back();

  // Truth over the whole daily file up to the last day with difficulty.
  const std::size_t last_row = last_row_with_difficulty(daily);
  BacktestOptions bo;
  bo.from = daily.first_date();
  bo.to = daily.date(last_row);
  bo.fill_price_gaps = true;
  bo.trailing_days = o.trailing_days;
  const BacktestResult bt = run_backtest(daily, bo);
  bo.trailing_days = 1;
  const BacktestResult bt1 = run_backtest(daily, bo);
  const auto& hr = bt.column("network_hashrate_ths");
  const auto& hp = bt1.column("hashprice_usd_per_th_day");
  const auto& hr1 = bt1.column("network_hashrate_ths");  // one-day implied hashrate
  const auto& price = bt.column("price_usd");
  const auto& fees = bt.column("fees_btc");
  const auto& blocks = bt.column("blocks");
  const auto& height = bt.column("first_height");
  const auto& difficulty = bt.column("difficulty");
  const std::int64_t day0 = parse_iso_date(bt.dates.front());
  const std::int64_t last_truth = day0 + static_cast<std::int64_t>(bt.dates.size()) - 1;
  const LogPriceSeries log_price(prices);

  ScoreResult r;
  r.options = o;
  r.options.horizons = horizons;
  r.scenario_name = base.name;
  if (early) r.early_scenario_name = early->name;

  // Origins and their checks (before any simulation, so a bad range fails at once).
  const std::int64_t first_possible = std::max(
      {day0 + o.trend_days - 1, day0 + o.fee_fit_days - 1, log_price.first_day() + o.price_fit_days,
       log_price.first_day() + o.elasticity_lag_days + o.elasticity_fit_days});
  const std::int64_t last_possible = last_truth - horizons.front();
  for (int k = 0;; k += o.every_months) {
    const std::string origin = add_months(o.from, k);
    const std::int64_t d = parse_iso_date(origin);
    if (d > to_day) break;
    if (d < first_possible || d > last_possible)
      throw Error("origin " + origin + " is outside what the data allow: origins need " +
                  std::to_string(o.trend_days) + " days of hashrate, " +
                  std::to_string(o.price_fit_days) + " days of price and " +
                  std::to_string(o.fee_fit_days) +
                  " days of fees before them and at least the shortest horizon (" +
                  std::to_string(horizons.front()) + " d) after them: first " +
                  civil_from_days(first_possible) + ", last " + civil_from_days(last_possible) +
                  " (" + daily.path().string() + ")");
    r.origins.push_back(origin);
  }
  if (r.origins.empty())
    throw OptionError("no origin between {from} = " + o.from + " and {to} = " + o.to);
  // Fan origins: dates among the origins, or first / middle / last.
  std::vector<std::string> fan_origins;
  for (const auto& f : o.fan_origins) {
    if (f == "first")
      fan_origins.push_back(r.origins.front());
    else if (f == "middle")
      fan_origins.push_back(r.origins[r.origins.size() / 2]);
    else if (f == "last")
      fan_origins.push_back(r.origins.back());
    else if (std::find(r.origins.begin(), r.origins.end(), f) != r.origins.end())
      fan_origins.push_back(f);
    else
      throw OptionError("{fan_origins}: '" + f + "' is not one of the origins (" +
                        r.origins.front() + ".." + r.origins.back() + " every " +
                        std::to_string(o.every_months) + " month(s)) nor first, middle, last");
  }

  std::map<PoolKey, std::vector<scoring::DayScore>> pools;
  std::map<PoolKey, std::size_t> pool_origins;

  for (std::size_t oi = 0; oi < r.origins.size(); ++oi) {
    const std::string& origin = r.origins[oi];
    const std::int64_t od = parse_iso_date(origin);
    const auto io = static_cast<std::size_t>(od - day0);
    const int n_after = static_cast<int>(std::min<std::int64_t>(max_h, last_truth - od));
    const int n = n_after + 1;  // days simulated, day 0 = origin
    const bool use_early = early && !o.early_before.empty() && od < parse_iso_date(o.early_before);
    scenario::Scenario s = use_early ? *early : base;

    // Start: the origin's row (as validate does).
    s.start.source = scenario::StartSource::Scenario;
    s.start.date = origin;
    s.start.price_usd = price[io];
    s.start.difficulty = difficulty[io];
    s.start.height = height[io];
    s.start.fee_btc_per_block = std::max(fees[io] / blocks[io], 1e-8);
    s.start.network_hashrate_ths = hr[io];
    s.start.provenance_json.clear();
    s.horizon_days = n;
    s.paths = o.paths;
    s.seed = base.seed + static_cast<std::uint64_t>(od);  // one stream set per origin, reproducible
    s.record.every_days = 1;
    s.record.series = {scenario::Series::NetworkHashrateThs,
                       scenario::Series::HashpriceUsdPerThDay};
    if (o.observed_hashrate) {
      s.chain.arrivals = chain::BlockArrivals::Poisson;
      s.record.series.push_back(scenario::Series::Blocks);
      s.record.series.push_back(scenario::Series::Difficulty);
      s.record.series.push_back(scenario::Series::Height);
      s.record.series.push_back(scenario::Series::PriceUsd);
      s.record.series.push_back(scenario::Series::FeeBtcPerBlock);
    }
    const std::size_t slot_hr = series_slot(s, scenario::Series::NetworkHashrateThs);
    const std::size_t slot_hp = series_slot(s, scenario::Series::HashpriceUsdPerThDay);
    const std::size_t slot_blocks =
        o.observed_hashrate ? series_slot(s, scenario::Series::Blocks) : 0;
    const std::size_t slot_diff =
        o.observed_hashrate ? series_slot(s, scenario::Series::Difficulty) : 0;
    const std::size_t slot_height =
        o.observed_hashrate ? series_slot(s, scenario::Series::Height) : 0;
    const std::size_t slot_price =
        o.observed_hashrate ? series_slot(s, scenario::Series::PriceUsd) : 0;
    const std::size_t slot_fee =
        o.observed_hashrate ? series_slot(s, scenario::Series::FeeBtcPerBlock) : 0;

    // Baseline hashrate forecasts (log) for days 1..n_after, from data up to the origin.
    const double ln_h0 = std::log(hr[io]);
    std::vector<double> trend_hist;
    for (std::size_t k = io + 1 - static_cast<std::size_t>(o.trend_days); k <= io; ++k)
      trend_hist.push_back(std::log(hr[k]));
    const std::vector<double> f_persist = scoring::persistence_forecast(ln_h0, n_after);
    const std::vector<double> f_trend = scoring::trend_forecast(trend_hist, n_after);
    std::vector<double> train_h, train_p;
    for (std::int64_t t = std::max(day0, od - o.elasticity_fit_days + 1); t <= od; ++t) {
      train_h.push_back(std::log(hr[static_cast<std::size_t>(t - day0)]));
      train_p.push_back(log_price.at(t - o.elasticity_lag_days));
    }
    const double elasticity = scoring::fit_price_elasticity(train_h, train_p);

    TempFile replay("hashsim-score");
    {
      std::string csv = "day,price_usd,fee_btc_per_block\n";
      char buf[128];
      for (int d = 0; d < n; ++d) {
        const std::size_t k = io + static_cast<std::size_t>(d);
        std::snprintf(buf, sizeof buf, "%d,%.17g,%.17g\n", d, price[k],
                      std::max(fees[k] / blocks[k], 1e-8));
        csv += buf;
      }
      write_file_atomic(replay.path(), csv);
    }

    for (ScoreMode mode : o.modes) {
      Fits fit;
      if (mode == ScoreMode::Replay) {
        s.price.kind = scenario::PriceModelKind::Replay;
        s.price.replay = {replay.path(), "price_usd", "day", "", 1.0};
        s.fees.kind = scenario::FeeModelKind::Replay;
        s.fees.replay = {replay.path(), "fee_btc_per_block", "day", "", 1.0};
      } else {
        CalibrationOptions co;
        co.from = civil_from_days(od - o.price_fit_days);
        co.to = origin;
        co.fit_price = true;
        co.fit_fees = false;
        const Calibration pc = calibrate(prices, co);
        co.from = civil_from_days(od - o.fee_fit_days + 1);
        co.fit_price = false;
        co.fit_fees = true;
        const Calibration fc = calibrate(daily, co);
        fit.log_drift_per_year = pc.gbm.log_drift_per_year.value;
        fit.drift_per_year = pc.gbm.drift_per_year.value;
        fit.vol_per_sqrt_year = pc.gbm.vol_per_sqrt_year.value;
        fit.fees.median_btc_per_block = fc.fees.median_btc_per_block.value;
        fit.fees.log_sd = fc.fees.log_sd.value;
        fit.fees.ar1_phi = std::clamp(fc.fees.ar1_phi.value, 0.0, 0.999);  // the scenario's range
        s.price.kind = scenario::PriceModelKind::Gbm;
        s.price.gbm = market::GbmParams{};
        s.price.gbm.drift_per_year = fit.drift_per_year;
        s.price.gbm.vol_per_sqrt_year = fit.vol_per_sqrt_year;
        s.fees.kind = scenario::FeeModelKind::Lognormal;
        s.fees.lognormal = fit.fees;
      }

      std::vector<double> sim_hr(static_cast<std::size_t>(o.paths) * n),
          sim_hp(sim_hr.size());  // [path][day]
      std::vector<double> sim_blocks(o.observed_hashrate ? sim_hr.size() : 0),
          sim_diff(sim_blocks.size()), sim_height(sim_blocks.size()), sim_price(sim_blocks.size()),
          sim_fee(sim_blocks.size());
      sim::RunOptions ro;
      ro.threads = o.threads;
      ro.block_paths = 4;  // few paths per block so that they spread over the cores
      sim::run_paths(
          s, 0, static_cast<std::uint64_t>(o.paths), ro,
          [&](std::uint64_t first, std::uint64_t count, const std::vector<const double*>& data) {
            const auto off = static_cast<std::ptrdiff_t>(first * static_cast<std::uint64_t>(n));
            std::copy(data[slot_hr], data[slot_hr] + count * n, sim_hr.begin() + off);
            std::copy(data[slot_hp], data[slot_hp] + count * n, sim_hp.begin() + off);
            if (o.observed_hashrate) {
              std::copy(data[slot_blocks], data[slot_blocks] + count * n, sim_blocks.begin() + off);
              std::copy(data[slot_diff], data[slot_diff] + count * n, sim_diff.begin() + off);
              std::copy(data[slot_height], data[slot_height] + count * n, sim_height.begin() + off);
              std::copy(data[slot_price], data[slot_price] + count * n, sim_price.begin() + off);
              std::copy(data[slot_fee], data[slot_fee] + count * n, sim_fee.begin() + off);
            }
          });
      if (o.observed_hashrate) {
        // The simulated hashrate as the truth is measured: trailing mean of the implied hashrate
        // of the day's blocks at the difficulty they were found at (the previous day's end),
        // days up to the origin from the data.
        const auto w = static_cast<std::size_t>(o.trailing_days);
        std::vector<double> implied(w - 1 + static_cast<std::size_t>(n));
        for (std::size_t p = 0; p < static_cast<std::size_t>(o.paths); ++p) {
          for (std::size_t k = 0; k < w; ++k)  // days o - w + 1 .. o
            implied[k] = hr1[io + 1 + k - w];
          for (std::size_t d = 1; d < static_cast<std::size_t>(n); ++d)
            implied[w - 1 + d] = sim_blocks[p * n + d] * sim_diff[p * n + d - 1] *
                                 chain::kHashesPerDifficulty / chain::kSecondsPerDay / 1e12;
          for (std::size_t d = 1; d < static_cast<std::size_t>(n); ++d) {
            double sum = 0.0;
            for (std::size_t k = d; k < d + w; ++k) sum += implied[k];
            sim_hr[p * n + d] = sum / static_cast<double>(w);
            // Hashprice in the truth's form, free of block-count noise: (subsidy + fee per block)
            // x price x 86400e12 / (D x 2^32), at the day's first height and difficulty.
            const double h0 = sim_height[p * n + d - 1];
            const double subsidy_btc =
                static_cast<double>(chain::block_subsidy_sat(static_cast<std::int64_t>(h0))) /
                static_cast<double>(units::kSatPerBtc);
            sim_hp[p * n + d] = (subsidy_btc + sim_fee[p * n + d]) * sim_price[p * n + d] *
                                chain::kSecondsPerDay * 1e12 /
                                (sim_diff[p * n + d - 1] * chain::kHashesPerDifficulty);
          }
        }
      }

      // The mode's price and fee inputs for the baselines' hashprice and the elasticity.
      const auto ln_price_at = [&](std::int64_t day) {
        if (day <= od || mode == ScoreMode::Replay) return log_price.at(day);
        return std::log(price[io]) +
               fit.log_drift_per_year * static_cast<double>(day - od) / units::kDaysPerYear;
      };
      const auto fee_at = [&](int d) {
        const std::size_t k = io + static_cast<std::size_t>(d);
        return mode == ScoreMode::Replay ? fees[k] / blocks[k] : fit.fees.median_btc_per_block;
      };
      std::vector<double> f_elast(static_cast<std::size_t>(n_after));
      const double ln_p_anchor = log_price.at(od - o.elasticity_lag_days);
      for (int d = 1; d <= n_after; ++d)
        f_elast[static_cast<std::size_t>(d - 1)] =
            ln_h0 + elasticity * (ln_price_at(od + d - o.elasticity_lag_days) - ln_p_anchor);
      // ln hashprice of a hashrate forecast: 144 (subsidy + fee) P / H.
      const auto ln_hp_of = [&](double ln_h, int d) {
        const double subsidy_btc =
            static_cast<double>(chain::block_subsidy_sat(static_cast<std::int64_t>(height[io]) +
                                                         std::int64_t{units::kBlocksPerDay} * d)) /
            static_cast<double>(units::kSatPerBtc);
        return std::log(units::kBlocksPerDay * (subsidy_btc + fee_at(d))) + ln_price_at(od + d) -
               ln_h;
      };
      const std::vector<double>* point[3] = {&f_persist, &f_trend, &f_elast};

      std::vector<scoring::DayScore> days[kVariableCount][kForecasterCount];
      std::vector<double> members(static_cast<std::size_t>(o.paths));
      for (int d = 1; d <= n_after; ++d) {
        const std::size_t k = io + static_cast<std::size_t>(d);
        const double y[kVariableCount] = {std::log(hr[k]), std::log(hp[k])};
        for (int v = 0; v < kVariableCount; ++v) {
          const std::vector<double>& sim = v == 0 ? sim_hr : sim_hp;
          for (std::size_t p = 0; p < members.size(); ++p)
            members[p] = std::log(sim[p * n + static_cast<std::size_t>(d)]);
          days[v][0].push_back(scoring::score_ensemble(members, y[v]));
          for (int b = 0; b < 3; ++b) {
            const double ln_h = (*point[b])[static_cast<std::size_t>(d - 1)];
            days[v][b + 1].push_back(scoring::score_point(v == 0 ? ln_h : ln_hp_of(ln_h, d), y[v]));
          }
        }
      }

      for (int v = 0; v < kVariableCount; ++v)
        for (int f = 0; f < kForecasterCount; ++f)
          for (std::size_t hi = 0; hi < horizons.size(); ++hi) {
            const int h = horizons[hi];
            if (h > n_after) continue;
            std::vector<scoring::DayScore> part(days[v][f].begin(), days[v][f].begin() + h);
            ScoreRow row;
            row.mode = mode;
            row.variable = v;
            row.forecaster = f;
            row.origin = origin;
            row.horizon_days = h;
            row.summary = scoring::summarise(part);
            row.log_error_at_horizon = part.back().log_error;
            r.rows.push_back(row);
            const PoolKey key{static_cast<int>(mode), v, f, static_cast<int>(hi)};
            auto& pool = pools[key];
            pool.insert(pool.end(), part.begin(), part.end());
            pool_origins[key]++;
          }

      if (std::find(fan_origins.begin(), fan_origins.end(), origin) != fan_origins.end()) {
        for (int v = 0; v < kVariableCount; ++v) {
          ScoreFan fan;
          fan.mode = mode;
          fan.variable = v;
          fan.origin = origin;
          const std::vector<double>& sim = v == 0 ? sim_hr : sim_hp;
          for (int d = 0; d < n; ++d) {
            const std::size_t k = io + static_cast<std::size_t>(d);
            fan.dates.push_back(bt.dates[k]);
            fan.actual.push_back(v == 0 ? hr[k] : hp[k]);
            std::vector<double> across(static_cast<std::size_t>(o.paths));
            for (std::size_t p = 0; p < across.size(); ++p)
              across[p] = sim[p * n + static_cast<std::size_t>(d)];
            std::sort(across.begin(), across.end());
            fan.p5.push_back(quantile_sorted(across, 0.05));
            fan.p25.push_back(quantile_sorted(across, 0.25));
            fan.p50.push_back(quantile_sorted(across, 0.5));
            fan.p75.push_back(quantile_sorted(across, 0.75));
            fan.p95.push_back(quantile_sorted(across, 0.95));
            std::vector<double>* outs[3] = {&fan.persistence, &fan.trend, &fan.elasticity};
            for (int b = 0; b < 3; ++b) {
              const double ln_h = d == 0 ? ln_h0 : (*point[b])[static_cast<std::size_t>(d - 1)];
              outs[b]->push_back(std::exp(v == 0 ? ln_h : ln_hp_of(ln_h, d)));
            }
          }
          r.fans.push_back(std::move(fan));
        }
      }
    }
  }

  for (ScoreMode mode : o.modes)
    for (int v = 0; v < kVariableCount; ++v)
      for (int f = 0; f < kForecasterCount; ++f)
        for (std::size_t hi = 0; hi < horizons.size(); ++hi) {
          const PoolKey key{static_cast<int>(mode), v, f, static_cast<int>(hi)};
          const auto it = pools.find(key);
          if (it == pools.end()) continue;
          ScoreCell c;
          c.mode = mode;
          c.variable = v;
          c.forecaster = f;
          c.horizon_days = horizons[hi];
          c.origins = pool_origins[key];
          c.summary = scoring::summarise(it->second);
          r.cells.push_back(c);
        }
  return r;
}

namespace {
const ScoreCell* find_cell(const ScoreResult& r, ScoreMode m, int v, int f, int h) {
  for (const auto& c : r.cells)
    if (c.mode == m && c.variable == v && c.forecaster == f && c.horizon_days == h) return &c;
  return nullptr;
}
}  // namespace

std::string score_table(const ScoreResult& r) {
  std::string out;
  const auto& hz = r.options.horizons;
  const char* var_label[kVariableCount] = {"network hashrate (TH/s)",
                                           "hashprice (USD per TH/s per day)"};
  char buf[256];
  for (ScoreMode mode : r.options.modes)
    for (int v = 0; v < kVariableCount; ++v) {
      const std::string early =
          r.early_scenario_name.empty()
              ? ""
              : " (" + r.early_scenario_name + " before " + r.options.early_before + ")";
      std::snprintf(buf, sizeof buf,
                    "\n%s, %s: %zu origins %s..%s every %d month(s), %lld paths, scenario %s%s\n",
                    var_label[v],
                    mode == ScoreMode::Replay
                        ? "real price and fees replayed"
                        : "price and fees simulated (fitted before each origin)",
                    r.origins.size(), r.origins.front().c_str(), r.origins.back().c_str(),
                    r.options.every_months, static_cast<long long>(r.options.paths),
                    r.scenario_name.c_str(), early.c_str());
      out += buf;
      std::snprintf(buf, sizeof buf, "  %-20s %-12s", "metric (log values)", "forecaster");
      out += buf;
      for (int h : hz) {
        std::snprintf(buf, sizeof buf, " %8s", (std::to_string(h) + " d").c_str());
        out += buf;
      }
      out += "\n";
      struct Metric {
        const char* label;
        double scoring::Summary::*field;
        bool bands_only;
        const char* format;
      };
      const Metric metrics[] = {
          {"median |log error|", &scoring::Summary::median_abs_log_error, false, " %8.3f"},
          {"bias (mean error)", &scoring::Summary::bias_mean_log_error, false, " %+8.3f"},
          {"CRPS", &scoring::Summary::crps_mean, false, " %8.3f"},
          {"P5-P95 coverage", &scoring::Summary::coverage_p5_p95, true, " %8.2f"},
          {"P25-P75 coverage", &scoring::Summary::coverage_p25_p75, true, " %8.2f"}};
      for (const Metric& m : metrics)
        for (int f = 0; f < (m.bands_only ? 1 : kForecasterCount); ++f) {
          std::snprintf(buf, sizeof buf, "  %-20s %-12s", f == 0 ? m.label : "", kForecasters[f]);
          out += buf;
          for (int h : hz) {
            const ScoreCell* c = find_cell(r, mode, v, f, h);
            out += c ? fmt(m.format, c->summary.*m.field) : std::string("        -");
          }
          out += "\n";
        }
      std::snprintf(buf, sizeof buf, "  %-20s %-12s", "origins scored", "");
      out += buf;
      for (int h : hz) {
        const ScoreCell* c = find_cell(r, mode, v, 0, h);
        std::snprintf(buf, sizeof buf, " %8zu", c ? c->origins : std::size_t{0});
        out += buf;
      }
      out += "\n  PIT histogram of agents (10 bins, share of days; flat = 0.10 each):\n";
      for (int h : hz) {
        const ScoreCell* c = find_cell(r, mode, v, 0, h);
        if (!c) continue;
        std::snprintf(buf, sizeof buf, "    %5d d", h);
        out += buf;
        for (double x : c->summary.pit_histogram) out += fmt(" %.2f", x);
        out += "\n";
      }
    }
  return out;
}

void write_score_csv(const ScoreResult& r, const std::filesystem::path& path, Overwrite mode) {
  std::string csv =
      "mode,variable,forecaster,origin,horizon_days,days,median_abs_log_error,bias_mean_log_error,"
      "crps_log,"
      "coverage_p5_p95,coverage_p25_p75,log_error_at_horizon";
  for (int k = 0; k < scoring::kPitBins; ++k) csv += ",pit_bin" + std::to_string(k);
  csv += "\n";
  const auto line = [&](ScoreMode m, int v, int f, const std::string& origin, int h,
                        const scoring::Summary& s, double at_h) {
    char buf[512];
    std::snprintf(buf, sizeof buf, "%s,%s,%s,%s,%d,%zu,%.6g,%.6g,%.6g,%.6g,%.6g,%.6g",
                  score_mode_name(m), kVariables[v], kForecasters[f], origin.c_str(), h, s.days,
                  s.median_abs_log_error, s.bias_mean_log_error, s.crps_mean, s.coverage_p5_p95,
                  s.coverage_p25_p75, at_h);
    csv += buf;
    for (double x : s.pit_histogram) csv += fmt(",%.6g", x);
    csv += "\n";
  };
  for (const auto& row : r.rows)
    line(row.mode, row.variable, row.forecaster, row.origin, row.horizon_days, row.summary,
         row.log_error_at_horizon);
  // Pooled over origins: origin "all", no single horizon-day error.
  for (const auto& c : r.cells)
    line(c.mode, c.variable, c.forecaster, "all", c.horizon_days, c.summary, std::nan(""));
  write_file_atomic(path, csv, mode);
}

namespace {
// NaN (no value for a point forecast) as null.
nlohmann::json number_or_null(double v) {
  return std::isfinite(v) ? nlohmann::json(v) : nlohmann::json(nullptr);
}
}  // namespace

std::string score_json(const ScoreResult& r) {
  nlohmann::json j;
  j["schema"] = kScoreJsonSchema;
  j["scenario"] = r.scenario_name;
  j["early_scenario"] = r.early_scenario_name;
  j["early_before"] = r.options.early_before;
  j["origins"] = r.origins;
  j["every_months"] = r.options.every_months;
  j["horizons"] = r.options.horizons;
  j["paths"] = r.options.paths;
  nlohmann::json cells = nlohmann::json::array();
  for (const auto& c : r.cells) {
    nlohmann::json pit = nlohmann::json::array();
    for (double x : c.summary.pit_histogram) pit.push_back(number_or_null(x));
    cells.push_back({{"mode", score_mode_name(c.mode)},
                     {"variable", kVariables[c.variable]},
                     {"forecaster", kForecasters[c.forecaster]},
                     {"horizon_days", c.horizon_days},
                     {"origins", c.origins},
                     {"days", c.summary.days},
                     {"median_abs_log_error", c.summary.median_abs_log_error},
                     {"bias_mean_log_error", c.summary.bias_mean_log_error},
                     {"crps", c.summary.crps_mean},
                     {"coverage_p5_p95", number_or_null(c.summary.coverage_p5_p95)},
                     {"coverage_p25_p75", number_or_null(c.summary.coverage_p25_p75)},
                     {"pit", c.forecaster == 0 ? pit : nlohmann::json(nullptr)}});
  }
  j["cells"] = cells;
  nlohmann::json fans = nlohmann::json::array();
  for (const auto& f : r.fans)
    fans.push_back({{"mode", score_mode_name(f.mode)},
                    {"variable", kVariables[f.variable]},
                    {"origin", f.origin},
                    {"date", f.dates},
                    {"actual", f.actual},
                    {"p5", f.p5},
                    {"p25", f.p25},
                    {"p50", f.p50},
                    {"p75", f.p75},
                    {"p95", f.p95},
                    {"persistence", f.persistence},
                    {"trend", f.trend},
                    {"elasticity", f.elasticity}});
  j["fans"] = fans;
  return j.dump(1);
}

void write_score_json(const ScoreResult& r, const std::filesystem::path& path, Overwrite mode) {
  write_file_atomic(path, score_json(r), mode);
}

}  // namespace hashsim::history
