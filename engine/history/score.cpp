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
#include "engine/history/history_run.h"
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

struct Fits {
  double log_drift_per_year = 0.0, drift_per_year = 0.0, vol_per_sqrt_year = 0.0;
  market::FeeParams fees{};
};

// Key of a pooled cell.
using PoolKey = std::array<int, 4>;  // mode, variable, forecaster, horizon index

// Day scores pooled over origins, and how many origins fed each pool.
struct Pools {
  std::map<PoolKey, std::vector<scoring::DayScore>> days;
  std::map<PoolKey, std::size_t> origins;
};

void check_score_inputs(const scenario::Scenario& base,
                        const std::optional<scenario::Scenario>& early, const ScoreOptions& o) {
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
  if (parse_iso_date(o.from) > parse_iso_date(o.to))
    throw OptionError("{from} = " + o.from + " is after {to} = " + o.to);
  if (std::stoi(o.from.substr(8, 2)) > 28)
    throw OptionError("{from} = " + o.from + ": day of month must be <= 28");
}

std::vector<int> sorted_unique(std::vector<int> v) {
  std::sort(v.begin(), v.end());
  v.erase(std::unique(v.begin(), v.end()), v.end());
  return v;
}

// The truth the forecasts are scored against and the origins start from: the daily backtest's
// columns over the whole daily file up to its last day with difficulty.
struct Truth {
  BacktestResult trailing;  // the backtest with the trailing hashrate (origins start from it)
  std::vector<std::string> dates;
  std::vector<double> hashrate_ths;          // trailing `trailing_days`-day mean (implied)
  std::vector<double> hashrate_one_day_ths;  // one-day implied hashrate
  std::vector<double> hashprice;             // USD per TH/s per day, one-day form
  std::vector<double> price_usd, fees_btc, blocks, first_height;
  std::int64_t first_day = 0, last_day = 0;
};

Truth load_truth(const DailyTable& daily, int trailing_days) {
  BacktestOptions bo;
  bo.from = daily.first_date();
  bo.to = daily.date(last_row_with_difficulty(daily));
  bo.fill_price_gaps = true;
  bo.trailing_days = trailing_days;
  BacktestResult bt = run_backtest(daily, bo);
  bo.trailing_days = 1;
  const BacktestResult bt1 = run_backtest(daily, bo);
  Truth t;
  t.dates = bt.dates;
  t.hashrate_ths = bt.column("network_hashrate_ths");
  t.hashrate_one_day_ths = bt1.column("network_hashrate_ths");
  t.hashprice = bt1.column("hashprice_usd_per_th_day");
  t.price_usd = bt.column("price_usd");
  t.fees_btc = bt.column("fees_btc");
  t.blocks = bt.column("blocks");
  t.first_height = bt.column("first_height");
  t.first_day = parse_iso_date(bt.dates.front());
  t.last_day = t.first_day + static_cast<std::int64_t>(bt.dates.size()) - 1;
  t.trailing = std::move(bt);
  return t;
}

// The origins from `from` every `every_months` months to `to`, each checked against what the
// data allow (before any simulation, so that a bad range fails at once).
std::vector<std::string> resolve_origins(const ScoreOptions& o, const Truth& t,
                                         const LogPriceSeries& log_price, int shortest_horizon,
                                         const std::string& daily_path) {
  const std::int64_t to_day = parse_iso_date(o.to);
  const std::int64_t first_possible =
      std::max({t.first_day + o.trend_days - 1, t.first_day + o.fee_fit_days - 1,
                log_price.first_day() + o.price_fit_days,
                log_price.first_day() + o.elasticity_lag_days + o.elasticity_fit_days});
  const std::int64_t last_possible = t.last_day - shortest_horizon;
  std::vector<std::string> origins;
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
                  std::to_string(shortest_horizon) + " d) after them: first " +
                  civil_from_days(first_possible) + ", last " + civil_from_days(last_possible) +
                  " (" + daily_path + ")");
    origins.push_back(origin);
  }
  if (origins.empty())
    throw OptionError("no origin between {from} = " + o.from + " and {to} = " + o.to);
  return origins;
}

