#pragma once
// Daily backtest of mining revenue on real history (data/history/btc_daily_2020_2026_obm.csv).
//
// For each day d of the window:
//   subsidy_btc      = sum of block_subsidy_sat(h) / 1e8 over the day's heights (consensus.h)
//   revenue_btc      = subsidy_btc + fees_btc
//   network hashrate, TH/s, one of
//     implied (default): H_d = blocks_d * difficulty_d * 2^32 / 86400 / 1e12 (the hashrate that
//       finds the day's blocks at its mean difficulty; the Coin Metrics HashRate formula),
//       averaged over the trailing N days d-N+1..d (N = 1 gives the raw, Poisson-noisy figure:
//       blocks ~ Poisson(144) so one day has ~8% sd; fewer days at the start of the data);
//     difficulty: H_d = difficulty_d * 2^32 / 600 / 1e12, the hashrate that would find one block
//       every 600 s (expected pace; lags real hashrate by up to one 2016-block epoch).
//   hashprice_btc_per_th_day = revenue_btc / H_d       (a miner's expected share per TH/s)
//   hashprice_usd_per_th_day = hashprice_btc_per_th_day * price_usd
// and for a fleet of `count` machines of hashrate h (TH/s) and power P (W):
//   fleet_revenue_btc = count * h * hashprice_btc_per_th_day * (1 - pool_fee)
//   power_cost_usd    = count * P * 24 / 1000 * tariff_usd_per_kwh
//   profit_usd        = fleet_revenue_btc * price_usd - power_cost_usd
//   cumulative_cashflow_usd = -capex_usd + running sum of profit_usd; payback is the first day
//   on which it reaches >= 0.
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include "engine/util/atomic_file.h"
#include "engine/util/columns_csv.h"
#include "engine/util/daily_table.h"

namespace hashsim::history {

enum class HashrateMethod { Implied, DifficultyPace };

struct Fleet {
  std::string label;  // e.g. "1 MW of Bitmain Antminer S19 Pro"
  double machine_hashrate_ths = 0.0;
  double machine_power_w = 0.0;
  double count = 0.0;  // machines
};

struct BacktestOptions {
  std::string from, to;  // inclusive; "" = first / last date of the data
  HashrateMethod method = HashrateMethod::Implied;
  int trailing_days = 7;  // for HashrateMethod::Implied
  std::optional<Fleet> fleet;
  double tariff_usd_per_kwh = 0.0;
  double pool_fee = 0.0;  // fraction of revenue, [0, 1)
  std::optional<double> capex_usd;
  // A blank price (2026-05-24 in the shipped data) is an error unless this is set; then it is
  // interpolated log-linearly between the nearest earlier and later priced rows of the file.
  bool fill_price_gaps = false;
};

struct BacktestResult {
  std::string data_file;
  std::vector<std::string> dates;
  std::vector<Column> columns;
  std::vector<std::string> filled_price_dates;  // days whose price was interpolated
  std::optional<std::string> payback_date;      // set when capex given and recovered in the window
  std::optional<int> payback_days;              // days from the first day of the window, inclusive

  const std::vector<double>& column(const std::string& name) const;  // throws Error if absent
  double total(const std::string& name) const;
};

// Throws Error for a window outside the data, missing columns, blank or malformed values on a
// needed day (file:line, column, date), a missing day inside the window, or inconsistent heights.
BacktestResult run_backtest(const DailyTable& table, const BacktestOptions& options);

// Atomic writers (temp file + rename). The HDF5 file holds one float64 dataset per column, a
// `date` string dataset and attributes describing the run.
// An existing output is replaced only with mode kReplace (engine/util/atomic_file.h).
void write_backtest_csv(const BacktestResult& r, const std::filesystem::path& path,
                        Overwrite mode = Overwrite::kReplace);
void write_backtest_hdf5(const BacktestResult& r, const BacktestOptions& options,
                         const std::filesystem::path& path, const std::string& command_line,
                         Overwrite mode = Overwrite::kReplace);

}  // namespace hashsim::history
