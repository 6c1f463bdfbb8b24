#include "agents/miner_rules.h"

#include <algorithm>
#include <cmath>

#include "engine/market/price_model.h"

namespace hashsim::agents {

double network_hashrate_ths(const ArchetypeTable& t, const MinerState& s) {
  double h = 0.0;
  for (std::size_t a = 0; a < s.n; ++a) h += t.network_weight[a] * t.hashrate_ths[a] * s.machines_on[a];
  return h;
}

namespace {
// Earn and book for every agent (observers included). Branch-free: both strategies are computed
// and blended by the 0/1 Long BTC flag, so the loop vectorises.
void earn_and_book(std::size_t n, double hp_btc, double price_usd, double inv_price, const double* __restrict th,
                   const double* __restrict cost_pm, const double* __restrict is_long_v, const double* __restrict on,
                   double* __restrict usd, double* __restrict btc, double* __restrict ring, double* __restrict win,
                   double* __restrict total, double* __restrict pday) {
  for (std::size_t a = 0; a < n; ++a) {
    const double rev_btc = on[a] * th[a] * hp_btc;
    const double cost_usd = on[a] * cost_pm[a];
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

// Switch off / restart / buy for every archetype; writes the machines bought into buy[].
void decide(std::size_t n, const DefaultRules& r, double net_hp30_usd, double survive, double price_usd,
            double inv_price, const double* __restrict th, const double* __restrict cost_pm,
            const double* __restrict inv_cost_pm, const double* __restrict is_long_v,
            const double* __restrict machine_price, double* __restrict on, double* __restrict idle,
            double* __restrict usd, double* __restrict btc, double* __restrict pending, const double* __restrict win,
            double* __restrict buy_out) {
  const double max_off = r.max_switch_off_fraction_per_day, restart_frac = r.restart_fraction_per_day;
  const double max_payback = r.max_payback_days, reinvest = r.reinvest_fraction;
  for (std::size_t a = 0; a < n; ++a) {
    const double on_a = on[a] * survive;
    const double idle_a = idle[a] * survive;
    const double margin = th[a] * net_hp30_usd - cost_pm[a];
    const double off_frac = std::min(max_off, -margin * inv_cost_pm[a]);
    const double switch_off = margin <= 0.0 ? on_a * off_frac : 0.0;
    const double restart = margin > 0.0 ? idle_a * restart_frac : 0.0;
    on[a] = on_a + restart - switch_off;
    idle[a] = idle_a + switch_off - restart;

    const double price = machine_price[a];
    const double inv_machine_price = 1.0 / price;
    const bool worth_buying = (margin > 0.0) & (price <= max_payback * margin) & (win[a] > 0.0);
    const double is_long = is_long_v[a];
    const double funds_usd = std::max(usd[a], 0.0) + is_long * btc[a] * price_usd;
    const double want = worth_buying ? reinvest * win[a] * inv_machine_price - pending[a] : 0.0;
    const double buy = std::min(std::max(want, 0.0), funds_usd * inv_machine_price);
    // Pay from USD first; Long BTC sells BTC for any shortfall.
    const double usd_after = usd[a] - buy * price;
    const double btc_sold = is_long * std::min(btc[a], std::max(-usd_after, 0.0) * inv_price);
    btc[a] -= btc_sold;
    usd[a] = usd_after + btc_sold * price_usd;
    pending[a] += buy;
    buy_out[a] = buy;
  }
}
}  // namespace

void seed_default(const ArchetypeTable& t, MinerState& s, double hashprice_usd_per_th_day) {
  // Day-0 decision hashprice fills the window, as if the last 30 days had looked like today.
  (void)t;
  s.start_hashprice_usd = hashprice_usd_per_th_day;
  std::fill(s.hashprice_ring_usd.begin(), s.hashprice_ring_usd.end(), hashprice_usd_per_th_day);
  s.hashprice_window_sum_usd = hashprice_usd_per_th_day * s.window;
}

// Default rules, per archetype a and day d (formulas also in README.md):
//   revenue_btc = on * TH * hashprice_btc * (1 - pool_fee);  cost_usd = on * kW * 24 * tariff
//   profit_usd  = revenue_btc * P - cost_usd
//   Sell daily: usd += profit.  Long BTC: btc += revenue_btc, then sells min(btc, cost/P) BTC for
//   power and pays any rest from usd (btc never < 0).
//   margin_usd = TH * (1 - pool_fee) * mean_30d(decision hashprice) - kW * 24 * tariff  (per machine-day)
//   decision hashprice = 144 * (subsidy per block + fee per block) * P / online network TH/s
//   margin <= 0: switch off on * min(max_off, -margin / cost_per_machine) (idle, not destroyed);
//   margin > 0:  restart idle * restart_fraction.
//   machine price  = price0 * (mean_30d(hashprice_usd) / hashprice_usd_0)^growth_factor
//   buy if margin > 0, price / margin <= max_payback_days and the 30-day profit > 0:
//   n = min(reinvest * profit_30d / price - pending, funds / price), funds = usd (+ btc * P for
//   Long BTC); capex paid now, machines online `delay` days later (at least the next day).
//   Failures: on and idle shrink by 1 - (1 - rate)^(1/365) a day.
double step_default(const ArchetypeTable& t, const DefaultRules& r, MinerState& s, int day, double price_usd,
                    double hashprice_btc_per_th_day, double decision_hashprice_usd_per_th_day) {
  const std::size_t n_env = t.n_env;
  const std::size_t n = s.n;
  const double net_share = 1.0 - r.pool_fee;
  const double hp_btc = hashprice_btc_per_th_day * net_share;

  // 30-day decision-hashprice window (network-wide, so one ring for all archetypes).
  const std::size_t hp_slot = static_cast<std::size_t>(day % s.window);
  s.hashprice_window_sum_usd += decision_hashprice_usd_per_th_day - s.hashprice_ring_usd[hp_slot];
  s.hashprice_ring_usd[hp_slot] = decision_hashprice_usd_per_th_day;
  const double hp30_usd = s.hashprice_window_sum_usd / s.window;

  // Machine prices follow hashprice: one exp per catalogue machine per day, not per archetype.
  const double log_hp_ratio = std::log(std::max(hp30_usd, 1e-300) / s.start_hashprice_usd);
  for (std::size_t m = 0; m < s.price_by_machine_usd.size(); ++m) {
    const auto& spec = t.catalogue.machines[m];
    s.price_by_machine_usd[m] = spec.price_usd * std::exp(spec.price_growth_factor * log_hp_ratio);
  }

  const double survive = s.survive_per_day;
  const double inv_price = 1.0 / price_usd;
  const int len = s.pipeline_len;
  const int today_slot = day % len;

  earn_and_book(s.n, hp_btc, price_usd, inv_price, t.hashrate_ths.data(), t.power_cost_usd_per_day.data(),
                t.is_long_btc.data(), s.machines_on.data(), s.usd.data(), s.btc.data(),
                s.profit_ring.data() + static_cast<std::size_t>(day % s.window) * n, s.profit_window_usd.data(),
                s.profit_total_usd.data(), s.profit_day_usd.data());

  // Today's machine price per archetype (a gather kept out of the vectorised decision loop).
  for (std::size_t a = 0; a < n_env; ++a) s.price_scratch_usd[a] = s.price_by_machine_usd[static_cast<std::size_t>(t.machine[a])];
  decide(n_env, r, net_share * hp30_usd, survive, price_usd, inv_price, t.hashrate_ths.data(),
         t.power_cost_usd_per_day.data(), t.inv_power_cost_usd_per_day.data(), t.is_long_btc.data(),
         s.price_scratch_usd.data(), s.machines_on.data(), s.machines_idle.data(), s.usd.data(), s.btc.data(),
         s.pending_machines.data(), s.profit_window_usd.data(), s.buy_scratch.data());

  // Orders go into the pipeline ring: online on day + delay (slot without a division: delay < len).
  for (std::size_t a = 0; a < n_env; ++a) {
    int slot = today_slot + t.pipeline_delay_days[a];
    if (slot >= len) slot -= len;
    s.pipeline[static_cast<std::size_t>(slot) * n + a] += s.buy_scratch[a];
  }
  double* on = s.machines_on.data();
  double* pending = s.pending_machines.data();
  const double* th = t.hashrate_ths.data();

  // Deliveries due tomorrow go online tonight; the online fleet is tomorrow's network.
  const int tomorrow = today_slot + 1 == len ? 0 : today_slot + 1;
  double* __restrict arriving = s.pipeline.data() + static_cast<std::size_t>(tomorrow) * n;
  const double* __restrict weight = t.network_weight.data();
  double network_ths = 0.0;
  for (std::size_t a = 0; a < n_env; ++a) {
    on[a] += arriving[a];
    pending[a] -= arriving[a];
    arriving[a] = 0.0;
    network_ths += weight[a] * th[a] * on[a];
  }
  for (std::size_t a = n_env; a < n; ++a) network_ths += weight[a] * th[a] * on[a];
  return network_ths;
}

double step_reference_2021(const ArchetypeTable& t, const Reference2021& ref, MinerState& s, int k, double price_usd,
                           double reward_btc_per_day, double prev_network_hashrate_ths) {
  const std::size_t n = s.n;
  const std::size_t len = static_cast<std::size_t>(s.pipeline_len);
  const int window = s.window;
  // The published model divides by H_{i-1} unguarded (NaN once every counted fleet is gone);
  // hashsim books no revenue for a day with no counted network instead.
  const double revenue_per_th =
      prev_network_hashrate_ths > 0.0 ? price_usd * reward_btc_per_day / prev_network_hashrate_ths : 0.0;
  double* on = s.machines_on.data();
  for (std::size_t a = 0; a < n; ++a) {
    // 1. P&L with the count at the start of the day.
    const double pnl = revenue_per_th * (t.hashrate_ths[a] * on[a]) - t.power_kw[a] * on[a] * t.tariff_usd_per_kwh[a] * 24.0;
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
      for (int w = 1; w <= window; ++w) sum30 += s.profit_ring[static_cast<std::size_t>((k + w) % window) * n + a];
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
        s.pipeline[static_cast<std::size_t>((k + t.delay_days[a]) % static_cast<int>(len)) * n + a] += order;
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
