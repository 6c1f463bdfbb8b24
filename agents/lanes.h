#pragma once
// SIMD lanes across paths (README "Performance"): L paths of one scenario advance through the
// agents' day together, lane l = path l of the block. Lane l of agent a's value lives at
// [a * L + l] (agent-major, lane-minor), so one vector load gives one agent in every lane and the
// loops over agents stay as they are. Lane<1> is double (the one-path code, unchanged); Lane<2> and
// Lane<4> are GCC vector types (clang has them too), compiled to SSE2 / AVX2 or split by the
// compiler where the ISA is narrower.
//
// Why a path's bytes do not depend on L: every lane does exactly the one-path code's IEEE
// operations on its own values in the same order. Nothing sums across lanes, the reproducibility
// flags forbid contraction to FMA (-ffp-contract=off), and vmin/vmax below are std::min/std::max's
// own comparisons, NaN and signed-zero cases included.
#include <cstring>

namespace hashsim::agents {

template <int L>
struct LaneTraits;
template <>
struct LaneTraits<1> {
  using type = double;
};
template <>
struct LaneTraits<2> {
  typedef double type __attribute__((vector_size(16)));  // NOLINT(modernize-use-using)
};
template <>
struct LaneTraits<4> {
  typedef double type __attribute__((vector_size(32)));  // NOLINT(modernize-use-using)
};
template <int L>
using Lane = typename LaneTraits<L>::type;

// The lane widths this build offers: 1 (one path at a time), 2 and 4.
constexpr int kMaxLanes = 4;
// The default lane count: 4 where one AVX register holds 4 doubles. Without AVX, 1: the passes
// over agents already vectorise 2 wide in SSE2, and 2 lanes measured slower than 1 even in the
// AVX2 build (README "Performance"), so lanes only pay where they are 4 wide.
#if defined(__AVX__)
constexpr int kNativeLanes = 4;
#else
constexpr int kNativeLanes = 1;
#endif

template <int L>
inline Lane<L> load_lanes(const double* p) {
  if constexpr (L == 1) {
    return *p;
  } else {
    Lane<L> v;
    std::memcpy(&v, p, sizeof v);
    return v;
  }
}
template <int L>
inline void store_lanes(double* p, Lane<L> v) {
  if constexpr (L == 1) {
    *p = v;
  } else {
    std::memcpy(p, &v, sizeof v);
  }
}
template <int L>
inline Lane<L> broadcast(double x) {
  if constexpr (L == 1) {
    return x;
  } else {
    Lane<L> v;
    for (int l = 0; l < L; ++l) v[l] = x;
    return v;
  }
}
template <int L>
inline double lane(const Lane<L>& v, int l) {
  if constexpr (L == 1) {
    (void)l;
    return v;
  } else {
    return v[l];
  }
}
template <int L>
inline void set_lane(Lane<L>& v, int l, double x) {
  if constexpr (L == 1) {
    (void)l;
    v = x;
  } else {
    v[l] = x;
  }
}
// Whether lane l of a comparison's mask is set (the bool or int itself for one lane).
template <int L, class M>
inline bool lane_mask(const M& m, int l) {
  if constexpr (L == 1) {
    (void)l;
    return m != 0;
  } else {
    return m[l] != 0;
  }
}
// std::min(a, b) is (b < a) ? b : a and std::max(a, b) is (a < b) ? b : a: the same selects lane by
// lane (a vector comparison gives a lane mask, and ?: selects by it).
template <class V>
inline V vmin(V a, V b) {
  return b < a ? b : a;
}
template <class V>
inline V vmax(V a, V b) {
  return a < b ? b : a;
}

}  // namespace hashsim::agents
