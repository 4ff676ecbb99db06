// Broker faults injected with the embedded broker's own fault API
// (`crmstream broker` reads commands on stdin): the broker goes down for a
// while, requests fail (Produce, Fetch, transactional requests), the network
// is slow. The service retries with
// back-off and the guarantees hold: the final state equals that of a run
// without faults and every output is there exactly as in that run.
#include <gtest/gtest.h>

#include <thread>

#include "tests/integration/harness.h"

namespace crm::testing {
namespace {

const char* const kOutputKinds[] = {"alerts-", "segments-", "dead-"};

std::string Config(const TempDir& dir, const std::string& bootstrap, const std::string& name) {
  return WriteRunConfig(dir, bootstrap, "faults-" + name, name);
}

class BrokerFaults : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    broker_ = new BrokerProcess(4);
    ProduceAll(broker_->bootstrap(), GeneratedLog(8000, 400, 5));
    reference_dir_ = new TempDir();
    reference_config_ = Config(*reference_dir_, broker_->bootstrap(), "reference");
    reference_exit_ = RunServiceToEnd(reference_config_);
  }
  static void TearDownTestSuite() {
    delete reference_dir_;
    delete broker_;
  }
  void SetUp() override { ASSERT_EQ(reference_exit_, 0); }

  // The faulted run must end exactly like the reference; returns copies seen.
  size_t ExpectSameAsReference(const std::string& config, const std::string& name) {
    EXPECT_TRUE(DumpState(config) == DumpState(reference_config_)) << "state differs after faults";
    size_t copies = 0;
    for (const std::string kind : kOutputKinds) {
      auto expected = CollectPublished(broker_->bootstrap(), kind + "reference");
      auto got = CollectPublished(broker_->bootstrap(), kind + name);
      EXPECT_TRUE(got.distinct == expected.distinct) << kind << name << ": " << got.distinct.size()
                                                     << " distinct vs " << expected.distinct.size();
      copies += got.total - got.distinct.size();
    }
    return copies;
  }

  static BrokerProcess* broker_;
  static TempDir* reference_dir_;
  static std::string reference_config_;
  static std::optional<int> reference_exit_;
};

BrokerProcess* BrokerFaults::broker_ = nullptr;
TempDir* BrokerFaults::reference_dir_ = nullptr;
std::string BrokerFaults::reference_config_;
std::optional<int> BrokerFaults::reference_exit_;

TEST_F(BrokerFaults, BrokerDownForAWhileDuringProcessing) {
  TempDir dir;
  std::string config = Config(dir, broker_->bootstrap(), "down");
  ChildProcess service({CrmstreamBinary(), "run", "--config", config, "--stop-at-end"}, {}, true);
  ASSERT_TRUE(service.WaitForLine("assigned", std::chrono::seconds(60)));
  ASSERT_TRUE(broker_->Command("down 1"));
  // The outage itself lasts a few seconds of wall time.
  std::this_thread::sleep_for(std::chrono::seconds(3));
  ASSERT_TRUE(broker_->Command("up 1"));
  EXPECT_EQ(service.Wait(std::chrono::seconds(120)), 0);
  ExpectSameAsReference(config, "down");
}

TEST_F(BrokerFaults, ProduceErrorsAreRetriedWithoutCopies) {
  TempDir dir;
  std::string config = Config(dir, broker_->bootstrap(), "produce");
  ASSERT_TRUE(broker_->Command("errors Produce 25 NOT_ENOUGH_REPLICAS"));
  EXPECT_EQ(RunServiceToEnd(config), 0);
  EXPECT_EQ(ExpectSameAsReference(config, "produce"), 0u) << "the idempotent producer must not duplicate";
  ASSERT_TRUE(broker_->Command("clear Produce"));
}

TEST_F(BrokerFaults, FetchErrorsAreRetried) {
  TempDir dir;
  std::string config = Config(dir, broker_->bootstrap(), "fetch");
  ASSERT_TRUE(broker_->Command("errors Fetch 20 NOT_LEADER_FOR_PARTITION"));
  EXPECT_EQ(RunServiceToEnd(config), 0);
  ExpectSameAsReference(config, "fetch");
  ASSERT_TRUE(broker_->Command("clear Fetch"));
}

TEST_F(BrokerFaults, TransactionalRequestErrorsAreRetried) {
  TempDir dir;
  std::string config = Config(dir, broker_->bootstrap(), "txn");
  ASSERT_TRUE(broker_->Command("errors AddPartitionsToTxn 3 COORDINATOR_LOAD_IN_PROGRESS"));
  ASSERT_TRUE(broker_->Command("errors EndTxn 3 COORDINATOR_LOAD_IN_PROGRESS"));
  EXPECT_EQ(RunServiceToEnd(config), 0);
  ExpectSameAsReference(config, "txn");
  ASSERT_TRUE(broker_->Command("clear AddPartitionsToTxn"));
  ASSERT_TRUE(broker_->Command("clear EndTxn"));
}

TEST_F(BrokerFaults, SlowBrokerOnlySlowsDown) {
  TempDir dir;
  std::string config = Config(dir, broker_->bootstrap(), "slow");
  ASSERT_TRUE(broker_->Command("rtt 1 200"));
  EXPECT_EQ(RunServiceToEnd(config), 0);
  ASSERT_TRUE(broker_->Command("rtt 1 0"));
  EXPECT_EQ(ExpectSameAsReference(config, "slow"), 0u);
}

TEST_F(BrokerFaults, MalformedCommandsAreRefused) {
  EXPECT_FALSE(broker_->Command("explode now"));
  EXPECT_FALSE(broker_->Command("errors Produce 5 NO_SUCH_ERROR"));
  EXPECT_FALSE(broker_->Command("errors NoSuchApi 5 REQUEST_TIMED_OUT"));
}

}  // namespace
}  // namespace crm::testing
