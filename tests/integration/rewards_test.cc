// The reward programme end to end, on the embedded broker with the service
// as its own process: a member who passes the threshold and then goes
// silent gets the year's voucher on the rewards topic when other customers'
// events move the partition's event time past the year's close; an
// independent second run over the same log (a replay) publishes the same
// rewards with the same ids.
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <algorithm>

#include "tests/integration/harness.h"

namespace crm::testing {
namespace {

constexpr int64_t kDay = 86'400'000;
constexpr int64_t kSep1 = 1'756'684'800'000;  // 2025-09-01T00:00:00Z

std::vector<InputMessage> Log() {
  std::vector<InputMessage> log;
  // vip: 500 a week for ten weeks (5,000; the threshold falls on the 8th), then silence.
  for (int week = 0; week < 10; ++week) log.push_back(PurchaseMessage("vip", kSep1 + week * 7 * kDay, 500, week));
  // ann joins with 150 and buys little more: a member below the threshold.
  log.push_back(PurchaseMessage("ann", kSep1 + kDay, 150, 0));
  log.push_back(PurchaseMessage("ann", kSep1 + 40 * kDay, 60, 1));
  // bea buys small every three days into January, moving the event time on.
  int n = 0;
  for (int64_t day = 0; day < 135; day += 3) log.push_back(PurchaseMessage("bea", kSep1 + day * kDay + 3'600'000, 20, n++));
  // In event-time order, as a shop's till would send them.
  std::stable_sort(log.begin(), log.end(),
                   [](const InputMessage& x, const InputMessage& y) { return x.timestamp_ms < y.timestamp_ms; });
  return log;
}

std::vector<nlohmann::json> Parsed(const std::vector<ConsumedRecord>& records) {
  std::vector<nlohmann::json> out;
  for (const auto& r : records) {
    auto j = nlohmann::json::parse(r.value);
    EXPECT_EQ(j["subject"], r.key);
    out.push_back(std::move(j));
  }
  return out;
}

TEST(Rewards, ASilentMemberGetsTheVoucherAtTheCloseAndAReplayPublishesTheSameIds) {
  BrokerProcess broker(1);  // one partition: everyone moves the same event time
  ProduceAll(broker.bootstrap(), Log());
  TempDir a, b;
  const std::string config_a = WriteRunConfig(a, broker.bootstrap(), "rewards-a", "a");
  const std::string config_b = WriteRunConfig(b, broker.bootstrap(), "rewards-b", "b");
  ASSERT_EQ(RunServiceToEnd(config_a), 0);

  const auto rewards = Parsed(ReadTopic(broker.bootstrap(), "rewards-a"));
  std::vector<std::string> types;
  for (const auto& j : rewards) types.push_back(j["subject"].get<std::string>() + " " + j["type"].get<std::string>());
  EXPECT_EQ(types, (std::vector<std::string>{"vip com.crmstream.reward-enrolled.v1",
                                             "ann com.crmstream.reward-enrolled.v1",
                                             "vip com.crmstream.reward-threshold-reached.v1",
                                             "vip com.crmstream.reward-voucher-issued.v1"}));
  ASSERT_EQ(rewards.size(), 4u);
  const auto& threshold = rewards[2];
  EXPECT_EQ(threshold["data"]["accumulated"], 4000);
  EXPECT_EQ(threshold["data"]["cause"], "vip-p7");
  const auto& voucher = rewards[3];
  EXPECT_EQ(voucher["id"], "rewards/2025/vip/reward-voucher-issued");
  EXPECT_EQ(voucher["time"], "2025-12-25T00:00:00.000Z");
  EXPECT_EQ(voucher["data"]["cause"], "timer") << "vip was silent: the watermark passing the close issued it";
  EXPECT_EQ(voucher["data"]["programme_year"], 2025);
  EXPECT_EQ(voucher["data"]["accumulated"], 5000);
  EXPECT_EQ(voucher["data"]["voucher"]["voucher_id"], "2025/vip");
  EXPECT_EQ(voucher["data"]["voucher"]["amount"], 50);
  EXPECT_EQ(voucher["data"]["voucher"]["claim_from"], "2025-12-25T00:00:00.000Z");
  EXPECT_EQ(voucher["data"]["voucher"]["claim_until"], "2026-01-01T00:00:00.000Z");
  const std::string dump = DumpState(config_a);
  EXPECT_NE(dump.find("\"customer_id\":\"vip\""), std::string::npos);
  EXPECT_NE(dump.find("\"rewards\":{\"enrolled\":true,\"programme_year\":2025,\"accumulated\":5000.0,"
                      "\"threshold_reached\":true,\"voucher_year\":2025}"),
            std::string::npos)
      << dump;

  // The replay: another group, its own state and topics, the same log.
  ASSERT_EQ(RunServiceToEnd(config_b), 0);
  std::vector<std::string> first, second;
  for (const auto& r : ReadTopic(broker.bootstrap(), "rewards-a")) first.push_back(WithoutCloudEventSource(r.value));
  for (const auto& r : ReadTopic(broker.bootstrap(), "rewards-b")) second.push_back(WithoutCloudEventSource(r.value));
  EXPECT_EQ(first, second);
}

}  // namespace
}  // namespace crm::testing
