#pragma once
// Random streams by purpose, not by thread (DESIGN.md section 3). A stream's pcg64 state is
// derived from (master_seed, purpose) with SplitMix64 and then advanced by path_index * 2^64,
// so path i of a scenario draws the same numbers whatever the thread count, block size or the
// order in which paths are run. Each path owns 2^64 draws per purpose before overlapping the next.
#include <pcg_random.hpp>

#include <cstdint>

namespace hashsim::rng {

enum class Stream : std::uint64_t {
  Price = 1,
  Jumps = 2,
  Fees = 3,
  Blocks = 4,
  Hashrate = 5,
  Agents = 6,
  Replay = 7,
};

using Engine = pcg64;

// SplitMix64 step (Steele, Lea & Flood 2014): a bijective mixer used only for seeding.
constexpr std::uint64_t splitmix64(std::uint64_t& state) {
  std::uint64_t z = (state += 0x9E3779B97F4A7C15ULL);
  z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
  z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
  return z ^ (z >> 31);
}

Engine make_rng(std::uint64_t master_seed, Stream purpose, std::uint64_t path_index);

// Uniform in the open interval (0, 1) from the top 53 bits: never 0 or 1, so inverse CDFs stay finite.
inline double uniform_open(Engine& e) {
  const std::uint64_t bits = static_cast<std::uint64_t>(e()) >> 11;
  return (static_cast<double>(bits) + 0.5) * 0x1.0p-53;
}

}  // namespace hashsim::rng
