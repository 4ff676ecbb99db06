// Closing the loop end to end through the embedded broker: a silent
// customer's churn alert, the call center's action on crm.actions naming
// it, and a purchase within the window publish a win-back whose id derives
// from the alert's; an action for an unknown alert is ignored and an
// invalid one dead-lettered; a second, independent run over the same log (a
// replay) publishes the same records with the same ids.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include <algorithm>

#include "tests/integration/harness.h"

namespace crm::testing {
namespace {

constexpr int64_t kStart = 1'704'067'200'000;  // 2024-01-01T00:00:00Z
constexpr int64_t kDay = 86'400'000;

// ann buys weekly for eight weeks, then falls silent; bea and cid keep
// buying every three days until `last_day`, moving the partition's event
// time on so that ann's checks fire.
void Traffic(std::vector<InputMessage>& log, int64_t first_day, int64_t last_day, int& n) {
  for (int64_t day = first_day; day <= last_day; day += 3) {
    log.push_back(PurchaseMessage("bea", kStart + day * kDay + 3'600'000, 20, n++));
    log.push_back(PurchaseMessage("cid", kStart + day * kDay + 7'200'000, 30, n++));
  }
}

// In event-time order, as one topic partition must hold them for the
// watermark to follow them.
void SortByTime(std::vector<InputMessage>& log) {
  std::stable_sort(log.begin(), log.end(),
                   [](const InputMessage& x, const InputMessage& y) { return x.timestamp_ms < y.timestamp_ms; });
}

std::vector<nlohmann::json> Alerts(const std::string& bootstrap, const std::string& name) {
  std::vector<nlohmann::json> out;
  for (const auto& r : ReadTopic(bootstrap, "alerts-" + name)) out.push_back(nlohmann::json::parse(r.value));
  return out;
}

std::vector<nlohmann::json> OfType(const std::vector<nlohmann::json>& all, const std::string& type) {
  std::vector<nlohmann::json> out;
  for (const auto& e : all) {
    if (e["type"] == type) out.push_back(e);
  }
  return out;
}

TEST(Outcomes, AnAlertAnActionAndAPurchaseGiveAWinBackAndAReplayTheSameIds) {
  BrokerProcess broker(1);
  std::vector<InputMessage> first;
  for (int week = 0; week < 8; ++week) first.push_back(PurchaseMessage("ann", kStart + week * 7 * kDay, 60, week));
  int n = 100;
  Traffic(first, 0, 96, n);
  SortByTime(first);
  ProduceAll(broker.bootstrap(), first);
  TempDir a, b;
  const std::string config_a = WriteRunConfig(a, broker.bootstrap(), "outcomes-a", "a");
  ASSERT_EQ(RunServiceToEnd(config_a), 0);

  // Silence raised ann's alert; the call center reads its id.
  std::vector<nlohmann::json> alerts = OfType(Alerts(broker.bootstrap(), "a"), "com.crmstream.churn-alert.v1");
  ASSERT_EQ(alerts.size(), 1u) << nlohmann::json(Alerts(broker.bootstrap(), "a")).dump(1);
  const nlohmann::json alert = alerts[0];
  ASSERT_EQ(alert["subject"], "ann");
  const std::string alert_id = alert["id"];
  EXPECT_EQ(alert_id.rfind("timer/", 0), 0u) << alert_id;
  ASSERT_TRUE(alert["data"]["control"].is_boolean());

  // The call, an action for an alert nobody raised, an invalid report, and
  // ann's purchase a few days later.
  std::vector<InputMessage> second;
  const int64_t back_at = kStart + 98 * kDay;
  second.push_back(ActionMessage("ann", kStart + 97 * kDay, alert_id, "call", 1));
  second.push_back(ActionMessage("bea", kStart + 97 * kDay, "crm.purchases/0/1/churn-alert", "email", 1));
  second.push_back(ActionMessage("cid", kStart + 97 * kDay, alert_id, "phoned", 1));
  second.push_back(PurchaseMessage("ann", back_at, 70, 50));
  Traffic(second, 99, 105, n);
  SortByTime(second);
  ProduceAll(broker.bootstrap(), second);
  ASSERT_EQ(RunServiceToEnd(config_a), 0);

  const std::vector<nlohmann::json> run_a = Alerts(broker.bootstrap(), "a");
  const auto backs = OfType(run_a, "com.crmstream.win-back.v1");
  ASSERT_EQ(backs.size(), 1u);
  const nlohmann::json& back = backs[0];
  EXPECT_EQ(back["id"], alert_id + "/win-back");
  EXPECT_EQ(back["subject"], "ann");
  EXPECT_EQ(back["time"], "2024-04-08T00:00:00.000Z");
  EXPECT_EQ(back["data"]["alert_id"], alert_id);
  EXPECT_EQ(back["data"]["alert_time"], alert["time"]);
  EXPECT_EQ(back["data"]["action"], "call");
  EXPECT_EQ(back["data"]["control"], alert["data"]["control"]);
  EXPECT_EQ(back["data"]["priority"], alert["data"]["priority"]);
  EXPECT_EQ(back["data"]["cause"], "ann-p50");
  EXPECT_GT(back["data"]["days_to_return"].get<double>(), 0.0);
  EXPECT_LT(back["data"]["days_to_return"].get<double>(), 30.0);

  // Only the invalid report is a dead letter; the unknown alert is not an error.
  const auto dead = ReadTopic(broker.bootstrap(), "dead-a");
  ASSERT_EQ(dead.size(), 1u);
  EXPECT_EQ(dead[0].headers.at("crm.source.topic"), "crm.actions");
  EXPECT_EQ(dead[0].headers.at("crm.error.code"), "out_of_range");

  // The replay, in one run over the whole log: the same records, ids included.
  const std::string config_b = WriteRunConfig(b, broker.bootstrap(), "outcomes-b", "b");
  ASSERT_EQ(RunServiceToEnd(config_b), 0);
  const std::vector<nlohmann::json> run_b = Alerts(broker.bootstrap(), "b");
  ASSERT_EQ(run_a.size(), run_b.size());
  for (size_t i = 0; i < run_a.size(); ++i) {
    nlohmann::json x = run_a[i], y = run_b[i];
    x.erase("source");
    y.erase("source");
    EXPECT_EQ(x, y) << i;
  }
}

}  // namespace
}  // namespace crm::testing
