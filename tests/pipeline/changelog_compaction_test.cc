// A changelog compacted by the cluster restores to the same state as the
// log that was written: compaction keeps only the newest record per key, so
// most epochs lose their markers; a run's newest marker (changelog_record.h)
// vouches for every earlier epoch of its run. Compaction is emulated by
// copying the newest record per key, in log order, into a second topic
// (with or without the deletes, which a cluster drops after
// delete.retention.ms). Also: a run's marker does not complete another
// run's unfinished epoch, and a writer that died mid-commit followed by the
// one that took over compacts to the new writer's state.
#include <gtest/gtest.h>

#include <map>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "tests/pipeline/changelog_restore_fixture.h"
#include "tests/pipeline/changelog_writer_script.h"

namespace crm::pipeline {
namespace {

enum class Deletes { kKept, kDropped };

// What a fully cleaned compacted topic holds of `log`: the newest record of
// every key, in log order; without the deletes when they were dropped.
std::vector<OutputRecord> Compacted(const std::vector<OutputRecord>& log, Deletes deletes) {
  std::map<std::string, size_t> newest;
  for (size_t i = 0; i < log.size(); ++i) newest[log[i].key] = i;
  std::vector<OutputRecord> kept;
  for (size_t i = 0; i < log.size(); ++i) {
    if (newest[log[i].key] != i) continue;
    if (log[i].tombstone && deletes == Deletes::kDropped) continue;
    kept.push_back(log[i]);
  }
  return kept;
}

std::vector<OutputRecord> ChangelogRecords(const FakeSink& sink) {
  std::vector<OutputRecord> records;
  for (const OutputRecord& r : sink.delivered) {
    if (r.topic == kTopic) records.push_back(r);
  }
  return records;
}

size_t Markers(const std::vector<OutputRecord>& log) {
  size_t markers = 0;
  for (const OutputRecord& r : log) markers += ParseChangelogKey(r.key).kind == ChangelogKeyKind::kMarker ? 1 : 0;
  return markers;
}

class ChangelogCompactionTest : public ChangelogRestoreTest {
 protected:
  // Restores the compacted copy of `log` into the fixture's empty store and
  // expects `writer`'s state: customers byte for byte, timers, partition
  // data and offsets.
  void ExpectCompactedRestoresTo(const std::vector<OutputRecord>& log, Deletes deletes, const StateStore& writer) {
    const std::vector<OutputRecord> compacted = Compacted(log, deletes);
    ASSERT_LT(Markers(compacted), Markers(log) / 2) << "compaction must remove most markers, or this tests nothing";
    for (const OutputRecord& r : compacted) Produce(r, kCompactedTopic);
    auto restored = RestoreInto(*store_, kPartition, kCompactedTopic);
    ASSERT_TRUE(restored.ok()) << restored.status().message();
    EXPECT_FALSE(restored->rebuild_from_input) << restored->rebuild_reason;
    EXPECT_EQ(restored->corrupt_records, 0);
    EXPECT_FALSE(Customers(writer).empty());
    EXPECT_EQ(Customers(*store_), Customers(writer));
    EXPECT_EQ(Timers(*store_, kPartition), Timers(writer, kPartition));
    EXPECT_EQ(*store_->PartitionData(kPartition), *writer.PartitionData(kPartition));
    EXPECT_EQ(StoredOffset(kPartition), *writer.NextOffset({kInput, kPartition}));
  }

