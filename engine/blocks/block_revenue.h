#pragma once
// What a fleet would have earned on each block of the ledger.
//
// For block i with subsidy S_i and fees F_i (sat), network hashrate estimate H_i (TH/s, from the
// ledger) and time t_i, and a fleet of n machines of hashrate h (TH/s) and power P (W):
//   share_i       = n h / H_i                                   (expected fraction of blocks found)
//   revenue_btc_i = share_i * (S_i + F_i) / 1e8 * (1 - pool_fee)
//   revenue_usd_i = revenue_btc_i * price_i, price_i = the daily close nearest t_i (a daily price
//                   of date D is stamped at its close, D+1 00:00 UTC; price_gap_s = t_i - stamp)
//   interval_s_i  = max(0, t_i - max(t_j, j < i)), measured from the latest header time seen so far
//                   (since the last gap): header times are not monotonic, so a block older than one
//                   before it gets interval 0 (interval_clamped = 1), and the block after it counts
//                   only time not yet counted; the first block of the ledger (and one after a gap)
//                   has no previous block: interval 0, interval_known = 0
//   power_cost_usd_i = n P / 1000 * interval_s_i / 3600 * tariff_usd_per_kwh
//   profit_usd_i  = revenue_usd_i - power_cost_usd_i
// Summed over a gap-free range, sum(interval) = max(t) - t_first, exactly the elapsed time, so
// power cost is the fleet running non-stop, and revenue is the expected (not the lucky) share.
#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

#include "engine/blocks/ledger_store.h"
#include "engine/util/columns_csv.h"
#include "engine/util/daily_table.h"

namespace hashsim::blocks {

struct RevenueMachine {
  std::string name;  // e.g. "Bitmain Antminer S21"
  double hashrate_ths = 0.0;
  double power_w = 0.0;
  double count = 0.0;  // machines (whole machines in 1 MW: floor(1e6 / P))
};

// Daily closes (date, price_usd) from a price CSV; blank prices are skipped.
struct DailyCloses {
  std::vector<std::int64_t> stamp_unix;  // close time = (days since epoch + 1) * 86400
  std::vector<double> price_usd;
  std::string file;
  static DailyCloses load(const DailyTable& table);
  // Index of the close nearest t (ties: the earlier). Throws Error if empty.
  std::size_t nearest(std::int64_t t) const;
};

struct BlockRevenueOptions {
  std::vector<RevenueMachine> machines;
  double tariff_usd_per_kwh = 0.0;
  double pool_fee = 0.0;
  std::int64_t max_price_gap_s = std::int64_t{2} * 86400;  // farther from every daily close: error
};

struct BlockRevenueResult {
  std::vector<std::int64_t> heights;
  std::vector<Column> columns;  // per block; per machine "<slug>_revenue_btc", ...
  std::int64_t clamped_intervals = 0;
  std::int64_t unknown_intervals = 0;
  const std::vector<double>& column(const std::string& name) const;
  double total(const std::string& name) const;
};

// "Bitmain Antminer S21+" -> "bitmain_antminer_s21plus": column prefix per machine.
std::string machine_slug(const std::string& name);

// Throws Error for no blocks, no machines, a non-positive hashrate, or a block too far from any
// price.
BlockRevenueResult block_revenue(const std::vector<BlockRecord>& blocks, const DailyCloses& prices,
                                 const BlockRevenueOptions& options);

// An existing output is replaced only with mode kReplace (engine/util/atomic_file.h).
void write_block_revenue_csv(const BlockRevenueResult& r, const std::filesystem::path& path,
                             Overwrite mode = Overwrite::kReplace);

// Per UTC day ("YYYY-MM-DD") or month ("YYYY-MM") of the blocks' header times: sums of the
// per-block columns that add up (interval_s, subsidy_sat, fee_sat, and per machine revenue_btc,
// revenue_usd, power_cost_usd, profit_usd), with the block count. Keys ascending.
enum class SummaryPeriod { Day, Month };
struct RevenueSummary {
  std::string key_name;  // "day" or "month"
  std::vector<std::string> keys;
  std::vector<Column> columns;  // "blocks", then the sums
};
RevenueSummary summarize_block_revenue(const BlockRevenueResult& r, SummaryPeriod period);
void write_revenue_summary_csv(const RevenueSummary& s, const std::filesystem::path& path,
                               Overwrite mode = Overwrite::kReplace);
void write_block_revenue_hdf5(const BlockRevenueResult& r, const BlockRevenueOptions& o,
                              const std::filesystem::path& path, const std::string& command_line,
                              const std::string& ledger_file, const std::string& price_file,
                              Overwrite mode = Overwrite::kReplace);
// Root attributes written with every revenue file (provenance): hashsim_version, git_sha.

// A file written by write_block_revenue_hdf5 (`hashsim blocks revenue --h5`), read back for the
// report and the dashboard (engine/report/blocks_view.h).
struct BlockRevenueFile {
  BlockRevenueResult result;       // heights and the per-block columns, as written
  BlockRevenueOptions options;     // machines (name, hashrate, power, count), tariff, pool fee
  std::vector<std::string> slugs;  // column prefix per machine, in options.machines order
  std::string path, command_line, created_utc, hashsim_version, git_sha, ledger_file, price_file;
};
// Throws Error naming the file for anything that is not such a file (another schema, a missing or
// mis-sized column, no blocks).
BlockRevenueFile read_block_revenue_hdf5(const std::filesystem::path& path);

}  // namespace hashsim::blocks
