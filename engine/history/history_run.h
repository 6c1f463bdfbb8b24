#pragma once
// Running the agents on a day of history, as `validate` and `score` do: the run starts from the
// day's row of the daily backtest, replays the real price and fees of the days after it, and
// gathers the recorded series of every path in memory.
#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <vector>

#include "engine/history/backtest.h"
#include "engine/scenario/scenario.h"
#include "engine/sim/runner.h"

namespace hashsim::history {

// Real fee per block of a backtest row (fees_btc / blocks), floored at 1e-8 BTC so that a
// replayed or starting fee is never zero.
double fee_per_block_btc(const BacktestResult& bt, std::size_t row);

// The start of a run on row `row`: that day's date, price, mean difficulty, first height, fee per
// block and (trailing-mean implied) network hashrate; no provenance.
void start_on_backtest_row(scenario::Scenario& s, const BacktestResult& bt, std::size_t row);

// Rows first_row .. first_row + days - 1 as a replay CSV `day,price_usd,fee_btc_per_block` (day 0
// first), written atomically.
void write_replay_inputs(const std::filesystem::path& path, const BacktestResult& bt,
                         std::size_t first_row, std::size_t days);

// The scenario's price (and, with `replay_fees`, its fees) replayed from a write_replay_inputs
// file.
void replay_price_and_fees(scenario::Scenario& s, const std::filesystem::path& replay,
                           bool replay_fees);

// Output slot of a recorded series (dataset paths/<series>); throws Error when it is not recorded.
std::size_t series_slot(const scenario::Scenario& s, scenario::Series series);

// One output slot to gather, and how many values a path writes there.
struct GatherSlot {
  std::size_t slot = 0;
  std::size_t per_path = 0;
};

// Runs paths 0..paths-1 and returns each slot's values of every path, [path][value], in the
// order of `slots`.
std::vector<std::vector<double>> run_and_gather(const scenario::Scenario& s, std::int64_t paths,
                                                const sim::RunOptions& ro,
                                                const std::vector<GatherSlot>& slots);

}  // namespace hashsim::history
