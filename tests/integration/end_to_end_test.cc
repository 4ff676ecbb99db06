// End to end on the embedded broker: a scripted event log (good customers, a
// customer who drifts away and complains, and every kind of bad message) is
// produced with a plain producer, the service runs as its own process until
// it has consumed everything, and the outputs are read back from Kafka, by
// librdkafka and by kcat.
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <cstdio>
#include <iostream>
#include <memory>
#include <set>

#include "pipeline/wire/output_encoder.h"
#include "tests/integration/harness.h"

namespace crm::testing {
namespace {

constexpr int64_t kDay = 86'400'000;
constexpr int64_t kStart = 1'704'067'200'000;  // 2024-01-01T00:00:00Z

struct BadMessage {
  InputMessage message;
  std::string expected_code;
};

std::vector<BadMessage> BadMessages() {
  const int64_t at = kStart + kDay;
  return {
      {{"crm.purchases", "x1", "hello, not json", at}, "invalid_json"},
      {{"crm.complaints", "x2", R"({"event_id":"e2","customer_id":"x2","ts":)", at}, "invalid_json"},
      {{"crm.service", "x3", std::string(70 * 1024, ' ') + "{}", at}, "too_large"},
      {{"crm.purchases", "x4", R"({"event_id":"e4","customer_id":"x4","ts":0,"amount":"12"})", at}, "wrong_type"},
      {{"crm.complaints", "x5", R"({"event_id":"e5","customer_id":"x5","ts":0,"complaint_id":"k","severity":9})", at}, "out_of_range"},
      {{"crm.purchases", "x6", R"({"event_id":"e6","ts":0,"amount":3})", at}, "missing_field"},
      {{"crm.purchases", "mallory", R"({"event_id":"e7","customer_id":"alice","ts":0,"amount":3})", at}, "key_mismatch"},
  };
}

class EndToEnd : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    broker_ = std::make_unique<BrokerProcess>(4);
    dir_ = std::make_unique<TempDir>();
    std::vector<InputMessage> log;
    // alice buys every week for ten weeks and is happy.
    for (int i = 0; i < 10; ++i) log.push_back(PurchaseMessage("alice", kStart + i * 7 * kDay, 80, i));
    log.push_back(ServiceMessage("alice", kStart + 66 * kDay, 5));
    // bob buys weekly six times, then goes quiet and complains 100 days later.
    for (int i = 0; i < 6; ++i) log.push_back(PurchaseMessage("bob", kStart + i * 7 * kDay, 120, i));
    log.push_back(ComplaintMessage("bob", kStart + 35 * kDay + 100 * kDay, 5));
    // carol buys once.
    log.push_back(PurchaseMessage("carol", kStart + 3 * kDay, 20, 0));
    for (const auto& bad : BadMessages()) log.push_back(bad.message);
    ProduceAll(broker_->bootstrap(), log);

    config_ = WriteServiceConfig(dir_->path(), broker_->bootstrap(), dir_->path() + "/state");
    exit_code_ = RunServiceToEnd(config_);
  }
  static void TearDownTestSuite() {
    dir_.reset();
    broker_.reset();
  }

  static std::unique_ptr<BrokerProcess> broker_;
  static std::unique_ptr<TempDir> dir_;
  static std::string config_;
  static std::optional<int> exit_code_;
};

std::unique_ptr<BrokerProcess> EndToEnd::broker_;
std::unique_ptr<TempDir> EndToEnd::dir_;
std::string EndToEnd::config_;
std::optional<int> EndToEnd::exit_code_;

TEST_F(EndToEnd, ServiceConsumesEverythingAndExitsCleanly) {
  ASSERT_TRUE(exit_code_.has_value()) << "service did not finish in time";
  EXPECT_EQ(*exit_code_, 0);
}

TEST_F(EndToEnd, EveryBadMessageIsDeadLetteredWithItsReason) {
  auto dead = ReadTopic(broker_->bootstrap(), "crm.deadletter");
  auto bad = BadMessages();
  ASSERT_EQ(dead.size(), bad.size());
  std::multiset<std::string> expected_codes, got_codes;
  std::set<std::string> expected_values, got_values;
  for (const auto& b : bad) {
    expected_codes.insert(b.expected_code);
    expected_values.insert(b.message.value);
  }
  for (const auto& d : dead) {
    got_codes.insert(d.headers.at("crm.error.code"));
    got_values.insert(d.value);
    EXPECT_FALSE(d.headers.at("crm.error.reason").empty());
    EXPECT_TRUE(d.headers.count("crm.source.topic"));
    EXPECT_GE(std::stoll(d.headers.at("crm.source.offset")), 0);
    EXPECT_GE(std::stoi(d.headers.at("crm.source.partition")), 0);
  }
  EXPECT_EQ(got_codes, expected_codes);
  EXPECT_EQ(got_values, expected_values) << "dead letters must carry the original bytes";
}