// Fan origins: dates among the origins, or first / middle / last.
std::vector<std::string> resolve_fan_origins(const ScoreOptions& o,
                                             const std::vector<std::string>& origins) {
  std::vector<std::string> fan_origins;
  for (const auto& f : o.fan_origins) {
    if (f == "first")
      fan_origins.push_back(origins.front());
    else if (f == "middle")
      fan_origins.push_back(origins[origins.size() / 2]);
    else if (f == "last")
      fan_origins.push_back(origins.back());
    else if (std::find(origins.begin(), origins.end(), f) != origins.end())
      fan_origins.push_back(f);
    else
      throw OptionError("{fan_origins}: '" + f + "' is not one of the origins (" + origins.front() +
                        ".." + origins.back() + " every " + std::to_string(o.every_months) +
                        " month(s)) nor first, middle, last");
  }
  return fan_origins;
}

// One origin: its day, its row in the truth and how many days after it are scored.
struct Origin {
  std::string date;
  std::int64_t day = 0;
  std::size_t row = 0;
  int days_after = 0;                          // the longest horizon, or to the end of the truth
  int days() const { return days_after + 1; }  // days simulated, day 0 = origin
};

Origin make_origin(const std::string& date, const Truth& t, int longest_horizon) {
  Origin org;
  org.date = date;
  org.day = parse_iso_date(date);
  org.row = static_cast<std::size_t>(org.day - t.first_day);
  org.days_after = static_cast<int>(std::min<std::int64_t>(longest_horizon, t.last_day - org.day));
  return org;
}

// The origin's run: the scenario of its era started from the origin's row (as validate does),
// recording daily what the score reads (with the measured hashrate's inputs when observed).
scenario::Scenario origin_scenario(const scenario::Scenario& base,
                                   const std::optional<scenario::Scenario>& early,
                                   const Origin& org, const Truth& t, const ScoreOptions& o) {
  const bool use_early =
      early && !o.early_before.empty() && org.day < parse_iso_date(o.early_before);
  scenario::Scenario s = use_early ? *early : base;
  start_on_backtest_row(s, t.trailing, org.row);
  s.horizon_days = org.days();
  s.paths = o.paths;
  s.seed = base.seed + static_cast<std::uint64_t>(org.day);  // one stream set per origin
  s.record.every_days = 1;
  s.record.series = {scenario::Series::NetworkHashrateThs, scenario::Series::HashpriceUsdPerThDay};
  if (o.observed_hashrate) {
    s.chain.arrivals = chain::BlockArrivals::Poisson;
    s.record.series.push_back(scenario::Series::Blocks);
    s.record.series.push_back(scenario::Series::Difficulty);
    s.record.series.push_back(scenario::Series::Height);
    s.record.series.push_back(scenario::Series::PriceUsd);
    s.record.series.push_back(scenario::Series::FeeBtcPerBlock);
  }
  return s;
}

// The baselines' mode-independent part, from data up to the origin: persistence and trailing
// trend of ln hashrate for days 1..n, and the price elasticity of ln hashrate.
struct PointBaselines {
  double ln_h0 = 0.0;
  std::vector<double> persistence, trend;
  double elasticity = 0.0;
};

PointBaselines fit_point_baselines(const Truth& t, const LogPriceSeries& log_price,
                                   const Origin& org, const ScoreOptions& o) {
  const std::size_t io = org.row;
  PointBaselines b;
  b.ln_h0 = std::log(t.hashrate_ths[io]);
  std::vector<double> trend_hist;
  for (std::size_t k = io + 1 - static_cast<std::size_t>(o.trend_days); k <= io; ++k)
    trend_hist.push_back(std::log(t.hashrate_ths[k]));
  b.persistence = scoring::persistence_forecast(b.ln_h0, org.days_after);
  b.trend = scoring::trend_forecast(trend_hist, org.days_after);
  std::vector<double> train_h, train_p;
  for (std::int64_t d = std::max(t.first_day, org.day - o.elasticity_fit_days + 1); d <= org.day;
       ++d) {
    train_h.push_back(std::log(t.hashrate_ths[static_cast<std::size_t>(d - t.first_day)]));
    train_p.push_back(log_price.at(d - o.elasticity_lag_days));
  }
  b.elasticity = scoring::fit_price_elasticity(train_h, train_p);
  return b;
}

