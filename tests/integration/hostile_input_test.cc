// Hostile input against the running service on the embedded broker (issue
// 10): a record just under the broker's size limit, records stamped in the
// year 9999 (event and record timestamp alike), epoch seconds, and null or
// empty keys and values. The service must dead-letter each with a reason,
// publish every dead letter (it always fits), keep every other customer, and
// exit cleanly.
#include <gtest/gtest.h>

#include <map>
#include <memory>
#include <string>

#include "tests/integration/harness.h"

namespace crm::testing {
namespace {

constexpr int64_t kDay = 86'400'000;
constexpr int64_t kStart = 1'704'067'200'000;       // 2024-01-01T00:00:00Z
constexpr int64_t kYear9999 = 253'402'214'400'000;  // 9999-12-30T00:00:00Z

std::string Purchase(const std::string& event_id, const std::string& customer, const std::string& ts) {
  return R"({"event_id":")" + event_id + R"(","customer_id":")" + customer + R"(","ts":)" + ts + R"(,"amount":10})";
}

class HostileInput : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    broker_ = std::make_unique<BrokerProcess>(2);
    dir_ = std::make_unique<TempDir>();
    std::vector<InputMessage> log;
    for (int i = 0; i < 20; ++i) {
      const std::string id = "good-" + std::to_string(i);
      log.push_back(PurchaseMessage(id, kStart + i * kDay, 30, 0));
    }
    // Under the broker's 1,000,000-byte limit, over max_event_bytes.
    log.push_back({"crm.purchases", "good-1", std::string(999'900, 'x'), kStart + 21 * kDay});
    // The year 9999, in the event and in the record timestamp.
    log.push_back({"crm.purchases", "good-2", Purchase("f1", "good-2", "\"9999-12-30T00:00:00Z\""), kYear9999});
    log.push_back({"crm.purchases", "good-3", Purchase("f2", "good-3", std::to_string(kYear9999)), kYear9999});
    // Epoch seconds where milliseconds are expected.
    log.push_back({"crm.purchases", "good-4", Purchase("s1", "good-4", "1769904000"), kStart + 22 * kDay});
    // Null and empty keys and values.
    InputMessage null_key{"crm.purchases", "", "null key", kStart + 22 * kDay};
    null_key.null_key = true;
    InputMessage null_value{"crm.purchases", "k-null-value", "", kStart + 22 * kDay};
    null_value.null_value = true;
    log.push_back(null_key);
    log.push_back(null_value);
    log.push_back({"crm.purchases", "", "", kStart + 22 * kDay});
    // Events after the hostile ones still count normally.
    for (int i = 0; i < 20; ++i) {
      log.push_back(PurchaseMessage("good-" + std::to_string(i), kStart + (30 + i) * kDay, 30, 1));
    }
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

std::unique_ptr<BrokerProcess> HostileInput::broker_;
std::unique_ptr<TempDir> HostileInput::dir_;
std::string HostileInput::config_;
std::optional<int> HostileInput::exit_code_;

TEST_F(HostileInput, ServiceGoesOnPastEveryHostileRecordAndExitsCleanly) {
  ASSERT_TRUE(exit_code_.has_value()) << "service did not finish in time";
  EXPECT_EQ(*exit_code_, 0) << "a dead letter over the producer's limit stops the service";
}

TEST_F(HostileInput, OversizedRecordIsDeadLetteredTruncatedWithItsOriginalSize) {
  bool found = false;
  for (const ConsumedRecord& r : ReadTopic(broker_->bootstrap(), "crm.deadletter")) {
    if (r.headers.count("crm.error.truncated") == 0) continue;
    found = true;
    EXPECT_EQ(r.headers.at("crm.error.code"), "too_large");
    EXPECT_EQ(r.headers.at("crm.original.value_bytes"), "999900");
    EXPECT_EQ(r.key, "good-1");
    EXPECT_LT(r.value.size(), 999'900u);
    EXPECT_EQ(r.value, std::string(r.value.size(), 'x')) << "the leading bytes, as they arrived";
  }
  EXPECT_TRUE(found) << "no truncated dead letter";
}

TEST_F(HostileInput, FarFutureAndEpochSecondsEventsAreDeadLetteredAndNobodyIsDeleted) {
  std::map<std::string, int> codes;
  for (ConsumedRecord& r : ReadTopic(broker_->bootstrap(), "crm.deadletter")) ++codes[r.headers["crm.error.code"]];
  EXPECT_EQ(codes["future_event"], 2);
  EXPECT_EQ(codes["past_event"], 1);
  const std::string dump = DumpState(config_);
  for (int i = 0; i < 20; ++i) {
    const std::string id = "\"good-" + std::to_string(i) + "\"";
    const size_t at = dump.find(id);
    ASSERT_NE(at, std::string::npos) << id << " was deleted";
    // Both of the customer's good purchases count: none was taken as late
    // after a hostile clock, none was lost.
    const size_t line_end = dump.find('\n', at);
    EXPECT_NE(dump.substr(at, line_end - at).find("\"purchase_count\":2"), std::string::npos)
        << dump.substr(at, line_end - at);
  }
}

TEST_F(HostileInput, NullAndEmptyKeysAndValuesArriveInTheDeadLetterTopicAsTheyWere) {
  int null_key = 0, null_value = 0, both_empty = 0;
  for (const ConsumedRecord& r : ReadTopic(broker_->bootstrap(), "crm.deadletter")) {
    if (r.null_key) {
      ++null_key;
      EXPECT_EQ(r.value, "null key");
    }
    if (r.null_value) {
      ++null_value;
      EXPECT_EQ(r.key, "k-null-value");
      EXPECT_FALSE(r.null_key);
    }
    if (!r.null_key && !r.null_value && r.key.empty() && r.value.empty()) ++both_empty;
  }
  EXPECT_EQ(null_key, 1);
  EXPECT_EQ(null_value, 1);
  EXPECT_EQ(both_empty, 1);
}

}  // namespace
}  // namespace crm::testing
