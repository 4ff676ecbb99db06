// Silence as a signal, on the embedded broker with the service as its own
// process: a customer who stops buying changes segment and gets a churn
// alert with cause "timer" and no event of their own, once other customers'
// events move the partition's event time on (or, on an idle partition, the
// wall clock does).
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>
#include <signal.h>

#include "tests/integration/harness.h"

namespace crm::testing {
namespace {

constexpr int64_t kDay = 86'400'000;
constexpr int64_t kStart = 1'704'067'200'000;  // 2024-01-01T00:00:00Z

// ann's outputs on the output topics, parsed.
std::vector<nlohmann::json> OutputsOf(const std::string& bootstrap, const std::string& customer) {
  std::vector<nlohmann::json> out;
  for (const char* topic : {"crm.segment-changes", "crm.churn-alerts"}) {
    for (const auto& r : ReadTopic(bootstrap, topic)) {
      if (r.key == customer) out.push_back(nlohmann::json::parse(r.value));
    }
  }
  return out;
}

// Outputs that silence caused: each must say so in its id and cause.
std::vector<nlohmann::json> TimerOutputs(const std::vector<nlohmann::json>& outputs) {
  std::vector<nlohmann::json> timer;
  for (const auto& j : outputs) {
    if (j["data"]["cause"] != "timer") continue;
    EXPECT_EQ(j["id"].get<std::string>().rfind("timer/", 0), 0u) << j["id"];
    timer.push_back(j);
  }
  return timer;
}

TEST(Inactivity, ASilentCustomerChangesSegmentAndGetsAnAlertWithoutAnEventOfTheirOwn) {
  BrokerProcess broker(1);  // one partition: everyone moves the same event time
  std::vector<InputMessage> log;
  for (int week = 0; week < 8; ++week) log.push_back(PurchaseMessage("ann", kStart + week * 7 * kDay, 60, week));
  int n = 0;
  for (int64_t day = 0; day < 200; day += 3) {
    log.push_back(PurchaseMessage("bea", kStart + day * kDay + 3'600'000, 20, n++));
    log.push_back(PurchaseMessage("cid", kStart + day * kDay + 7'200'000, 30, n++));
  }
  ProduceAll(broker.bootstrap(), log);
  TempDir dir;
  const std::string config = WriteServiceConfig(dir.path(), broker.bootstrap(), dir.path() + "/state");
  ASSERT_EQ(RunServiceToEnd(config), 0);

  const auto timer = TimerOutputs(OutputsOf(broker.bootstrap(), "ann"));
  bool changed = false, alerted = false;
  for (const auto& j : timer) {
    changed |= j["type"] == "com.crmstream.segment-change.v1";
    if (j["type"] == "com.crmstream.churn-alert.v1") {
      alerted = true;
      EXPECT_EQ(j["data"]["reasons"][0]["code"], "overdue");
      // Weekly gaps shrunk towards the 30-day default: (7 * 7 + 30) / 8 = 10 days.
      EXPECT_NE(j["data"]["reasons"][0]["detail"].get<std::string>().find("; usual gap 10 days"), std::string::npos)
          << j["data"]["reasons"][0]["detail"];
    }
  }
  EXPECT_TRUE(changed) << "ann's segment moved on because of silence";
  EXPECT_TRUE(alerted) << "ann got a churn alert because of silence";
}

TEST(Inactivity, AnIdlePartitionAdvancesByWallClockAndFiresItsTimers) {
  BrokerProcess broker(1);
  std::vector<InputMessage> log;
  for (int week = 0; week < 6; ++week) log.push_back(PurchaseMessage("dan", kStart + week * 7 * kDay, 60, week));
  ProduceAll(broker.bootstrap(), log);
  TempDir dir;
  const std::string config = WriteServiceConfig(dir.path(), broker.bootstrap(), dir.path() + "/state",
                                                "[time]\nidle_timeout_ms = 500\n");
  ChildProcess service({CrmstreamBinary(), "run", "--config", config}, {}, /*capture_stderr=*/true);
  // Nothing more arrives: after the idle timeout the wall clock (years after
  // dan's last purchase) moves the watermark, and dan's checks fire.
  ASSERT_TRUE(service.WaitForLine("idle for 500 ms: watermark advanced by wall clock", std::chrono::seconds(60)));
  service.Signal(SIGTERM);
  EXPECT_EQ(service.Wait(std::chrono::seconds(30)), 0);
  const auto timer = TimerOutputs(OutputsOf(broker.bootstrap(), "dan"));
  ASSERT_FALSE(timer.empty()) << "dan's timers fired with no event at all";
  // The stored segment is where the last timer moved dan.
  std::string last_segment;
  for (const auto& j : timer) {
    if (j["type"] == "com.crmstream.segment-change.v1") last_segment = j["data"]["to"];
  }
  ASSERT_FALSE(last_segment.empty());
  const std::string dump = DumpState(config);
  EXPECT_NE(dump.find("\"segment\":\"" + last_segment + "\""), std::string::npos) << dump;
}

}  // namespace
}  // namespace crm::testing
