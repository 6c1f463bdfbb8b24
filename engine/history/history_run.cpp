#include "engine/history/history_run.h"

#include <algorithm>
#include <cstdio>
#include <string>

#include "engine/io/schema.h"
#include "engine/util/atomic_file.h"
#include "engine/util/error.h"

namespace hashsim::history {

double fee_per_block_btc(const BacktestResult& bt, std::size_t row) {
  return std::max(bt.column("fees_btc")[row] / bt.column("blocks")[row], 1e-8);
}

void start_on_backtest_row(scenario::Scenario& s, const BacktestResult& bt, std::size_t row) {
  s.start.source = scenario::StartSource::Scenario;
  s.start.date = bt.dates[row];
  s.start.price_usd = bt.column("price_usd")[row];
  s.start.difficulty = bt.column("difficulty")[row];
  s.start.height = bt.column("first_height")[row];
  s.start.fee_btc_per_block = fee_per_block_btc(bt, row);
  s.start.network_hashrate_ths = bt.column("network_hashrate_ths")[row];
  s.start.provenance_json.clear();
}

void write_replay_inputs(const std::filesystem::path& path, const BacktestResult& bt,
                         std::size_t first_row, std::size_t days) {
  const auto& price = bt.column("price_usd");
  std::string csv = "day,price_usd,fee_btc_per_block\n";
  char buf[128];
  for (std::size_t d = 0; d < days; ++d) {
    const std::size_t k = first_row + d;
    std::snprintf(buf, sizeof buf, "%zu,%.17g,%.17g\n", d, price[k], fee_per_block_btc(bt, k));
    csv += buf;
  }
  write_file_atomic(path, csv);
}

void replay_price_and_fees(scenario::Scenario& s, const std::filesystem::path& replay,
                           bool replay_fees) {
  s.price.kind = scenario::PriceModelKind::Replay;
  s.price.replay = {replay, "price_usd", "day", "", 1.0};
  if (replay_fees) {
    s.fees.kind = scenario::FeeModelKind::Replay;
    s.fees.replay = {replay, "fee_btc_per_block", "day", "", 1.0};
  }
}

std::size_t series_slot(const scenario::Scenario& s, scenario::Series series) {
  const auto specs = sim::output_specs(s);
  for (std::size_t k = 0; k < specs.size(); ++k)
    if (specs[k].name == io::schema::paths_dataset(scenario::series_name(series))) return k;
  throw Error(std::string("internal: the run records no ") + scenario::series_name(series));
}

std::vector<std::vector<double>> run_and_gather(const scenario::Scenario& s, std::int64_t paths,
                                                const sim::RunOptions& ro,
                                                const std::vector<GatherSlot>& slots) {
  std::vector<std::vector<double>> out(slots.size());
  for (std::size_t j = 0; j < slots.size(); ++j)
    out[j].resize(static_cast<std::size_t>(paths) * slots[j].per_path);
  sim::run_paths(
      s, 0, static_cast<std::uint64_t>(paths), ro,
      [&](std::uint64_t first, std::uint64_t count, const std::vector<const double*>& data) {
        for (std::size_t j = 0; j < slots.size(); ++j) {
          const std::size_t per = slots[j].per_path;
          const double* from = data[slots[j].slot];
          std::copy(from, from + count * per,
                    out[j].begin() + static_cast<std::ptrdiff_t>(first * per));
        }
      });
  return out;
}

}  // namespace hashsim::history