// Simulated mode: log-GBM price fitted on the `price_fit_days` days up to the origin, lognormal
// AR(1) fees on the `fee_fit_days` days up to it (nothing after the origin is used).
Fits fit_before_origin(const DailyTable& daily, const DailyTable& prices, const Origin& org,
                       const ScoreOptions& o) {
  CalibrationOptions co;
  co.from = civil_from_days(org.day - o.price_fit_days);
  co.to = org.date;
  co.fit_price = true;
  co.fit_fees = false;
  const Calibration pc = calibrate(prices, co);
  co.from = civil_from_days(org.day - o.fee_fit_days + 1);
  co.fit_price = false;
  co.fit_fees = true;
  const Calibration fc = calibrate(daily, co);
  Fits fit;
  fit.log_drift_per_year = pc.gbm.log_drift_per_year.value;
  fit.drift_per_year = pc.gbm.drift_per_year.value;
  fit.vol_per_sqrt_year = pc.gbm.vol_per_sqrt_year.value;
  fit.fees.median_btc_per_block = fc.fees.median_btc_per_block.value;
  fit.fees.log_sd = fc.fees.log_sd.value;
  fit.fees.ar1_phi = std::clamp(fc.fees.ar1_phi.value, 0.0, 0.999);  // the scenario's range
  return fit;
}

void use_fitted_models(scenario::Scenario& s, const Fits& fit) {
  s.price.kind = scenario::PriceModelKind::Gbm;
  s.price.gbm = market::GbmParams{};
  s.price.gbm.drift_per_year = fit.drift_per_year;
  s.price.gbm.vol_per_sqrt_year = fit.vol_per_sqrt_year;
  s.fees.kind = scenario::FeeModelKind::Lognormal;
  s.fees.lognormal = fit.fees;
}

// Output slots of the series the score reads (the measured hashrate's inputs only when observed).
struct Slots {
  std::size_t hashrate = 0, hashprice = 0, blocks = 0, difficulty = 0, height = 0, price = 0,
              fee = 0;
};

Slots find_slots(const scenario::Scenario& s, bool observed) {
  Slots k;
  k.hashrate = series_slot(s, scenario::Series::NetworkHashrateThs);
  k.hashprice = series_slot(s, scenario::Series::HashpriceUsdPerThDay);
  if (observed) {
    k.blocks = series_slot(s, scenario::Series::Blocks);
    k.difficulty = series_slot(s, scenario::Series::Difficulty);
    k.height = series_slot(s, scenario::Series::Height);
    k.price = series_slot(s, scenario::Series::PriceUsd);
    k.fee = series_slot(s, scenario::Series::FeeBtcPerBlock);
  }
  return k;
}

// Daily series of every path, [path][day]; the last five only for the observed hashrate.
struct Ensemble {
  std::vector<double> hashrate, hashprice, blocks, difficulty, height, price, fee;
};

Ensemble simulate_ensemble(const scenario::Scenario& s, const ScoreOptions& o, int n) {
  const Slots slots = find_slots(s, o.observed_hashrate);
  const auto per_path = static_cast<std::size_t>(n);
  std::vector<GatherSlot> gather = {{slots.hashrate, per_path}, {slots.hashprice, per_path}};
  if (o.observed_hashrate)
    for (std::size_t slot : {slots.blocks, slots.difficulty, slots.height, slots.price, slots.fee})
      gather.push_back({slot, per_path});
  sim::RunOptions ro;
  ro.threads = o.threads;
  ro.block_paths = 4;  // few paths per block so that they spread over the cores
  std::vector<std::vector<double>> v = run_and_gather(s, o.paths, ro, gather);
  Ensemble e;
  e.hashrate = std::move(v[0]);
  e.hashprice = std::move(v[1]);
  if (o.observed_hashrate) {
    e.blocks = std::move(v[2]);
    e.difficulty = std::move(v[3]);
    e.height = std::move(v[4]);
    e.price = std::move(v[5]);
    e.fee = std::move(v[6]);
  }
  return e;
}

