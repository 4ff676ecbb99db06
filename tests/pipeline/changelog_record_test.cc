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
  EXPECT_EQ(EncodeChangelogMarker(ChangelogMarker{}), R"({"offsets":{}})");
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
  auto customer = Decode(ChangelogCustomerKey("alice"), Customer());
  ASSERT_TRUE(customer.ok()) << customer.status().message();
  EXPECT_EQ(customer->kind, ChangelogRecord::Kind::kCustomer);
  EXPECT_EQ(customer->key, "alice");
  EXPECT_EQ(customer->value, Customer());
  EXPECT_EQ(customer->epoch, epoch_);

  auto deleted = Decode(ChangelogCustomerKey("alice"), std::nullopt);
  ASSERT_TRUE(deleted.ok());
  EXPECT_FALSE(deleted->value.has_value());

  auto timer = Decode(ChangelogTimerKey(Timer(kPartition, "alice")), "");
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

  auto marker = Decode(ChangelogMarkerKey(), R"({"offsets":{"crm.purchases":12}})");
  ASSERT_TRUE(marker.ok()) << marker.status().message();
  EXPECT_EQ(marker->kind, ChangelogRecord::Kind::kMarker);
  EXPECT_EQ(marker->marker.next_offsets.at("crm.purchases"), 12);
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
      {"null marker", ChangelogMarkerKey(), std::nullopt},
      {"marker of the wrong type", ChangelogMarkerKey(), std::string(R"({"offsets":{"crm.purchases":"oops"}})")},
      {"marker key with a tail", ChangelogMarkerKey() + "x", std::string(R"({"offsets":{}})")},
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
  EXPECT_FALSE(DecodeChangelogRecord(kPartition, ChangelogMarkerKey(), R"({"offsets":{}})", long_epoch).ok());
}

}  // namespace
}  // namespace crm::pipeline
