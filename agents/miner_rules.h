#pragma once
// The daily miner rules of both profiles. Each call updates every agent of one path for one day
// and returns the network hashrate (TH/s) the agents will run tomorrow: everyone decides on the
// same inputs (synchronous feedback: today's revenue came from yesterday's network).
#include <cmath>

#include "agents/agents_config.h"
#include "agents/archetype_table.h"
#include "agents/lanes.h"
#include "agents/miner_state.h"

namespace hashsim::agents {

// What the known subsidy schedule says about the reward ahead (README "Miner agents",
// forward-looking buy): the next halving is days_to_halving days away at 144 blocks a day, and
// afterwards a block pays reward_ratio_after_halving of today's (subsidy / 2 + fee) / (subsidy +
// fee).
struct RewardOutlook {
  double days_to_halving = 1e9;
  double reward_ratio_after_halving = 1.0;
};
RewardOutlook reward_outlook(double height, double subsidy_btc_per_block, double fee_btc_per_block);

// Expected profit (USD) of one machine over horizon_days when it earns revenue_usd_per_day today
// and costs cost_usd_per_day: revenue falls as e^(-k t) with k = growth_per_year / 365 and by the
// outlook's ratio after the halving; the machine runs only while revenue exceeds cost (switched
// off otherwise), so the value is the integral of max(revenue(t) - cost, 0) over [0, horizon].
double forward_machine_value_usd(double revenue_usd_per_day, double cost_usd_per_day,
                                 double horizon_days, double growth_per_year,
                                 const RewardOutlook& outlook);

// forward_machine_value_usd for many machines on one day: k, the halving split and the horizon
// are the same for every machine that day, so the exp/expm1 of a segment the machine runs to its
// end are evaluated once here, and the log of the stop time is skipped where the revenue/cost
// ratio is far enough above the segment's run-to-end threshold that the log cannot come out
// shorter. Every value is bit-identical to forward_machine_value_usd's (the same expressions on
// the same operands; tests/agents/forward_value_test.cpp).
class ForwardValueDay {
 public:
  ForwardValueDay() = default;  // no machine has value (a placeholder to assign to)
  ForwardValueDay(double horizon_days, double growth_per_year, const RewardOutlook& outlook);
  double value_usd(double revenue_usd_per_day, double cost_usd_per_day) const;

 private:
  double segment_usd(int i, double m_revenue, double cost) const;
  double horizon_days_ = 0.0, growth_per_year_ = 0.0;
  RewardOutlook outlook_;
  double k_ = 0.0;
  double start_[2] = {0.0, 0.0}, end_[2] = {0.0, 0.0};  // segment bounds (days)
  double full_len_[2] = {0.0, 0.0}, full_decay_[2] = {0.0, 0.0};
  // cost * run_to_end_ratio_[i] <= revenue: the machine runs the whole segment i.
  double run_to_end_ratio_[2] = {HUGE_VAL, HUGE_VAL};
};

// hashsim's default rules (README.md, "Miner agents"): day 0 seeds the decision windows with the
// start value (and, with rules.equilibrium_start, makes day 0 an equilibrium); days >= 1 call
// step_default. online_share: the share of every fleet not forced offline by an exogenous shock
// today (agents/shocks.h); it earns and pays power, the rest neither.
//   hashprice_btc_per_th_day: what the day's blocks actually paid per TH (booked revenue).
//   decision_hashprice_usd_per_th_day: the day's reward at target pace (144 blocks) shared by the
//   online network, i.e. the hashprice once difficulty has caught up with the network. Miners
//   decide on it: they look through the two-week retarget lag instead of following a
//   difficulty that has not yet adjusted into a death spiral.
void seed_default(const ArchetypeTable& t, MinerState& s, double decision_hashprice_usd_per_th_day);
void seed_default(const ArchetypeTable& t, const DefaultRules& rules, MinerState& s,
                  double decision_hashprice_usd_per_th_day, const RewardOutlook& outlook);
double step_default(const ArchetypeTable& t, const DefaultRules& rules, MinerState& s, int day,
                    double price_usd, double hashprice_btc_per_th_day,
                    double decision_hashprice_usd_per_th_day, const RewardOutlook& outlook = {},
                    double online_share = 1.0);

// One day's inputs of L paths (lane l = path l of a block; agents/lanes.h) for
// step_default_lanes: what step_default takes, per lane. rules[l] is lane l's path's rules (the
// scenario's, or its own draw under agents.uncertainty); switches and integer rules are read from
// rules[0], since draw_path_rules draws numbers only.
template <int L>
struct LaneDay {
  Lane<L> price_usd{}, hashprice_btc_per_th_day{}, decision_hashprice_usd_per_th_day{},
      online_share{};
  RewardOutlook outlook[L];
  const DefaultRules* rules[L] = {};
};
// step_default for L paths at once: lane l of every value is what step_default gives path l, bit
// for bit (tests/engine/lanes_test.cpp). L = 1 is step_default.
template <int L>
Lane<L> step_default_lanes(const ArchetypeTable& t, BasicMinerState<L>& s, int day,
                           const LaneDay<L>& in);

// The published 2021 rules, quirks included (reference README, "Each day"). update_index k = 0
// for day 1. prev_network_hashrate_ths is H_{i-1}, reward_btc_per_day is B_i.
double step_reference_2021(const ArchetypeTable& t, const Reference2021& ref, MinerState& s,
                           int update_index, double price_usd, double reward_btc_per_day,
                           double prev_network_hashrate_ths);

double network_hashrate_ths(const ArchetypeTable& t, const MinerState& s);
// TH/s per machine of every agent today (the generation epoch's when generations are on).
template <int L>
const double* hashrate_ths_in_force(const ArchetypeTable& t, const BasicMinerState<L>& s);

}  // namespace hashsim::agents