// The simulated hashrate as the truth is measured: trailing mean of the implied hashrate of the
// day's blocks at the difficulty they were found at (the previous day's end), days up to the
// origin from the data; and the hashprice in the truth's form, free of block-count noise.
void measure_as_truth(Ensemble& e, const Truth& t, const Origin& org, const ScoreOptions& o) {
  const int n = org.days();
  const std::size_t io = org.row;
  const auto w = static_cast<std::size_t>(o.trailing_days);
  std::vector<double> implied(w - 1 + static_cast<std::size_t>(n));
  for (std::size_t p = 0; p < static_cast<std::size_t>(o.paths); ++p) {
    for (std::size_t k = 0; k < w; ++k)  // days o - w + 1 .. o
      implied[k] = t.hashrate_one_day_ths[io + 1 + k - w];
    for (std::size_t d = 1; d < static_cast<std::size_t>(n); ++d)
      implied[w - 1 + d] = e.blocks[p * n + d] * e.difficulty[p * n + d - 1] *
                           chain::kHashesPerDifficulty / chain::kSecondsPerDay / 1e12;
    for (std::size_t d = 1; d < static_cast<std::size_t>(n); ++d) {
      double sum = 0.0;
      for (std::size_t k = d; k < d + w; ++k) sum += implied[k];
      e.hashrate[p * n + d] = sum / static_cast<double>(w);
      // (subsidy + fee per block) x price x 86400e12 / (D x 2^32), at the day's first height and
      // difficulty.
      const double h0 = e.height[p * n + d - 1];
      const double subsidy_btc =
          static_cast<double>(chain::block_subsidy_sat(static_cast<std::int64_t>(h0))) /
          static_cast<double>(units::kSatPerBtc);
      e.hashprice[p * n + d] = (subsidy_btc + e.fee[p * n + d]) * e.price[p * n + d] *
                               chain::kSecondsPerDay * 1e12 /
                               (e.difficulty[p * n + d - 1] * chain::kHashesPerDifficulty);
    }
  }
}

// The price and fee after the origin that the baselines see in a mode: the real ones (replay),
// or the fitted GBM's median price and the fitted median fee (simulated).
class ModeInputs {
 public:
  ModeInputs(const Truth& t, const LogPriceSeries& log_price, const Origin& org, ScoreMode mode,
             const Fits& fit)
      : t_(t), log_price_(log_price), org_(org), mode_(mode), fit_(fit) {}

  double ln_price_at(std::int64_t day) const {
    if (day <= org_.day || mode_ == ScoreMode::Replay) return log_price_.at(day);
    return std::log(t_.price_usd[org_.row]) +
           fit_.log_drift_per_year * static_cast<double>(day - org_.day) / units::kDaysPerYear;
  }
  double fee_at(int d) const {
    const std::size_t k = org_.row + static_cast<std::size_t>(d);
    return mode_ == ScoreMode::Replay ? t_.fees_btc[k] / t_.blocks[k]
                                      : fit_.fees.median_btc_per_block;
  }
  // ln hashprice of a hashrate forecast for day d: 144 (subsidy + fee) P / H.
  double ln_hashprice(double ln_h, int d) const {
    const double subsidy_btc = static_cast<double>(chain::block_subsidy_sat(
                                   static_cast<std::int64_t>(t_.first_height[org_.row]) +
                                   std::int64_t{units::kBlocksPerDay} * d)) /
                               static_cast<double>(units::kSatPerBtc);
    return std::log(units::kBlocksPerDay * (subsidy_btc + fee_at(d))) + ln_price_at(org_.day + d) -
           ln_h;
  }

 private:
  const Truth& t_;
  const LogPriceSeries& log_price_;
  const Origin& org_;
  ScoreMode mode_;
  const Fits& fit_;
};

// Price-elasticity baseline for days 1..n: ln H_o + b (ln P_{o+d-L} - ln P_{o-L}).
std::vector<double> elasticity_forecast(const PointBaselines& b, const ModeInputs& in,
                                        const LogPriceSeries& log_price, const Origin& org,
                                        const ScoreOptions& o) {
  std::vector<double> f(static_cast<std::size_t>(org.days_after));
  const double ln_p_anchor = log_price.at(org.day - o.elasticity_lag_days);
  for (int d = 1; d <= org.days_after; ++d)
    f[static_cast<std::size_t>(d - 1)] =
        b.ln_h0 +
        b.elasticity * (in.ln_price_at(org.day + d - o.elasticity_lag_days) - ln_p_anchor);
  return f;
}

// ln hashrate forecasts of the three baselines for days 1..n (persistence, trend, elasticity).
using PointForecasts = std::array<const std::vector<double>*, 3>;

// Value of variable v (0 hashrate, 1 hashprice) for day d of a baseline's ln hashrate forecast.
double ln_variable(int v, double ln_h, int d, const ModeInputs& in) {
  return v == 0 ? ln_h : in.ln_hashprice(ln_h, d);
}