  void OneWriterCompacted(Deletes deletes) {
    ScriptedWriter writer(dir_.string() + "-writer");
    int64_t offset = 0;
    writer.FeedDays(0, 365, offset);
    ASSERT_TRUE(writer.processor->Commit(1000).ok());
    ExpectCompactedRestoresTo(ChangelogRecords(writer.sink), deletes, *writer.store);
  }
};

// The bug this guards against: every marker shared the key 'm', compaction
// kept the newest only, and a restore from an empty store took every older
// epoch for unfinished, skipped it and rewrote its customers as deletes.
TEST_F(ChangelogCompactionTest, TheCompactedChangelogOfOneWriterRestoresItsState) {
  OneWriterCompacted(Deletes::kKept);
}

TEST_F(ChangelogCompactionTest, TheCompactedChangelogRestoresItsStateAfterTheDeletesAreGone) {
  OneWriterCompacted(Deletes::kDropped);
}

// Writer A dies after its last epoch's records were acknowledged and before
// its markers; B claims the partition, restores A's log, rewrites the keys of
// the unfinished epoch and goes on from A's last complete epoch. The whole
// log, compacted, restores to B's state.
TEST_F(ChangelogCompactionTest, AWriterThatDiedMidCommitAndTheOneThatTookOverCompactToTheNewWritersState) {
  ScriptedWriter a(dir_.string() + "-a");
  int64_t offset = 0;
  a.FeedDays(0, 181, offset);  // its last commit is at day 180
  const int64_t complete_offset = offset;
  a.FeedDays(183, 200, offset);
  ASSERT_TRUE(a.processor->Commit(1000).ok());
  // A's log without the markers of its last epoch: it died before them.
  std::vector<OutputRecord> log = ChangelogRecords(a.sink);
  ASSERT_EQ(ParseChangelogKey(log.back().key).kind, ChangelogKeyKind::kMarker);
  const std::string unfinished = log.back().headers.front().second;
  std::erase_if(log, [&](const OutputRecord& r) {
    return r.headers.front().second == unfinished && ParseChangelogKey(r.key).kind == ChangelogKeyKind::kMarker;
  });
  for (const OutputRecord& r : log) Produce(r);

  ScriptedWriter b(dir_.string() + "-b");
  ASSERT_TRUE(b.processor->ClaimPartitions({kPartition}, 1000).ok());
  for (const OutputRecord& r : ChangelogRecords(b.sink)) Produce(r);  // the claim
  auto restored = RestoreInto(*b.store, kPartition, kTopic);
  ASSERT_TRUE(restored.ok()) << restored.status().message();
  ASSERT_FALSE(restored->keys_to_rewrite.empty()) << "the unfinished epoch's keys";
  EXPECT_EQ(*b.store->NextOffset({kInput, kPartition}), complete_offset);
  b.processor->ScheduleChangelogRewrite(kPartition, std::move(restored->keys_to_rewrite));
  offset = complete_offset;
  b.FeedDays(183, 365, offset);
  ASSERT_TRUE(b.processor->Commit(1000).ok());
  const std::vector<OutputRecord> b_log = ChangelogRecords(b.sink);
  log.insert(log.end(), b_log.begin(), b_log.end());
  ExpectCompactedRestoresTo(log, Deletes::kKept, *b.store);
}

// Crafted runs: epochs 1 and 2 of run "w/0." keep only epoch 2's marker (as
// after compaction): both are applied. Epoch 3 of that run never completes;
// the writer resets and run "w/1." completes epoch 4: epoch 3 is not applied
// and its keys are rewritten.
TEST_F(ChangelogCompactionTest, ARunsMarkerCompletesItsRunsEarlierEpochsAndNoOtherRuns) {
  const operators::CustomerState alice = StateWithSpend(10), bob = StateWithSpend(20), zed = StateWithSpend(99),
                                  carol = StateWithSpend(30);
  Produce(ChangelogWriter(kTopic, "w/0.1").Customer(kPartition, "alice", &alice));
  ChangelogWriter second(kTopic, "w/0.2");
  Produce(second.Customer(kPartition, "bob", &bob));
  Produce(second.Marker(kPartition, {{TopicPartitionKey{kInput, kPartition}, 7}}));
  Produce(ChangelogWriter(kTopic, "w/0.3").Customer(kPartition, "zed", &zed));
  ChangelogWriter next_run(kTopic, "w/1.4");
  Produce(next_run.Customer(kPartition, "carol", &carol));
  Produce(next_run.Marker(kPartition, {{TopicPartitionKey{kInput, kPartition}, 9}}));
  EXPECT_EQ(second.Marker(kPartition, {}).key, ChangelogMarkerKey("w/0."));

  auto restored = Restore(kPartition);
  ASSERT_TRUE(restored.ok()) << restored.status().message();
  EXPECT_EQ(restored->epochs, 3);
  EXPECT_TRUE(HasCustomer("alice")) << "epoch 1 lost its marker to compaction; epoch 2's vouches for it";
  EXPECT_TRUE(HasCustomer("bob"));
  EXPECT_TRUE(HasCustomer("carol"));
  EXPECT_FALSE(HasCustomer("zed")) << "another run's marker completed an unfinished epoch";
  EXPECT_EQ(restored->keys_to_rewrite, (std::set<std::string>{ChangelogCustomerKey("zed")}));
  EXPECT_EQ(StoredOffset(kPartition), 9);
}

}  // namespace
}  // namespace crm::pipeline
