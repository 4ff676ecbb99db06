// HoldingSink: records pass through until Hold(), then wait in order until
// Release() produces them, or Discard()/Abort() forgets them; full() says
// when the held bytes pass the bound.
#include "pipeline/runtime/holding_sink.h"

#include <gtest/gtest.h>

#include <string>

#include "tests/pipeline/fake_record_sink.h"

namespace crm::pipeline {
namespace {

OutputRecord Record(const std::string& key, size_t value_bytes = 1) {
  OutputRecord r;
  r.topic = "out";
  r.key = key;
  r.value = std::string(value_bytes, 'v');
  return r;
}

TEST(HoldingSink, PassesThroughUntilHeldThenReleasesInOrder) {
  FakeSink target;
  HoldingSink sink(target, 1 << 20);
  ASSERT_TRUE(sink.Produce(Record("a")).ok());
  EXPECT_EQ(target.pending.size(), 1u) << "not holding: straight through";
  sink.Hold();
  ASSERT_TRUE(sink.Produce(Record("b")).ok());
  ASSERT_TRUE(sink.Produce(Record("c")).ok());
  EXPECT_EQ(target.pending.size(), 1u) << "held back while an epoch is in flight";
  EXPECT_EQ(sink.held_records(), 2u);
  EXPECT_FALSE(sink.Flush(0).ok()) << "the commit's calls are refused while holding";
  ASSERT_TRUE(sink.Release().ok());
  ASSERT_EQ(target.pending.size(), 3u);
  EXPECT_EQ(target.pending[1].key, "b");
  EXPECT_EQ(target.pending[2].key, "c");
  ASSERT_TRUE(sink.Produce(Record("d")).ok());
  EXPECT_EQ(target.pending.size(), 4u) << "released: straight through again";
}

TEST(HoldingSink, KeepsAGivenRecordInItsTurnAmongCopiedOnes) {
  FakeSink target;
  HoldingSink sink(target, 1 << 20);
  ASSERT_TRUE(sink.ProduceOwned(Record("a", 3)).ok());
  EXPECT_EQ(target.pending.size(), 1u) << "not holding: straight through";
  sink.Hold();
  const OutputRecord copied = Record("b", 5);
  ASSERT_TRUE(sink.Produce(copied).ok());
  ASSERT_TRUE(sink.ProduceOwned(Record("c", 7)).ok());
  ASSERT_TRUE(sink.Produce(Record("d", 9)).ok());
  EXPECT_EQ(target.pending.size(), 1u);
  EXPECT_EQ(sink.held_records(), 3u);
  ASSERT_TRUE(sink.Release().ok());
  ASSERT_EQ(target.pending.size(), 4u);
  for (size_t i = 0; i < 4; ++i) {
    EXPECT_EQ(target.pending[i].key, std::string(1, static_cast<char>('a' + i)));
    EXPECT_EQ(target.pending[i].value, std::string(3 + 2 * i, 'v')) << "record " << i << " arrives whole";
  }
}

TEST(HoldingSink, AbortWhileHoldingDropsOnlyWhatIsHeld) {
  FakeSink target;
  HoldingSink sink(target, 1 << 20);
  ASSERT_TRUE(sink.Produce(Record("in-transaction")).ok());
  sink.Hold();
  ASSERT_TRUE(sink.Produce(Record("held")).ok());
  ASSERT_TRUE(sink.Abort(0).ok());
  EXPECT_EQ(sink.held_records(), 0u);
  EXPECT_TRUE(target.aborted.empty()) << "the transaction in flight is the committer's";
  EXPECT_FALSE(sink.holding());
  ASSERT_TRUE(sink.Abort(0).ok());
  ASSERT_EQ(target.aborted.size(), 1u) << "not holding: the abort reaches the target";
  EXPECT_EQ(target.aborted[0].key, "in-transaction");
}

TEST(HoldingSink, FullOncePastItsBoundInBytes) {
  FakeSink target;
  HoldingSink sink(target, 100);
  sink.Hold();
  ASSERT_TRUE(sink.Produce(Record("k", 60)).ok());
  EXPECT_FALSE(sink.full());
  ASSERT_TRUE(sink.Produce(Record("k", 60)).ok());
  EXPECT_TRUE(sink.full());
  sink.Discard();
  EXPECT_FALSE(sink.full());
  EXPECT_TRUE(target.pending.empty());
}

}  // namespace
}  // namespace crm::pipeline
