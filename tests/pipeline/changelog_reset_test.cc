// A reset epoch (changelog_reset.h) against the embedded broker and real
// RocksDB stores: after it, a store that still holds the old state and a
// store restored from the beginning of the changelog both end with no
// customer, timer or partition data of the partition and with the chosen
// input positions; epochs a dead writer left unfinished never come back, and
// other partitions are left alone.
#include "pipeline/changelog/changelog_reset.h"

#include <gtest/gtest.h>

#include <unistd.h>

#include <filesystem>

#include "pipeline/changelog/changelog.h"
#include "pipeline/changelog/changelog_record.h"
#include "pipeline/embedded/mock_broker.h"
#include "pipeline/kafka/kafka_sink.h"
#include "pipeline/state/population_codec.h"

namespace crm::pipeline {
namespace {

constexpr char kTopic[] = "changelog";
constexpr char kInput[] = "crm.purchases";
constexpr int32_t kPartition = 1;
constexpr int32_t kOtherPartition = 2;

class ChangelogResetTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto broker = MockBroker::Create(MockBrokerOptions{1, 4, {kTopic}});
    ASSERT_TRUE(broker.ok()) << broker.status().message();
    broker_ = std::move(*broker);
    auto sink = KafkaSink::Create(Properties());
    ASSERT_TRUE(sink.ok()) << sink.status().message();
    sink_ = std::move(*sink);
    base_ = std::filesystem::temp_directory_path() /
            ("crm-reset-" + std::to_string(::getpid()) + "-" +
             ::testing::UnitTest::GetInstance()->current_test_info()->name());
    std::filesystem::remove_all(base_);
    std::filesystem::create_directories(base_);
  }
  void TearDown() override {
    sink_.reset();
    broker_.reset();
    std::filesystem::remove_all(base_);
  }

  KafkaProperties Properties() const { return {{"bootstrap.servers", broker_->bootstrap_servers()}}; }

  std::unique_ptr<StateStore> OpenStore(const std::string& name) {
    auto store = StateStore::Open({(base_ / name).string(), 16 << 20, false});
    EXPECT_TRUE(store.ok()) << store.status().message();
    return store.ok() ? std::move(*store) : nullptr;
  }

