// KafkaSink reports every output transaction it gives up to its abort
// listener (crmstream_aborted_transactions_total), and nothing else.
#include <gtest/gtest.h>

#include "pipeline/embedded/mock_broker.h"
#include "pipeline/kafka/kafka_sink.h"

namespace crm::pipeline {
namespace {

constexpr int kTimeoutMs = 10000;

TEST(KafkaSinkAbortTest, AbortsAreReportedAndCommitsAreNot) {
  auto broker = MockBroker::Create(MockBrokerOptions{1, 1, {"out"}});
  ASSERT_TRUE(broker.ok()) << broker.status().message();
  for (const std::string transactional_id : {"abort-test", ""}) {
    auto sink = KafkaSink::Create({{"bootstrap.servers", (*broker)->bootstrap_servers()}}, transactional_id);
    ASSERT_TRUE(sink.ok()) << sink.status().message();
    int aborts = 0;
    (*sink)->SetAbortListener([&aborts] { ++aborts; });
    OutputRecord record;
    record.topic = "out";
    record.key = "k";
    record.value = "v";
    ASSERT_TRUE((*sink)->Produce(record).ok());
    ASSERT_TRUE((*sink)->Flush(kTimeoutMs).ok());
    EXPECT_EQ(aborts, 0) << "a commit is no abort (transactional id '" << transactional_id << "')";
    ASSERT_TRUE((*sink)->Produce(record).ok());
    ASSERT_TRUE((*sink)->Abort(kTimeoutMs).ok());
    EXPECT_EQ(aborts, 1) << "transactional id '" << transactional_id << "'";
  }
}

}  // namespace
}  // namespace crm::pipeline