// Scores of days 1..n, [variable][forecaster] (forecaster 0: the agents' ensemble).
using DayScores = std::vector<scoring::DayScore>[kVariableCount][kForecasterCount];

void score_days(const Ensemble& e, const Truth& t, const Origin& org, const PointForecasts& point,
                const ModeInputs& in, std::int64_t paths, DayScores& days) {
  const int n = org.days();
  std::vector<double> members(static_cast<std::size_t>(paths));
  for (int d = 1; d <= org.days_after; ++d) {
    const std::size_t k = org.row + static_cast<std::size_t>(d);
    const double y[kVariableCount] = {std::log(t.hashrate_ths[k]), std::log(t.hashprice[k])};
    for (int v = 0; v < kVariableCount; ++v) {
      const std::vector<double>& sim = v == 0 ? e.hashrate : e.hashprice;
      for (std::size_t p = 0; p < members.size(); ++p)
        members[p] = std::log(sim[p * n + static_cast<std::size_t>(d)]);
      days[v][0].push_back(scoring::score_ensemble(members, y[v]));
      for (int b = 0; b < 3; ++b) {
        const double ln_h = (*point[b])[static_cast<std::size_t>(d - 1)];
        days[v][b + 1].push_back(scoring::score_point(ln_variable(v, ln_h, d, in), y[v]));
      }
    }
  }
}

// Each horizon's rows of one origin (days 1..H), and the same days into the pools.
void add_horizon_scores(const DayScores& days, ScoreMode mode, const Origin& org,
                        const std::vector<int>& horizons, std::vector<ScoreRow>& rows,
                        Pools& pools) {
  for (int v = 0; v < kVariableCount; ++v)
    for (int f = 0; f < kForecasterCount; ++f)
      for (std::size_t hi = 0; hi < horizons.size(); ++hi) {
        const int h = horizons[hi];
        if (h > org.days_after) continue;
        std::vector<scoring::DayScore> part(days[v][f].begin(), days[v][f].begin() + h);
        ScoreRow row;
        row.mode = mode;
        row.variable = v;
        row.forecaster = f;
        row.origin = org.date;
        row.horizon_days = h;
        row.summary = scoring::summarise(part);
        row.log_error_at_horizon = part.back().log_error;
        rows.push_back(row);
        const PoolKey key{static_cast<int>(mode), v, f, static_cast<int>(hi)};
        auto& pool = pools.days[key];
        pool.insert(pool.end(), part.begin(), part.end());
        pools.origins[key]++;
      }
}

// Daily bands of variable v at one origin: the ensemble's quantiles, the truth and the baselines.
ScoreFan make_fan(int v, ScoreMode mode, const Origin& org, const Ensemble& e, const Truth& t,
                  const PointForecasts& point, const PointBaselines& b, const ModeInputs& in,
                  std::int64_t paths) {
  ScoreFan fan;
  fan.mode = mode;
  fan.variable = v;
  fan.origin = org.date;
  const int n = org.days();
  const std::vector<double>& sim = v == 0 ? e.hashrate : e.hashprice;
  for (int d = 0; d < n; ++d) {
    const std::size_t k = org.row + static_cast<std::size_t>(d);
    fan.dates.push_back(t.dates[k]);
    fan.actual.push_back(v == 0 ? t.hashrate_ths[k] : t.hashprice[k]);
    std::vector<double> across(static_cast<std::size_t>(paths));
    for (std::size_t p = 0; p < across.size(); ++p)
      across[p] = sim[p * n + static_cast<std::size_t>(d)];
    std::sort(across.begin(), across.end());
    fan.p5.push_back(quantile_sorted(across, 0.05));
    fan.p25.push_back(quantile_sorted(across, 0.25));
    fan.p50.push_back(quantile_sorted(across, 0.5));
    fan.p75.push_back(quantile_sorted(across, 0.75));
    fan.p95.push_back(quantile_sorted(across, 0.95));
    std::vector<double>* outs[3] = {&fan.persistence, &fan.trend, &fan.elasticity};
    for (int f = 0; f < 3; ++f) {
      const double ln_h = d == 0 ? b.ln_h0 : (*point[f])[static_cast<std::size_t>(d - 1)];
      outs[f]->push_back(std::exp(ln_variable(v, ln_h, d, in)));
    }
  }
  return fan;
}

