#pragma once
// Day-by-day chain model: how many blocks a network hashrate finds against the current
// difficulty, how far the height advances (so halvings land on the right day), when the
// difficulty retargets, and what the day's blocks pay.
#include <cstdint>

#include "engine/rng/streams.h"

namespace hashsim::chain {

enum class BlockArrivals { Expected, Poisson };

struct ChainOptions {
  BlockArrivals arrivals = BlockArrivals::Expected;
  bool difficulty_adjustment = true;
  // When false, every block pays the subsidy of the start height (the reference-2021 quirk of
  // a fixed 6.25 BTC). Kept as an option for counterfactual runs.
  bool halvings = true;
};

struct ChainStart {
  double height = 0.0;  // blocks already mined
  double difficulty = 1.0;
  // Seconds spent so far in the current retarget epoch. The start conditions do not carry the
  // epoch's real timing, so by default the blocks already mined in it are assumed on pace.
  double epoch_elapsed_s = -1.0;  // < 0: (height mod 2016) * 600 s
};

struct ChainDay {
  double blocks = 0.0;       // blocks found this day
  double subsidy_btc = 0.0;  // new coins in those blocks
  double height_end = 0.0;   // height after the day's last block
  double difficulty = 0.0;   // difficulty in force at the end of the day
  double retargets = 0.0;    // how many retargets happened today
};

class ChainState {
 public:
  ChainState() = default;
  void reset(const ChainStart& start, const ChainOptions& options);

  // Advances one day with the network at `network_hashrate_ths`. In Poisson mode one uniform
  // is drawn from `rng` every day (fixed draw count); in expected mode rng is not touched.
  ChainDay advance_day(double network_hashrate_ths, rng::Engine& rng);

  double height() const { return height_; }
  double difficulty() const { return difficulty_; }

 private:
  ChainOptions options_{};
  double height_ = 0.0;
  double difficulty_ = 1.0;
  double epoch_start_height_ = 0.0;
  double epoch_elapsed_s_ = 0.0;
  double fixed_subsidy_btc_per_block_ = 0.0;
};

}  // namespace hashsim::chain
