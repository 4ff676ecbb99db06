// The changelog record codec (changelog_record.h): markers and records read
// back from the topic are untrusted; every malformed one is a Corruption
// status, never an exception.
#include "pipeline/changelog/changelog_record.h"

#include <gtest/gtest.h>

#include <string>

#include "pipeline/state/population_codec.h"
#include "pipeline/state/state_codec.h"
#include "pipeline/state/state_store.h"

namespace crm::pipeline {
namespace {

TEST(ChangelogMarker, RoundTrips) {
  ChangelogMarker marker;
  marker.next_offsets = {{"crm.purchases", 42}, {"crm.complaints", 0}, {"crm.service", INT64_MAX}};
  const std::string bytes = EncodeChangelogMarker(marker);
  auto decoded = DecodeChangelogMarker(bytes);
  ASSERT_TRUE(decoded.ok()) << decoded.status().message();
  EXPECT_EQ(*decoded, marker);
  EXPECT_EQ(EncodeChangelogMarker(ChangelogMarker{}), std::string("\x01\x00", 2));
  EXPECT_EQ(EncodeChangelogMarker({{{"t", 300}}}), std::string("\x01\x01\x01t\xac\x02", 6))
      << "version, one topic, its name and its offset as a varint";
}

TEST(ChangelogMarker, ThePreviousJsonFormatIsStillRead) {
  ChangelogMarker marker;
  marker.next_offsets = {{"crm.purchases", 42}, {"crm.service", INT64_MAX}};
  const std::string json = EncodeChangelogMarkerJson(marker);
  EXPECT_EQ(json.front(), '{');
  auto decoded = DecodeChangelogMarker(json);
  ASSERT_TRUE(decoded.ok()) << decoded.status().message();
  EXPECT_EQ(*decoded, marker);
  EXPECT_LT(EncodeChangelogMarker(marker).size(), json.size());
}

TEST(ChangelogMarker, RejectsEveryMalformedBinaryMarker) {
  const std::string good = EncodeChangelogMarker({{{"a", 1}, {"b", 2}}});
  ASSERT_TRUE(DecodeChangelogMarker(good).ok());
  const std::pair<const char*, std::string> bad[] = {
      {"empty", ""},
      {"unknown version", "\x02" + good.substr(1)},
      {"truncated count", std::string("\x01", 1)},
      {"non-canonical count", std::string("\x01\x80\x00", 3)},
      {"truncated name", good.substr(0, 3)},
      {"truncated offset", good.substr(0, good.size() - 1)},
      {"trailing bytes", good + "x"},
      {"topics out of order", std::string("\x01\x02\x01" "b\x02\x01" "a\x01", 8)},
      {"a topic twice", std::string("\x01\x02\x01" "a\x01\x01" "a\x01", 8)},
      {"invalid topic name", std::string("\x01\x01\x02a/\x01", 6)},
      {"empty topic name", std::string("\x01\x01\x00\x01", 4)},
      {"offset past INT64_MAX", std::string("\x01\x01\x01t", 4) + std::string(9, '\xff') + "\x01"},
      {"too many topics", std::string("\x01\x41", 2)},
  };
  for (const auto& [what, bytes] : bad) {
    auto decoded = DecodeChangelogMarker(bytes);
    ASSERT_FALSE(decoded.ok()) << what;
    EXPECT_EQ(decoded.status().code(), StatusCode::kCorruption) << what;
  }
}

TEST(ChangelogMarker, AnOffsetOfTheWrongTypeIsCorruptionNotAnException) {
  auto decoded = DecodeChangelogMarker(R"({"offsets":{"crm.purchases":"oops"}})");
  ASSERT_FALSE(decoded.ok());
  EXPECT_EQ(decoded.status().code(), StatusCode::kCorruption);
  EXPECT_NE(decoded.status().message().find("crm.purchases"), std::string::npos) << decoded.status().message();
}

TEST(ChangelogMarker, RejectsEveryMalformedShape) {
  const char* const bad[] = {
      "",
      "not json",
      "null",
      "[]",
      R"({"offsets":[1,2]})",
      R"({"offsets":null})",
      R"({"other":{}})",
      R"({"offsets":{"crm.purchases":-1}})",
      R"({"offsets":{"crm.purchases":1.5}})",
      R"({"offsets":{"crm.purchases":1.0}})",
      R"({"offsets":{"crm.purchases":9223372036854775808}})",
      R"({"offsets":{"crm.purchases":18446744073709551615}})",
      R"({"offsets":{"crm.purchases":1e30}})",
      R"({"offsets":{"crm.purchases":true}})",
      R"({"offsets":{"crm.purchases":null}})",
      R"({"offsets":{"crm.purchases":{}}})",
      R"({"offsets":{"":1}})",
      R"({"offsets":{"..":1}})",
      R"({"offsets":{"bad topic":1}})",
      R"({"offsets":{"bad/topic":1}})",
      R"({"offsets":{"crm.purchases":1,"crm.purchases":2}})",
      R"({"offsets":{},"offsets":{"crm.purchases":1}})",
      R"({"offsets":{"crm.purchases":1}} x)",
      R"({"offsets":{"crm.purchases":1})",
  };
  for (const char* value : bad) {
    auto decoded = DecodeChangelogMarker(value);
    EXPECT_FALSE(decoded.ok()) << value;
    if (!decoded.ok()) {
      EXPECT_EQ(decoded.status().code(), StatusCode::kCorruption) << value;
    }
  }
  // Bounded: a topic name over Kafka's 249 bytes, too many topics, too many bytes.
  EXPECT_FALSE(DecodeChangelogMarker(R"({"offsets":{")" + std::string(250, 'a') + R"(":1}})").ok());
  std::string many = R"({"offsets":{)";
  for (size_t i = 0; i <= kMaxChangelogMarkerTopics; ++i) many += (i ? "," : "") + ("\"t" + std::to_string(i) + "\":1");
  EXPECT_FALSE(DecodeChangelogMarker(many + "}}").ok());
  EXPECT_FALSE(DecodeChangelogMarker(R"({"offsets":{},"pad":")" + std::string(kMaxChangelogMarkerBytes, 'x') + "\"}")
                   .ok());
  // Deep nesting is just bad JSON of bounded size.
  EXPECT_FALSE(DecodeChangelogMarker(std::string(kMaxChangelogMarkerBytes / 2, '[')).ok());
}

TEST(ChangelogMarker, IgnoresUnknownTopLevelMembers) {
  auto decoded = DecodeChangelogMarker(R"({"offsets":{"crm.purchases":7},"generation":3})");
  ASSERT_TRUE(decoded.ok()) << decoded.status().message();
  EXPECT_EQ(decoded->next_offsets.at("crm.purchases"), 7);
}

TEST(TopicNames, FollowKafkasRules) {
  EXPECT_TRUE(IsValidTopicName("crm.purchases"));
  EXPECT_TRUE(IsValidTopicName("a-b_c.D9"));
  EXPECT_TRUE(IsValidTopicName(std::string(249, 'x')));
  EXPECT_FALSE(IsValidTopicName(std::string(250, 'x')));
  EXPECT_FALSE(IsValidTopicName(""));
  EXPECT_FALSE(IsValidTopicName("."));
  EXPECT_FALSE(IsValidTopicName("é"));
  EXPECT_FALSE(IsValidTopicName(std::string("a\0b", 3)));
}

class ChangelogRecordTest : public ::testing::Test {
 protected:
  static constexpr int32_t kPartition = 3;
  const std::string epoch_ = "instance-a/1700000000/7";

