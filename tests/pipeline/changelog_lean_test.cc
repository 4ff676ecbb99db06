// The lean changelog (changelog_record.h): a customer's record carries its
// pending check and restore rebuilds the timers column family from those
// records, exactly, also from a store that already holds the customer, from
// an older writer's changelog (timer records, JSON markers) and after the
// processor armed, re-armed, fired and expired checks over many commits;
// every epoch writes one record per changed key.
#include <gtest/gtest.h>

#include <filesystem>
#include <map>
#include <set>
#include <string>
#include <vector>

#include "tests/pipeline/changelog_restore_fixture.h"
#include "tests/pipeline/changelog_writer_script.h"

namespace crm::pipeline {
namespace {

class ChangelogLeanTest : public ChangelogRestoreTest {
 protected:
  // One epoch of `customer` with its pending check at `due_ms` (nullopt: deleted).
  void CustomerEpoch(const std::string& epoch, const std::string& customer, std::optional<int64_t> due_ms,
                     int64_t next_offset) {
    ChangelogWriter writer(kTopic, epoch);
    const operators::CustomerState state = StateWithSpend(10, due_ms.value_or(0));
    Produce(writer.Customer(kPartition, customer, due_ms ? &state : nullptr));
    Produce(writer.Marker(kPartition, {{TopicPartitionKey{kInput, kPartition}, next_offset}}));
  }
};

TEST_F(ChangelogLeanTest, TimersAreRebuiltFromTheCustomerRecords) {
  CustomerEpoch("w/1", "alice", 1'000, 1);
  CustomerEpoch("w/2", "bob", 2'000, 2);
  CustomerEpoch("w/3", "alice", 5'000, 3);  // re-armed: the check at 1'000 is gone
  CustomerEpoch("w/4", "carol", 0, 4);      // no pending check
  auto restored = Restore(kPartition);
  ASSERT_TRUE(restored.ok()) << restored.status().message();
  EXPECT_EQ(restored->epochs, 4);
  using Timer = std::pair<int64_t, std::string>;
  EXPECT_EQ(Timers(*store_, kPartition), (std::set<Timer>{{2'000, "bob"}, {5'000, "alice"}}));

  // A second restore goes on from the checkpoint: the store, not the batch,
  // knows alice's and bob's checks now.
  CustomerEpoch("w/5", "alice", std::nullopt, 5);  // expired
  CustomerEpoch("w/6", "bob", 9'000, 6);
  restored = Restore(kPartition);
  ASSERT_TRUE(restored.ok()) << restored.status().message();
  EXPECT_EQ(restored->epochs, 2);
  EXPECT_FALSE(HasCustomer("alice"));
  EXPECT_EQ(Timers(*store_, kPartition), (std::set<Timer>{{9'000, "bob"}}));
}

TEST_F(ChangelogLeanTest, ACheckWhoseRecordCompactionRemovedIsStillDeleted) {
  CustomerEpoch("w/1", "alice", 1'000, 1);
  ASSERT_TRUE(Restore(kPartition).ok());
  // alice was re-armed to 3'000 in an epoch whose record of her compaction
  // removed (a later record of hers exists); only that later record is left.
  ChangelogWriter compacted(kTopic, "w/2");
  Produce(compacted.Partition(kPartition, EncodePartitionState(PartitionState{})));
  Produce(compacted.Marker(kPartition, {{TopicPartitionKey{kInput, kPartition}, 2}}));
  CustomerEpoch("w/3", "alice", 7'000, 3);
  ASSERT_TRUE(Restore(kPartition).ok());
  EXPECT_EQ(Timers(*store_, kPartition), (std::set<std::pair<int64_t, std::string>>{{7'000, "alice"}}));
}

TEST_F(ChangelogLeanTest, AnOlderWritersTimerRecordsAndJsonMarkersRestoreTheSameState) {
  // The previous format: a timer record beside every re-armed customer, and
  // JSON markers.
  ChangelogWriter first(kTopic, "old/1");
  const operators::CustomerState armed = StateWithSpend(10, 1'000);
  Produce(first.Customer(kPartition, "alice", &armed));
  Produce(first.Timer(kPartition, TimerKeyBytes({kPartition, 1'000, "alice"}), true));
  Produce(kPartition, ChangelogMarkerKey(""), EncodeChangelogMarkerJson({{{kInput, 4}}}), "old/1");
  ChangelogWriter second(kTopic, "old/2");
  const operators::CustomerState rearmed = StateWithSpend(10, 8'000);
  Produce(second.Customer(kPartition, "alice", &rearmed));
  Produce(second.Timer(kPartition, TimerKeyBytes({kPartition, 1'000, "alice"}), false));
  Produce(second.Timer(kPartition, TimerKeyBytes({kPartition, 8'000, "alice"}), true));
  // A timer record no customer carries (as left by a compacted changelog
  // whose tombstones expired) is not restored either.
  Produce(second.Timer(kPartition, TimerKeyBytes({kPartition, 3'000, "ghost"}), true));
  Produce(kPartition, ChangelogMarkerKey(""), EncodeChangelogMarkerJson({{{kInput, 7}}}), "old/2");
  // Then this version's epochs on the same changelog.
  CustomerEpoch("new/1", "bob", 2'000, 9);

  auto restored = Restore(kPartition);
  ASSERT_TRUE(restored.ok()) << restored.status().message();
  EXPECT_EQ(restored->epochs, 3);
  EXPECT_EQ(restored->corrupt_records, 0);
  EXPECT_EQ(Timers(*store_, kPartition), (std::set<std::pair<int64_t, std::string>>{{2'000, "bob"}, {8'000, "alice"}}));
  EXPECT_EQ(StoredOffset(kPartition), 9);
}

// The processor's own changelog, restored into a fresh store, gives back the
// processor's store: customers byte for byte, timers, partition data and
// offsets, after checks were armed, re-armed, fired and expired.
TEST_F(ChangelogLeanTest, ARestoredStoreEqualsTheOneThatWroteTheChangelog) {
  ScriptedWriter writer(dir_.string() + "-writer");
  int64_t offset = 0;
  writer.FeedDays(0, 365, offset);
  ASSERT_TRUE(writer.processor->Commit(1000).ok());
  ASSERT_GT(writer.metrics.timers_fired().Value(), 0) << "the script must fire checks";
  ASSERT_GT(writer.metrics.customers_expired().Value(), 0) << "the script must expire customers";
  StateStore* original = writer.store.get();

  int64_t changelog_records = 0;
  for (const OutputRecord& r : writer.sink.delivered) {
    if (r.topic != kTopic) continue;
    EXPECT_NE(r.key.front(), 't') << "no timer records";
    Produce(r);
    ++changelog_records;
  }
  auto restored = Restore(kPartition);
  ASSERT_TRUE(restored.ok()) << restored.status().message();
  EXPECT_EQ(restored->records, changelog_records);
  EXPECT_FALSE(Timers(*original, kPartition).empty());
  EXPECT_EQ(Timers(*store_, kPartition), Timers(*original, kPartition));
  EXPECT_EQ(Customers(*store_), Customers(*original));
  EXPECT_EQ(*store_->PartitionData(kPartition), *original->PartitionData(kPartition));
  EXPECT_EQ(StoredOffset(kPartition), *original->NextOffset({kInput, kPartition}));
}

}  // namespace
}  // namespace crm::pipeline
