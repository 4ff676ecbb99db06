#include "pipeline/cli/demo_rewards.h"

#include <cstdio>
#include <string>

#include "operators/civil_date.h"

namespace crm::pipeline {
namespace {

constexpr int64_t kDayMs = 86'400'000;

std::string Day(const nlohmann::json& value) {
  return value.is_string() ? value.get<std::string>().substr(0, 10) : std::string("?");
}

}  // namespace

operators::RewardsConfig DemoRewardsYear(operators::RewardsConfig config, int64_t start_ms, int64_t end_ms) {
  const int64_t close_ms = start_ms + (end_ms - start_ms) / 4 * 3;
  // The year ends claim_window_days after the close; the next one starts then.
  const int64_t next_start_day = close_ms / kDayMs + config.claim_window_days;
  operators::CivilDate date = operators::CivilFromDays(next_start_day);
  if (date.month == 2 && date.day == 29) date = operators::CivilFromDays(next_start_day + 1);  // not every year has it
  config.year_start_month = date.month;
  config.year_start_day = date.day;
  return config;
}

void PrintReward(const nlohmann::json& e, RewardFeedTotals& totals) {
  const nlohmann::json& d = e["data"];
  const std::string type = e.value("type", "");
  const std::string customer = d.value("customer_id", "");
  if (type == "com.crmstream.reward-enrolled.v1") {
    ++totals.enrolled;
  } else if (type == "com.crmstream.reward-threshold-reached.v1") {
    ++totals.thresholds;
    std::printf("[%s] REWARD  %s  reached %.2f of %.2f in programme year %d\n", Day(e["time"]).c_str(),
                customer.c_str(), d.value("accumulated", 0.0), d.value("threshold", 0.0), d.value("programme_year", 0));
  } else if (type == "com.crmstream.reward-voucher-issued.v1" && d["voucher"].is_object()) {
    const nlohmann::json& v = d["voucher"];
    ++totals.vouchers;
    totals.voucher_amount += v.value("amount", 0.0);
    std::printf("[%s] VOUCHER %s  %.2f (on %.2f of purchases), id %s, claimable from %s until %s%s\n",
                Day(e["time"]).c_str(), customer.c_str(), v.value("amount", 0.0), d.value("accumulated", 0.0),
                v.value("voucher_id", "").c_str(), Day(v["claim_from"]).c_str(), Day(v["claim_until"]).c_str(),
                d.value("cause", "") == "timer" ? "  [year end]" : "");
  }
}

void PrintRewardSummary(const RewardFeedTotals& totals) {
  std::printf("rewards: %lld enrolled, %lld reached the threshold, %lld vouchers issued worth %.2f\n",
              static_cast<long long>(totals.enrolled), static_cast<long long>(totals.thresholds),
              static_cast<long long>(totals.vouchers), totals.voucher_amount);
}

}  // namespace crm::pipeline
