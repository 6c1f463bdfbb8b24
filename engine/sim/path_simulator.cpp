#include "engine/sim/path_simulator.h"

#include <cmath>
#include <string>

#include "agents/miner_rules.h"
#include "engine/chain/consensus.h"
#include "engine/rng/distributions.h"
#include "engine/rng/streams.h"
#include "engine/util/error.h"
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

struct PathSimulator::LanePath {
  PathStreams streams;
  chain::ChainState chain;
  agents::ShockProcess shocks;
  // This path's rules: the scenario's, or its own draw (agents.uncertainty), set in reset_lane.
  agents::DefaultRules rules{};
  // Persistent hashrate-growth noise (agents.uncertainty.hashrate_drift_per_year_sd): the chain
  // sees the fleet times drift_factor = e^(u d / 365), built as a product of daily steps.
  double drift_step = 1.0, drift_factor = 1.0;
  const double *price_replay = nullptr, *fee_replay = nullptr, *net_replay = nullptr;
  double log_price = 0.0, log_fee = 0.0, hashrate = 0.0, log_hashrate = 0.0;
  int rec = 0;  // next recorded day
};

int lanes_for(const scenario::Scenario& s, const MarketInputs& inputs, int requested) {
  const bool default_agents =
      inputs.agents.has_value() && s.agents->profile != agents::RuleProfile::Reference2021;
  if (!default_agents) return 1;
  return requested > 0 ? requested : agents::kNativeLanes;
}

PathSimulator::PathSimulator(const scenario::Scenario& s, const MarketInputs& inputs,
                             const OutputLayout& layout, int lanes)
    : s_(s),
      in_(inputs),
      layout_(layout),
      lanes_(lanes),
      price_model_(s.price.gbm),
      fee_model_(s.fees.lognormal) {
  if (lanes != 1 && lanes != 2 && lanes != 4)
    throw Error("lanes must be 1, 2 or 4 (got " + std::to_string(lanes) + ")");
  if (lanes > 1 && s.agents && s.agents->profile == agents::RuleProfile::Reference2021)
    throw Error("the reference-2021 profile runs one path at a time (lanes 1)");
  // Exogenous hashrate: ln R += (g - v^2/2) dt + v sqrt(dt) Z, so E[R_t] = R_0 e^(g t).
  const double dt = 1.0 / market::kDaysPerYear;
  const double vol = s.network.vol_per_sqrt_year;
  hashrate_log_drift_ = (s.network.growth_per_year - 0.5 * vol * vol) * dt;
  hashrate_log_diffusion_ = vol * std::sqrt(dt);
  for (int& slot : slot_of_series_) slot = -1;
  for (std::size_t i = 0; i < s.record.series.size(); ++i)
    slot_of_series_[static_cast<int>(s.record.series[i])] = static_cast<int>(i);
  paths_.resize(static_cast<std::size_t>(lanes));
  if (in_.agents) {
    miners_.allocate(*in_.agents, s.agents->rules);
    for (LanePath& p : paths_) p.shocks.allocate(s.agents->shocks);
    if (lanes >= 2) {
      miners2_ = std::make_unique<agents::BasicMinerState<2>>();
      miners2_->allocate(*in_.agents, s.agents->rules);
    }
    if (lanes >= 4) {
      miners4_ = std::make_unique<agents::BasicMinerState<4>>();
      miners4_->allocate(*in_.agents, s.agents->rules);
    }
  }
}

PathSimulator::~PathSimulator() = default;

void PathSimulator::simulate(std::uint64_t path_index, double* const* outputs) {
  if (s_.agents && s_.agents->profile == agents::RuleProfile::Reference2021) {
    simulate_reference_2021(path_index, outputs);
  } else {
    simulate_lanes<1>(&path_index, &outputs);
  }
}

