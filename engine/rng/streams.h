#pragma once
// Random streams by purpose, not by thread (DESIGN.md section 3). A stream's pcg64 state is
// derived from (master_seed, purpose) with SplitMix64 and then advanced by path_index * J with
// J = 2^128 / phi (golden ratio, rounded to odd), so path i of a scenario draws the same numbers
// whatever the thread count, block size or the order in which paths are run.
//
// Why not path_index * 2^64: pcg64 is an LCG modulo 2^128 whose low 64 state bits have period
// 2^64, so starts 2^64 apart share their low 64 bits for ever and the XSL-RR outputs of
// neighbouring paths are visibly correlated (the mean of the first normal over 2e5 paths was
// 8 standard errors from 0; tests/engine/rng_test.cpp). The golden-ratio stride is the one
// numpy's PCG64.jumped() uses for the same reason. By the three-distance theorem the starts of
// any N paths are at least about 2^128 / (2.7 N) draws apart: more than 10^31 draws per path
// for N <= kMaxPaths (10^7), so paths never overlap.
#include <pcg_random.hpp>

#include <cstdint>

namespace hashsim::rng {

// The values seed the streams (make_rng): never renumber one, and never reuse a retired value
// (6 and 7 were named for agents and replay, which never drew from a stream).
enum class Stream : std::uint64_t {
  Price = 1,
  Jumps = 2,
  Fees = 3,
  Blocks = 4,
  Hashrate = 5,
  SiteEquityIndex = 8,  // engine/site: the equity-index alternative
  SiteFx = 9,           // engine/site: the stochastic FX path
  Shocks = 10,          // agents/shocks.h: exogenous hashrate shocks (two uniforms a day)
  Parameters = 11,      // agents: per-path parameter draws (kUncertainParameterCount normals)
};

using Engine = pcg64;

// SplitMix64 step (Steele, Lea & Flood 2014): a bijective mixer used only for seeding.
constexpr std::uint64_t splitmix64(std::uint64_t& state) {
  std::uint64_t z = (state += 0x9E3779B97F4A7C15ULL);
  z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
  z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
  return z ^ (z >> 31);
}

// 2^128 / phi rounded to odd: 0x9E3779B97F4A7C15F39CC0605CEDC835.
inline constexpr pcg_extras::pcg128_t kPathStride =
    (static_cast<pcg_extras::pcg128_t>(0x9E3779B97F4A7C15ULL) << 64) | 0xF39CC0605CEDC835ULL;

Engine make_rng(std::uint64_t master_seed, Stream purpose, std::uint64_t path_index);

// Consumes `n` outputs without using them: keeps a stream's draws per day fixed when a model
// does not need its variate that day (a replayed series, agents driving the network).
inline void skip_draws(Engine& e, unsigned n) {
  for (unsigned i = 0; i < n; ++i) (void)e();
}

// Uniform in the open interval (0, 1) from the top 53 bits: never 0 or 1, so inverse CDFs stay
// finite.
inline double uniform_open(Engine& e) {
  const std::uint64_t bits = static_cast<std::uint64_t>(e()) >> 11;
  return (static_cast<double>(bits) + 0.5) * 0x1.0p-53;
}

}  // namespace hashsim::rng
