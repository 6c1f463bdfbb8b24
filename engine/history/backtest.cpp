#include "engine/history/backtest.h"

#include <algorithm>
#include <cmath>

#include <nlohmann/json.hpp>

#include "engine/chain/consensus.h"
#include "engine/io/hdf5.h"
#include "engine/io/schema.h"
#include "engine/util/atomic_file.h"
#include "engine/util/dates.h"
#include "engine/util/error.h"
#include "engine/util/option_error.h"

namespace hashsim::history {

namespace {

// ln p interpolated linearly in time between the nearest priced rows around `row`.
double interpolated_price(const DailyTable& t, std::size_t row, std::size_t col) {
  std::size_t lo = row, hi = row;
  while (lo > 0 && t.blank(lo, col)) --lo;
  while (hi + 1 < t.size() && t.blank(hi, col)) ++hi;
  if (t.blank(lo, col) || t.blank(hi, col))
    throw Error(t.where(row) + ": column '" + t.column_name(col) +
                "' is blank and has no priced day on both sides to interpolate from");
  const double a = std::log(t.number(lo, col)), b = std::log(t.number(hi, col));
  const double frac =
      static_cast<double>(t.day(row) - t.day(lo)) / static_cast<double>(t.day(hi) - t.day(lo));
  return std::exp(a + frac * (b - a));
}

void check_backtest_options(const BacktestOptions& o) {
  if (o.trailing_days < 1 || o.trailing_days > 365)
    throw Error("trailing_days = " + std::to_string(o.trailing_days) +
                " (hashrate window) is not in [1, 365] days");
  if (!(o.pool_fee >= 0.0 && o.pool_fee < 1.0))
    throw Error("pool_fee = " + std::to_string(o.pool_fee) + " is not in [0, 1)");
  if (!(o.tariff_usd_per_kwh >= 0.0))
    throw Error("tariff_usd_per_kwh = " + std::to_string(o.tariff_usd_per_kwh) + " must be >= 0");
}

void check_every_day_present(const DailyTable& t, const RowRange& w) {
  for (std::size_t i = w.begin + 1; i < w.end; ++i)
    if (t.day(i) != t.day(i - 1) + 1)
      throw Error(t.where(i) + ": no row for " + civil_from_days(t.day(i - 1) + 1) +
                  " (a backtest needs every day of the window)");
}

// Mean implied hashrate (blocks * D * 2^32 / 86400 / 1e12) of row i and the rows of the unbroken
// run of days before it, `trailing_days` rows at most.
double trailing_implied_ths(const DailyTable& t, std::size_t i, std::size_t c_blocks,
                            std::size_t c_diff, int trailing_days) {
  double sum = 0.0;
  int used = 0;
  for (std::size_t j = i + 1; j-- > 0 && used < trailing_days;) {
    if (t.day(j) != t.day(i) - used) break;  // only an unbroken run of days
    sum += static_cast<double>(t.integer(j, c_blocks)) * t.number(j, c_diff) *
           chain::kHashesPerDifficulty / chain::kSecondsPerDay / 1e12;
    ++used;
  }
  return sum / used;
}

// The fleet's daily revenue, power cost, profit and cumulative cashflow (from -capex), and the
// payback day when the cashflow turns >= 0.
void add_fleet_columns(const Fleet& f, const BacktestOptions& o, const std::vector<double>& hp_btc,
                       const std::vector<double>& price, BacktestResult& r) {
  if (!(f.machine_hashrate_ths > 0.0) || !(f.machine_power_w > 0.0) || !(f.count > 0.0))
    throw Error("fleet '" + f.label + "': machine hashrate, power and count must be > 0");
  const std::size_t n = price.size();
  const double fleet_ths = f.count * f.machine_hashrate_ths;
  const double energy_kwh_per_day = f.count * f.machine_power_w * 24.0 / 1000.0;
  std::vector<double> rev_btc(n), rev_usd(n), power(n), profit(n), cumulative(n);
  double cash = -o.capex_usd.value_or(0.0);
  for (std::size_t k = 0; k < n; ++k) {
    rev_btc[k] = fleet_ths * hp_btc[k] * (1.0 - o.pool_fee);
    rev_usd[k] = rev_btc[k] * price[k];
    power[k] = energy_kwh_per_day * o.tariff_usd_per_kwh;
    profit[k] = rev_usd[k] - power[k];
    cash += profit[k];
    cumulative[k] = cash;
    if (o.capex_usd && !r.payback_date && cash >= 0.0) {
      r.payback_date = r.dates[k];
      r.payback_days = static_cast<int>(k + 1);
    }
  }
  r.columns.push_back({"fleet_revenue_btc", rev_btc});
  r.columns.push_back({"fleet_revenue_usd", rev_usd});
  r.columns.push_back({"power_cost_usd", power});
  r.columns.push_back({"profit_usd", profit});
  r.columns.push_back({"cumulative_cashflow_usd", cumulative});
}

}  // namespace

const std::vector<double>& BacktestResult::column(const std::string& name) const {
  for (const auto& c : columns)
    if (c.name == name) return c.values;
  throw Error("backtest result has no column '" + name + "'");
}

double BacktestResult::total(const std::string& name) const {
  double s = 0.0;
  for (double v : column(name)) s += v;
  return s;
}

BacktestResult run_backtest(const DailyTable& t, const BacktestOptions& o) {
  check_backtest_options(o);
  const RowRange w = t.window(o.from, o.to);
  const std::size_t c_blocks = t.column({"blocks"}), c_first = t.column({"first_height"}),
                    c_last = t.column({"last_height"}), c_fees = t.column({"fees_btc"}),
                    c_diff = t.column({"difficulty_mean"}), c_price = t.column({"price_usd"});

  check_every_day_present(t, w);

  const std::size_t n = w.size();
  BacktestResult r;
  r.data_file = t.path().string();
  std::vector<double> price(n), blocks(n), height(n), fees(n), subsidy(n), difficulty(n),
      hashrate(n), hp_btc(n), hp_usd(n);
  for (std::size_t k = 0; k < n; ++k) {
    const std::size_t i = w.begin + k;
    r.dates.push_back(t.date(i));
    const long long b = t.integer(i, c_blocks);
    const long long first = t.integer(i, c_first), last = t.integer(i, c_last);
    if (b < 1 || last - first + 1 != b)
      throw Error(t.where(i) + ": blocks = " + std::to_string(b) +
                  " but first_height..last_height = " + std::to_string(first) + ".." +
                  std::to_string(last));
    blocks[k] = static_cast<double>(b);
    height[k] = static_cast<double>(first);
    fees[k] = t.number(i, c_fees);
    if (!t.blank(i, c_price)) {
      price[k] = t.number(i, c_price);
    } else if (o.fill_price_gaps) {
      price[k] = interpolated_price(t, i, c_price);
      r.filled_price_dates.push_back(r.dates.back());
    } else {
      throw OptionError(t.where(i) + ": column '" + t.column_name(c_price) +
                        "' is blank (no price that day); pass {fill_price_gaps} to interpolate it");
    }
    difficulty[k] = t.number(i, c_diff);
    if (fees[k] < 0.0 || !(price[k] > 0.0) || !(difficulty[k] > 0.0))
      throw Error(t.where(i) + ": fees_btc must be >= 0, price_usd and difficulty_mean > 0");
    subsidy[k] = chain::subsidy_btc_over(static_cast<double>(first), static_cast<double>(b));
    if (o.method == HashrateMethod::DifficultyPace) {
      hashrate[k] = chain::hashrate_at_target_pace_ths(difficulty[k]);
    } else {
      hashrate[k] = trailing_implied_ths(t, i, c_blocks, c_diff, o.trailing_days);
    }
    hp_btc[k] = (subsidy[k] + fees[k]) / hashrate[k];
    hp_usd[k] = hp_btc[k] * price[k];
  }
  r.columns = {{"price_usd", price},
               {"first_height", height},
               {"blocks", blocks},
               {"fees_btc", fees},
               {"subsidy_btc", subsidy},
               {"difficulty", difficulty},
               {"network_hashrate_ths", hashrate},
               {"hashprice_btc_per_th_day", hp_btc},
               {"hashprice_usd_per_th_day", hp_usd}};

  if (o.fleet) add_fleet_columns(*o.fleet, o, hp_btc, price, r);
  return r;
}

void write_backtest_csv(const BacktestResult& r, const std::filesystem::path& path,
                        Overwrite mode) {
  write_columns_csv(path, io::schema::kBacktestDate, r.dates, r.columns, ",%.10g", mode);
}

void write_backtest_hdf5(const BacktestResult& r, const BacktestOptions& o,
                         const std::filesystem::path& path, const std::string& command_line,
                         Overwrite mode) {
  const io::schema::Provenance provenance{
      .kind = io::schema::kKindBacktest,
      .version = io::schema::kBacktestVersion,
      .command_line = command_line,
      .scenario_text = "",
      .seed = std::nullopt,
      .data_snapshot_json = nlohmann::json{{io::schema::kBacktestDataFile, r.data_file}}.dump()};
  namespace sc = io::schema;
  sc::write_file(path, mode, provenance, [&](hid_t root) {
    h5::set_attr(root, sc::kBacktestDataFile, r.data_file);
    h5::set_attr(root, sc::kBacktestFrom, r.dates.front());
    h5::set_attr(root, sc::kBacktestTo, r.dates.back());
    h5::set_attr(root, sc::kBacktestHashrateMethod,
                 std::string(o.method == HashrateMethod::Implied ? "implied" : "difficulty"));
    h5::set_attr(root, sc::kBacktestHashrateWindowDays, static_cast<std::int64_t>(o.trailing_days));
    if (o.fleet) {
      h5::set_attr(root, sc::kBacktestFleet, o.fleet->label);
      h5::set_attr(root, sc::kBacktestMachineHashrate, o.fleet->machine_hashrate_ths);
      h5::set_attr(root, sc::kBacktestMachinePower, o.fleet->machine_power_w);
      h5::set_attr(root, sc::kBacktestMachineCount, o.fleet->count);
      h5::set_attr(root, sc::kAttrTariff, o.tariff_usd_per_kwh);
      h5::set_attr(root, sc::kAttrPoolFee, o.pool_fee);
    }
    if (o.capex_usd) h5::set_attr(root, sc::kBacktestCapex, *o.capex_usd);
    if (r.payback_date) h5::set_attr(root, sc::kBacktestPaybackDate, *r.payback_date);
    h5::write_strings(root, sc::kBacktestFilledPriceDates, r.filled_price_dates);
    h5::write_strings(root, sc::kBacktestDate, r.dates);
    for (const auto& c : r.columns) h5::write_vector(root, c.name, c.values);
    // Self-describing for xarray: the ISO dates are the dimension of every column.
    sc::make_scale(root, sc::kBacktestDate, "", "date (ISO 8601, UTC)");
    sc::make_scale(root, sc::kBacktestFilledPriceDates, "", "days whose price was interpolated");
    for (const auto& c : r.columns)
      sc::attach_dimensions(root, c.name, {sc::kBacktestDate}, sc::units_from_name(c.name));
  });
}

}  // namespace hashsim::history
