// Reprocessing with `crmstream reset` as an operator would run it: the
// service consumes a log and stops, the reset moves every input partition
// to the earliest record or to a datetime, and the next start — of the
// instance whose state directory still holds the old state, and of a fresh
// instance that restores everything from the changelog — ends exactly where
// a fresh run from that position ends: the same state, byte for byte, and
// purchase counts that count only the reprocessed events. Outputs are
// published again with the same ids. Without the changelog, the single
// instance's store is reset in place.
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <map>
#include <sstream>

#include "pipeline/wire/output_encoder.h"
#include "tests/integration/harness.h"

namespace crm::testing {
namespace {

constexpr int kPartitions = 2;
constexpr int kCustomers = 24;
constexpr int kDays = 10;
constexpr int64_t kDay = 86'400'000;
constexpr int64_t kStart = 1'767'225'600'000;  // 2026-01-01T00:00:00Z
constexpr int64_t kMiddle = kStart + 5 * kDay;

struct Outcome {
  std::optional<int> code;
  std::string out;
};

Outcome Crmstream(const std::vector<std::string>& args, const std::map<std::string, std::string>& env = {}) {
  std::vector<std::string> argv = {CrmstreamBinary()};
  argv.insert(argv.end(), args.begin(), args.end());
  ChildProcess p(argv, env, /*capture_stderr=*/true);
  Outcome o;
  o.out = p.ReadAll();
  o.code = p.Wait(std::chrono::seconds(120));
  return o;
}

// Customers buy on most days, at different times of the day; some also
// rate a service call. Record timestamps are the event times.
std::vector<InputMessage> Log() {
  std::vector<InputMessage> log;
  for (int day = 0; day < kDays; ++day) {
    for (int c = 0; c < kCustomers; ++c) {
      if ((c + day) % 3 == 0) continue;
      const std::string id = "cust-" + std::to_string(c);
      const int64_t at = kStart + day * kDay + (c * 37 % 600) * 60'000;
      log.push_back(PurchaseMessage(id, at, 10.0 + c * 3 + day, day));
      if (day == 7 && c % 4 == 0) log.push_back(ServiceMessage(id, at + 1000, 1 + c % 5));
    }
  }
  return log;
}

std::map<std::string, int64_t> PurchaseCounts(const std::string& dump) {
  std::map<std::string, int64_t> counts;
  std::istringstream lines(dump);
  for (std::string line; std::getline(lines, line);) {
    const nlohmann::json j = nlohmann::json::parse(line);
    counts[j["customer_id"]] = j["purchase_count"];
  }
  return counts;
}

std::map<std::string, int64_t> ExpectedPurchaseCounts(const std::vector<InputMessage>& log, int64_t from_ms) {
  std::map<std::string, int64_t> counts;
  for (const InputMessage& m : log) {
    if (m.topic == "crm.purchases" && m.timestamp_ms >= from_ms) ++counts[m.key];
  }
  return counts;
}

class Reset : public ::testing::Test {
 protected:
  void SetUp() override {
    broker_ = std::make_unique<BrokerProcess>(kPartitions);
    log_ = Log();
    ProduceAll(broker_->bootstrap(), log_);
  }
  std::unique_ptr<BrokerProcess> broker_;
  std::vector<InputMessage> log_;
};

TEST_F(Reset, RefusesWhenItCannotTellWhetherInstancesRunAndNeedsATarget) {
  TempDir dir;
  const std::string config = WriteRunConfig(dir, broker_->bootstrap(), "reset-refuse", "refuse");
  // The embedded broker cannot describe consumer groups.
  Outcome refused = Crmstream({"reset", "--config", config, "--to-earliest"});
  EXPECT_EQ(refused.code, 1) << refused.out;
  EXPECT_NE(refused.out.find("refusing: cannot tell whether instances of group 'reset-refuse' are running"),
            std::string::npos)
      << refused.out;
  EXPECT_NE(refused.out.find("--force"), std::string::npos);
  EXPECT_EQ(Crmstream({"reset", "--config", config}).code, 2);
  EXPECT_EQ(Crmstream({"reset", "--config", config, "--to-earliest", "--to-datetime", "2026-01-01T00:00:00Z"}).code, 2);
  Outcome bad_time = Crmstream({"reset", "--config", config, "--to-datetime", "yesterday", "--force"});
  EXPECT_EQ(bad_time.code, 2);
  EXPECT_NE(bad_time.out.find("not an RFC 3339 datetime"), std::string::npos) << bad_time.out;
  Outcome dry = Crmstream({"reset", "--config", config, "--to-datetime", pipeline::FormatRfc3339(kMiddle), "--force",
                           "--dry-run"});
  EXPECT_EQ(dry.code, 0) << dry.out;
  EXPECT_NE(dry.out.find("dry run: nothing is changed"), std::string::npos) << dry.out;
  EXPECT_EQ(dry.out.find("state keys deleted"), std::string::npos) << dry.out;
}

TEST_F(Reset, ToEarliestReprocessesEverythingFromEmptyStateWithOldAndWipedStateDirectories) {
  TempDir dir;
  const std::string config = WriteRunConfig(dir, broker_->bootstrap(), "reset-earliest", "earliest");
  ASSERT_EQ(RunServiceToEnd(config), 0);
  const std::string first_state = DumpState(config);
  const PublishedRecords first = CollectPublished(broker_->bootstrap(), "segments-earliest");
  ASSERT_GT(first.total, 0u);
  ASSERT_EQ(PurchaseCounts(first_state), ExpectedPurchaseCounts(log_, 0));

  Outcome reset = Crmstream({"reset", "--config", config, "--to-earliest", "--force"});
  ASSERT_EQ(reset.code, 0) << reset.out;
  for (const std::string topic : {"crm.purchases", "crm.complaints", "crm.service"}) {
    for (int p = 0; p < kPartitions; ++p) {
      EXPECT_NE(reset.out.find(topic + " [" + std::to_string(p) + "]: from offset 0 "), std::string::npos)
          << reset.out;
    }
  }
  EXPECT_NE(reset.out.find("partition 0: changelog-earliest read"), std::string::npos) << reset.out;
  EXPECT_NE(reset.out.find("state keys deleted"), std::string::npos) << reset.out;

  // The instance with the old state directory: everything again, from empty
  // state (with the old state, deduplication would publish nothing).
  ASSERT_EQ(RunServiceToEnd(config), 0);
  EXPECT_EQ(DumpState(config), first_state);
  const PublishedRecords again = CollectPublished(broker_->bootstrap(), "segments-earliest");
  EXPECT_EQ(again.distinct, first.distinct) << "the same outputs, same ids";
  EXPECT_EQ(again.total, 2 * first.total) << "every output published once more";

  // A fresh instance restores from the changelog: the state after the reset,
  // and nothing to reprocess.
  TempDir fresh;
  const std::string fresh_config = WriteRunConfig(fresh, broker_->bootstrap(), "reset-earliest", "earliest");
  ASSERT_EQ(RunServiceToEnd(fresh_config), 0);
  EXPECT_EQ(DumpState(fresh_config), first_state);
  EXPECT_EQ(CollectPublished(broker_->bootstrap(), "segments-earliest").total, again.total);
}

// Without the changelog there is one instance: the reset clears its local
// store in place.
TEST_F(Reset, WithoutTheChangelogTheLocalStoreIsResetInPlace) {
  const std::map<std::string, std::string> no_changelog = {{"CRMSTREAM_STATE_CHANGELOG", "false"}};
  TempDir dir;
  const std::string config = WriteRunConfig(dir, broker_->bootstrap(), "reset-local", "local");
  ASSERT_EQ(RunServiceToEnd(config, no_changelog), 0);
  const std::string first_state = DumpState(config);
  const PublishedRecords first = CollectPublished(broker_->bootstrap(), "segments-local");
  ASSERT_GT(first.total, 0u);

  Outcome reset = Crmstream({"reset", "--config", config, "--to-earliest", "--force"}, no_changelog);
  ASSERT_EQ(reset.code, 0) << reset.out;
  EXPECT_NE(reset.out.find("customers and every timer deleted, positions stored"), std::string::npos) << reset.out;
  EXPECT_EQ(reset.out.find("changelog-local"), std::string::npos) << reset.out;

  ASSERT_EQ(RunServiceToEnd(config, no_changelog), 0);
  EXPECT_EQ(DumpState(config), first_state);
  EXPECT_EQ(CollectPublished(broker_->bootstrap(), "segments-local").total, 2 * first.total);
}

TEST_F(Reset, ToADatetimeEndsLikeAFreshRunFromThatTimeWithOldAndWipedStateDirectories) {
  // The reference: a fresh run over input topics holding only the events
  // from the middle on.
  for (const std::string topic : {"ref.purchases", "ref.complaints", "ref.service"}) {
    ASSERT_TRUE(broker_->Command("topic " + topic + " " + std::to_string(kPartitions)));
  }
  std::vector<InputMessage> later;
  for (InputMessage m : log_) {
    if (m.timestamp_ms < kMiddle) continue;
    m.topic = "ref." + m.topic.substr(std::string("crm.").size());
    later.push_back(std::move(m));
  }
  ProduceAll(broker_->bootstrap(), later);
  TempDir reference_dir;
  const std::string reference_config = WriteServiceConfig(
      reference_dir.path(), broker_->bootstrap(), reference_dir.path() + "/state",
      "group_id = \"reset-reference\"\n\n[topics]\npurchases = \"ref.purchases\"\ncomplaints = \"ref.complaints\"\n"
      "service = \"ref.service\"\nchurn_alerts = \"alerts-reference\"\nsegment_changes = \"segments-reference\"\n"
      "deadletter = \"dead-reference\"\nchangelog = \"changelog-reference\"\n\n[time]\nidle_timeout_ms = 3600000\n");
  ASSERT_EQ(RunServiceToEnd(reference_config), 0);
  const std::string reference_state = DumpState(reference_config);
  ASSERT_EQ(PurchaseCounts(reference_state), ExpectedPurchaseCounts(log_, kMiddle));

  TempDir dir;
  const std::string config = WriteRunConfig(dir, broker_->bootstrap(), "reset-datetime", "datetime");
  ASSERT_EQ(RunServiceToEnd(config), 0);
  const std::string full_state = DumpState(config);
  ASSERT_NE(full_state, reference_state);

  Outcome reset = Crmstream({"reset", "--config", config, "--to-datetime", "2026-01-06T00:00:00Z", "--force"});
  ASSERT_EQ(reset.code, 0) << reset.out;
  EXPECT_NE(reset.out.find("to the first records at or after 2026-01-06T00:00:00.000Z"), std::string::npos)
      << reset.out;
  for (int p = 0; p < kPartitions; ++p) {
    const std::string prefix = "crm.purchases [" + std::to_string(p) + "]: from offset ";
    const size_t at = reset.out.find(prefix);
    ASSERT_NE(at, std::string::npos) << reset.out;
    EXPECT_NE(reset.out.compare(at + prefix.size(), 2, "0 "), 0) << "purchases start in the middle\n" << reset.out;
  }

  ASSERT_EQ(RunServiceToEnd(config), 0);
  const std::string reset_state = DumpState(config);
  EXPECT_EQ(PurchaseCounts(reset_state), ExpectedPurchaseCounts(log_, kMiddle));
  EXPECT_EQ(reset_state, reference_state);

  TempDir fresh;
  const std::string fresh_config = WriteRunConfig(fresh, broker_->bootstrap(), "reset-datetime", "datetime");
  ASSERT_EQ(RunServiceToEnd(fresh_config), 0);
  EXPECT_EQ(DumpState(fresh_config), reference_state);
}

}  // namespace
}  // namespace crm::testing
