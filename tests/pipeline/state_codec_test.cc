// The versioned binary state encoding: exact round trips, determinism,
// compactness, and corruption detected rather than crashed on.
#include "pipeline/state_codec.h"

#include <gtest/gtest.h>

namespace crm::pipeline {
namespace {

using operators::CustomerState;
using operators::EventTime;

CustomerState Typical() {
  CustomerState s;
  s.purchase_count = 12;
  s.total_spend = 734.25;
  s.first_purchase = EventTime{1'700'000'000'000};
  s.last_purchase = EventTime{1'709'000'000'000};
  s.last_event = EventTime{1'709'100'000'000};
  s.satisfaction = 81.5;
  s.satisfaction_weight = 2.25;
  s.satisfaction_at = EventTime{1'708'000'000'000};
  s.rfm = {5, 5, 4};
  s.segment = "Champions";
  s.loyalty = "loyal";
  s.churn_risk = 0.0123;
  s.recent_event_hashes = {11, 22, 33, 0};
  s.recent_next = 3;
  return s;
}

TEST(StateCodec, RoundTripsExactly) {
  for (CustomerState s : {CustomerState{}, Typical()}) {
    std::string bytes;
    EncodeState(s, bytes);
    auto decoded = DecodeState(bytes);
    ASSERT_TRUE(decoded.ok()) << decoded.status().message();
    EXPECT_EQ(*decoded, s);
  }
  CustomerState alerted = Typical();
  alerted.open_complaints = {{"k-1", 4}, {"k-2", 1}};
  alerted.alert_armed = false;
  alerted.last_alert = EventTime{1'709'050'000'000};
  alerted.alerts_sent = 3;
  alerted.recent_event_hashes = {0xffffffffffffffffULL, 1, 2, 3};
  alerted.recent_next = 0;
  std::string bytes;
  EncodeState(alerted, bytes);
  EXPECT_EQ(*DecodeState(bytes), alerted);
}

TEST(StateCodec, IsDeterministicAndCompact) {
  std::string a, b;
  EncodeState(Typical(), a);
  EncodeState(Typical(), b);
  EXPECT_EQ(a, b);
  ::testing::Test::RecordProperty("typical_state_bytes", static_cast<int>(a.size()));
  // ~110 bytes before RocksDB's block compression; the throughput benchmark
  // reports the on-disk bytes per customer.
  EXPECT_LT(a.size(), 120u) << "typical customer encodes to " << a.size() << " bytes";
  EXPECT_EQ(static_cast<uint8_t>(a[0]), kStateEncodingVersion);
}

TEST(StateCodec, EveryTruncationIsRejected) {
  CustomerState s = Typical();
  s.open_complaints = {{"k-1", 4}};
  std::string bytes;
  EncodeState(s, bytes);
  for (size_t n = 0; n < bytes.size(); ++n) {
    auto decoded = DecodeState(std::string_view(bytes).substr(0, n));
    EXPECT_FALSE(decoded.ok()) << "prefix of " << n << " bytes accepted";
    if (!decoded.ok()) {
      EXPECT_EQ(decoded.status().code(), StatusCode::kCorruption);
    }
  }
}

TEST(StateCodec, UnknownVersionAndTrailingBytesAreRejected) {
  std::string bytes;
  EncodeState(Typical(), bytes);
  std::string future = bytes;
  future[0] = static_cast<char>(kStateEncodingVersion + 1);
  auto v = DecodeState(future);
  ASSERT_FALSE(v.ok());
  EXPECT_NE(v.status().message().find("unknown encoding version"), std::string::npos);
  EXPECT_FALSE(DecodeState(bytes + "x").ok());
}

TEST(StateCodec, ArbitraryBytesNeverCrash) {
  uint64_t x = 88172645463325252ULL;
  for (int i = 0; i < 20000; ++i) {
    std::string junk;
    x ^= x << 13; x ^= x >> 7; x ^= x << 17;
    size_t n = x % 120;
    for (size_t j = 0; j < n; ++j) {
      x ^= x << 13; x ^= x >> 7; x ^= x << 17;
      junk.push_back(static_cast<char>(x));
    }
    if (!junk.empty()) junk[0] = static_cast<char>(kStateEncodingVersion);
    auto decoded = DecodeState(junk);
    if (decoded.ok()) {
      std::string again;
      EncodeState(*decoded, again);
      EXPECT_EQ(again, junk) << "a decodable input must be the canonical encoding";
    }
  }
}

}  // namespace
}  // namespace crm::pipeline