TEST_F(EndToEnd, DriftingCustomerGetsOneChurnAlertWithReasons) {
  std::vector<ConsumedRecord> alerts;
  for (auto& r : ReadTopic(broker_->bootstrap(), "crm.churn-alerts")) {
    const auto j = nlohmann::json::parse(r.value);
    // Silence alerts (cause "timer") are the inactivity tests' subject.
    if (j["data"]["cause"] != "timer") alerts.push_back(r);
  }
  ASSERT_EQ(alerts.size(), 1u);
  const auto& record = alerts[0];
  EXPECT_EQ(record.key, "bob");
  auto e = nlohmann::json::parse(record.value);
  EXPECT_EQ(e["specversion"], "1.0");
  EXPECT_EQ(e["type"], "com.crmstream.churn-alert.v1");
  EXPECT_EQ(e["subject"], "bob");
  EXPECT_EQ(e["datacontenttype"], "application/json");
  EXPECT_EQ(e["time"], pipeline::FormatRfc3339(kStart + 135 * kDay));
  std::string id = e["id"];
  EXPECT_EQ(id.rfind("crm.complaints/", 0), 0u) << id;
  EXPECT_NE(id.find("/churn-alert"), std::string::npos) << id;
  const auto& d = e["data"];
  EXPECT_EQ(d["customer_id"], "bob");
  EXPECT_GE(d["risk"].get<double>(), 0.7);
  EXPECT_LE(d["risk"].get<double>(), 1.0);
  EXPECT_NEAR(d["value_at_risk"].get<double>(), d["clv"].get<double>() * d["risk"].get<double>(), 0.01);
  std::set<std::string> codes;
  for (const auto& r : d["reasons"]) codes.insert(r["code"].get<std::string>());
  EXPECT_TRUE(codes.count("overdue")) << d.dump();
  EXPECT_TRUE(codes.count("open_complaints")) << d.dump();
  EXPECT_FALSE(d["recommended_action"].get<std::string>().empty());
}

TEST_F(EndToEnd, SegmentChangesAreKeyedUniqueAndEndInTheStoredSegment) {
  auto changes = ReadTopic(broker_->bootstrap(), "crm.segment-changes");
  ASSERT_FALSE(changes.empty());
  std::set<std::string> ids;
  std::map<std::string, std::string> last_to;
  std::map<std::string, int> first_segments;
  for (const auto& c : changes) {
    auto e = nlohmann::json::parse(c.value);
    // The topic also carries ladder changes (docs/journey.md), a type of their own.
    if (e["type"] == "com.crmstream.ladder-change.v1") continue;
    EXPECT_EQ(e["type"], "com.crmstream.segment-change.v1");
    EXPECT_EQ(c.key, e["subject"]);
    EXPECT_EQ(c.key, e["data"]["customer_id"]);
    EXPECT_TRUE(ids.insert(e["id"].get<std::string>()).second) << "duplicate id " << e["id"];
    if (e["data"]["from"].is_null()) ++first_segments[c.key];
    last_to[c.key] = e["data"]["to"];
    EXPECT_NE(e["data"]["from"], e["data"]["to"]);
  }
  EXPECT_EQ(first_segments, (std::map<std::string, int>{{"alice", 1}, {"bob", 1}, {"carol", 1}}));

  std::string dump = DumpState(config_);
  std::map<std::string, nlohmann::json> states;
  std::vector<std::string> order;
  size_t pos = 0;
  while (pos < dump.size()) {
    size_t nl = dump.find('\n', pos);
    auto j = nlohmann::json::parse(dump.substr(pos, nl - pos));
    order.push_back(j["customer_id"]);
    states[j["customer_id"]] = j;
    pos = nl + 1;
  }
  EXPECT_EQ(order, (std::vector<std::string>{"alice", "bob", "carol"}));
  EXPECT_EQ(states["alice"]["purchase_count"], 10);
  EXPECT_EQ(states["bob"]["purchase_count"], 6);
  EXPECT_EQ(states["carol"]["purchase_count"], 1);
  EXPECT_EQ(states["bob"]["alerts_sent"], 1);
  for (const auto& [customer, segment] : last_to) EXPECT_EQ(states[customer]["segment"], segment);
}

TEST_F(EndToEnd, KcatReadsTheServiceOutputs) {
  FILE* kcat = popen("command -v kcat", "r");
  char path[512] = {0};
  bool found = kcat != nullptr && fgets(path, sizeof path, kcat) != nullptr;
  if (kcat) pclose(kcat);
  if (!found) GTEST_SKIP() << "kcat is not installed (deploy/setup.sh installs it)";

  for (const std::string topic : {"crm.churn-alerts", "crm.segment-changes"}) {
    auto ours = ReadTopic(broker_->bootstrap(), topic);
    std::string cmd = "kcat -C -q -e -J -o beginning -b " + broker_->bootstrap() + " -t " + topic;
    ChildProcess process({"/bin/sh", "-c", cmd});
    std::string out = process.ReadAll();
    ASSERT_EQ(process.Wait(std::chrono::seconds(60)), 0) << cmd;
    std::set<std::pair<std::string, std::string>> seen, expected;
    size_t pos = 0;
    while (pos < out.size()) {
      size_t nl = out.find('\n', pos);
      if (nl == std::string::npos) nl = out.size();
      auto j = nlohmann::json::parse(out.substr(pos, nl - pos));
      seen.insert({j["key"].get<std::string>(), j["payload"].get<std::string>()});
      pos = nl + 1;
    }
    for (const auto& r : ours) expected.insert({r.key, r.value});
    EXPECT_EQ(seen, expected) << topic;
    EXPECT_FALSE(seen.empty()) << topic;
  }
}

}  // namespace
}  // namespace crm::testing
