// Hostile input (issue 10): one record must never stop the service, move a
// partition's clock past a sane bound, or change another customer's state.
// Dead letters always fit the producer's limit and keep null apart from
// empty; event times outside sane bounds are dead-lettered; bad keys create
// no cache entries.
#include <gtest/gtest.h>

#include <filesystem>
#include <limits>
#include <string>

#include "pipeline/runtime/event_time_bounds.h"
#include "pipeline/runtime/record_processor.h"
#include "pipeline/state/population_codec.h"
#include "pipeline/state/state_store.h"
#include "pipeline/wire/dead_letter.h"
#include "tests/pipeline/processor_fixture.h"

namespace crm::pipeline {
namespace {

std::string Header(const OutputRecord& r, const std::string& name) {
  for (const auto& [k, v] : r.headers) {
    if (k == name) return v;
  }
  return "<absent>";
}

size_t RecordBytes(const OutputRecord& r) {
  size_t total = r.key.size() + r.value.size();
  for (const auto& [k, v] : r.headers) total += k.size() + v.size();
  return total;
}

const operators::EventOrigin kOrigin{"crm.purchases", 3, 41};

TEST(DeadLetterTest, RecordUnderTheBrokerLimitBecomesADeadLetterUnderTheProducerLimit) {
  const size_t budget = DeadLetterBudget({});
  const std::string value(999'900, 'x');
  OutputRecord r = MakeDeadLetter("crm.deadletter", {&kOrigin, std::string_view("ann"), std::string_view(value)},
                                  "too_large", "message of 999900 bytes is over the limit of 65536 bytes", budget);
  EXPECT_LE(RecordBytes(r) + kRecordFramingBytes, 1'000'000u) << "librdkafka's message.max.bytes default";
  EXPECT_EQ(Header(r, kDeadLetterTruncated), "true");
  EXPECT_EQ(Header(r, kDeadLetterOriginalValueBytes), "999900");
  EXPECT_EQ(Header(r, kDeadLetterOriginalKeyBytes), "<absent>") << "the key was kept whole";
  EXPECT_EQ(r.key, "ann");
  EXPECT_EQ(r.value, value.substr(0, r.value.size())) << "the leading bytes are kept";
  EXPECT_GT(r.value.size(), 990'000u);
  EXPECT_EQ(Header(r, kDeadLetterErrorCode), "too_large");
  EXPECT_EQ(Header(r, kDeadLetterSourceOffset), "41");
}

TEST(DeadLetterTest, HugeKeyIsCutAndTheOriginalSizesAreNamed) {
  const std::string key(900'000, 'k');
  const std::string value(500'000, 'v');
  OutputRecord r = MakeDeadLetter("dl", {&kOrigin, std::string_view(key), std::string_view(value)}, "key_mismatch",
                                  "message key must equal customer_id", 100'000);
  EXPECT_LE(RecordBytes(r), 100'000u);
  EXPECT_EQ(r.key.size(), kMaxDeadLetterKeyBytes);
  EXPECT_EQ(Header(r, kDeadLetterOriginalKeyBytes), "900000");
  EXPECT_EQ(Header(r, kDeadLetterOriginalValueBytes), "500000");
}

TEST(DeadLetterTest, SmallRecordIsKeptWholeWithoutTruncationHeaders) {
  const std::string value("{\"event_id\":1}");
  OutputRecord r = MakeDeadLetter("dl", {&kOrigin, std::string_view("k"), std::string_view(value)}, "wrong_type",
                                  "event_id must be a string", DeadLetterBudget({}));
  EXPECT_EQ(r.value, value);
  EXPECT_EQ(Header(r, kDeadLetterTruncated), "<absent>");
}

TEST(DeadLetterTest, NullStaysNullAndEmptyStaysEmpty) {
  OutputRecord nulls = MakeDeadLetter("dl", {&kOrigin, std::nullopt, std::nullopt}, "invalid_json", "empty", 1000);
  EXPECT_TRUE(nulls.null_key);
  EXPECT_TRUE(nulls.tombstone);
  OutputRecord empties =
      MakeDeadLetter("dl", {&kOrigin, std::string_view(""), std::string_view("")}, "invalid_json", "empty", 1000);
  EXPECT_FALSE(empties.null_key);
  EXPECT_FALSE(empties.tombstone);
}

TEST(DeadLetterTest, BudgetFollowsTheConfiguredMessageMaxBytes) {
  EXPECT_EQ(DeadLetterBudget({{"message.max.bytes", "200000"}}), 200'000 - kRecordFramingBytes);
  EXPECT_EQ(DeadLetterBudget({{"message.max.bytes", "nonsense"}}), 1'000'000 - kRecordFramingBytes);
  const std::string reason(5000, 'r');
  OutputRecord r = MakeDeadLetter("dl", {&kOrigin, std::string_view("k"), std::string_view("v")}, "x", reason, 1 << 20);
  EXPECT_LE(Header(r, kDeadLetterErrorReason).size(), kMaxReasonBytes + 3) << "reasons are bounded";
}

// ---- event time bounds -------------------------------------------------

constexpr int64_t kNow = 1'764'547'200'000;         // 2025-12-01
constexpr int64_t kYear9999 = 253'402'214'400'000;  // 9999-12-30
constexpr int64_t kDayMs = 86'400'000;
const EventTimeBounds kBounds{631'152'000'000, kDayMs};

TEST(EventTimeBoundsTest, FarFutureEventIsRejectedWhateverTheRecordTimestampSays) {
  for (int64_t record_ts : {kYear9999, int64_t{0}, int64_t{-1}}) {
    for (RecordTimestampType type : {RecordTimestampType::kCreateTime, RecordTimestampType::kLogAppendTime,
                                     RecordTimestampType::kNone}) {
      auto rejected = CheckEventTime(kBounds, kYear9999, record_ts, type, kNow);
      ASSERT_TRUE(rejected.has_value()) << record_ts;
      EXPECT_EQ(rejected->code, "future_event");
      EXPECT_NE(rejected->reason.find("partition's clock 2025-12-01"), std::string::npos) << rejected->reason;
    }
  }
}

TEST(EventTimeBoundsTest, RecordTimestampBoundsTheEventWhenItIsEarlierThanTheClock) {
  const int64_t sent = kNow - 30 * kDayMs;
  auto create = CheckEventTime(kBounds, sent + 2 * kDayMs, sent, RecordTimestampType::kCreateTime, kNow);
  ASSERT_TRUE(create.has_value());
  EXPECT_NE(create->reason.find("after the record's CreateTime"), std::string::npos) << create->reason;
  auto append = CheckEventTime(kBounds, sent + 2 * kDayMs, sent, RecordTimestampType::kLogAppendTime, kNow);
  ASSERT_TRUE(append.has_value());
  EXPECT_NE(append->reason.find("LogAppendTime"), std::string::npos);
  EXPECT_FALSE(CheckEventTime(kBounds, sent + kDayMs / 2, sent, RecordTimestampType::kCreateTime, kNow));
}

TEST(EventTimeBoundsTest, EventsWithinTheBoundsPass) {
  EXPECT_FALSE(CheckEventTime(kBounds, kNow + kDayMs, 0, RecordTimestampType::kNone, kNow));
  EXPECT_FALSE(CheckEventTime(kBounds, 852'076'800'000 /* 1997-01-01 */, kNow, RecordTimestampType::kCreateTime, kNow));
  EXPECT_TRUE(CheckEventTime(kBounds, kNow + kDayMs + 1, 0, RecordTimestampType::kNone, kNow));
}

TEST(EventTimeBoundsTest, EventsBeforeTheEarliestDateAndEpochSecondsAreRejected) {
  auto seconds = CheckEventTime(kBounds, 1'769'904'000, kNow, RecordTimestampType::kCreateTime, kNow);
  ASSERT_TRUE(seconds.has_value());
  EXPECT_EQ(seconds->code, "past_event");
  EXPECT_NE(seconds->reason.find("1970-01-21"), std::string::npos) << seconds->reason;
  EXPECT_NE(seconds->reason.find("epoch seconds"), std::string::npos) << seconds->reason;
  auto old = CheckEventTime(kBounds, -5'000'000'000'000, kNow, RecordTimestampType::kCreateTime, kNow);
  ASSERT_TRUE(old.has_value());
  EXPECT_EQ(old->code, "past_event");
  EXPECT_EQ(old->reason.find("epoch seconds"), std::string::npos);
}

TEST(EventTimeBoundsTest, ExtremeClocksDoNotOverflow) {
  const int64_t max = std::numeric_limits<int64_t>::max();
  EXPECT_FALSE(CheckEventTime(EventTimeBounds{0, max}, kYear9999, max, RecordTimestampType::kCreateTime, max - 1));
  EXPECT_FALSE(CheckEventTime(kBounds, kNow, 0, RecordTimestampType::kNone, std::numeric_limits<int64_t>::min()));
}

// ---- the processor -------------------------------------------------------

class HostileInputTest : public ProcessorFixture {
 protected:
  void SetUp() override {
    config_.state.changelog = false;
    ProcessorFixture::SetUp();
  }
  Status Feed(int64_t offset, std::string_view key, std::string_view json, int64_t record_ts = 0) {
    return FeedRecord(offset, key, json, record_ts, RecordTimestampType::kCreateTime);
  }
  static std::string Purchase(const std::string& id, const std::string& customer, const std::string& ts) {
    return R"({"event_id":")" + id + R"(","customer_id":")" + customer + R"(","ts":)" + ts + R"(,"amount":20})";
  }
  PartitionState Partition0() {
    auto data = store_->PartitionData(0);
    EXPECT_TRUE(data.ok() && data->has_value());
    auto decoded = DecodePartitionState(**data);
    EXPECT_TRUE(decoded.ok());
    return decoded.ok() ? *decoded : PartitionState{};
  }
  std::vector<OutputRecord> DeadLetters() {
    std::vector<OutputRecord> out;
    for (const OutputRecord& r : sink_.delivered) {
      if (r.topic == config_.topics.deadletter) out.push_back(r);
    }
    return out;
  }
};

TEST_F(HostileInputTest, FarFutureEventLeavesTheClockAndEveryOtherCustomerAlone) {
  ASSERT_TRUE(Feed(0, "ann", Purchase("a1", "ann", "\"2024-03-01T00:00:00Z\"")).ok());
  ASSERT_TRUE(Feed(1, "bob", Purchase("b1", "bob", "\"2024-03-02T00:00:00Z\"")).ok());
  ASSERT_TRUE(processor_->Commit(1000).ok());
  const PartitionState before = Partition0();

  // Both the event and its record claim the year 9999; then one with no
  // record timestamp at all.
  ASSERT_TRUE(Feed(2, "eve", Purchase("e1", "eve", "\"9999-12-30T00:00:00Z\""), kYear9999).ok());
  ASSERT_TRUE(Feed(3, "eve", Purchase("e2", "eve", "253402214400000"), -1).ok());
  ASSERT_TRUE(Feed(4, "cat", Purchase("c1", "cat", "\"2024-03-03T00:00:00Z\"")).ok());
  ASSERT_TRUE(processor_->Commit(1000).ok());

  auto dead = DeadLetters();
  ASSERT_EQ(dead.size(), 2u);
  for (const OutputRecord& r : dead) EXPECT_EQ(Header(r, kDeadLetterErrorCode), "future_event");
  const PartitionState after = Partition0();
  EXPECT_LT(after.watermark_ms, 1'710'000'000'000) << "the watermark moved with the hostile event";
  EXPECT_GT(after.watermark_ms, before.watermark_ms) << "cat's event still moves it normally";
  for (const char* id : {"ann", "bob", "cat"}) {
    auto state = store_->Get(id);
    ASSERT_TRUE(state.ok() && state->has_value()) << id << " was deleted";
  }
  auto eve = store_->Get("eve");
  ASSERT_TRUE(eve.ok());
  EXPECT_FALSE(eve->has_value()) << "a dead-lettered record creates no state";
  EXPECT_EQ(metrics_.late_events().Value(), 0) << "cat's event is not late";
}

TEST_F(HostileInputTest, EpochSecondsAreDeadLetteredNotReadAs1970) {
  ASSERT_TRUE(Feed(0, "ann", Purchase("a1", "ann", "1769904000")).ok());
  ASSERT_TRUE(processor_->Commit(1000).ok());
  auto dead = DeadLetters();
  ASSERT_EQ(dead.size(), 1u);
  EXPECT_EQ(Header(dead[0], kDeadLetterErrorCode), "past_event");
  auto ann = store_->Get("ann");
  ASSERT_TRUE(ann.ok());
  EXPECT_FALSE(ann->has_value());
}

TEST_F(HostileInputTest, KeysOfDeadLetteredRecordsGetNoCacheEntry) {
  std::vector<std::string> keys;
  for (int i = 0; i < 500; ++i) keys.push_back("junk-" + std::to_string(i));
  keys.push_back(std::string(1 << 20, 'k'));  // longer than any customer id
  std::vector<std::string_view> views(keys.begin(), keys.end());
  ASSERT_TRUE(processor_->Prefetch(views).ok());
  for (size_t i = 0; i < keys.size(); ++i) ASSERT_TRUE(Feed(static_cast<int64_t>(i), keys[i], "not json").ok());
  ASSERT_TRUE(processor_->Commit(1000).ok());
  EXPECT_EQ(metrics_.hot_customers().Value(), 0) << "cache entries for keys of rejected records";
  EXPECT_EQ(DeadLetters().size(), keys.size());
}

TEST_F(HostileInputTest, NewCustomerPrefetchedAsAbsentIsProcessedOnce) {
  std::vector<std::string_view> views{"new-1"};
  ASSERT_TRUE(processor_->Prefetch(views).ok());
  ASSERT_TRUE(Feed(0, "new-1", Purchase("n1", "new-1", "\"2024-03-01T00:00:00Z\"")).ok());
  ASSERT_TRUE(processor_->Commit(1000).ok());
  auto state = store_->Get("new-1");
  ASSERT_TRUE(state.ok() && state->has_value());
  EXPECT_EQ((*state)->purchase_count, 1);
}

TEST_F(HostileInputTest, NullValueIsDeadLetteredAsNull) {
  InputRecordView view;
  view.topic = "crm.purchases";
  view.key = "";
  view.has_key = true;
  view.has_value = false;
  ASSERT_TRUE(processor_->Process(view).ok());
  ASSERT_TRUE(processor_->Commit(1000).ok());
  auto dead = DeadLetters();
  ASSERT_EQ(dead.size(), 1u);
  EXPECT_TRUE(dead[0].tombstone) << "null value";
  EXPECT_FALSE(dead[0].null_key) << "empty key";
}

}  // namespace
}  // namespace crm::pipeline
