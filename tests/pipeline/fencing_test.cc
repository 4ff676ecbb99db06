// Zombie fencing in the processor (issue 10, item 7): once another writer has
// appended to a changelog partition after this instance's last record (the
// new owner's claim), a commit is fenced: no epoch marker is written, the
// epoch's outputs are aborted, and no offset or state reaches the store.
#include <gtest/gtest.h>

#include <filesystem>

#include "pipeline/changelog/changelog_record.h"
#include "pipeline/runtime/record_processor.h"
#include "pipeline/state/state_store.h"
#include "tests/pipeline/processor_fixture.h"

namespace crm::pipeline {
namespace {

class FencingTest : public ProcessorFixture {
 protected:
  void SetUp() override {
    config_.state.changelog = true;
    ProcessorFixture::SetUp();
  }
  Status Feed(int64_t offset, const std::string& customer) {
    return FeedPurchase(offset, customer, "2024-02-01T00:00:00Z");
  }
  size_t Markers() const {
    size_t n = 0;
    for (const OutputRecord& r : sink_.delivered) n += r.topic == config_.topics.changelog && ParseChangelogKey(r.key).kind == ChangelogKeyKind::kMarker;
    return n;
  }
};

TEST_F(FencingTest, CommitIsFencedWhenAnotherWriterAppendedToTheChangelogPartition) {
  ASSERT_TRUE(Feed(0, "ann").ok());
  ASSERT_TRUE(processor_->Commit(1000).ok());
  ASSERT_EQ(Markers(), 1u);

  ASSERT_TRUE(Feed(1, "ann").ok());
  // The new owner's claim: two records.
  sink_.ForeignWrite(config_.topics.changelog, 0);
  sink_.ForeignWrite(config_.topics.changelog, 0);
  Status fenced = processor_->Commit(1000);
  EXPECT_EQ(fenced.code(), StatusCode::kFenced) << fenced.message();
  EXPECT_NE(fenced.message().find("another instance owns the partition"), std::string::npos);
  EXPECT_EQ(Markers(), 1u) << "a fenced epoch must never be completed by a marker";
  auto offset = store_->NextOffset({"crm.purchases", 0});
  ASSERT_TRUE(offset.ok());
  EXPECT_EQ(*offset, std::optional<int64_t>(1)) << "the fenced epoch's offsets reached the store";
  auto ann = store_->Get("ann");
  ASSERT_TRUE(ann.ok() && ann->has_value());
  EXPECT_EQ((*ann)->purchase_count, 1) << "the fenced epoch's state reached the store";
}

TEST_F(FencingTest, OwnRecordsAndOneControlMarkerBetweenEpochsNeverFence) {
  for (int i = 0; i < 5; ++i) {
    ASSERT_TRUE(Feed(i, "bo" + std::to_string(i)).ok());
    // A real cluster appends a transaction's commit marker after it.
    if (i % 2 == 1) sink_.ForeignWrite(config_.topics.changelog, 0);
    ASSERT_TRUE(processor_->Commit(1000).ok()) << "commit " << i;
  }
  EXPECT_EQ(Markers(), 5u);
}

TEST_F(FencingTest, AnEpochWithOnlyDeadLettersStillWritesARecordToCheckOwnershipAgainst) {
  ASSERT_TRUE(Feed(0, "cy").ok());
  ASSERT_TRUE(processor_->Commit(1000).ok());
  InputRecordView bad;
  bad.topic = "crm.purchases";
  bad.offset = 1;
  bad.key = "cy";
  bad.has_key = true;
  bad.value = "not json";
  ASSERT_TRUE(processor_->Process(bad).ok());
  sink_.ForeignWrite(config_.topics.changelog, 0);
  sink_.ForeignWrite(config_.topics.changelog, 0);
  EXPECT_EQ(processor_->Commit(1000).code(), StatusCode::kFenced);
}

TEST_F(FencingTest, ClaimsAreProducedOncePerPartitionAcrossARetriedFlush) {
  auto claims = [this](int32_t partition) {
    size_t n = 0;
    for (const auto* list : {&sink_.pending, &sink_.delivered}) {
      for (const OutputRecord& r : *list) n += r.partition == partition && !r.key.empty() && r.key[0] == 'o';
    }
    return n;
  };
  sink_.fail_flush = true;
  EXPECT_FALSE(processor_->ClaimPartitions({0, 1}, 1000).ok());
  sink_.fail_flush = false;
  ASSERT_TRUE(processor_->ClaimPartitions({0, 1, 2}, 1000).ok());
  EXPECT_EQ(claims(0), static_cast<size_t>(kChangelogClaimRecords)) << "claim produced again on retry";
  EXPECT_EQ(claims(1), static_cast<size_t>(kChangelogClaimRecords));
  EXPECT_EQ(claims(2), static_cast<size_t>(kChangelogClaimRecords)) << "a partition added on retry is claimed too";
  EXPECT_TRUE(sink_.pending.empty()) << "claims are acknowledged before the call returns";
}

}  // namespace
}  // namespace crm::pipeline
