// OutputId: the deterministic CloudEvents id of an output, whatever the
// sizes of its parts (operators/effects.h).
#include <gtest/gtest.h>

#include <cstdint>
#include <limits>
#include <string>

#include "operators/effects.h"
#include "operators/events.h"

namespace crm::operators {
namespace {

TEST(OutputId, InputRecordIsTopicPartitionOffsetRule) {
  const EventOrigin origin{"crm.purchases", 3, 42};
  EXPECT_EQ(OutputId(origin, "c-1", "churn_risk"), "crm.purchases/3/42/churn_risk");
}

TEST(OutputId, TimerNamesTheCustomerBecauseManyShareADueTime) {
  const EventOrigin origin{kTimerOriginTopic, 7, 1'700'000'000'000};
  EXPECT_EQ(OutputId(origin, "c-1", "overdue"), "timer/7/1700000000000/c-1/overdue");
  EXPECT_NE(OutputId(origin, "c-1", "overdue"), OutputId(origin, "c-2", "overdue"));
}

TEST(OutputId, ExtremeNumbersAndLongPartsAreWrittenWhole) {
  const std::string topic(300, 't');
  const std::string customer(200, 'c');
  const std::string rule(100, 'r');
  const int64_t offset = std::numeric_limits<int64_t>::min();
  const int32_t partition = std::numeric_limits<int32_t>::min();
  EXPECT_EQ(OutputId(EventOrigin{topic, partition, offset}, customer, rule),
            topic + "/" + std::to_string(partition) + "/" + std::to_string(offset) + "/" + rule);
  EXPECT_EQ(OutputId(EventOrigin{kTimerOriginTopic, partition, offset}, customer, rule),
            std::string(kTimerOriginTopic) + "/" + std::to_string(partition) + "/" + std::to_string(offset) + "/" +
                customer + "/" + rule);
}

}  // namespace
}  // namespace crm::operators
