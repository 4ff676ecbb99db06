// pipeline/cli/demo_rewards.h
//
// The reward programme's part of `crmstream demo`: the programme year the
// demo runs (moved so that a year closes while you watch), the live feed's
// lines for records of the rewards topic, and the summary's line. Used by
// command_demo.cc on its feed thread only.
#pragma once

#include <nlohmann/json.hpp>

#include <cstdint>

#include "operators/reward_card.h"

namespace crm::pipeline {

// The programme year's start moved so that its close (the claim window's
// opening, when vouchers are issued) falls three quarters of the way
// through the simulated timeline [start_ms, end_ms); the rest as `config`.
operators::RewardsConfig DemoRewardsYear(operators::RewardsConfig config, int64_t start_ms, int64_t end_ms);

struct RewardFeedTotals {
  int64_t enrolled = 0;
  int64_t thresholds = 0;
  int64_t vouchers = 0;
  double voucher_amount = 0;
};

// Counts one CloudEvents record of the rewards topic; prints threshold
// crossings and vouchers (enrolments are only counted: there are many).
void PrintReward(const nlohmann::json& envelope, RewardFeedTotals& totals);

// "rewards: 52 enrolled, 31 reached the threshold, 31 vouchers worth 1,520.40"
void PrintRewardSummary(const RewardFeedTotals& totals);

}  // namespace crm::pipeline
