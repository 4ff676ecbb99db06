// The reward programme on the wire: its CloudEvents on the rewards topic
// (ids from customer and programme year, whatever caused them) and the card
// in the customer profile ("2,640 of 4,000 this year").
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "operators/civil_date.h"
#include "operators/reward_programme.h"
#include "pipeline/wire/output_encoder.h"
#include "pipeline/wire/state_json.h"

namespace crm::pipeline {
namespace {

using operators::EventTime;

constexpr int64_t kDayMs = 86'400'000;
EventTime Date(int y, int m, int d) { return EventTime{operators::DaysFromCivil(y, m, d) * kDayMs}; }

operators::Output Voucher() {
  const operators::RewardsConfig config;
  const operators::ProgrammeYear year = operators::ProgrammeYearNamed(config, 2026);
  operators::RewardEvent r;
  r.kind = operators::RewardKind::kVoucherIssued;
  r.customer_id = "c/42";
  r.programme_year = 2026;
  r.year_start = year.start;
  r.year_end = year.end;
  r.accumulated = 4812.35;
  r.threshold = 4000;
  r.voucher = operators::Voucher{operators::VoucherId("c/42", 2026), 48.12, year.close, year.end};
  r.cause = "timer";
  return {operators::RewardRuleName(r.kind), year.close, r};
}

TEST(RewardOutput, AVoucherIsACloudEventOnTheRewardsTopicWithAnIdFromCustomerAndYear) {
  OutputEncoder encoder(config::TopicsConfig{}, "unit");
  OutputRecord r = encoder.Encode(Voucher(), {"timer", 3, Date(2026, 12, 25).epoch_ms});
  EXPECT_EQ(r.topic + " " + r.key, "crm.rewards c/42");
  const nlohmann::json expected = {
      {"specversion", "1.0"},
      {"id", "rewards/2026/c/42/reward-voucher-issued"},
      {"source", "crmstream/unit"},
      {"type", "com.crmstream.reward-voucher-issued.v1"},
      {"subject", "c/42"},
      {"time", "2026-12-25T00:00:00.000Z"},
      {"datacontenttype", "application/json"},
      {"data",
       {{"customer_id", "c/42"},
        {"programme_year", 2026},
        {"year_start", "2026-01-01T00:00:00.000Z"},
        {"year_end", "2027-01-01T00:00:00.000Z"},
        {"accumulated", 4812.35},
        {"threshold", 4000},
        {"purchase", nullptr},
        {"voucher",
         {{"voucher_id", "2026/c/42"},
          {"amount", 48.12},
          {"claim_from", "2026-12-25T00:00:00.000Z"},
          {"claim_until", "2027-01-01T00:00:00.000Z"}}},
        {"cause", "timer"}}}};
  const auto j = nlohmann::json::parse(r.value);
  EXPECT_EQ(j, expected);
  // Issued by the customer's own event instead of the timer: the same id.
  OutputRecord by_event = encoder.Encode(Voucher(), {"crm.purchases", 0, 77});
  EXPECT_EQ(nlohmann::json::parse(by_event.value)["id"], j["id"]);
}

TEST(RewardOutput, AnEnrolmentCarriesItsPurchaseAndNoVoucher) {
  operators::ModelConfig config;
  operators::CustomerState s;
  std::vector<operators::Output> outputs;
  const std::string cause = "e-1";
  operators::ApplyRewardPurchase(config.rewards, {"c1", Date(2026, 2, 3), cause}, 163.2, Date(2026, 2, 3), s.rewards,
                                 outputs);
  ASSERT_EQ(outputs.size(), 1u);
  OutputEncoder encoder(config::TopicsConfig{}, "unit", config::CloudEventsMode::kBinary);
  OutputRecord r = encoder.Encode(outputs[0], {"crm.purchases", 1, 5});
  std::map<std::string, std::string> headers(r.headers.begin(), r.headers.end());
  EXPECT_EQ(headers["ce_type"], "com.crmstream.reward-enrolled.v1");
  EXPECT_EQ(headers["ce_id"], "rewards/2026/c1/reward-enrolled");
  auto d = nlohmann::json::parse(r.value);
  EXPECT_EQ(d["purchase"], 163.2);
  EXPECT_EQ(d["accumulated"], 163.2);
  EXPECT_TRUE(d["voucher"].is_null());
  EXPECT_EQ(d["cause"], "e-1");
}

std::string Progress(const operators::CustomerState& s, EventTime as_of) {
  const operators::ModelConfig config;
  auto j = nlohmann::json::parse(CustomerProfileJson("c1", s, config, nullptr, as_of));
  EXPECT_EQ(j["rewards"]["threshold"], 4000);
  return j["rewards"]["progress"].get<std::string>();
}

TEST(RewardOutput, TheProfileShowsTheCardInPlainWords) {
  operators::CustomerState s;
  s.last_event = Date(2026, 6, 1);
  EXPECT_EQ(Progress(s, s.last_event), "not enrolled (one purchase of 100 joins)");
  s.rewards = {true, 2026, 2640, false, 0};
  EXPECT_EQ(Progress(s, s.last_event), "2,640 of 4,000 this year");
  s.rewards = {true, 2026, 4210.5, true, 0};
  EXPECT_EQ(Progress(s, s.last_event), "4,210.50 of 4,000 this year, voucher due 2026-12-25");
  s.rewards = {true, 2026, 4812, true, 2026};
  EXPECT_EQ(Progress(s, Date(2026, 12, 27)), "4,812 of 4,000 this year, voucher issued");
  // In January, before the card's first purchase of the new year.
  EXPECT_EQ(Progress(s, Date(2027, 1, 9)), "0 of 4,000 this year (2026: 4,812, voucher issued)");
  auto dump = nlohmann::json::parse(CustomerStateJson("c1", s));
  EXPECT_EQ(dump["rewards"],
            (nlohmann::json{{"enrolled", true}, {"programme_year", 2026}, {"accumulated", 4812.0},
                            {"threshold_reached", true}, {"voucher_year", 2026}}));
}

}  // namespace
}  // namespace crm::pipeline