void PathSimulator::simulate_block(std::uint64_t first_path, std::uint64_t count,
                                   const std::vector<double*>* outputs) {
  // Groups of `lanes` paths; a shorter rest runs at the widest width it fills (4, 2, 1), so no
  // lane computes a path nobody asked for.
  std::uint64_t p = 0;
  while (p < count) {
    const std::uint64_t rest = count - p;
    const int width = lanes_ >= 4 && rest >= 4 ? 4 : (lanes_ >= 2 && rest >= 2 ? 2 : 1);
    std::uint64_t index[agents::kMaxLanes];
    double* const* out[agents::kMaxLanes];
    for (int l = 0; l < width; ++l) {
      index[l] = first_path + p + static_cast<std::uint64_t>(l);
      out[l] = outputs[p + static_cast<std::uint64_t>(l)].data();
    }
    if (width == 4)
      simulate_lanes<4>(index, out);
    else if (width == 2)
      simulate_lanes<2>(index, out);
    else
      simulate(index[0], out[0]);
    p += static_cast<std::uint64_t>(width);
  }
}

void PathSimulator::record_series(int rec, const double (&values)[scenario::kSeriesCount],
                                  double* const* outputs) const {
  for (int k = 0; k < scenario::kSeriesCount; ++k) {
    const int slot = slot_of_series_[k];
    if (slot >= 0) outputs[slot][rec] = values[k];
  }
}

template <int L>
void PathSimulator::record_agents_day(const agents::BasicMinerState<L>& st, int l, int day,
                                      double price_usd, double* const* outputs) const {
  const agents::ArchetypeTable& t = *in_.agents;
  const auto lane = static_cast<std::size_t>(l);
  if (layout_.has_fleets && day % s_.record.every_days == 0) {
    const std::size_t days = static_cast<std::size_t>(s_.recorded_days());
    const std::size_t rec = static_cast<std::size_t>(day / s_.record.every_days);
    for (std::size_t f = 0; f < layout_.n_fleets; ++f) {
      const std::size_t i = (t.n_env + f) * L + lane;
      const double value = st.usd[i] + st.btc[i] * price_usd;
      const std::size_t at = f * days + rec;
      outputs[layout_.slot(Fleet::Machines)][at] = st.machines_on[i];
      outputs[layout_.slot(Fleet::Usd)][at] = st.usd[i];
      outputs[layout_.slot(Fleet::Btc)][at] = st.btc[i];
      outputs[layout_.slot(Fleet::ValueUsd)][at] = value;
      outputs[layout_.slot(Fleet::ValueOverBudget)][at] = value / t.budget_usd[t.n_env + f];
    }
  }
  if (layout_.has_archetype_series && day % layout_.archetype_every_days == 0) {
    const std::size_t days = static_cast<std::size_t>(layout_.archetype_days);
    const std::size_t rec = static_cast<std::size_t>(day / layout_.archetype_every_days);
    for (std::size_t a = 0; a < layout_.n_archetypes; ++a) {
      const std::size_t i = a * L + lane;
      outputs[layout_.slot(ArchetypeSeries::MachinesOn)][a * days + rec] = st.machines_on[i];
      outputs[layout_.slot(ArchetypeSeries::PositionUsd)][a * days + rec] =
          st.usd[i] + st.btc[i] * price_usd;
    }
  }
}

template <int L>
void PathSimulator::record_agents_final(const agents::BasicMinerState<L>& st, int l,
                                        double* const* outputs) const {
  const agents::ArchetypeTable& t = *in_.agents;
  const double* th = agents::hashrate_ths_in_force(t, st);
  for (std::size_t a = 0; a < layout_.n_archetypes; ++a) {
    const std::size_t i = a * L + static_cast<std::size_t>(l);
    outputs[layout_.slot(ArchetypeFinal::MachinesOn)][a] = st.machines_on[i];
    outputs[layout_.slot(ArchetypeFinal::MachinesIdle)][a] = st.machines_idle[i];
    outputs[layout_.slot(ArchetypeFinal::Usd)][a] = st.usd[i];
    outputs[layout_.slot(ArchetypeFinal::Btc)][a] = st.btc[i];
    outputs[layout_.slot(ArchetypeFinal::ProfitTotalUsd)][a] = st.profit_total_usd[i];
    outputs[layout_.slot(ArchetypeFinal::HashrateThs)][a] = st.machines_on[i] * th[a];
  }
}

