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
  const double hp_usd_today = decision_hashprice_usd_per_th_day;

  // 30-day hashprice window (network-wide, so one ring for all archetypes).
  const std::size_t hp_slot = static_cast<std::size_t>(day % s.window);
  s.hashprice_window_sum_usd += hp_usd_today - s.hashprice_ring_usd[hp_slot];
  s.hashprice_ring_usd[hp_slot] = hp_usd_today;
  const double hp30_usd = s.hashprice_window_sum_usd / s.window;
  // Machine prices follow hashprice: one exp per catalogue machine per day.
  const double log_hp_ratio = std::log(std::max(hp30_usd, 1e-300) / s.start_hashprice_usd);
  for (std::size_t m = 0; m < s.price_by_machine_usd.size(); ++m) {
    const auto& spec = t.catalogue.machines[m];
    s.price_by_machine_usd[m] = spec.price_usd * std::exp(spec.price_growth_factor * log_hp_ratio);
  }

  const double survive = std::pow(1.0 - r.hardware_failure_rate_per_year, 1.0 / market::kDaysPerYear);
  const std::size_t ring_off = static_cast<std::size_t>(day % s.window) * n;
  const std::size_t len = static_cast<std::size_t>(s.pipeline_len);
  const double inv_price = 1.0 / price_usd;

  double* on = s.machines_on.data();
  double* idle = s.machines_idle.data();
  double* usd = s.usd.data();
  double* btc = s.btc.data();
  double* pending = s.pending_machines.data();
  double* ring = s.profit_ring.data() + ring_off;
  double* win = s.profit_window_usd.data();
  double* total = s.profit_total_usd.data();
  double* pday = s.profit_day_usd.data();

  for (std::size_t a = 0; a < n; ++a) {
    const double cost_pm = t.power_cost_usd_per_day[a];
    const double rev_btc = on[a] * t.hashrate_ths[a] * hp_btc;
    const double cost_usd = on[a] * cost_pm;
    const double profit = rev_btc * price_usd - cost_usd;
    // Booking: both strategies computed, blended by the 0/1 flag (branch-free).
    const double is_long = t.is_long_btc[a];
    const double btc_after = btc[a] + rev_btc;
    const double sold = std::min(btc_after, cost_usd * inv_price);
    btc[a] = btc[a] + is_long * (rev_btc - sold);
    usd[a] += (1.0 - is_long) * profit + is_long * (sold * price_usd - cost_usd);
    win[a] += profit - ring[a];
    ring[a] = profit;
    total[a] += profit;
    pday[a] = profit;
  }

  // Decisions: archetypes only; observer fleets are fixed.
  for (std::size_t a = 0; a < n_env; ++a) {
    const double cost_pm = t.power_cost_usd_per_day[a];
    on[a] *= survive;
    idle[a] *= survive;
    const double margin = t.hashrate_ths[a] * net_share * hp30_usd - cost_pm;
    const double off_frac = std::min(r.max_switch_off_fraction_per_day, cost_pm > 0.0 ? -margin / cost_pm : 1.0);
    const double switch_off = margin <= 0.0 ? on[a] * off_frac : 0.0;
    const double restart = margin > 0.0 ? idle[a] * r.restart_fraction_per_day : 0.0;
    on[a] += restart - switch_off;
    idle[a] += switch_off - restart;

    const double price = s.price_by_machine_usd[static_cast<std::size_t>(t.machine[a])];
    const bool worth_buying = margin > 0.0 && price <= r.max_payback_days * margin && win[a] > 0.0;
    const double is_long = t.is_long_btc[a];
    const double funds_usd = std::max(usd[a], 0.0) + is_long * btc[a] * price_usd;
    double buy = worth_buying ? r.reinvest_fraction * win[a] / price - pending[a] : 0.0;
    buy = std::clamp(buy, 0.0, funds_usd / price);
    // Pay: from USD first; Long BTC sells BTC for any shortfall.
    double usd_after = usd[a] - buy * price;
    const double btc_sold = is_long * std::min(btc[a], std::max(-usd_after, 0.0) * inv_price);
    btc[a] -= btc_sold;
    usd_after += btc_sold * price_usd;
    usd[a] = usd_after;
    const int delay = std::max(1, t.delay_days[a]);
    s.pipeline[static_cast<std::size_t>((day + delay) % static_cast<int>(len)) * n + a] += buy;
    pending[a] += buy;
  }

  // Deliveries due tomorrow go online tonight.
  double* arriving = s.pipeline.data() + static_cast<std::size_t>((day + 1) % static_cast<int>(len)) * n;
  for (std::size_t a = 0; a < n_env; ++a) {
    on[a] += arriving[a];
    pending[a] -= arriving[a];
    arriving[a] = 0.0;
  }
  return network_hashrate_ths(t, s);
}

double step_reference_2021(const ArchetypeTable& t, const Reference2021& ref, MinerState& s, int k, double price_usd,
                           double reward_btc_per_day, double prev_network_hashrate_ths) {
  const std::size_t n = s.n;
  const std::size_t len = static_cast<std::size_t>(s.pipeline_len);
  const int window = s.window;
  const double revenue_per_th = price_usd * reward_btc_per_day / prev_network_hashrate_ths;
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