  Result<ChangelogRecord> Decode(std::optional<std::string_view> key, std::optional<std::string_view> value) {
    return DecodeChangelogRecord(kPartition, key, value, epoch_);
  }
  static std::string Customer() {
    operators::CustomerState state;
    state.purchase_count = 2;
    state.total_spend = 30.5;
    std::string bytes;
    EncodeState(state, bytes);
    return bytes;
  }
  static std::string Timer(int32_t partition, const std::string& customer) {
    return TimerKeyBytes(TimerKey{partition, 1'769'904'000'000, customer});
  }
};

TEST_F(ChangelogRecordTest, ClassifiesWhatTheWriterWrites) {
  // The record's views point into these: they outlive it.
  const std::string customer_key = ChangelogCustomerKey("alice");
  const std::string customer_value = Customer();
  auto customer = Decode(customer_key, customer_value);
  ASSERT_TRUE(customer.ok()) << customer.status().message();
  EXPECT_EQ(customer->kind, ChangelogRecord::Kind::kCustomer);
  EXPECT_EQ(customer->key, "alice");
  EXPECT_EQ(customer->value, customer_value);
  EXPECT_EQ(customer->epoch, epoch_);
  EXPECT_EQ(customer->next_check_ms, 0);
  operators::CustomerState armed;
  armed.next_check = operators::EventTime{1'769'904'000'000};
  std::string armed_value;
  EncodeState(armed, armed_value);
  auto with_check = Decode(customer_key, armed_value);
  ASSERT_TRUE(with_check.ok()) << with_check.status().message();
  EXPECT_EQ(with_check->next_check_ms, 1'769'904'000'000) << "the pending check restore derives the timer from";

  auto deleted = Decode(ChangelogCustomerKey("alice"), std::nullopt);
  ASSERT_TRUE(deleted.ok());
  EXPECT_FALSE(deleted->value.has_value());

  const std::string timer_key = ChangelogTimerKey(Timer(kPartition, "alice"));
  auto timer = Decode(timer_key, "");
  ASSERT_TRUE(timer.ok()) << timer.status().message();
  EXPECT_EQ(timer->kind, ChangelogRecord::Kind::kTimer);
  EXPECT_EQ(timer->key, Timer(kPartition, "alice"));
  EXPECT_EQ(timer->value, std::string());
  auto fired = Decode(ChangelogTimerKey(Timer(kPartition, "alice")), std::nullopt);
  ASSERT_TRUE(fired.ok());
  EXPECT_FALSE(fired->value.has_value());

  const std::string partition_state = EncodePartitionState(PartitionState{});
  auto partition = Decode(ChangelogPartitionKey(), partition_state);
  ASSERT_TRUE(partition.ok()) << partition.status().message();
  EXPECT_EQ(partition->kind, ChangelogRecord::Kind::kPartition);
  EXPECT_EQ(partition->value, partition_state);
  EXPECT_TRUE(Decode(ChangelogPartitionKey(), std::nullopt).ok()) << "a rewrite of absent partition data";

  auto marker = Decode(ChangelogMarkerKey(""), EncodeChangelogMarker({{{"crm.purchases", 12}}}));
  ASSERT_TRUE(marker.ok()) << marker.status().message();
  EXPECT_EQ(marker->kind, ChangelogRecord::Kind::kMarker);
  EXPECT_EQ(marker->marker.next_offsets.at("crm.purchases"), 12);
  auto json_marker = Decode(ChangelogMarkerKey(""), R"({"offsets":{"crm.purchases":12}})");
  ASSERT_TRUE(json_marker.ok()) << json_marker.status().message();
  EXPECT_EQ(json_marker->marker, marker->marker);
  EXPECT_EQ(marker->epoch_seq, -1) << "a bare 'm' names no run";
}

TEST_F(ChangelogRecordTest, ARunsMarkerNamesItsRunAndTheEpochsSequenceNumber) {
  EXPECT_EQ(ChangelogEpochRun("instance-a/1700000000/3.41"), "instance-a/1700000000/3.");
  EXPECT_EQ(ChangelogEpochRun("no-digits"), "");
  const std::string value = EncodeChangelogMarker({{{"crm.purchases", 12}}});
  const std::string key = ChangelogMarkerKey("w/1/3.");  // the record's views point into it
  auto marker = DecodeChangelogRecord(kPartition, key, value, std::string_view("w/1/3.41"));
  ASSERT_TRUE(marker.ok()) << marker.status().message();
  EXPECT_EQ(marker->key, "w/1/3.");
  EXPECT_EQ(marker->epoch_seq, 41);
  struct Case {
    const char* what;
    std::string run;
    std::string epoch;
  };
  const std::vector<Case> cases = {
      {"epoch of another run", "w/1/3.", "w/1/4.41"},
      {"epoch with no sequence number", "w/1/3.", "w/1/3."},
      {"sequence number that is not a number", "w/1/3.", "w/1/3.4x"},
      {"run that ends in a digit", "w/1/3", "w/1/35"},
      {"run that is longer than an epoch", std::string(kMaxChangelogEpochBytes + 1, 'r'), "r1"},
      {"sequence number over 18 digits", "w.", "w.1234567890123456789"},
  };
  for (const Case& c : cases) {
    auto decoded = DecodeChangelogRecord(kPartition, ChangelogMarkerKey(c.run), value, std::string_view(c.epoch));
    ASSERT_FALSE(decoded.ok()) << c.what;
    EXPECT_EQ(decoded.status().code(), StatusCode::kCorruption) << c.what;
  }
}

TEST_F(ChangelogRecordTest, RecordsThatAreNotOursAreForeign) {
  for (std::optional<std::string_view> key : {std::optional<std::string_view>(), std::optional<std::string_view>(""),
                                              std::optional<std::string_view>("xyz")}) {
    auto decoded = DecodeChangelogRecord(kPartition, key, "whatever", std::nullopt);
    ASSERT_TRUE(decoded.ok());
    EXPECT_EQ(decoded->kind, ChangelogRecord::Kind::kForeign);
  }
}

TEST_F(ChangelogRecordTest, CorruptRecordsOfOursAreCorruption) {
  struct Case {
    const char* what;
    std::optional<std::string> key, value;
  };
  const std::string long_id(kMaxChangelogIdBytes + 1, 'x');
  const Case cases[] = {
      {"undecodable customer state", ChangelogCustomerKey("alice"), std::string("\x07garbage")},
      {"empty customer state", ChangelogCustomerKey("alice"), std::string()},
      {"empty customer id", ChangelogCustomerKey(""), Customer()},
      {"overlong customer id", ChangelogCustomerKey(long_id), Customer()},
      {"timer of another partition", ChangelogTimerKey(Timer(kPartition + 1, "alice")), std::string()},
      {"timer key too short", ChangelogTimerKey("short"), std::string()},
      {"timer without a customer", ChangelogTimerKey(Timer(kPartition, "")), std::string()},
      {"timer with a value", ChangelogTimerKey(Timer(kPartition, "alice")), std::string("x")},
      {"undecodable partition state", ChangelogPartitionKey(), std::string("\x01\x02")},
      {"partition key with a tail", ChangelogPartitionKey() + "x", EncodePartitionState(PartitionState{})},
      {"null marker", ChangelogMarkerKey(""), std::nullopt},
      {"marker of the wrong type", ChangelogMarkerKey(""), std::string(R"({"offsets":{"crm.purchases":"oops"}})")},
      {"marker of a run its epoch is not of", ChangelogMarkerKey("x."), std::string(R"({"offsets":{}})")},
  };
  for (const Case& c : cases) {
    auto decoded = Decode(c.key, c.value ? std::optional<std::string_view>(*c.value) : std::nullopt);
    ASSERT_FALSE(decoded.ok()) << c.what;
    EXPECT_EQ(decoded.status().code(), StatusCode::kCorruption) << c.what;
  }
  // Ours, but naming no epoch (or an absurd one).
  for (std::optional<std::string_view> epoch :
       {std::optional<std::string_view>(), std::optional<std::string_view>("")}) {
    EXPECT_FALSE(DecodeChangelogRecord(kPartition, ChangelogCustomerKey("alice"), Customer(), epoch).ok());
  }
  const std::string long_epoch(kMaxChangelogEpochBytes + 1, 'e');
  EXPECT_FALSE(DecodeChangelogRecord(kPartition, ChangelogMarkerKey(""), R"({"offsets":{}})", long_epoch).ok());
}

}  // namespace
}  // namespace crm::pipeline