void PathSimulator::reset_lane(LanePath& p, std::uint64_t path_index) {
  p.streams = path_streams(s_.seed, path_index);
  p.chain.reset({s_.start.height, s_.start.difficulty, -1.0}, s_.chain);
  p.price_replay = in_.price ? in_.price->path_row(path_index) : nullptr;
  p.fee_replay = in_.fees ? in_.fees->path_row(path_index) : nullptr;
  p.net_replay = in_.network ? in_.network->path_row(path_index) : nullptr;
  p.log_price = std::log(p.price_replay ? p.price_replay[0] : s_.start.price_usd);
  p.log_fee = std::log(p.fee_replay ? p.fee_replay[0] : s_.start.fee_btc_per_block);
  p.hashrate = in_.agents ? in_.agents->initial_network_hashrate_ths()
                          : (p.net_replay ? p.net_replay[0] : s_.start.network_hashrate_ths);
  p.log_hashrate = std::log(p.hashrate);
  p.rec = 0;
  p.drift_step = 1.0;
  p.drift_factor = 1.0;
  if (!in_.agents) return;
  if (s_.agents->shocks.enabled()) p.shocks.reset();
  // Parameter uncertainty: this path's rules, drawn once from their own stream (a fixed count of
  // normals, so other parameters' draws never shift when one sd changes).
  const agents::AgentsConfig& ac = *s_.agents;
  p.rules = ac.rules;
  if (!ac.uncertainty.enabled()) return;
  rng::Engine param_rng = rng::make_rng(s_.seed, rng::Stream::Parameters, path_index);
  double z[agents::kUncertainParameterCount];
  for (double& v : z) v = rng::standard_normal(param_rng);
  p.rules = agents::draw_path_rules(ac.rules, ac.uncertainty, z);
  p.drift_step =
      std::exp((ac.uncertainty.hashrate_drift + ac.uncertainty.hashrate_drift_sd * z[4]) /
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

void PathSimulator::seed_agents(const LanePath& p, const ChainAndMarket& cm) {
  const AgentsDay a = agents_day(cm.day, cm.m);
  agents::seed_default(*in_.agents, p.rules, miners_, a.decision_hashprice_usd, a.outlook);
}

PathSimulator::ChainAndMarket PathSimulator::advance_market(LanePath& p, int d) {
  const bool with_agents = in_.agents.has_value();
  const bool with_shocks = with_agents && s_.agents->shocks.enabled();
  PathStreams& streams = p.streams;
  if (d > 0) {
    // Each stream draws a fixed count per day, replayed or not (DESIGN.md 3.3); a replayed
    // series only skips the arithmetic.
    if (p.price_replay) {
      rng::skip_draws(streams.price, 1);
      rng::skip_draws(streams.jumps, 2);
      p.log_price = std::log(p.price_replay[d]);
    } else {
      p.log_price = price_model_.step_log(p.log_price, streams.price, streams.jumps);
    }
    if (p.fee_replay) {
      rng::skip_draws(streams.fees, 1);
      p.log_fee = std::log(p.fee_replay[d]);
    } else {
      p.log_fee = fee_model_.step_log(p.log_fee, streams.fees);
    }
    if (with_agents || p.net_replay) {
      rng::skip_draws(streams.hashrate, 1);
      if (!with_agents) p.hashrate = p.net_replay[d];
    } else {
      p.log_hashrate = p.log_hashrate + hashrate_log_drift_ +
                       hashrate_log_diffusion_ * rng::standard_normal(streams.hashrate);
      p.hashrate = std::exp(p.log_hashrate);
    }
  }
  ChainAndMarket cm{};
  const double price = std::exp(p.log_price);
  const double fee = std::exp(p.log_fee);
  // Exogenous shocks take a share of the agents' online fleet offline today (agents/shocks.h).
  double online_share = 1.0;
  if (with_shocks && d > 0) {
    const double u_arrival = rng::uniform_open(streams.shocks);
    online_share = p.shocks.step(u_arrival, rng::uniform_open(streams.shocks));
  }
  if (d > 0) p.drift_factor *= p.drift_step;
  const double day_hashrate =
      p.drift_step != 1.0 ? p.hashrate * online_share * p.drift_factor : p.hashrate * online_share;
  cm.day = p.chain.advance_day(day_hashrate, streams.blocks);
  const double hashprice_btc =
      day_hashrate > 0.0 ? (cm.day.subsidy_btc + cm.day.blocks * fee) / day_hashrate : 0.0;
  cm.m = {price, fee, day_hashrate, hashprice_btc, online_share};
  return cm;
}

// The lane-l state to step: miners_ itself for one lane, else the lane state.
template <int L>
agents::BasicMinerState<L>& lane_state(agents::MinerState& one,
                                       std::unique_ptr<agents::BasicMinerState<2>>& two,
                                       std::unique_ptr<agents::BasicMinerState<4>>& four) {
  if constexpr (L == 1) {
    return one;
  } else if constexpr (L == 2) {
    return *two;
  } else {
    return *four;
  }
}

template <int L>
void PathSimulator::simulate_lanes(const std::uint64_t* path_index, double* const* const* outputs) {
  const bool with_agents = in_.agents.has_value();
  agents::BasicMinerState<L>& miners = lane_state<L>(miners_, miners2_, miners4_);
  for (int l = 0; l < L; ++l) reset_lane(paths_[static_cast<std::size_t>(l)], path_index[l]);
  const int every = s_.record.every_days;
  ChainAndMarket cm[L];
  for (int d = 0; d < s_.horizon_days; ++d) {
    for (int l = 0; l < L; ++l) cm[l] = advance_market(paths_[static_cast<std::size_t>(l)], d);
    if (with_agents) {
      if (d == 0) {
        // Day 0: each lane seeded by the one-path code, then copied into its lane.
        for (int l = 0; l < L; ++l) {
          miners_.reset(*in_.agents);
          seed_agents(paths_[static_cast<std::size_t>(l)], cm[l]);
          if constexpr (L > 1) miners.set_lane(l, miners_);
        }
      } else {
        agents::LaneDay<L> in;
        for (int l = 0; l < L; ++l) {
          const MarketDay& m = cm[l].m;
          const AgentsDay a = agents_day(cm[l].day, m);
          agents::set_lane<L>(in.price_usd, l, m.price_usd);
          agents::set_lane<L>(in.hashprice_btc_per_th_day, l, m.hashprice_btc_per_th_day);
          agents::set_lane<L>(in.decision_hashprice_usd_per_th_day, l, a.decision_hashprice_usd);
          agents::set_lane<L>(in.online_share, l, m.online_share);
          in.outlook[l] = a.outlook;
          in.rules[l] = &paths_[static_cast<std::size_t>(l)].rules;
        }
        const agents::Lane<L> tomorrow_ths =
            agents::step_default_lanes<L>(*in_.agents, miners, d, in);
        for (int l = 0; l < L; ++l)
          paths_[static_cast<std::size_t>(l)].hashrate = agents::lane<L>(tomorrow_ths, l);
      }
      for (int l = 0; l < L; ++l) record_agents_day<L>(miners, l, d, cm[l].m.price_usd, outputs[l]);
    }
    if (d % every == 0) {
      for (int l = 0; l < L; ++l) {
        const chain::ChainDay& day = cm[l].day;
        const MarketDay& m = cm[l].m;
        const double values[scenario::kSeriesCount] = {m.price_usd,
                                                       m.fee_btc_per_block,
                                                       m.network_hashrate_ths,
                                                       day.difficulty,
                                                       day.height_end,
                                                       day.blocks,
                                                       m.hashprice_btc_per_th_day,
                                                       m.hashprice_btc_per_th_day * m.price_usd};
        record_series(paths_[static_cast<std::size_t>(l)].rec++, values, outputs[l]);
      }
    }
  }
  if (with_agents)
    for (int l = 0; l < L; ++l) record_agents_final<L>(miners, l, outputs[l]);
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
    record_agents_day<1>(miners_, 0, d, price, outputs);
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
  record_agents_final<1>(miners_, 0, outputs);
}

}  // namespace hashsim::sim
