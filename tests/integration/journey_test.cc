// The customer journey end to end through the embedded broker: a prospect's
// interactions on crm.interactions, the purchase that converts them, a
// customer climbing the relationship ladder, an invalid interaction
// dead-lettered; and a second, independent run over the same log (a
// replay) publishing the same records with the same CloudEvents ids.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "tests/integration/harness.h"

namespace crm::testing {
namespace {

constexpr int64_t kStart = 1'709'294'400'000;  // 2024-03-01T12:00:00Z
constexpr int64_t kDay = 86'400'000;

std::vector<InputMessage> JourneyLog() {
  std::vector<InputMessage> log;
  // A prospect: an inquiry, a quote, then the first purchase ten days in.
  log.push_back(InteractionMessage("p1", kStart, "inquiry", 0, 1));
  log.push_back(InteractionMessage("p1", kStart + 2 * kDay, "quote", 0, 2));
  log.push_back(PurchaseMessage("p1", kStart + 10 * kDay, 80, 1));
  // A prospect who never buys.
  log.push_back(InteractionMessage("p2", kStart + kDay, "visit", 0, 1));
  // A customer climbing: customer, client, supporter, advocate.
  log.push_back(PurchaseMessage("c1", kStart, 120, 1));
  log.push_back(PurchaseMessage("c1", kStart + 7 * kDay, 90, 2));
  log.push_back(ServiceMessage("c1", kStart + 8 * kDay, 5));
  log.push_back(InteractionMessage("c1", kStart + 9 * kDay, "review", 5, 1));
  // Invalid: a review without its rating.
  InputMessage bad = InteractionMessage("c2", kStart + 9 * kDay, "review", 0, 1);
  log.push_back(bad);
  return log;
}

struct Published {
  std::vector<nlohmann::json> segments;   // structured CloudEvents, in topic order
  std::vector<ConsumedRecord> dead;
};

Published Read(const std::string& bootstrap, const std::string& name) {
  Published p;
  for (const auto& r : ReadTopic(bootstrap, "segments-" + name)) p.segments.push_back(nlohmann::json::parse(r.value));
  p.dead = ReadTopic(bootstrap, "dead-" + name);
  return p;
}

std::vector<nlohmann::json> OfType(const Published& p, const std::string& type, const std::string& customer) {
  std::vector<nlohmann::json> out;
  for (const auto& e : p.segments) {
    if (e["type"] == type && e["subject"] == customer) out.push_back(e);
  }
  return out;
}

std::vector<std::string> Rungs(const Published& p, const std::string& customer) {
  std::vector<std::string> out;
  for (const auto& e : OfType(p, "com.crmstream.ladder-change.v1", customer)) out.push_back(e["data"]["to"]);
  return out;
}

TEST(Journey, AProspectConvertsACustomerClimbsAndAReplayPublishesTheSameIds) {
  BrokerProcess broker(2);
  ProduceAll(broker.bootstrap(), JourneyLog());
  TempDir a, b;
  const std::string config_a = WriteRunConfig(a, broker.bootstrap(), "journey-a", "a");
  const std::string config_b = WriteRunConfig(b, broker.bootstrap(), "journey-b", "b");
  ASSERT_EQ(RunServiceToEnd(config_a), 0);
  ASSERT_EQ(RunServiceToEnd(config_b), 0);
  const Published run_a = Read(broker.bootstrap(), "a");
  const Published run_b = Read(broker.bootstrap(), "b");

  // The prospect: placed on the ladder by their inquiry, no segment until
  // the purchase, whose ladder change carries the conversion.
  EXPECT_EQ(Rungs(run_a, "p1"), (std::vector<std::string>{"prospect", "customer"}));
  const auto p1_segments = OfType(run_a, "com.crmstream.segment-change.v1", "p1");
  ASSERT_EQ(p1_segments.size(), 1u);
  EXPECT_TRUE(p1_segments[0]["data"]["from"].is_null());
  EXPECT_EQ(p1_segments[0]["data"]["cause"], "p1-p1");
  const auto p1_ladder = OfType(run_a, "com.crmstream.ladder-change.v1", "p1");
  ASSERT_EQ(p1_ladder.size(), 2u);
  EXPECT_EQ(p1_ladder[0]["id"].get<std::string>().rfind("crm.interactions/", 0), 0u) << p1_ladder[0]["id"];
  EXPECT_EQ(p1_ladder[1]["data"]["from"], "prospect");
  EXPECT_EQ(p1_ladder[1]["data"]["cause"], "p1-p1");
  EXPECT_EQ(p1_ladder[1]["data"]["conversion"]["days_to_convert"], 10.0);
  EXPECT_EQ(p1_ladder[1]["data"]["conversion"]["first_interaction"], "2024-03-01T12:00:00.000Z");

  // The prospect who never bought: on the ladder, never in a segment.
  EXPECT_EQ(Rungs(run_a, "p2"), (std::vector<std::string>{"prospect"}));
  EXPECT_TRUE(OfType(run_a, "com.crmstream.segment-change.v1", "p2").empty());

  // The customer climbing, each move up with the rule it met.
  EXPECT_EQ(Rungs(run_a, "c1"), (std::vector<std::string>{"customer", "client", "supporter", "advocate"}));
  const auto c1_ladder = OfType(run_a, "com.crmstream.ladder-change.v1", "c1");
  ASSERT_EQ(c1_ladder.size(), 4u);
  EXPECT_EQ(c1_ladder[3]["data"]["reason"]["code"], "advocacy");
  EXPECT_EQ(c1_ladder[3]["data"]["cause"], "c1-i1");
  EXPECT_EQ(c1_ladder[3]["data"]["direction"], "up");

  // The review without a rating is a dead letter with its reason.
  ASSERT_EQ(run_a.dead.size(), 1u);
  EXPECT_EQ(run_a.dead[0].headers.at("crm.source.topic"), "crm.interactions");
  EXPECT_EQ(run_a.dead[0].headers.at("crm.error.code"), "missing_field");

  // The replay: the same records, ids included, in the same order.
  ASSERT_EQ(run_a.segments.size(), run_b.segments.size());
  for (size_t i = 0; i < run_a.segments.size(); ++i) {
    nlohmann::json x = run_a.segments[i], y = run_b.segments[i];
    x.erase("source");
    y.erase("source");
    EXPECT_EQ(x, y) << i;
  }

  // The profile state shows where each stands.
  const std::string dump = DumpState(config_a);
  bool saw_p2 = false;
  for (size_t pos = 0; pos < dump.size();) {
    const size_t nl = dump.find('\n', pos);
    const auto line = nlohmann::json::parse(dump.substr(pos, nl - pos));
    pos = nl == std::string::npos ? dump.size() : nl + 1;
    if (line["customer_id"] == "p2") {
      saw_p2 = true;
      EXPECT_EQ(line["journey"]["rung"], "prospect");
      EXPECT_EQ(line["journey"]["prospect"], true);
      EXPECT_EQ(line["segment"], "");
    }
    if (line["customer_id"] == "c1") {
      EXPECT_EQ(line["journey"]["rung"], "advocate");
    }
  }
  EXPECT_TRUE(saw_p2);
}

}  // namespace
}  // namespace crm::testing
