#include "engine/rng/streams.h"

namespace hashsim::rng {

Engine make_rng(std::uint64_t master_seed, Stream purpose, std::uint64_t path_index) {
  std::uint64_t sm = master_seed ^ (static_cast<std::uint64_t>(purpose) * 0xD1B54A32D192ED03ULL);
  const pcg_extras::pcg128_t state =
      (static_cast<pcg_extras::pcg128_t>(splitmix64(sm)) << 64) | splitmix64(sm);
  const pcg_extras::pcg128_t stream =
      (static_cast<pcg_extras::pcg128_t>(splitmix64(sm)) << 64) | splitmix64(sm);
  Engine e(state, stream);
  e.advance(static_cast<pcg_extras::pcg128_t>(path_index) * kPathStride);
  return e;
}

}  // namespace hashsim::rng