// What every origin reads.
struct ScoreInputs {
  const scenario::Scenario& base;
  const std::optional<scenario::Scenario>& early;
  const DailyTable& daily;
  const DailyTable& prices;
  const ScoreOptions& o;
  const std::vector<int>& horizons;  // sorted, unique
  const Truth& truth;
  const LogPriceSeries& log_price;
};

// One origin in every mode: simulate, score against the truth beside the baselines, add its rows
// and pooled days (and its fans when `keep_fan`).
void score_origin(const ScoreInputs& in, const Origin& org, bool keep_fan, ScoreResult& r,
                  Pools& pools) {
  const ScoreOptions& o = in.o;
  scenario::Scenario s = origin_scenario(in.base, in.early, org, in.truth, o);
  const PointBaselines b = fit_point_baselines(in.truth, in.log_price, org, o);
  TempFile replay("hashsim-score");
  write_replay_inputs(replay.path(), in.truth.trailing, org.row,
                      static_cast<std::size_t>(org.days()));

  for (ScoreMode mode : o.modes) {
    Fits fit;
    if (mode == ScoreMode::Replay) {
      replay_price_and_fees(s, replay.path(), true);
    } else {
      fit = fit_before_origin(in.daily, in.prices, org, o);
      use_fitted_models(s, fit);
    }
    Ensemble e = simulate_ensemble(s, o, org.days());
    if (o.observed_hashrate) measure_as_truth(e, in.truth, org, o);

    const ModeInputs mode_inputs(in.truth, in.log_price, org, mode, fit);
    const std::vector<double> f_elast = elasticity_forecast(b, mode_inputs, in.log_price, org, o);
    const PointForecasts point = {&b.persistence, &b.trend, &f_elast};
    DayScores days;
    score_days(e, in.truth, org, point, mode_inputs, o.paths, days);
    add_horizon_scores(days, mode, org, in.horizons, r.rows, pools);
    if (keep_fan)
      for (int v = 0; v < kVariableCount; ++v)
        r.fans.push_back(make_fan(v, mode, org, e, in.truth, point, b, mode_inputs, o.paths));
  }
}

// The pooled cells, in mode x variable x forecaster x horizon order.
std::vector<ScoreCell> pooled_cells(const Pools& pools, const std::vector<ScoreMode>& modes,
                                    const std::vector<int>& horizons) {
  std::vector<ScoreCell> cells;
  for (ScoreMode mode : modes)
    for (int v = 0; v < kVariableCount; ++v)
      for (int f = 0; f < kForecasterCount; ++f)
        for (std::size_t hi = 0; hi < horizons.size(); ++hi) {
          const PoolKey key{static_cast<int>(mode), v, f, static_cast<int>(hi)};
          const auto it = pools.days.find(key);
          if (it == pools.days.end()) continue;
          ScoreCell c;
          c.mode = mode;
          c.variable = v;
          c.forecaster = f;
          c.horizon_days = horizons[hi];
          c.origins = pools.origins.at(key);
          c.summary = scoring::summarise(it->second);
          cells.push_back(c);
        }
  return cells;
}

}  // namespace

ScoreResult run_score(const scenario::Scenario& base,
                      const std::optional<scenario::Scenario>& early, const DailyTable& daily,
                      const DailyTable& prices, const ScoreOptions& o) {
  check_score_inputs(base, early, o);
  const std::vector<int> horizons = sorted_unique(o.horizons);
  const Truth truth = load_truth(daily, o.trailing_days);
  const LogPriceSeries log_price(prices);

  ScoreResult r;
  r.options = o;
  r.options.horizons = horizons;
  r.scenario_name = base.name;
  if (early) r.early_scenario_name = early->name;
  r.origins = resolve_origins(o, truth, log_price, horizons.front(), daily.path().string());
  const std::vector<std::string> fan_origins = resolve_fan_origins(o, r.origins);

  const ScoreInputs in{base, early, daily, prices, o, horizons, truth, log_price};
  Pools pools;
  for (const std::string& origin : r.origins) {
    const bool keep_fan =
        std::find(fan_origins.begin(), fan_origins.end(), origin) != fan_origins.end();
    score_origin(in, make_origin(origin, truth, horizons.back()), keep_fan, r, pools);
  }
  r.cells = pooled_cells(pools, o.modes, horizons);
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