  void Produce(const std::vector<OutputRecord>& records) {
    for (const OutputRecord& r : records) ASSERT_TRUE(sink_->Produce(r).ok());
    ASSERT_TRUE(sink_->Flush(10'000).ok());
  }

  // A writer's claim and one complete epoch: a customer (with a pending
  // check, from which restore derives a timer), partition data and the marker.
  void OwnerEpoch(int32_t partition, const std::string& owner, const std::string& customer, int64_t next_offset) {
    ChangelogWriter writer(kTopic, owner + "1");
    std::vector<OutputRecord> records = writer.Claim(partition, owner);
    operators::CustomerState state;
    state.purchase_count = 3;
    state.next_check = operators::EventTime{1'000'000};
    records.push_back(writer.Customer(partition, customer, &state));
    records.push_back(writer.Partition(partition, EncodePartitionState(PartitionState{})));
    records.push_back(writer.Marker(partition, {{TopicPartitionKey{kInput, partition}, next_offset}}));
    Produce(records);
  }

  void Restore(StateStore& store, int32_t partition) {
    auto restored = RestoreChangelogPartition(Properties(), kTopic, partition, store, nullptr);
    ASSERT_TRUE(restored.ok()) << restored.status().message();
    EXPECT_FALSE(restored->rebuild_from_input) << restored->rebuild_reason;
    EXPECT_EQ(restored->corrupt_records, 0);
  }

  void Reset(int32_t partition, int64_t next_offset) {
    auto scan = ScanChangelogPartition(Properties(), kTopic, partition, 10'000);
    ASSERT_TRUE(scan.ok()) << scan.status().message();
    Produce(ResetEpochRecords(kTopic, partition, ResetOwner(42), scan->live_keys,
                              {{TopicPartitionKey{kInput, partition}, next_offset},
                               {TopicPartitionKey{kInput, kOtherPartition}, 999}}));
  }

  static bool Has(StateStore& store, const std::string& id) {
    auto state = store.Get(id);
    EXPECT_TRUE(state.ok());
    return state.ok() && state->has_value();
  }
  static std::optional<int64_t> Offset(StateStore& store, int32_t partition) {
    auto offset = store.NextOffset(TopicPartitionKey{kInput, partition});
    EXPECT_TRUE(offset.ok());
    return offset.ok() ? *offset : std::nullopt;
  }
  static int Timers(StateStore& store, int32_t partition) {
    int n = 0;
    EXPECT_TRUE(store.ScanTimers(partition, INT64_MAX, [&](int64_t, std::string_view) { return ++n, true; }).ok());
    return n;
  }
  static bool HasPartitionData(StateStore& store, int32_t partition) {
    auto data = store.PartitionData(partition);
    EXPECT_TRUE(data.ok());
    return data.ok() && data->has_value();
  }

  std::unique_ptr<MockBroker> broker_;
  std::unique_ptr<KafkaSink> sink_;
  std::filesystem::path base_;
};

TEST_F(ChangelogResetTest, ScanFindsTheKeysWhoseLatestRecordHoldsState) {
  OwnerEpoch(kPartition, "a/1/", "alice", 5);
  OwnerEpoch(kPartition, "a/1/", "bob", 9);
  ChangelogWriter writer(kTopic, "a/1/2");
  Produce({writer.Customer(kPartition, "bob", nullptr)});  // bob expired
  // An older writer's timer record: a key that holds state, for the reset to
  // delete too.
  Produce({writer.Timer(kPartition, TimerKeyBytes(TimerKey{kPartition, 1'000'000, "alice"}), true)});
  auto scan = ScanChangelogPartition(Properties(), kTopic, kPartition, 10'000);
  ASSERT_TRUE(scan.ok()) << scan.status().message();
  EXPECT_EQ(scan->records, 2 * 5 + 2);
  EXPECT_EQ(scan->live_keys,
            (std::set<std::string>{ChangelogCustomerKey("alice"),
                                   ChangelogTimerKey(TimerKeyBytes(TimerKey{kPartition, 1'000'000, "alice"})),
                                   ChangelogPartitionKey()}));
  auto empty = ScanChangelogPartition(Properties(), kTopic, kOtherPartition, 10'000);
  ASSERT_TRUE(empty.ok());
  EXPECT_TRUE(empty->live_keys.empty());
}

TEST_F(ChangelogResetTest, AStoreWithTheOldStateAndAFreshStoreBothEndEmptyAtTheChosenPositions) {
  OwnerEpoch(kPartition, "a/1/", "alice", 50);
  OwnerEpoch(kOtherPartition, "a/1/", "carol", 70);
  auto old_store = OpenStore("old");
  Restore(*old_store, kPartition);
  Restore(*old_store, kOtherPartition);
  ASSERT_TRUE(Has(*old_store, "alice"));
  ASSERT_EQ(Timers(*old_store, kPartition), 1) << "alice's pending check";
  ASSERT_EQ(Offset(*old_store, kPartition), 50);
  // A writer that died mid-commit: bob's record never got its marker.
  ChangelogWriter dead(kTopic, "a/1/2");
  Produce({[&] {
    operators::CustomerState bob;
    return dead.Customer(kPartition, "bob", &bob);
  }()});

  Reset(kPartition, 7);

  Restore(*old_store, kPartition);
  EXPECT_FALSE(Has(*old_store, "alice"));
  EXPECT_FALSE(Has(*old_store, "bob"));
  EXPECT_EQ(Timers(*old_store, kPartition), 0);
  EXPECT_FALSE(HasPartitionData(*old_store, kPartition));
  EXPECT_EQ(Offset(*old_store, kPartition), 7);
  // The marker carries only its own partition's offsets; the other
  // partition keeps its state.
  EXPECT_TRUE(Has(*old_store, "carol"));
  EXPECT_EQ(Offset(*old_store, kOtherPartition), 70);

  auto fresh = OpenStore("fresh");
  Restore(*fresh, kPartition);
  EXPECT_FALSE(Has(*fresh, "alice"));
  EXPECT_FALSE(Has(*fresh, "bob"));
  EXPECT_EQ(Timers(*fresh, kPartition), 0);
  EXPECT_FALSE(HasPartitionData(*fresh, kPartition));
  EXPECT_EQ(Offset(*fresh, kPartition), 7);

  // The next owner claims and commits as usual; its epochs apply.
  OwnerEpoch(kPartition, "b/2/", "dave", 12);
  auto later = OpenStore("later");
  Restore(*later, kPartition);
  EXPECT_TRUE(Has(*later, "dave"));
  EXPECT_FALSE(Has(*later, "alice"));
  EXPECT_EQ(Offset(*later, kPartition), 12);
}

TEST_F(ChangelogResetTest, AResetOfAPartitionThatNeverHadStateStillStoresThePositions) {
  Reset(kPartition, 3);
  auto store = OpenStore("s");
  Restore(*store, kPartition);
  EXPECT_EQ(Offset(*store, kPartition), 3);
}

TEST_F(ChangelogResetTest, TheResetEpochIsAClaimTombstonesAndAMarkerOfItsOwnWriter) {
  const std::string owner = ResetOwner(1);
  auto records = ResetEpochRecords(kTopic, kPartition, owner, {ChangelogCustomerKey("x"), ChangelogPartitionKey()},
                                   {{TopicPartitionKey{kInput, kPartition}, 4}});
  ASSERT_EQ(records.size(), static_cast<size_t>(kChangelogClaimRecords) + 3);
  for (const OutputRecord& r : records) {
    EXPECT_EQ(r.partition, kPartition);
    std::optional<std::string> epoch;
    for (const auto& [name, value] : r.headers) epoch = name == kEpochHeader ? std::optional(value) : epoch;
    ASSERT_TRUE(epoch);
    EXPECT_EQ(epoch->rfind(owner, 0), 0u) << *epoch;
    auto decoded = DecodeChangelogRecord(kPartition, r.key,
                                         r.tombstone ? std::nullopt : std::optional<std::string_view>(r.value), epoch);
    ASSERT_TRUE(decoded.ok()) << decoded.status().message();
  }
  EXPECT_EQ(ParseChangelogKey(records.front().key).kind, ChangelogKeyKind::kClaim);
  EXPECT_TRUE(records[kChangelogClaimRecords].tombstone);
  EXPECT_TRUE(records[kChangelogClaimRecords + 1].tombstone);
  EXPECT_EQ(records.back().key, ChangelogMarkerKey(owner + "reset."));
}

}  // namespace
}  // namespace crm::pipeline
