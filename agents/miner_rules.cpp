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
// Earn and book for every agent (observers included). Branch-free: both strategies are computed
// and blended by the 0/1 Long BTC flag, so the loop vectorises.
// online_share: the share of each fleet not forced offline by a shock (1 without shocks).
void earn_and_book(std::size_t n, double hp_btc, double price_usd, double inv_price,
                   double online_share, const double* __restrict th,
                   const double* __restrict cost_pm, const double* __restrict is_long_v,
                   const double* __restrict on, double* __restrict usd, double* __restrict btc,
                   double* __restrict ring, double* __restrict win, double* __restrict total,
                   double* __restrict pday) {
  for (std::size_t a = 0; a < n; ++a) {
    const double running = on[a] * online_share;
    const double rev_btc = running * th[a] * hp_btc;
    const double cost_usd = running * cost_pm[a];
    const double profit = rev_btc * price_usd - cost_usd;
    const double is_long = is_long_v[a];
    const double sold = std::min(btc[a] + rev_btc, cost_usd * inv_price);
    btc[a] += is_long * (rev_btc - sold);
    usd[a] += (1.0 - is_long) * profit + is_long * (sold * price_usd - cost_usd);
    win[a] += profit - ring[a];
    ring[a] = profit;
    total[a] += profit;
    pday[a] = profit;
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
void switch_and_retire(std::size_t n, const DefaultRules& r, double net_hp_switch_usd,
                       double survive, bool proportional_restart, const double* __restrict th,
                       const double* __restrict cost_pm, const double* __restrict inv_cost_pm,
                       const double* __restrict machine_price, double* __restrict on,
                       double* __restrict idle, double* __restrict usd,
                       double* __restrict retired) {
  const double max_off = r.max_switch_off_fraction_per_day,
               restart_frac = r.restart_fraction_per_day;
  const double retire_frac = r.retire_fraction_per_day, resale = r.resale_fraction;
  for (std::size_t a = 0; a < n; ++a) {
    const double on_a = on[a] * survive;
    const double idle_a = idle[a] * survive;
    const double margin = th[a] * net_hp_switch_usd - cost_pm[a];
    const double off_frac = std::min(max_off, -margin * inv_cost_pm[a]);
    const double switch_off = margin <= 0.0 ? on_a * off_frac : 0.0;
    // Proportional restart: the pace grows with the margin relative to the power cost, as the
    // switch-off pace does, so a band near break-even does not jump on and off (free power:
    // the full pace).
    const double rel_margin = inv_cost_pm[a] > 0.0 ? margin * inv_cost_pm[a] : restart_frac;
    const double on_frac = proportional_restart ? std::min(restart_frac, rel_margin) : restart_frac;
    const double restart = margin > 0.0 ? idle_a * on_frac : 0.0;
    const double retire = margin <= 0.0 ? idle_a * retire_frac : 0.0;
    on[a] = on_a + restart - switch_off;
    idle[a] = idle_a + switch_off - restart - retire;
    usd[a] += retire * resale * machine_price[a];
    retired[a] += retire;
  }
}

// Today's wanted order per archetype from its forward value (want_orders). The two rule switches
// are template parameters: GCC 12 does not vectorise a select on a loop-invariant bool.
template <bool scale_by_value, bool limit_by_funds>
void order_sizes(std::size_t n, double net_hp30_usd, double price_usd, double reinvest,
                 const double* __restrict th, const double* __restrict cost_pm,
                 const double* __restrict is_long_v, const double* __restrict machine_price,
                 const double* __restrict buyable, const double* __restrict usd,
                 const double* __restrict btc, const double* __restrict pending,
                 const double* __restrict win, const double* __restrict value,
                 double* __restrict buy_out) {
  for (std::size_t a = 0; a < n; ++a) {
    const double revenue = th[a] * net_hp30_usd;
    const double margin = revenue - cost_pm[a];
    const double price = machine_price[a];
    const double inv_machine_price = 1.0 / price;
    const bool worth_buying =
        (margin > 0.0) & (value[a] >= price) & (win[a] > 0.0) & (buyable[a] > 0.0);
    double scale = 1.0;
    if constexpr (scale_by_value) scale = std::min(1.0, (value[a] - price) * inv_machine_price);
    const double want =
        worth_buying ? reinvest * scale * win[a] * inv_machine_price - pending[a] : 0.0;
    const double funds_usd = std::max(usd[a], 0.0) + is_long_v[a] * btc[a] * price_usd;
    if constexpr (limit_by_funds)
      buy_out[a] = std::min(std::max(want, 0.0), funds_usd * inv_machine_price);
    else
      buy_out[a] = std::max(want, 0.0);
  }
}

// Forward value per machine and today's wanted order per archetype (funds-limited, not yet paid).
// The value (the hot part: log/exp per evaluation) is evaluated once per distinct (TH/s, cost)
// pair (value_evaluated, see MinerState) and only where an order is possible: an archetype with
// margin <= 0, or one whose value cannot reach the price, orders nothing whatever its exact
// value, so skipping those changes no result (value_scratch holds 0 for them).
void want_orders(std::size_t n, const DefaultRules& r, double net_hp30_usd, double price_usd,
                 const RewardOutlook& outlook, const double* __restrict th,
                 const double* __restrict cost_pm, const double* __restrict is_long_v,
                 const double* __restrict machine_price, const double* __restrict buyable,
                 const double* __restrict usd, const double* __restrict btc,
                 const double* __restrict pending, const double* __restrict win,
                 const std::vector<std::size_t>& value_evaluated,
                 const std::size_t* __restrict value_source, double* __restrict value,
                 double* __restrict buy_out, bool limit_by_funds) {
  const double horizon = r.max_payback_days;
  const ForwardValueDay forward(horizon, r.expected_difficulty_growth_per_year, outlook);
  for (const std::size_t a : value_evaluated) {
    const double revenue = th[a] * net_hp30_usd;
    const double margin = revenue - cost_pm[a];
    // The value is at most margin * horizon (revenue only falls: k >= 0 and the halving ratio
    // <= 1), so a pair whose undiscounted margin over the horizon stays below the machine's price
    // (the same for every archetype of the pair: same machine) cannot reach the price; the
    // 1e-9 slack covers the rounding of the evaluated value (a few ulp).
    const bool can_pay_back = margin > 0.0 && (outlook.reward_ratio_after_halving > 1.0 ||
                                               margin * horizon >= machine_price[a] * (1.0 - 1e-9));
    value[a] = can_pay_back ? forward.value_usd(revenue, cost_pm[a]) : 0.0;
  }
  // Copy each pair's value to its other archetypes first (a gather), so the loop below is
  // branch-free over contiguous arrays and vectorises.
  for (std::size_t a = 0; a < n; ++a) value[a] = value[value_source[a]];
  auto* const sizes = r.scale_orders_by_value
                          ? (limit_by_funds ? order_sizes<true, true> : order_sizes<true, false>)
                          : (limit_by_funds ? order_sizes<false, true> : order_sizes<false, false>);
  sizes(n, net_hp30_usd, price_usd, r.reinvest_fraction, th, cost_pm, is_long_v, machine_price,
        buyable, usd, btc, pending, win, value, buy_out);
}

// Pay for today's orders: from USD first; Long BTC sells BTC for any shortfall.
void pay_orders(std::size_t n, double price_usd, double inv_price,
                const double* __restrict is_long_v, const double* __restrict machine_price,
                const double* __restrict buy, double* __restrict usd, double* __restrict btc,
                double* __restrict pending) {
  for (std::size_t a = 0; a < n; ++a) {
    const double usd_after = usd[a] - buy[a] * machine_price[a];
    const double btc_sold = is_long_v[a] * std::min(btc[a], std::max(-usd_after, 0.0) * inv_price);
    btc[a] -= btc_sold;
    usd[a] = usd_after + btc_sold * price_usd;
    pending[a] += buy[a];
  }
}

// cap_orders_by_band when archetype row * NB + b is in band b (MinerState::bands_periodic) and
// NB is small: the band sums live in registers, each still adds its archetypes in archetype order
// as the general loop does (the same bits), and the loops over a row's NB bands unroll.
template <std::size_t NB>
void cap_periodic_bands(const ArchetypeTable& t, const double* __restrict power_kw,
                        const double* __restrict order_power_kw, MinerState& s,
                        double capacity_factor) {
  const std::size_t n_env = t.n_env;
  const double* __restrict on = s.machines_on.data();
  const double* __restrict idle = s.machines_idle.data();
  const double* __restrict pending = s.pending_machines.data();
  double* __restrict buy = s.buy_scratch.data();
  double used[NB] = {}, ordered[NB] = {}, scale[NB];
  for (std::size_t row = 0; row < n_env; row += NB)
    for (std::size_t b = 0; b < NB; ++b) {
      const std::size_t a = row + b;
      used[b] += power_kw[a] * (on[a] + idle[a]) + order_power_kw[a] * pending[a];
      ordered[b] += order_power_kw[a] * buy[a];
    }
  for (std::size_t b = 0; b < NB; ++b) {
    const double room = std::max(s.band_capacity0_kw[b] * capacity_factor - used[b], 0.0);
    scale[b] = ordered[b] > room ? room / ordered[b] : 1.0;
    s.band_used_kw[b] = used[b];
    s.band_order_kw[b] = scale[b];
  }
  for (std::size_t row = 0; row < n_env; row += NB)
    for (std::size_t b = 0; b < NB; ++b) buy[row + b] *= scale[b];
}

// Finite power per tariff band: scale the band's orders so that on + idle + pending + ordered
// power stays within its capacity today.
void cap_orders_by_band(const ArchetypeTable& t, const double* power_kw,
                        const double* order_power_kw, MinerState& s, double capacity_factor) {
  const std::size_t n_env = t.n_env, nb = t.n_bands;
  std::fill(s.band_used_kw.begin(), s.band_used_kw.end(), 0.0);
  std::fill(s.band_order_kw.begin(), s.band_order_kw.end(), 0.0);
  if (s.bands_periodic) {
    switch (nb) {
      case 1:
        return cap_periodic_bands<1>(t, power_kw, order_power_kw, s, capacity_factor);
      case 2:
        return cap_periodic_bands<2>(t, power_kw, order_power_kw, s, capacity_factor);
      case 3:
        return cap_periodic_bands<3>(t, power_kw, order_power_kw, s, capacity_factor);
      case 4:
        return cap_periodic_bands<4>(t, power_kw, order_power_kw, s, capacity_factor);
      case 5:
        return cap_periodic_bands<5>(t, power_kw, order_power_kw, s, capacity_factor);
      case 6:
        return cap_periodic_bands<6>(t, power_kw, order_power_kw, s, capacity_factor);
      case 7:
        return cap_periodic_bands<7>(t, power_kw, order_power_kw, s, capacity_factor);
      case 8:
        return cap_periodic_bands<8>(t, power_kw, order_power_kw, s, capacity_factor);
      default:
        break;
    }
  }
  for (std::size_t a = 0; a < n_env; ++a) {
    const std::size_t b = static_cast<std::size_t>(t.tariff_band[a]);
    s.band_used_kw[b] += power_kw[a] * (s.machines_on[a] + s.machines_idle[a]) +
                         order_power_kw[a] * s.pending_machines[a];
    s.band_order_kw[b] += order_power_kw[a] * s.buy_scratch[a];
  }
  for (std::size_t b = 0; b < nb; ++b) {
    const double room = std::max(s.band_capacity0_kw[b] * capacity_factor - s.band_used_kw[b], 0.0);
    // band_order_kw now holds the band's scale factor for its orders.
    s.band_order_kw[b] = s.band_order_kw[b] > room ? room / s.band_order_kw[b] : 1.0;
  }
  for (std::size_t a = 0; a < n_env; ++a)
    s.buy_scratch[a] *= s.band_order_kw[static_cast<std::size_t>(t.tariff_band[a])];
}

// Today's price of every catalogue slot: one exp per slot per day, not per archetype; `premium`
// is the supply backlog's price factor (1 without supply limits).
void update_machine_prices(const ArchetypeTable& t, const std::vector<MachineSpec>& slots,
                           MinerState& s, double hp30_usd, double premium = 1.0) {
  const double log_hp_ratio = std::log(std::max(hp30_usd, 1e-300) / s.start_hashprice_usd);
  const double level = s.machine_price_level;
  for (std::size_t m = 0; m < s.price_by_machine_usd.size(); ++m) {
    const auto& spec = slots[m];
    s.price_by_machine_usd[m] = spec.price_usd * std::exp(spec.price_growth_factor * log_hp_ratio);
    if (level != 1.0) s.price_by_machine_usd[m] *= level;
    if (premium != 1.0) s.price_by_machine_usd[m] *= premium;
  }
  // Archetypes of one machine are contiguous (MinerState::machine_run_end): a fill per machine.
  std::size_t run_start = 0;
  for (const std::size_t run_end : s.machine_run_end) {
    const double price = s.price_by_machine_usd[static_cast<std::size_t>(t.machine[run_start])];
    std::fill(s.price_scratch_usd.begin() + static_cast<std::ptrdiff_t>(run_start),
              s.price_scratch_usd.begin() + static_cast<std::ptrdiff_t>(run_end), price);
    run_start = run_end;
  }
  if (!t.epochs
           .empty()) {  // the price of what each archetype orders (the newest generation on sale)
    const std::vector<int>& slot = t.epochs[s.epoch].order_slot;
    for (std::size_t a = 0; a < t.n_env; ++a)
      s.order_price_usd[a] = s.price_by_machine_usd[static_cast<std::size_t>(slot[a])];
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
Specs specs_of(const ArchetypeTable& t, const MinerState& s) {
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
void begin_epoch(const ArchetypeTable& t, MinerState& s, const GenerationEpoch& prev,
                 const GenerationEpoch& e) {
  const std::size_t n = s.n, per_slot = 2 * t.n_bands;  // archetypes: machine -> strategy -> band
  for (std::size_t a = 0; e.merge_from >= 0 && a < per_slot; ++a) {
    const std::size_t f = static_cast<std::size_t>(e.merge_from) * per_slot + a;
    const std::size_t i = static_cast<std::size_t>(e.merge_into) * per_slot + a;
    const double k = e.merge_ratio;
    for (auto* v : {&s.machines_on, &s.machines_idle, &s.retired_machines}) {
      (*v)[i] += k * (*v)[f];
      (*v)[f] = 0.0;
    }
    for (auto* v : {&s.usd, &s.btc, &s.profit_window_usd, &s.profit_total_usd, &s.profit_day_usd,
                    &s.pending_machines}) {
      (*v)[i] += (*v)[f];
      (*v)[f] = 0.0;
    }
    for (int p = 0; p < s.pipeline_len; ++p) {
      double* row = s.pipeline.data() + static_cast<std::size_t>(p) * n;
      row[i] += row[f];
      row[f] = 0.0;
    }
    for (int w = 0; w < s.window; ++w) {
      double* row = s.profit_ring.data() + static_cast<std::size_t>(w) * n;
      row[i] += row[f];
      row[f] = 0.0;
    }
  }
  for (std::size_t a = 0; a < t.n_env; ++a) {
    if (prev.order_hashrate_ths[a] == e.order_hashrate_ths[a] && prev.order_to[a] == e.order_to[a])
      continue;
    const double k = prev.order_hashrate_ths[a] / e.order_hashrate_ths[a];
    s.pending_machines[a] *= k;
    for (int p = 0; p < s.pipeline_len; ++p) s.pipeline[static_cast<std::size_t>(p) * n + a] *= k;
  }
}
}  // namespace

const double* hashrate_ths_in_force(const ArchetypeTable& t, const MinerState& s) {
  return specs_of(t, s).th;
}

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
      update_machine_prices(t, *sp.slots, s, hp0_usd);
      want_orders(n_env, r, net_hp, 1.0, used_outlook, sp.oth, sp.ocost, t.is_long_btc.data(),
                  order_price, sp.buyable, s.usd.data(), s.btc.data(), s.pending_machines.data(),
                  s.profit_window_usd.data(), *sp.value_evaluated, sp.value_source,
                  s.value_scratch_usd.data(), s.buy_scratch.data(), false);
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
double step_default(const ArchetypeTable& t, const DefaultRules& r, MinerState& s, int day,
                    double price_usd, double hashprice_btc_per_th_day,
                    double decision_hashprice_usd_per_th_day, const RewardOutlook& outlook,
                    double online_share) {
  const std::size_t n_env = t.n_env;
  const std::size_t n = s.n;
  // Machine generations: a new epoch starts today (a release, an end of sale, a merge).
  while (s.epoch + 1 < t.epochs.size() && day >= t.epochs[s.epoch + 1].first_day) {
    ++s.epoch;
    begin_epoch(t, s, t.epochs[s.epoch - 1], t.epochs[s.epoch]);
  }
  const Specs sp = specs_of(t, s);
  // Supply: the backlog (TH/s of every pending machine) against today's shipping capacity.
  const bool supply_limited = s.supply_ths_per_day0 > 0.0;
  double backlog_ths = 0.0, ship_ths_per_day = 0.0, premium = 1.0;
  if (supply_limited) {
    for (std::size_t a = 0; a < n_env; ++a) backlog_ths += sp.oth[a] * s.pending_machines[a];
    ship_ths_per_day =
        s.supply_ths_per_day0 * std::exp(r.supply_growth_per_year * day / market::kDaysPerYear);
    premium = 1.0 + r.supply_price_premium_per_backlog_month *
                        std::max(0.0, backlog_ths / ship_ths_per_day - kDaysPerMonth) /
                        kDaysPerMonth;
  }
  const double net_share = 1.0 - r.pool_fee;
  const double hp_btc = hashprice_btc_per_th_day * net_share;

  // Decision-hashprice windows (network-wide, so one ring each for all archetypes).
  const std::size_t hp_slot = static_cast<std::size_t>(day % s.window);
  s.hashprice_window_sum_usd += decision_hashprice_usd_per_th_day - s.hashprice_ring_usd[hp_slot];
  s.hashprice_ring_usd[hp_slot] = decision_hashprice_usd_per_th_day;
  const double hp30_usd = s.hashprice_window_sum_usd / s.window;
  const std::size_t sw_slot = static_cast<std::size_t>(day % s.switch_window);
  s.switch_window_sum_usd += decision_hashprice_usd_per_th_day - s.switch_ring_usd[sw_slot];
  s.switch_ring_usd[sw_slot] = decision_hashprice_usd_per_th_day;
  const double hp_switch_usd = s.switch_window_sum_usd / s.switch_window;

  update_machine_prices(t, *sp.slots, s, hp30_usd, premium);

  const double inv_price = 1.0 / price_usd;
  const int len = s.pipeline_len;
  const int today_slot = day % len;

  earn_and_book(s.n, hp_btc, price_usd, inv_price, online_share, sp.th, sp.cost,
                t.is_long_btc.data(), s.machines_on.data(), s.usd.data(), s.btc.data(),
                s.profit_ring.data() + static_cast<std::size_t>(day % s.window) * n,
                s.profit_window_usd.data(), s.profit_total_usd.data(), s.profit_day_usd.data());

  switch_and_retire(n_env, r, net_share * hp_switch_usd, s.survive_per_day, r.proportional_restart,
                    sp.th, sp.cost, sp.inv_cost, s.price_scratch_usd.data(), s.machines_on.data(),
                    s.machines_idle.data(), s.usd.data(), s.retired_machines.data());
  const double* order_price =
      t.epochs.empty() ? s.price_scratch_usd.data() : s.order_price_usd.data();
  want_orders(n_env, r, net_share * hp30_usd, price_usd,
              r.anticipate_halving ? outlook : RewardOutlook{}, sp.oth, sp.ocost,
              t.is_long_btc.data(), order_price, sp.buyable, s.usd.data(), s.btc.data(),
              s.pending_machines.data(), s.profit_window_usd.data(), *sp.value_evaluated,
              sp.value_source, s.value_scratch_usd.data(), s.buy_scratch.data(), true);
  if (r.band_capacity_headroom >= 0.0)
    cap_orders_by_band(t, sp.kw, sp.okw, s,
                       std::exp(r.band_capacity_growth_per_year * day / market::kDaysPerYear));
  pay_orders(n_env, price_usd, inv_price, t.is_long_btc.data(), order_price, s.buy_scratch.data(),
             s.usd.data(), s.btc.data(), s.pending_machines.data());

  // Supply: today's orders queue behind the backlog, ceil((B + ordered) / c) days (<= max wait).
  int wait_days = 0;
  if (supply_limited) {
    double ordered_ths = 0.0;
    for (std::size_t a = 0; a < n_env; ++a) ordered_ths += sp.oth[a] * s.buy_scratch[a];
    wait_days = static_cast<int>(std::min(std::ceil((backlog_ths + ordered_ths) / ship_ths_per_day),
                                          static_cast<double>(r.supply_max_wait_days)));
  }
  // Orders go into the pipeline ring: online on day + delay (slot without a division: delay < len).
  // A zero order is skipped: x + 0 == x for every cell (cells are sums of orders >= +0, never -0).
  {
    const double* __restrict buy = s.buy_scratch.data();
    double* __restrict pipeline = s.pipeline.data();
    for (std::size_t a = 0; a < n_env; ++a) {
      if (buy[a] == 0.0) continue;
      int slot = today_slot + std::max(sp.odelay[a], wait_days);
      if (slot >= len) slot -= len;
      pipeline[static_cast<std::size_t>(slot) * n + a] += buy[a];
    }
  }
  double* on = s.machines_on.data();
  double* pending = s.pending_machines.data();
  const double* th = sp.th;

  // Deliveries due tomorrow go online tonight; the online fleet is tomorrow's network.
  const int tomorrow = today_slot + 1 == len ? 0 : today_slot + 1;
  double* __restrict arriving = s.pipeline.data() + static_cast<std::size_t>(tomorrow) * n;
  const double* __restrict weight = t.network_weight.data();
  double network_ths = 0.0;
  if (sp.order_to) {  // generations: machines go online in the archetype of the generation ordered
    for (std::size_t a = 0; a < n_env; ++a) {
      on[sp.order_to[a]] += arriving[a];
      pending[a] -= arriving[a];
      arriving[a] = 0.0;
    }
    for (std::size_t a = 0; a < n; ++a) network_ths += weight[a] * th[a] * on[a];
    return network_ths;
  }
  for (std::size_t a = 0; a < n_env; ++a) {
    on[a] += arriving[a];
    pending[a] -= arriving[a];
    arriving[a] = 0.0;
    network_ths += weight[a] * th[a] * on[a];
  }
  for (std::size_t a = n_env; a < n; ++a) network_ths += weight[a] * th[a] * on[a];
  return network_ths;
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
