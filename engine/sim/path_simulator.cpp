#include "engine/sim/path_simulator.h"

#include <cmath>

#include "agents/miner_rules.h"
#include "engine/chain/consensus.h"
#include "engine/rng/distributions.h"
#include "engine/rng/streams.h"
#include "engine/util/units.h"

namespace hashsim::sim {

using io::schema::ArchetypeFinal;
using io::schema::ArchetypeSeries;
using io::schema::Fleet;
// The unit constants as doubles for the arithmetic below (engine/util/units.h).
constexpr double kSatPerBtc = static_cast<double>(units::kSatPerBtc);
constexpr double kBlocksPerDay = static_cast<double>(units::kBlocksPerDay);

namespace {
// The path's random streams (engine/rng/streams.h), one per model.
struct PathStreams {
  rng::Engine price, jumps, fees, blocks, hashrate, shocks;
};

PathStreams path_streams(std::uint64_t seed, std::uint64_t path_index) {
  return {rng::make_rng(seed, rng::Stream::Price, path_index),
          rng::make_rng(seed, rng::Stream::Jumps, path_index),
          rng::make_rng(seed, rng::Stream::Fees, path_index),
          rng::make_rng(seed, rng::Stream::Blocks, path_index),
          rng::make_rng(seed, rng::Stream::Hashrate, path_index),
          rng::make_rng(seed, rng::Stream::Shocks, path_index)};
}
}  // namespace

PathSimulator::PathSimulator(const scenario::Scenario& s, const MarketInputs& inputs,
                             const OutputLayout& layout)
    : s_(s), in_(inputs), layout_(layout), price_model_(s.price.gbm), fee_model_(s.fees.lognormal) {
  for (int& slot : slot_of_series_) slot = -1;
  for (std::size_t i = 0; i < s.record.series.size(); ++i)
    slot_of_series_[static_cast<int>(s.record.series[i])] = static_cast<int>(i);
  if (in_.agents) {
    miners_.allocate(*in_.agents, s.agents->rules);
    shocks_.allocate(s.agents->shocks);
  }
}

void PathSimulator::simulate(std::uint64_t path_index, double* const* outputs) {
  if (s_.agents && s_.agents->profile == agents::RuleProfile::Reference2021) {
    simulate_reference_2021(path_index, outputs);
  } else {
    simulate_chain_model(path_index, outputs);
  }
}

void PathSimulator::record_series(int rec, const double (&values)[scenario::kSeriesCount],
                                  double* const* outputs) const {
  for (int k = 0; k < scenario::kSeriesCount; ++k) {
    const int slot = slot_of_series_[k];
    if (slot >= 0) outputs[slot][rec] = values[k];
  }
}

void PathSimulator::record_agents_day(int day, double price_usd, double* const* outputs) {
  const agents::ArchetypeTable& t = *in_.agents;
  if (layout_.has_fleets && day % s_.record.every_days == 0) {
    const std::size_t days = static_cast<std::size_t>(s_.recorded_days());
    const std::size_t rec = static_cast<std::size_t>(day / s_.record.every_days);
    for (std::size_t f = 0; f < layout_.n_fleets; ++f) {
      const std::size_t a = t.n_env + f;
      const double value = miners_.usd[a] + miners_.btc[a] * price_usd;
      const std::size_t at = f * days + rec;
      outputs[layout_.slot(Fleet::Machines)][at] = miners_.machines_on[a];
      outputs[layout_.slot(Fleet::Usd)][at] = miners_.usd[a];
      outputs[layout_.slot(Fleet::Btc)][at] = miners_.btc[a];
      outputs[layout_.slot(Fleet::ValueUsd)][at] = value;
      outputs[layout_.slot(Fleet::ValueOverBudget)][at] = value / t.budget_usd[a];
    }
  }
  if (layout_.has_archetype_series && day % layout_.archetype_every_days == 0) {
    const std::size_t days = static_cast<std::size_t>(layout_.archetype_days);
    const std::size_t rec = static_cast<std::size_t>(day / layout_.archetype_every_days);
    for (std::size_t a = 0; a < layout_.n_archetypes; ++a) {
      outputs[layout_.slot(ArchetypeSeries::MachinesOn)][a * days + rec] = miners_.machines_on[a];
      outputs[layout_.slot(ArchetypeSeries::PositionUsd)][a * days + rec] =
          miners_.usd[a] + miners_.btc[a] * price_usd;
    }
  }
}

void PathSimulator::record_agents_final(double* const* outputs) {
  const agents::ArchetypeTable& t = *in_.agents;
  for (std::size_t a = 0; a < layout_.n_archetypes; ++a) {
    outputs[layout_.slot(ArchetypeFinal::MachinesOn)][a] = miners_.machines_on[a];
    outputs[layout_.slot(ArchetypeFinal::MachinesIdle)][a] = miners_.machines_idle[a];
    outputs[layout_.slot(ArchetypeFinal::Usd)][a] = miners_.usd[a];
    outputs[layout_.slot(ArchetypeFinal::Btc)][a] = miners_.btc[a];
    outputs[layout_.slot(ArchetypeFinal::ProfitTotalUsd)][a] = miners_.profit_total_usd[a];
    outputs[layout_.slot(ArchetypeFinal::HashrateThs)][a] =
        miners_.machines_on[a] * agents::hashrate_ths_in_force(t, miners_)[a];
  }
}

double PathSimulator::reset_for_path(std::uint64_t path_index) {
  chain_.reset({s_.start.height, s_.start.difficulty, -1.0}, s_.chain);
  if (!in_.agents) return 1.0;
  miners_.reset(*in_.agents);
  if (s_.agents->shocks.enabled()) shocks_.reset();
  // Parameter uncertainty: this path's rules, drawn once from their own stream (a fixed count of
  // normals, so other parameters' draws never shift when one sd changes).
  const agents::AgentsConfig& ac = *s_.agents;
  rules_ = ac.rules;
  if (!ac.uncertainty.enabled()) return 1.0;
  rng::Engine param_rng = rng::make_rng(s_.seed, rng::Stream::Parameters, path_index);
  double z[agents::kUncertainParameterCount];
  for (double& v : z) v = rng::standard_normal(param_rng);
  rules_ = agents::draw_path_rules(ac.rules, ac.uncertainty, z);
  return std::exp((ac.uncertainty.hashrate_drift + ac.uncertainty.hashrate_drift_sd * z[4]) /
                  market::kDaysPerYear);
}

PathSimulator::AgentsDay PathSimulator::agents_day(const chain::ChainDay& day, const MarketDay& m) {
  AgentsDay a;
  const double subsidy_per_block =
      static_cast<double>(chain::block_subsidy_sat(static_cast<std::int64_t>(day.height_end))) /
      kSatPerBtc;
  a.decision_hashprice_usd = m.network_hashrate_ths > 0.0
                                 ? chain::kSecondsPerDay / chain::kTargetBlockTimeS *
                                       (subsidy_per_block + m.fee_btc_per_block) * m.price_usd /
                                       m.network_hashrate_ths
                                 : 0.0;
  a.outlook = agents::reward_outlook(day.height_end, subsidy_per_block, m.fee_btc_per_block);
  return a;
}

void PathSimulator::seed_agents(const chain::ChainDay& day, const MarketDay& m) {
  const AgentsDay a = agents_day(day, m);
  agents::seed_default(*in_.agents, rules_, miners_, a.decision_hashprice_usd, a.outlook);
}

double PathSimulator::step_agents(int d, const chain::ChainDay& day, const MarketDay& m) {
  const AgentsDay a = agents_day(day, m);
  return agents::step_default(*in_.agents, rules_, miners_, d, m.price_usd,
                              m.hashprice_btc_per_th_day, a.decision_hashprice_usd, a.outlook,
                              m.online_share);
}

void PathSimulator::simulate_chain_model(std::uint64_t path_index, double* const* outputs) {
  PathStreams streams = path_streams(s_.seed, path_index);
  const bool with_agents = in_.agents.has_value();
  const bool with_shocks = with_agents && s_.agents->shocks.enabled();
  // Persistent hashrate-growth noise (agents.uncertainty.hashrate_drift_per_year_sd): the chain
  // sees the fleet times drift_factor = e^(u d / 365), built as a product of daily steps.
  const double drift_step = reset_for_path(path_index);
  double drift_factor = 1.0;

  const double* price_replay = in_.price ? in_.price->path_row(path_index) : nullptr;
  const double* fee_replay = in_.fees ? in_.fees->path_row(path_index) : nullptr;
  const double* net_replay = in_.network ? in_.network->path_row(path_index) : nullptr;

  // Exogenous hashrate: ln R += (g - v^2/2) dt + v sqrt(dt) Z, so E[R_t] = R_0 e^(g t).
  const double dt = 1.0 / market::kDaysPerYear;
  const double hr_drift = (s_.network.growth_per_year -
                           0.5 * s_.network.vol_per_sqrt_year * s_.network.vol_per_sqrt_year) *
                          dt;
  const double hr_diff = s_.network.vol_per_sqrt_year * std::sqrt(dt);

  double log_price = std::log(price_replay ? price_replay[0] : s_.start.price_usd);
  double log_fee = std::log(fee_replay ? fee_replay[0] : s_.start.fee_btc_per_block);
  double hashrate = with_agents ? in_.agents->initial_network_hashrate_ths()
                                : (net_replay ? net_replay[0] : s_.start.network_hashrate_ths);
  double log_hashrate = std::log(hashrate);

  const int every = s_.record.every_days;
  int rec = 0;
  for (int d = 0; d < s_.horizon_days; ++d) {
    if (d > 0) {
      // Each stream draws a fixed count per day, replayed or not (DESIGN.md 3.3); a replayed
      // series only skips the arithmetic.
      if (price_replay) {
        rng::skip_draws(streams.price, 1);
        rng::skip_draws(streams.jumps, 2);
        log_price = std::log(price_replay[d]);
      } else {
        log_price = price_model_.step_log(log_price, streams.price, streams.jumps);
      }
      if (fee_replay) {
        rng::skip_draws(streams.fees, 1);
        log_fee = std::log(fee_replay[d]);
      } else {
        log_fee = fee_model_.step_log(log_fee, streams.fees);
      }
      if (with_agents || net_replay) {
        rng::skip_draws(streams.hashrate, 1);
        if (!with_agents) hashrate = net_replay[d];
      } else {
        log_hashrate = log_hashrate + hr_drift + hr_diff * rng::standard_normal(streams.hashrate);
        hashrate = std::exp(log_hashrate);
      }
    }
    const double price = std::exp(log_price);
    const double fee = std::exp(log_fee);
    // Exogenous shocks take a share of the agents' online fleet offline today (agents/shocks.h).
    double online_share = 1.0;
    if (with_shocks && d > 0) {
      const double u_arrival = rng::uniform_open(streams.shocks);
      online_share = shocks_.step(u_arrival, rng::uniform_open(streams.shocks));
    }
    if (d > 0) drift_factor *= drift_step;
    const double day_hashrate =
        drift_step != 1.0 ? hashrate * online_share * drift_factor : hashrate * online_share;
    const chain::ChainDay day = chain_.advance_day(day_hashrate, streams.blocks);
    const double hashprice_btc =
        day_hashrate > 0.0 ? (day.subsidy_btc + day.blocks * fee) / day_hashrate : 0.0;

    if (with_agents) {
      const MarketDay m{price, fee, day_hashrate, hashprice_btc, online_share};
      if (d == 0)
        seed_agents(day, m);
      else
        hashrate = step_agents(d, day, m);
      record_agents_day(d, price, outputs);
    }

    if (d % every == 0) {
      const double values[scenario::kSeriesCount] = {
          price,          fee,        day_hashrate,  day.difficulty,
          day.height_end, day.blocks, hashprice_btc, hashprice_btc * price};
      record_series(rec++, values, outputs);
    }
  }
  if (with_agents) record_agents_final(outputs);
}

// reference-2021: price and network reward are replayed per trial (path_index mod trials); no
// chain model (fixed 6.25 BTC subsidy and fees live inside the replayed reward, no difficulty).
// Recorded chain series are the implied ones: blocks = 144, difficulty at target pace for the
// day's hashrate, height = start + 144 d, fee = reward / 144 - subsidy at the start height.
void PathSimulator::simulate_reference_2021(std::uint64_t path_index, double* const* outputs) {
  const agents::ArchetypeTable& t = *in_.agents;
  miners_.reset(t);
  const double* prices = in_.price->path_row(path_index);
  const double* rewards = in_.reward->path_row(path_index);
  const double subsidy =
      static_cast<double>(chain::block_subsidy_sat(static_cast<std::int64_t>(s_.start.height))) /
      kSatPerBtc;
  double prev_hashrate = t.initial_network_hashrate_ths();
  const int every = s_.record.every_days;
  int rec = 0;
  for (int d = 0; d < s_.horizon_days; ++d) {
    const double price = prices[d];
    const double reward = rewards[d];
    const double day_hashrate = prev_hashrate;  // revenue of day d is shared by H_{d-1}
    if (d > 0) {
      prev_hashrate = agents::step_reference_2021(t, s_.agents->reference, miners_, d - 1, price,
                                                  reward, prev_hashrate);
    }
    record_agents_day(d, price, outputs);
    if (d % every == 0) {
      const double hashprice_btc = reward / day_hashrate;
      // The reference reports the hashrate after the day's update (H_d).
      const double values[scenario::kSeriesCount] = {
          price,
          reward / kBlocksPerDay - subsidy,
          prev_hashrate,
          prev_hashrate * 1e12 * chain::kTargetBlockTimeS / chain::kHashesPerDifficulty,
          s_.start.height + kBlocksPerDay * d,
          kBlocksPerDay,
          hashprice_btc,
          hashprice_btc * price};
      record_series(rec++, values, outputs);
    }
  }
  record_agents_final(outputs);
}

}  // namespace hashsim::sim
