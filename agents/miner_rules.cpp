#include "agents/miner_rules.h"

#include <algorithm>
#include <cmath>

#include "engine/market/price_model.h"
#include "engine/util/units.h"

namespace hashsim::agents {

namespace {
constexpr double kDaysPerMonth = 365.25 / 12.0;
}

double network_hashrate_ths(const ArchetypeTable& t, const MinerState& s) {
  double h = 0.0;
  for (std::size_t a = 0; a < s.n; ++a)
    h += t.network_weight[a] * t.hashrate_ths[a] * s.machines_on[a];
  return h;
}

namespace {
// The rule numbers of each lane's path (its own draw under agents.uncertainty; the scenario's
// otherwise). Switches and integer rules (windows, delays, flags) are read from lane 0's rules:
// draw_path_rules draws numbers only, so they are the same in every lane.
template <int L>
struct LaneRules {
  using V = Lane<L>;
  V net_share, max_off, restart_frac, retire_frac, resale, reinvest;
  double horizon_days[L], growth_per_year[L], band_growth_per_year[L], supply_growth_per_year[L],
      supply_premium[L];
  int supply_max_wait_days[L];
  explicit LaneRules(const DefaultRules* const* rules) {
    for (int l = 0; l < L; ++l) {
      const DefaultRules& r = *rules[l];
      set_lane<L>(net_share, l, 1.0 - r.pool_fee);
      set_lane<L>(max_off, l, r.max_switch_off_fraction_per_day);
      set_lane<L>(restart_frac, l, r.restart_fraction_per_day);
      set_lane<L>(retire_frac, l, r.retire_fraction_per_day);
      set_lane<L>(resale, l, r.resale_fraction);
      set_lane<L>(reinvest, l, r.reinvest_fraction);
      horizon_days[l] = r.max_payback_days;
      growth_per_year[l] = r.expected_difficulty_growth_per_year;
      band_growth_per_year[l] = r.band_capacity_growth_per_year;
      supply_growth_per_year[l] = r.supply_growth_per_year;
      supply_premium[l] = r.supply_price_premium_per_backlog_month;
      supply_max_wait_days[l] = r.supply_max_wait_days;
    }
  }
};

// Earn and book for every agent (observers included). Branch-free: both strategies are computed
// and blended by the 0/1 Long BTC flag, so the loop vectorises.
// online_share: the share of each fleet not forced offline by a shock (1 without shocks).
template <int L>
void earn_and_book(std::size_t n, Lane<L> hp_btc, Lane<L> price_usd, Lane<L> inv_price,
                   Lane<L> online_share, const double* __restrict th,
                   const double* __restrict cost_pm, const double* __restrict is_long_v,
                   const double* __restrict on, double* __restrict usd, double* __restrict btc,
                   double* __restrict ring, double* __restrict win, double* __restrict total,
                   double* __restrict pday) {
  using V = Lane<L>;
  for (std::size_t a = 0; a < n; ++a) {
    const std::size_t i = a * L;
    const V running = load_lanes<L>(on + i) * online_share;
    const V rev_btc = running * th[a] * hp_btc;
    const V cost_usd = running * cost_pm[a];
    const V profit = rev_btc * price_usd - cost_usd;
    const double is_long = is_long_v[a];
    const V btc_a = load_lanes<L>(btc + i);
    const V sold = vmin(btc_a + rev_btc, cost_usd * inv_price);
    store_lanes<L>(btc + i, btc_a + is_long * (rev_btc - sold));
    store_lanes<L>(usd + i, load_lanes<L>(usd + i) + ((1.0 - is_long) * profit +
                                                      is_long * (sold * price_usd - cost_usd)));
    store_lanes<L>(win + i, load_lanes<L>(win + i) + (profit - load_lanes<L>(ring + i)));
    store_lanes<L>(ring + i, profit);
    store_lanes<L>(total + i, load_lanes<L>(total + i) + profit);
    store_lanes<L>(pday + i, profit);
  }
}

// (e^(-k a) - e^(-k (a + len))) / k without cancellation; the limit len as k -> 0.
// e^(-k * 0) = 1 exactly: the first segment skips the exp (the same bits, one call fewer).
double segment_decay(double k, double a, double len) {
  return k > 0.0 ? (a == 0.0 ? 1.0 : std::exp(-k * a)) * -std::expm1(-k * len) / k : len;
}

// Integral over [a, b] of max(m R e^(-k t) - C, 0) dt (k >= 0): the machine runs until
// m R e^(-k t) = C, i.e. t_stop = ln(m R / C) / k.
double run_segment_usd(double m_revenue, double cost, double k, double a, double b) {
  if (!(b > a) || !(m_revenue > 0.0)) return 0.0;
  double end = b;
  if (cost > 0.0) {
    if (k > 0.0) {
      end = std::min(b, std::log(m_revenue / cost) / k);
    } else if (m_revenue <= cost) {
      return 0.0;
    }
  }
  if (!(end > a)) return 0.0;
  const double len = end - a;
  return m_revenue * segment_decay(k, a, len) - cost * len;
}

// Switch off / restart / retire for every archetype on the short-term margin.
template <int L>
void switch_and_retire(std::size_t n, const LaneRules<L>& lr, Lane<L> net_hp_switch_usd,
                       double survive, bool proportional_restart, const double* __restrict th,
                       const double* __restrict cost_pm, const double* __restrict inv_cost_pm,
                       const double* __restrict machine_price, double* __restrict on,
                       double* __restrict idle, double* __restrict usd,
                       double* __restrict retired) {
  using V = Lane<L>;
  const V zero{};
  const V max_off = lr.max_off, restart_frac = lr.restart_frac;
  const V retire_frac = lr.retire_frac, resale = lr.resale;
  for (std::size_t a = 0; a < n; ++a) {
    const std::size_t i = a * L;
    const V on_a = load_lanes<L>(on + i) * survive;
    const V idle_a = load_lanes<L>(idle + i) * survive;
    const V margin = th[a] * net_hp_switch_usd - cost_pm[a];
    const V off_frac = vmin(max_off, -margin * inv_cost_pm[a]);
    const V switch_off = margin <= 0.0 ? on_a * off_frac : zero;
    // Proportional restart: the pace grows with the margin relative to the power cost, as the
    // switch-off pace does, so a band near break-even does not jump on and off (free power:
    // the full pace).
    const V rel_margin = inv_cost_pm[a] > 0.0 ? margin * inv_cost_pm[a] : restart_frac;
    const V on_frac = proportional_restart ? vmin(restart_frac, rel_margin) : restart_frac;
    const V restart = margin > 0.0 ? idle_a * on_frac : zero;
    const V retire = margin <= 0.0 ? idle_a * retire_frac : zero;
    store_lanes<L>(on + i, on_a + restart - switch_off);
    store_lanes<L>(idle + i, idle_a + switch_off - restart - retire);
    store_lanes<L>(usd + i,
                   load_lanes<L>(usd + i) + retire * resale * load_lanes<L>(machine_price + i));
    store_lanes<L>(retired + i, load_lanes<L>(retired + i) + retire);
  }
}

// Today's wanted order per archetype from its forward value (want_orders). The two rule switches
// are template parameters: GCC 12 does not vectorise a select on a loop-invariant bool.
template <int L, bool scale_by_value, bool limit_by_funds>
void order_sizes(std::size_t n, Lane<L> net_hp30_usd, Lane<L> price_usd, Lane<L> reinvest,
                 const double* __restrict th, const double* __restrict cost_pm,
                 const double* __restrict is_long_v, const double* __restrict machine_price,
                 const double* __restrict buyable, const double* __restrict usd,
                 const double* __restrict btc, const double* __restrict pending,
                 const double* __restrict win, const double* __restrict value,
                 double* __restrict buy_out) {
  using V = Lane<L>;
  const V zero{}, one = broadcast<L>(1.0);
  for (std::size_t a = 0; a < n; ++a) {
    const std::size_t i = a * L;
    const V revenue = th[a] * net_hp30_usd;
    const V margin = revenue - cost_pm[a];
    const V price = load_lanes<L>(machine_price + i);
    const V inv_machine_price = 1.0 / price;
    const V value_a = load_lanes<L>(value + i), win_a = load_lanes<L>(win + i);
    const auto worth_buying =
        (margin > 0.0) & (value_a >= price) & (win_a > 0.0) & (broadcast<L>(buyable[a]) > 0.0);
    V scale = one;
    if constexpr (scale_by_value) scale = vmin(one, (value_a - price) * inv_machine_price);
    const V want = worth_buying
                       ? reinvest * scale * win_a * inv_machine_price - load_lanes<L>(pending + i)
                       : zero;
    const V funds_usd =
        vmax(load_lanes<L>(usd + i), zero) + is_long_v[a] * load_lanes<L>(btc + i) * price_usd;
    if constexpr (limit_by_funds)
      store_lanes<L>(buy_out + i, vmin(vmax(want, zero), funds_usd * inv_machine_price));
    else
      store_lanes<L>(buy_out + i, vmax(want, zero));
  }
}

// Forward value per machine and today's wanted order per archetype (funds-limited, not yet paid).
// The value (the hot part: log/exp per evaluation) is evaluated once per distinct (TH/s, cost)
// pair (value_evaluated, see MinerState) and only where an order is possible: an archetype with
// margin <= 0, or one whose value cannot reach the price, orders nothing whatever its exact
// value, so skipping those changes no result (value_scratch holds 0 for them). The value has
// branches and libm calls, so each lane evaluates its own.
template <int L>
void want_orders(std::size_t n, const LaneRules<L>& lr, const DefaultRules& r, Lane<L> net_hp30_usd,
                 Lane<L> price_usd, const RewardOutlook* outlook, const double* __restrict th,
                 const double* __restrict cost_pm, const double* __restrict is_long_v,
                 const double* __restrict machine_price, const double* __restrict buyable,
                 const double* __restrict usd, const double* __restrict btc,
                 const double* __restrict pending, const double* __restrict win,
                 const std::vector<std::size_t>& value_evaluated,
                 const std::size_t* __restrict value_source, double* __restrict value,
                 double* __restrict buy_out, bool limit_by_funds) {
  using V = Lane<L>;
  ForwardValueDay forward[L];
  V horizon{}, ratio_after_halving{};
  for (int l = 0; l < L; ++l) {
    forward[l] = ForwardValueDay(lr.horizon_days[l], lr.growth_per_year[l], outlook[l]);
    set_lane<L>(horizon, l, lr.horizon_days[l]);
    set_lane<L>(ratio_after_halving, l, outlook[l].reward_ratio_after_halving);
  }
  for (const std::size_t a : value_evaluated) {
    const V revenue = th[a] * net_hp30_usd;
    const V margin = revenue - cost_pm[a];
    // The value is at most margin * horizon (revenue only falls: k >= 0 and the halving ratio
    // <= 1), so a pair whose undiscounted margin over the horizon stays below the machine's
    // price (the same for every archetype of the pair: same machine) cannot reach the price;
    // the 1e-9 slack covers the rounding of the evaluated value (a few ulp).
    const auto can_pay_back =
        (margin > 0.0) &
        ((ratio_after_halving > 1.0) |
         (margin * horizon >= load_lanes<L>(machine_price + a * L) * (1.0 - 1e-9)));
    // The value itself (branches, libm's log/expm1 on the slow path) lane by lane, only where
    // it can matter.
    for (int l = 0; l < L; ++l) {
      value[a * L + static_cast<std::size_t>(l)] =
          lane_mask<L>(can_pay_back, l) ? forward[l].value_usd(lane<L>(revenue, l), cost_pm[a])
                                        : 0.0;
    }
  }
  // Copy each pair's value to its other archetypes first (a gather), so the loop below is
  // branch-free over contiguous arrays and vectorises.
  for (std::size_t a = 0; a < n; ++a)
    store_lanes<L>(value + a * L, load_lanes<L>(value + value_source[a] * L));
  auto* const sizes =
      r.scale_orders_by_value
          ? (limit_by_funds ? order_sizes<L, true, true> : order_sizes<L, true, false>)
          : (limit_by_funds ? order_sizes<L, false, true> : order_sizes<L, false, false>);
  sizes(n, net_hp30_usd, price_usd, lr.reinvest, th, cost_pm, is_long_v, machine_price, buyable,
        usd, btc, pending, win, value, buy_out);
}

// Pay for today's orders: from USD first; Long BTC sells BTC for any shortfall.
template <int L>
void pay_orders(std::size_t n, Lane<L> price_usd, Lane<L> inv_price,
                const double* __restrict is_long_v, const double* __restrict machine_price,
                const double* __restrict buy, double* __restrict usd, double* __restrict btc,
                double* __restrict pending) {
  using V = Lane<L>;
  const V zero{};
  for (std::size_t a = 0; a < n; ++a) {
    const std::size_t i = a * L;
    const V buy_a = load_lanes<L>(buy + i);
    const V usd_after = load_lanes<L>(usd + i) - buy_a * load_lanes<L>(machine_price + i);
    const V btc_a = load_lanes<L>(btc + i);
    const V btc_sold = is_long_v[a] * vmin(btc_a, vmax(-usd_after, zero) * inv_price);
    store_lanes<L>(btc + i, btc_a - btc_sold);
    store_lanes<L>(usd + i, usd_after + btc_sold * price_usd);
    store_lanes<L>(pending + i, load_lanes<L>(pending + i) + buy_a);
  }
}

// The factor that scales a band's orders to its free capacity today: room = capacity0 * factor -
// used (at least 0); the orders fit (1) or shrink to the room.
template <int L>
Lane<L> band_order_scale(const double* capacity0_kw, Lane<L> capacity_factor, Lane<L> used_kw,
                         Lane<L> ordered_kw) {
  const Lane<L> room = vmax(load_lanes<L>(capacity0_kw) * capacity_factor - used_kw, Lane<L>{});
  return ordered_kw > room ? room / ordered_kw : broadcast<L>(1.0);
}

// cap_orders_by_band when archetype row * NB + b is in band b (MinerState::bands_periodic) and
// NB is small: the band sums live in registers, each still adds its archetypes in archetype order
// as the general loop does (the same bits), and the loops over a row's NB bands unroll.
template <std::size_t NB, int L>
void cap_periodic_bands(const ArchetypeTable& t, const double* __restrict power_kw,
                        const double* __restrict order_power_kw, BasicMinerState<L>& s,
                        Lane<L> capacity_factor) {
  using V = Lane<L>;
  const std::size_t n_env = t.n_env;
  const double* __restrict on = s.machines_on.data();
  const double* __restrict idle = s.machines_idle.data();
  const double* __restrict pending = s.pending_machines.data();
  double* __restrict buy = s.buy_scratch.data();
  V used[NB] = {}, ordered[NB] = {}, scale[NB];
  for (std::size_t row = 0; row < n_env; row += NB)
    for (std::size_t b = 0; b < NB; ++b) {
      const std::size_t a = row + b, i = a * L;
      used[b] += power_kw[a] * (load_lanes<L>(on + i) + load_lanes<L>(idle + i)) +
                 order_power_kw[a] * load_lanes<L>(pending + i);
      ordered[b] += order_power_kw[a] * load_lanes<L>(buy + i);
    }
  for (std::size_t b = 0; b < NB; ++b) {
    scale[b] = band_order_scale<L>(s.band_capacity0_kw.data() + b * L, capacity_factor, used[b],
                                   ordered[b]);
    store_lanes<L>(s.band_used_kw.data() + b * L, used[b]);
    store_lanes<L>(s.band_order_kw.data() + b * L, scale[b]);
  }
  for (std::size_t row = 0; row < n_env; row += NB)
    for (std::size_t b = 0; b < NB; ++b) {
      double* cell = buy + (row + b) * L;
      store_lanes<L>(cell, load_lanes<L>(cell) * scale[b]);
    }
}

// Finite power per tariff band: scale the band's orders so that on + idle + pending + ordered
// power stays within its capacity today.
template <int L>
void cap_orders_by_band(const ArchetypeTable& t, const double* power_kw,
                        const double* order_power_kw, BasicMinerState<L>& s,
                        Lane<L> capacity_factor) {
  const std::size_t n_env = t.n_env, nb = t.n_bands;
  std::fill(s.band_used_kw.begin(), s.band_used_kw.end(), 0.0);
  std::fill(s.band_order_kw.begin(), s.band_order_kw.end(), 0.0);
  if (s.bands_periodic) {
    switch (nb) {
      case 1:
        return cap_periodic_bands<1, L>(t, power_kw, order_power_kw, s, capacity_factor);
      case 2:
        return cap_periodic_bands<2, L>(t, power_kw, order_power_kw, s, capacity_factor);
      case 3:
        return cap_periodic_bands<3, L>(t, power_kw, order_power_kw, s, capacity_factor);
      case 4:
        return cap_periodic_bands<4, L>(t, power_kw, order_power_kw, s, capacity_factor);
      case 5:
        return cap_periodic_bands<5, L>(t, power_kw, order_power_kw, s, capacity_factor);
      case 6:
        return cap_periodic_bands<6, L>(t, power_kw, order_power_kw, s, capacity_factor);
      case 7:
        return cap_periodic_bands<7, L>(t, power_kw, order_power_kw, s, capacity_factor);
      case 8:
        return cap_periodic_bands<8, L>(t, power_kw, order_power_kw, s, capacity_factor);
      default:
        break;
    }
  }
  double* used = s.band_used_kw.data();
  double* ordered = s.band_order_kw.data();
  for (std::size_t a = 0; a < n_env; ++a) {
    const std::size_t b = static_cast<std::size_t>(t.tariff_band[a]) * L, i = a * L;
    store_lanes<L>(used + b,
                   load_lanes<L>(used + b) +
                       (power_kw[a] * (load_lanes<L>(s.machines_on.data() + i) +
                                       load_lanes<L>(s.machines_idle.data() + i)) +
                        order_power_kw[a] * load_lanes<L>(s.pending_machines.data() + i)));
    store_lanes<L>(ordered + b, load_lanes<L>(ordered + b) +
                                    order_power_kw[a] * load_lanes<L>(s.buy_scratch.data() + i));
  }
  for (std::size_t b = 0; b < nb; ++b)  // band_order_kw now holds the band's scale factor
    store_lanes<L>(
        ordered + b * L,
        band_order_scale<L>(s.band_capacity0_kw.data() + b * L, capacity_factor,
                            load_lanes<L>(used + b * L), load_lanes<L>(ordered + b * L)));
  for (std::size_t a = 0; a < n_env; ++a) {
    double* cell = s.buy_scratch.data() + a * L;
    store_lanes<L>(cell,
                   load_lanes<L>(cell) *
                       load_lanes<L>(ordered + static_cast<std::size_t>(t.tariff_band[a]) * L));
  }
}

// Today's price of every catalogue slot: one exp per slot per day (and lane), not per archetype;
// `premium` is the supply backlog's price factor (1 without supply limits).
template <int L>
void update_machine_prices(const ArchetypeTable& t, const std::vector<MachineSpec>& slots,
                           BasicMinerState<L>& s, Lane<L> hp30_usd, Lane<L> premium) {
  for (int l = 0; l < L; ++l) {
    const double log_hp_ratio =
        std::log(std::max(lane<L>(hp30_usd, l), 1e-300) / lane<L>(s.start_hashprice_usd, l));
    const double level = lane<L>(s.machine_price_level, l), premium_l = lane<L>(premium, l);
    for (std::size_t m = 0; m < s.price_by_machine_usd.size() / L; ++m) {
      const auto& spec = slots[m];
      double price = spec.price_usd * std::exp(spec.price_growth_factor * log_hp_ratio);
      if (level != 1.0) price *= level;
      if (premium_l != 1.0) price *= premium_l;
      s.price_by_machine_usd[m * L + static_cast<std::size_t>(l)] = price;
    }
  }
  // Archetypes of one machine are contiguous (MinerState::machine_run_end): a fill per machine.
  std::size_t run_start = 0;
  for (const std::size_t run_end : s.machine_run_end) {
    const Lane<L> price = load_lanes<L>(s.price_by_machine_usd.data() +
                                        static_cast<std::size_t>(t.machine[run_start]) * L);
    for (std::size_t a = run_start; a < run_end; ++a)
      store_lanes<L>(s.price_scratch_usd.data() + a * L, price);
    run_start = run_end;
  }
  if (!t.epochs
           .empty()) {  // the price of what each archetype orders (the newest generation on sale)
    const std::vector<int>& slot = t.epochs[s.epoch].order_slot;
    for (std::size_t a = 0; a < t.n_env; ++a)
      store_lanes<L>(
          s.order_price_usd.data() + a * L,
          load_lanes<L>(s.price_by_machine_usd.data() + static_cast<std::size_t>(slot[a]) * L));
  }
}
// The per-agent specs in force: the generation epoch's, or the table's when generations are off.
// o*: the machine an agent orders (generations: the newest on sale in its group; else its own);
// order_to: where its orders go online (nullptr: itself).
struct Specs {
  const double *th, *kw, *cost, *inv_cost, *buyable;
  const int* delay;
  const std::vector<MachineSpec>* slots;
  const double *oth, *okw, *ocost;
  const int *odelay, *order_to, *order_slot;
  // Forward-value sharing keyed on the ordered machine (MinerState::value_source).
  const std::vector<std::size_t>* value_evaluated;
  const std::size_t* value_source;
};
template <int L>
Specs specs_of(const ArchetypeTable& t, const BasicMinerState<L>& s) {
  if (t.epochs.empty())
    return {t.hashrate_ths.data(),
            t.power_kw.data(),
            t.power_cost_usd_per_day.data(),
            t.inv_power_cost_usd_per_day.data(),
            t.buyable.data(),
            t.pipeline_delay_days.data(),
            &t.catalogue.machines,
            t.hashrate_ths.data(),
            t.power_kw.data(),
            t.power_cost_usd_per_day.data(),
            t.pipeline_delay_days.data(),
            nullptr,
            t.machine.data(),
            &s.value_evaluated,
            s.value_source.data()};
  const GenerationEpoch& e = t.epochs[s.epoch];
  return {e.hashrate_ths.data(),
          e.power_kw.data(),
          e.power_cost_usd_per_day.data(),
          e.inv_power_cost_usd_per_day.data(),
          e.buyable.data(),
          e.pipeline_delay_days.data(),
          &e.machines,
          e.order_hashrate_ths.data(),
          e.order_power_kw.data(),
          e.order_power_cost_usd_per_day.data(),
          e.order_delay_days.data(),
          e.order_to.data(),
          e.order_slot.data(),
          &e.value_evaluated,
          e.value_source.data()};
}

// Epoch `e` begins (previous epoch `prev`). A new generation takes slot e.merge_from: its
// archetypes' machines (on, idle) join slot e.merge_into's at equal hashrate (x merge_ratio), with
// their money, orders in flight (counted in the ordered machine, the same for both payers of a
// group) and profit history; the slot starts empty with the new generation. Then orders in flight
// whose ordered machine changed are recounted at equal hashrate in the new one.
template <int L>
void begin_epoch(const ArchetypeTable& t, BasicMinerState<L>& s, const GenerationEpoch& prev,
                 const GenerationEpoch& e) {
  const std::size_t nl = s.n * L;
  const std::size_t per_slot = 2 * t.n_bands;  // archetypes: machine -> strategy -> band
  for (std::size_t a = 0; e.merge_from >= 0 && a < per_slot; ++a) {
    const std::size_t f = (static_cast<std::size_t>(e.merge_from) * per_slot + a) * L;
    const std::size_t i = (static_cast<std::size_t>(e.merge_into) * per_slot + a) * L;
    const double k = e.merge_ratio;
    for (std::size_t l = 0; l < L; ++l) {
      for (auto* v : {&s.machines_on, &s.machines_idle, &s.retired_machines}) {
        (*v)[i + l] += k * (*v)[f + l];
        (*v)[f + l] = 0.0;
      }
      for (auto* v : {&s.usd, &s.btc, &s.profit_window_usd, &s.profit_total_usd, &s.profit_day_usd,
                      &s.pending_machines}) {
        (*v)[i + l] += (*v)[f + l];
        (*v)[f + l] = 0.0;
      }
      for (int p = 0; p < s.pipeline_len; ++p) {
        double* row = s.pipeline.data() + static_cast<std::size_t>(p) * nl;
        row[i + l] += row[f + l];
        row[f + l] = 0.0;
      }
      for (int w = 0; w < s.window; ++w) {
        double* row = s.profit_ring.data() + static_cast<std::size_t>(w) * nl;
        row[i + l] += row[f + l];
        row[f + l] = 0.0;
      }
    }
  }
  for (std::size_t a = 0; a < t.n_env; ++a) {
    if (prev.order_hashrate_ths[a] == e.order_hashrate_ths[a] && prev.order_to[a] == e.order_to[a])
      continue;
    const double k = prev.order_hashrate_ths[a] / e.order_hashrate_ths[a];
    for (std::size_t l = 0; l < L; ++l) {
      s.pending_machines[a * L + l] *= k;
      for (int p = 0; p < s.pipeline_len; ++p)
        s.pipeline[static_cast<std::size_t>(p) * nl + a * L + l] *= k;
    }
  }
}
}  // namespace

template <int L>
const double* hashrate_ths_in_force(const ArchetypeTable& t, const BasicMinerState<L>& s) {
  return specs_of(t, s).th;
}
template const double* hashrate_ths_in_force(const ArchetypeTable&, const BasicMinerState<1>&);
template const double* hashrate_ths_in_force(const ArchetypeTable&, const BasicMinerState<2>&);
template const double* hashrate_ths_in_force(const ArchetypeTable&, const BasicMinerState<4>&);

RewardOutlook reward_outlook(double height, double subsidy_btc_per_block,
                             double fee_btc_per_block) {
  constexpr auto kHalvingInterval = static_cast<double>(units::kHalvingInterval);
  constexpr auto kBlocksPerDay = static_cast<double>(units::kBlocksPerDay);
  RewardOutlook o;
  const double next = (std::floor(height / kHalvingInterval) + 1.0) * kHalvingInterval;
  o.days_to_halving = (next - height) / kBlocksPerDay;
  const double now = subsidy_btc_per_block + fee_btc_per_block;
  o.reward_ratio_after_halving =
      now > 0.0 ? (0.5 * subsidy_btc_per_block + fee_btc_per_block) / now : 1.0;
  return o;
}

double forward_machine_value_usd(double revenue_usd_per_day, double cost_usd_per_day,
                                 double horizon_days, double growth_per_year,
                                 const RewardOutlook& outlook) {
  const double k = std::max(growth_per_year, 0.0) / market::kDaysPerYear;
  const double t_h = std::min(std::max(outlook.days_to_halving, 0.0), horizon_days);
  return run_segment_usd(revenue_usd_per_day, cost_usd_per_day, k, 0.0, t_h) +
         run_segment_usd(revenue_usd_per_day * outlook.reward_ratio_after_halving, cost_usd_per_day,
                         k, t_h, horizon_days);
}

ForwardValueDay::ForwardValueDay(double horizon_days, double growth_per_year,
                                 const RewardOutlook& outlook)
    : horizon_days_(horizon_days), growth_per_year_(growth_per_year), outlook_(outlook) {
  // The same k and t_h as forward_machine_value_usd.
  k_ = std::max(growth_per_year, 0.0) / market::kDaysPerYear;
  const double t_h = std::min(std::max(outlook.days_to_halving, 0.0), horizon_days);
  start_[0] = 0.0;
  end_[0] = t_h;
  start_[1] = t_h;
  end_[1] = horizon_days;
  if (!(k_ > 0.0)) return;  // no log to skip: value_usd calls forward_machine_value_usd
  for (int i = 0; i < 2; ++i) {
    full_len_[i] = end_[i] - start_[i];
    full_decay_[i] = segment_decay(k_, start_[i], full_len_[i]);
    // run_segment_usd stops at min(b, ln(mR / C) / k). For mR / C >= e^(k b) (1 + 1e-6) the log
    // is >= k b + 1e-6 (less its rounding, a few 1e-16 relative), so the stop is b exactly and the
    // log need not be taken. e^(k b) overflowing to inf leaves every machine to the slow path.
    run_to_end_ratio_[i] = std::exp(k_ * end_[i]) * (1.0 + 1e-6);
  }
}

double ForwardValueDay::segment_usd(int i, double m_revenue, double cost) const {
  const double a = start_[i], b = end_[i];
  if (!(b > a) || !(m_revenue > 0.0)) return 0.0;
  if (cost > 0.0 && m_revenue >= cost * run_to_end_ratio_[i])
    return m_revenue * full_decay_[i] - cost * full_len_[i];
  return run_segment_usd(m_revenue, cost, k_, a, b);
}

double ForwardValueDay::value_usd(double revenue_usd_per_day, double cost_usd_per_day) const {
  if (!(k_ > 0.0))
    return forward_machine_value_usd(revenue_usd_per_day, cost_usd_per_day, horizon_days_,
                                     growth_per_year_, outlook_);
  return segment_usd(0, revenue_usd_per_day, cost_usd_per_day) +
         segment_usd(1, revenue_usd_per_day * outlook_.reward_ratio_after_halving,
                     cost_usd_per_day);
}

void seed_default(const ArchetypeTable& t, MinerState& s, double hashprice_usd_per_th_day) {
  // Day-0 decision hashprice fills the windows, as if the last 30 days had looked like today.
  (void)t;
  s.start_hashprice_usd = hashprice_usd_per_th_day;
  std::fill(s.hashprice_ring_usd.begin(), s.hashprice_ring_usd.end(), hashprice_usd_per_th_day);
  s.hashprice_window_sum_usd = hashprice_usd_per_th_day * s.window;
  std::fill(s.switch_ring_usd.begin(), s.switch_ring_usd.end(), hashprice_usd_per_th_day);
  s.switch_window_sum_usd = hashprice_usd_per_th_day * s.switch_window;
}

// Equilibrium machine prices (rules.equilibrium_machine_prices): the level L of every machine
// price at which the day-0 orders n0(L) (the buy rule without pending or funds; the pipeline holds
// them, arriving n0 / delay a day) deliver
//   sum_a TH_a n0_a(L) / delay_a = H (g + lambda) / 365  TH/s a day,
// H the online archetype hashrate, g the agents' expected difficulty growth and lambda = -ln(1 -
// failure rate) the failures to replace: the machine market clears at the growth the miners
// themselves price in, instead of at listed prices that may belong to another hashprice (the
// 2024-25 listings against the 2026 hashprice: nobody would buy, and every forward run would
// decay). n0 falls as L rises (the value V does not depend on L; min(1, (V - L p) / (L p)) / (L p)
// falls), so bisection on ln L over [-ln max, ln max] (60 halvings: the bracket to ~1e-17) finds
// it; at a bound when the target is out of reach. Day 0 only, once per path.
template <class Orders>
double equilibrium_price_level(const ArchetypeTable& t, const DefaultRules& r, const Specs& sp,
                               MinerState& s, double online_ths, Orders&& day0_orders) {
  const double lambda = -std::log1p(-std::min(r.hardware_failure_rate_per_year, 0.999999));
  const double growth = std::isnan(r.equilibrium_growth_per_year)
                            ? r.expected_difficulty_growth_per_year
                            : r.equilibrium_growth_per_year;
  const double target_ths_per_day = online_ths * (growth + lambda) / market::kDaysPerYear;
  auto arrivals_ths_per_day = [&](double log_level) {
    s.machine_price_level = std::exp(log_level);
    day0_orders();
    double ths = 0.0;
    for (std::size_t a = 0; a < t.n_env; ++a)
      ths += sp.oth[a] * s.buy_scratch[a] / std::max(sp.odelay[a], 1);
    return ths;
  };
  const double bound = std::log(r.machine_price_level_max);
  // No growth to clear (a shrinking target), or nothing on sale that could be ordered at any
  // level: the listed prices stand.
  if (!(target_ths_per_day > 0.0)) return 1.0;
  const double cheapest = arrivals_ths_per_day(-bound);
  if (!(cheapest > 0.0)) return 1.0;
  if (cheapest <= target_ths_per_day) return std::exp(-bound);
  if (arrivals_ths_per_day(bound) >= target_ths_per_day) return std::exp(bound);
  double lo = -bound, hi = bound;  // arrivals(lo) > target > arrivals(hi)
  for (int i = 0; i < 60; ++i) {
    const double mid = 0.5 * (lo + hi);
    (arrivals_ths_per_day(mid) > target_ths_per_day ? lo : hi) = mid;
  }
  return std::exp(0.5 * (lo + hi));
}

// Equilibrium start (rules.equilibrium_start), with today's decision hashprice hp0:
//   1. archetypes with margin TH * (1 - pool_fee) * hp0 - kW * 24 * tariff <= 0 start idle;
//   2. every archetype's on and idle counts are scaled by (start hashrate - counted observers) /
//      online archetype hashrate, so the online network is the start hashrate again;
//   3. the profit window holds window days of on * margin (the last month looked like today);
//   4. with rules.equilibrium_machine_prices, every machine price is scaled by the level at which
//      the day-0 orders grow the fleet as the agents expect (equilibrium_price_level);
//   5. the order pipeline holds the day-0 order n0 (the buy rule without pending or funds),
//      arriving n0 / delay a day on days 2..delay + 1 (orders placed in the last `delay` days).
// Then (either start) each band's capacity = (1 + headroom) * kW of its on + idle + pending.
void seed_default(const ArchetypeTable& t, const DefaultRules& r, MinerState& s, double hp0_usd,
                  const RewardOutlook& outlook) {
  seed_default(t, s, hp0_usd);
  const RewardOutlook used_outlook = r.anticipate_halving ? outlook : RewardOutlook{};
  const std::size_t n_env = t.n_env, n = s.n;
  const double net_hp = (1.0 - r.pool_fee) * hp0_usd;
  const Specs sp = specs_of(t, s);
  const DefaultRules* const rules_lane[1] = {&r};
  const LaneRules<1> lane_rules(rules_lane);
  if (r.equilibrium_start) {
    double target_ths = 0.0, online_ths = 0.0;
    for (std::size_t a = 0; a < n_env; ++a) {
      target_ths += t.hashrate_ths[a] * s.machines_on[a];
      if (t.hashrate_ths[a] * net_hp - t.power_cost_usd_per_day[a] <= 0.0) {
        s.machines_idle[a] += s.machines_on[a];
        s.machines_on[a] = 0.0;
      }
      online_ths += t.hashrate_ths[a] * s.machines_on[a];
    }
    if (online_ths > 0.0) {
      const double scale = target_ths / online_ths;
      for (std::size_t a = 0; a < n_env; ++a) {
        s.machines_on[a] *= scale;
        s.machines_idle[a] *= scale;
      }
    } else {  // nothing is profitable: keep the fleet as given (a start out of equilibrium)
      for (std::size_t a = 0; a < n_env; ++a) {
        s.machines_on[a] += s.machines_idle[a];
        s.machines_idle[a] = 0.0;
      }
    }
    for (std::size_t a = 0; a < n_env; ++a) {
      const double p =
          s.machines_on[a] * (t.hashrate_ths[a] * net_hp - t.power_cost_usd_per_day[a]);
      for (int w = 0; w < s.window; ++w) s.profit_ring[static_cast<std::size_t>(w) * n + a] = p;
      s.profit_window_usd[a] = p * s.window;
    }
    const double* order_price =
        t.epochs.empty() ? s.price_scratch_usd.data() : s.order_price_usd.data();
    // The day-0 order n0 per archetype at today's prices (the buy rule without pending or funds).
    auto day0_orders = [&] {
      update_machine_prices<1>(t, *sp.slots, s, hp0_usd, 1.0);
      want_orders<1>(n_env, lane_rules, r, net_hp, 1.0, &used_outlook, sp.oth, sp.ocost,
                     t.is_long_btc.data(), order_price, sp.buyable, s.usd.data(), s.btc.data(),
                     s.pending_machines.data(), s.profit_window_usd.data(), *sp.value_evaluated,
                     sp.value_source, s.value_scratch_usd.data(), s.buy_scratch.data(), false);
    };
    if (r.equilibrium_machine_prices)
      s.machine_price_level = equilibrium_price_level(t, r, sp, s, target_ths, day0_orders);
    day0_orders();  // at the level found (or the listed prices): the order the pipeline holds
    const int len = s.pipeline_len;
    for (std::size_t a = 0; a < n_env; ++a) {
      const int delay = sp.odelay[a];
      const double per_day = s.buy_scratch[a] / delay;
      // Slot d holds what goes online at the end of step d - 1, i.e. for day d: days 2..delay + 1
      // (day 1 runs the day-0 fleet; len > max delay + 1, so no slot wraps).
      for (int d = 2; d <= delay + 1; ++d)
        s.pipeline[static_cast<std::size_t>(d % len) * n + a] += per_day;
      s.pending_machines[a] += s.buy_scratch[a];
      s.buy_scratch[a] = 0.0;
    }
  }
  const bool limited = r.band_capacity_headroom >= 0.0;
  std::fill(s.band_capacity0_kw.begin(), s.band_capacity0_kw.end(), limited ? 0.0 : HUGE_VAL);
  if (limited)
    for (std::size_t a = 0; a < n_env; ++a)
      s.band_capacity0_kw[static_cast<std::size_t>(t.tariff_band[a])] +=
          (1.0 + r.band_capacity_headroom) *
          (t.power_kw[a] * (s.machines_on[a] + s.machines_idle[a]) +
           sp.okw[a] * s.pending_machines[a]);
  // Supply: shipping capacity a day from the start network hashrate (archetypes + counted
  // observers).
  s.supply_ths_per_day0 =
      r.supply_share_per_month > 0.0
          ? r.supply_share_per_month * network_hashrate_ths(t, s) / kDaysPerMonth
          : 0.0;
}

// Default rules, per archetype a and day d (formulas also in README.md):
//   revenue_btc = on * TH * hashprice_btc * (1 - pool_fee);  cost_usd = on * kW * 24 * tariff
//   profit_usd  = revenue_btc * P - cost_usd
//   Sell daily: usd += profit.  Long BTC: btc += revenue_btc, then sells min(btc, cost/P) BTC for
//   power and pays any rest from usd (btc never < 0).
//   decision hashprice = 144 * (subsidy per block + fee per block) * P / online network TH/s
//   Switching (short-term): m_s = TH * (1 - pool_fee) * mean_{switch window}(decision hp) - kW * 24
//   * tariff m_s <= 0: switch off on * min(max_off, -m_s / cost) (idle) and retire idle *
//   retire_fraction (sold at resale_fraction * today's machine price);  m_s > 0: restart idle *
//   min(restart_fraction, m_s / cost) (proportional; legacy: restart_fraction). machine price  =
//   price0 * (mean_30d(hashprice_usd) / hashprice_usd_0)^growth_factor Buying (forward-looking): m
//   = TH * (1 - pool_fee) * mean_30d(decision hp) - cost; V = forward_machine_value_usd(TH * (1 -
//   pool_fee) * mean_30d, cost, max_payback_days, g, outlook); buy if m > 0, V >= price and the
//   30-day profit > 0: n = min(reinvest * min(1, (V - price) / price) * profit_30d / price -
//   pending, funds / price), funds = usd (+ btc * P for Long BTC), then scaled per tariff band to
//   its free capacity; capex paid now, machines online `delay` days later (at least the next day).
//   Failures: on and idle shrink by 1 - (1 - rate)^(1/365) a day.
namespace {
// Supply (rules.supply_*): the backlog (TH/s of every pending machine) against today's shipping
// capacity, per lane; a lane without supply limits keeps premium 1 and no wait.
template <int L>
struct SupplyDay {
  bool limited[L] = {};
  bool any = false;
  Lane<L> backlog_ths{};
  double ship_ths_per_day[L] = {};
  Lane<L> premium = broadcast<L>(1.0);
};
template <int L>
SupplyDay<L> supply_day(const ArchetypeTable& t, const LaneRules<L>& lr, const Specs& sp,
                        const BasicMinerState<L>& s, int day) {
  SupplyDay<L> q;
  for (int l = 0; l < L; ++l) {
    q.limited[l] = lane<L>(s.supply_ths_per_day0, l) > 0.0;
    q.any = q.any || q.limited[l];
  }
  if (!q.any) return q;
  for (std::size_t a = 0; a < t.n_env; ++a)
    q.backlog_ths += sp.oth[a] * load_lanes<L>(s.pending_machines.data() + a * L);
  for (int l = 0; l < L; ++l) {
    if (!q.limited[l]) continue;
    const double ship = lane<L>(s.supply_ths_per_day0, l) *
                        std::exp(lr.supply_growth_per_year[l] * day / market::kDaysPerYear);
    q.ship_ths_per_day[l] = ship;
    set_lane<L>(q.premium, l,
                1.0 + lr.supply_premium[l] *
                          std::max(0.0, lane<L>(q.backlog_ths, l) / ship - kDaysPerMonth) /
                          kDaysPerMonth);
  }
  return q;
}

// Today's orders go into the pipeline ring: online on day + delay (slot without a division:
// delay < len). With supply limits they queue behind the backlog, ceil((B + ordered) / c) days
// (<= max wait). Zero orders are added too: x + (+-0) == x for every cell, since cells are sums
// of orders >= +-0 starting from +0 and so never -0 (the lanes of one agent then add as one
// vector).
template <int L>
void queue_orders(const ArchetypeTable& t, const LaneRules<L>& lr, const Specs& sp,
                  const SupplyDay<L>& q, BasicMinerState<L>& s, int today_slot) {
  const std::size_t n_env = t.n_env, nl = s.n * L;
  const int len = s.pipeline_len;
  const double* __restrict buy = s.buy_scratch.data();
  int wait_days[L] = {};
  if (q.any) {
    Lane<L> ordered_ths{};
    for (std::size_t a = 0; a < n_env; ++a) ordered_ths += sp.oth[a] * load_lanes<L>(buy + a * L);
    for (int l = 0; l < L; ++l)
      if (q.limited[l])
        wait_days[l] = static_cast<int>(
            std::min(std::ceil((lane<L>(q.backlog_ths, l) + lane<L>(ordered_ths, l)) /
                               q.ship_ths_per_day[l]),
                     static_cast<double>(lr.supply_max_wait_days[l])));
  }
  double* __restrict pipeline = s.pipeline.data();
  for (std::size_t a = 0; a < n_env; ++a) {
    int slot[L];
    bool same_slot = true;
    for (int l = 0; l < L; ++l) {
      slot[l] = today_slot + std::max(sp.odelay[a], wait_days[l]);
      if (slot[l] >= len) slot[l] -= len;
      same_slot = same_slot && slot[l] == slot[0];
    }
    if (same_slot) {  // every lane's order lands on one day (always without supply limits)
      double* cell = pipeline + static_cast<std::size_t>(slot[0]) * nl + a * L;
      store_lanes<L>(cell, load_lanes<L>(cell) + load_lanes<L>(buy + a * L));
      continue;
    }
    for (int l = 0; l < L; ++l) {
      const std::size_t i = a * L + static_cast<std::size_t>(l);
      pipeline[static_cast<std::size_t>(slot[l]) * nl + i] += buy[i];
    }
  }
}

// Deliveries due tomorrow go online tonight; the online fleet is tomorrow's network.
template <int L>
Lane<L> deliver(const ArchetypeTable& t, const Specs& sp, BasicMinerState<L>& s, int today_slot) {
  using V = Lane<L>;
  const std::size_t n_env = t.n_env, n = s.n;
  const int len = s.pipeline_len;
  double* __restrict on = s.machines_on.data();
  double* __restrict pending = s.pending_machines.data();
  const double* __restrict th = sp.th;
  const int tomorrow = today_slot + 1 == len ? 0 : today_slot + 1;
  double* __restrict arriving = s.pipeline.data() + static_cast<std::size_t>(tomorrow) * n * L;
  const double* __restrict weight = t.network_weight.data();
  V network_ths{};
  if (sp.order_to) {  // generations: machines go online in the archetype of the generation ordered
    for (std::size_t a = 0; a < n_env; ++a) {
      const std::size_t i = a * L, to = static_cast<std::size_t>(sp.order_to[a]) * L;
      const V arriving_a = load_lanes<L>(arriving + i);
      store_lanes<L>(on + to, load_lanes<L>(on + to) + arriving_a);
      store_lanes<L>(pending + i, load_lanes<L>(pending + i) - arriving_a);
      store_lanes<L>(arriving + i, V{});
    }
    for (std::size_t a = 0; a < n; ++a)
      network_ths += weight[a] * th[a] * load_lanes<L>(on + a * L);
    return network_ths;
  }
  for (std::size_t a = 0; a < n_env; ++a) {
    const std::size_t i = a * L;
    const V arriving_a = load_lanes<L>(arriving + i);
    const V on_a = load_lanes<L>(on + i) + arriving_a;
    store_lanes<L>(on + i, on_a);
    store_lanes<L>(pending + i, load_lanes<L>(pending + i) - arriving_a);
    store_lanes<L>(arriving + i, V{});
    network_ths += weight[a] * th[a] * on_a;
  }
  for (std::size_t a = n_env; a < n; ++a)
    network_ths += weight[a] * th[a] * load_lanes<L>(on + a * L);
  return network_ths;
}

// A network-wide decision window (one ring for all archetypes, per lane): adds today's decision
// hashprice and returns the window's mean.
template <int L>
Lane<L> push_window(std::vector<double>& ring, Lane<L>& sum, int window, int day, Lane<L> today) {
  double* cell = ring.data() + static_cast<std::size_t>(day % window) * L;
  sum += today - load_lanes<L>(cell);
  store_lanes<L>(cell, today);
  return sum / static_cast<double>(window);
}
}  // namespace

// Default rules, per archetype a and day d (formulas also in README.md):
//   revenue_btc = on * TH * hashprice_btc * (1 - pool_fee);  cost_usd = on * kW * 24 * tariff
//   profit_usd  = revenue_btc * P - cost_usd
//   Sell daily: usd += profit.  Long BTC: btc += revenue_btc, then sells min(btc, cost/P) BTC for
//   power and pays any rest from usd (btc never < 0).
//   decision hashprice = 144 * (subsidy per block + fee per block) * P / online network TH/s
//   Switching (short-term): m_s = TH * (1 - pool_fee) * mean_{switch window}(decision hp) - kW * 24
//   * tariff m_s <= 0: switch off on * min(max_off, -m_s / cost) (idle) and retire idle *
//   retire_fraction (sold at resale_fraction * today's machine price);  m_s > 0: restart idle *
//   min(restart_fraction, m_s / cost) (proportional; legacy: restart_fraction). machine price  =
//   price0 * (mean_30d(hashprice_usd) / hashprice_usd_0)^growth_factor Buying (forward-looking): m
//   = TH * (1 - pool_fee) * mean_30d(decision hp) - cost; V = forward_machine_value_usd(TH * (1 -
//   pool_fee) * mean_30d, cost, max_payback_days, g, outlook); buy if m > 0, V >= price and the
//   30-day profit > 0: n = min(reinvest * min(1, (V - price) / price) * profit_30d / price -
//   pending, funds / price), funds = usd (+ btc * P for Long BTC), then scaled per tariff band to
//   its free capacity; capex paid now, machines online `delay` days later (at least the next day).
//   Failures: on and idle shrink by 1 - (1 - rate)^(1/365) a day.
// Every lane runs these rules on its own path's values (agents/lanes.h).
template <int L>
Lane<L> step_default_lanes(const ArchetypeTable& t, BasicMinerState<L>& s, int day,
                           const LaneDay<L>& in) {
  using V = Lane<L>;
  const std::size_t n_env = t.n_env, n = s.n;
  const DefaultRules& r = *in.rules[0];  // switches and integers: the same in every lane
  const LaneRules<L> lr(in.rules);
  // Machine generations: a new epoch starts today (a release, an end of sale, a merge).
  while (s.epoch + 1 < t.epochs.size() && day >= t.epochs[s.epoch + 1].first_day) {
    ++s.epoch;
    begin_epoch(t, s, t.epochs[s.epoch - 1], t.epochs[s.epoch]);
  }
  const Specs sp = specs_of(t, s);
  const SupplyDay<L> supply = supply_day(t, lr, sp, s, day);
  const V hp_btc = in.hashprice_btc_per_th_day * lr.net_share;
  const V hp30_usd = push_window<L>(s.hashprice_ring_usd, s.hashprice_window_sum_usd, s.window, day,
                                    in.decision_hashprice_usd_per_th_day);
  const V hp_switch_usd =
      push_window<L>(s.switch_ring_usd, s.switch_window_sum_usd, s.switch_window, day,
                     in.decision_hashprice_usd_per_th_day);

  update_machine_prices<L>(t, *sp.slots, s, hp30_usd, supply.premium);

  const V price_usd = in.price_usd;
  const V inv_price = 1.0 / price_usd;
  const int today_slot = day % s.pipeline_len;

  earn_and_book<L>(n, hp_btc, price_usd, inv_price, in.online_share, sp.th, sp.cost,
                   t.is_long_btc.data(), s.machines_on.data(), s.usd.data(), s.btc.data(),
                   s.profit_ring.data() + static_cast<std::size_t>(day % s.window) * n * L,
                   s.profit_window_usd.data(), s.profit_total_usd.data(), s.profit_day_usd.data());

  switch_and_retire<L>(n_env, lr, lr.net_share * hp_switch_usd, s.survive_per_day,
                       r.proportional_restart, sp.th, sp.cost, sp.inv_cost,
                       s.price_scratch_usd.data(), s.machines_on.data(), s.machines_idle.data(),
                       s.usd.data(), s.retired_machines.data());
  const double* order_price =
      t.epochs.empty() ? s.price_scratch_usd.data() : s.order_price_usd.data();
  RewardOutlook outlook[L];
  for (int l = 0; l < L; ++l) outlook[l] = r.anticipate_halving ? in.outlook[l] : RewardOutlook{};
  want_orders<L>(n_env, lr, r, lr.net_share * hp30_usd, price_usd, outlook, sp.oth, sp.ocost,
                 t.is_long_btc.data(), order_price, sp.buyable, s.usd.data(), s.btc.data(),
                 s.pending_machines.data(), s.profit_window_usd.data(), *sp.value_evaluated,
                 sp.value_source, s.value_scratch_usd.data(), s.buy_scratch.data(), true);
  if (r.band_capacity_headroom >= 0.0) {
    V capacity_factor{};
    for (int l = 0; l < L; ++l)
      set_lane<L>(capacity_factor, l,
                  std::exp(lr.band_growth_per_year[l] * day / market::kDaysPerYear));
    cap_orders_by_band<L>(t, sp.kw, sp.okw, s, capacity_factor);
  }
  pay_orders<L>(n_env, price_usd, inv_price, t.is_long_btc.data(), order_price,
                s.buy_scratch.data(), s.usd.data(), s.btc.data(), s.pending_machines.data());
  queue_orders<L>(t, lr, sp, supply, s, today_slot);
  return deliver<L>(t, sp, s, today_slot);
}
template Lane<2> step_default_lanes(const ArchetypeTable&, BasicMinerState<2>&, int,
                                    const LaneDay<2>&);
template Lane<4> step_default_lanes(const ArchetypeTable&, BasicMinerState<4>&, int,
                                    const LaneDay<4>&);

double step_default(const ArchetypeTable& t, const DefaultRules& r, MinerState& s, int day,
                    double price_usd, double hashprice_btc_per_th_day,
                    double decision_hashprice_usd_per_th_day, const RewardOutlook& outlook,
                    double online_share) {
  LaneDay<1> in;
  in.price_usd = price_usd;
  in.hashprice_btc_per_th_day = hashprice_btc_per_th_day;
  in.decision_hashprice_usd_per_th_day = decision_hashprice_usd_per_th_day;
  in.online_share = online_share;
  in.outlook[0] = outlook;
  in.rules[0] = &r;
  return step_default_lanes<1>(t, s, day, in);
}

double step_reference_2021(const ArchetypeTable& t, const Reference2021& ref, MinerState& s, int k,
                           double price_usd, double reward_btc_per_day,
                           double prev_network_hashrate_ths) {
  const std::size_t n = s.n;
  const std::size_t len = static_cast<std::size_t>(s.pipeline_len);
  const int window = s.window;
  // The published model divides by H_{i-1} unguarded (NaN once every counted fleet is gone);
  // hashsim books no revenue for a day with no counted network instead.
  const double revenue_per_th = prev_network_hashrate_ths > 0.0
                                    ? price_usd * reward_btc_per_day / prev_network_hashrate_ths
                                    : 0.0;
  double* on = s.machines_on.data();
  for (std::size_t a = 0; a < n; ++a) {
    // 1. P&L with the count at the start of the day.
    const double pnl = revenue_per_th * (t.hashrate_ths[a] * on[a]) -
                       t.power_kw[a] * on[a] * t.tariff_usd_per_kwh[a] * 24.0;
    s.profit_ring[static_cast<std::size_t>(k % window) * n + a] = pnl;
    s.profit_day_usd[a] = pnl;
    s.profit_total_usd[a] += pnl;
    if (a < t.n_env) {
      // 2. Deliveries due at this update, then the 30-day rule (sum oldest to newest, as the
      //    reference's Python sum over the list does).
      double& arriving = s.pipeline[static_cast<std::size_t>(k % static_cast<int>(len)) * n + a];
      on[a] += arriving;
      s.pending_machines[a] -= arriving;
      arriving = 0.0;
      double sum30 = 0.0;
      for (int w = 1; w <= window; ++w)
        sum30 += s.profit_ring[static_cast<std::size_t>((k + w) % window) * n + a];
      s.profit_window_usd[a] = sum30;
      const double expense = t.power_kw[a] * on[a] * t.tariff_usd_per_kwh[a] * 24.0;
      if (sum30 < 0.0 && on[a] > 0.0) {
        const double reduction = std::floor(sum30 / (expense / on[a]));
        on[a] = std::max(0.0, on[a] - std::fabs(reduction));
      } else if (sum30 > expense) {
        const double machine_price = t.price0_usd[a] * (price_usd * ref.start_hashrate_ths) /
                                     (ref.start_price_usd * prev_network_hashrate_ths);
        const double raw = std::floor(t.growth_factor[a] * (sum30 - expense) / machine_price);
        const double order = std::max(std::fabs(raw) - s.pending_machines[a], 0.0);
        s.pipeline[static_cast<std::size_t>((k + t.delay_days[a]) % static_cast<int>(len)) * n +
                   a] += order;
        s.pending_machines[a] += order;
      }
    }
    // 3. Booking (Long BTC may go negative: a reference quirk).
    if (t.strategy[a] == Strategy::SellDaily) {
      s.usd[a] += pnl;
    } else {
      s.btc[a] += pnl / price_usd;
    }
  }
  return network_hashrate_ths(t, s);
}

}  // namespace hashsim::agents
