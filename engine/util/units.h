#pragma once
// Units and Bitcoin constants shared by every module: the one place they are defined (the
// consensus facts follow Bitcoin Core: COIN in amount.h, nSubsidyHalvingInterval in
// chainparams.cpp; 144 blocks a day is the 600 s target spacing over 86,400 s).
#include <cstdint>

namespace hashsim::units {

inline constexpr std::int64_t kSatPerBtc = 100'000'000;    // satoshis per bitcoin
inline constexpr std::int64_t kHalvingInterval = 210'000;  // blocks between subsidy halvings
inline constexpr int kBlocksPerDay = 144;                  // at the 600 s target spacing
inline constexpr double kSecondsPerDay = 86'400.0;
// Simulation years are 365 simulated days: BTC trades every calendar day, and the price model's
// dt is 1 / kDaysPerYear (engine/market/price_model.h).
inline constexpr double kDaysPerYear = 365.0;

}  // namespace hashsim::units
