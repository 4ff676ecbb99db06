// The versioned binary state encoding: exact round trips, determinism,
// compactness, and corruption detected rather than crashed on.
#include "pipeline/state/state_codec.h"

#include <gtest/gtest.h>

#include <cmath>
#include <iostream>
#include <limits>
#include <string>

namespace crm::pipeline {
namespace {

using operators::CustomerState;
using operators::EventTime;

// A customer a few months in, no open complaints, a full dedup ring, times
// with millisecond precision (the less compact case).
CustomerState Typical() {
  CustomerState s;
  s.purchase_count = 12;
  s.total_spend = 734.27 + 1e-9;  // a running sum: full mantissa
  s.first_purchase_spend = 61.19;
  s.first_purchase = EventTime{1'700'000'000'123};
  s.last_purchase = EventTime{1'709'000'000'456};
  s.last_event = EventTime{1'709'100'000'789};
  s.satisfaction = 81.53719;
  s.satisfaction_weight = 2.2518;
  s.satisfaction_at = EventTime{1'709'100'000'789};
  s.rfm = {5, 5, 4};
  s.segment = "Champions";
  s.loyalty = "loyal";
  s.churn_risk = 0.0123;
  s.recent_event_hashes = {0x9e3779b97f4a7c15ULL, 0xbf58476d1ce4e5b9ULL, 0x94d049bb133111ebULL,
                           0x2545f4914f6cdd1dULL};
  s.recent_next = 1;
  s.next_check = EventTime{1'711'000'800'000};
  return s;
}

// Everything set, including values no operator produces, to show the
// encoding is exact for any state.
CustomerState Extreme() {
  CustomerState s = Typical();
  s.purchase_count = std::numeric_limits<int64_t>::min();
  s.total_spend = -0.0;
  s.first_purchase = EventTime{std::numeric_limits<int64_t>::min()};
  s.last_purchase = EventTime{std::numeric_limits<int64_t>::max()};
  s.last_event = EventTime{-1};
  s.satisfaction = std::numeric_limits<double>::infinity();
  s.satisfaction_weight = std::numeric_limits<double>::denorm_min();
  s.open_complaints = {{"k-1", 4}, {"", std::numeric_limits<int32_t>::min()}, {std::string(300, 'z'), 5}};
  s.rfm = {0, -1, std::numeric_limits<int32_t>::max()};
  s.segment = "A custom segment name";
  s.loyalty = "none";
  s.alert_armed = false;
  s.last_alert = EventTime{1'709'050'000'000};
  s.alerts_sent = std::numeric_limits<int64_t>::max();
  s.recent_event_hashes = {0xffffffffffffffffULL, 0, 2, 0};
  s.recent_next = std::numeric_limits<uint32_t>::max();
  s.first_purchase_spend = std::numeric_limits<double>::lowest();
  s.next_check = EventTime{std::numeric_limits<int64_t>::min() + 1};
  s.rewards = {true, std::numeric_limits<int32_t>::min(), -0.0, true, std::numeric_limits<int32_t>::max()};
  return s;
}

// A member of the reward programme past this year's threshold, with last
// year's voucher issued.
CustomerState Member() {
  CustomerState s = Typical();
  s.rewards = {true, 2026, 4210.35, true, 2025};
  s.journey = {EventTime{std::numeric_limits<int64_t>::min()}, std::numeric_limits<int64_t>::max(), -1, 7,
               EventTime{std::numeric_limits<int64_t>::max()}, operators::Rung::kPartner};
  return s;
}

// A prospect: interactions, a rung, no purchase.
CustomerState Prospect() {
  CustomerState s;
  s.last_event = EventTime{1'709'100'000'789};
  s.journey.first_interaction = EventTime{1'709'000'000'456};
  s.journey.interactions = 3;
  s.journey.rung = operators::Rung::kProspect;
  return s;
}

std::string Encode(const CustomerState& s) {
  std::string bytes = "stale content that EncodeState must clear";
  EncodeState(s, bytes);
  return bytes;
}

struct RoundTripCase {
  const char* name;
  CustomerState state;
};

std::vector<RoundTripCase> RoundTripCases() {
  std::vector<RoundTripCase> cases;
  cases.push_back({"Default", CustomerState{}});
  cases.push_back({"Typical", Typical()});
  cases.push_back({"Extreme", Extreme()});

  CustomerState seconds = Typical();
  seconds.first_purchase = EventTime{1'700'000'000'000};
  seconds.last_purchase = EventTime{1'709'000'000'000};
  seconds.last_event = seconds.satisfaction_at = EventTime{1'709'100'000'000};
  cases.push_back({"WholeSeconds", seconds});
  CustomerState one_time;
  one_time.last_event = EventTime{5};
  cases.push_back({"OneTime", one_time});
  CustomerState ring_position_only;
  ring_position_only.recent_next = 3;
  cases.push_back({"RingPositionOnly", ring_position_only});
  CustomerState markov = Typical();  // the Markov view's memory (segment_flows.h)
  markov.segment_period = 675;
  markov.period_start_segment = "Loyal";
  cases.push_back({"MarkovMemory", markov});
  CustomerState joined_in_period;
  joined_in_period.segment = "New";
  joined_in_period.segment_period = -3;  // began the period outside: no start segment
  cases.push_back({"JoinedInPeriod", joined_in_period});
  CustomerState literal_start = Typical();
  literal_start.segment_period = 1;
  literal_start.period_start_segment = "VIP (custom rule)";
  cases.push_back({"LiteralStartSegment", literal_start});
  CustomerState nan;
  nan.churn_risk = std::numeric_limits<double>::quiet_NaN();
  cases.push_back({"NaN", nan});
  cases.push_back({"Member", Member()});
  CustomerState new_member;
  new_member.rewards.enrolled = true;
  cases.push_back({"EnrolledOnly", new_member});
  cases.push_back({"Prospect", Prospect()});
  CustomerState advocate = Typical();
  advocate.journey = {EventTime{1'699'000'000'000}, 4, 1, 2, EventTime{1'708'000'000'000}, operators::Rung::kAdvocate};
  cases.push_back({"Advocate", advocate});
  CustomerState alerted = Typical();
  alerted.open_alert = operators::OpenAlert{"crm.purchases/3/1042/churn-alert", EventTime{1'709'200'000'000},
                                            operators::Priority::kHigh, "call this week", true, "call"};
  cases.push_back({"AlertedControlCalled", alerted});
  CustomerState alerted_only;
  alerted_only.open_alert = operators::OpenAlert{"timer/0/86400000/c/churn-alert", EventTime{86'400'000},
                                                 operators::Priority::kLow, "", false, ""};
  cases.push_back({"AlertedOnly", alerted_only});
  return cases;
}

TEST(StateCodec, RoundTripsExactly) {
  for (const auto& [name, state] : RoundTripCases()) {
    SCOPED_TRACE(name);
    const std::string bytes = Encode(state);
    auto decoded = DecodeState(bytes);
    ASSERT_TRUE(decoded.ok()) << decoded.status().message();
    if (std::isnan(state.churn_risk)) {
      EXPECT_TRUE(std::isnan(decoded->churn_risk));
    } else {
      EXPECT_EQ(*decoded, state);
    }
    EXPECT_EQ(Encode(*decoded), bytes) << "re-encoding must give the same bytes";
    EXPECT_EQ(std::signbit(decoded->total_spend), std::signbit(state.total_spend));
  }
}

TEST(StateCodec, IsDeterministic) {
  for (const auto& [name, state] : RoundTripCases()) {
    CustomerState copy = state;
    EXPECT_EQ(Encode(state), Encode(copy)) << name;
  }
}

TEST(StateCodec, DefaultStateIsTwoBytes) {
  const std::string bytes = Encode(CustomerState{});
  EXPECT_EQ(bytes, std::string({static_cast<char>(kStateEncodingVersion), '\0'}));
}

TEST(StateCodec, TypicalStateIsCompact) {
  const size_t typical = Encode(Typical()).size();
  CustomerState seconds = RoundTripCases()[3].state;
  const size_t whole_seconds = Encode(seconds).size();
  ::testing::Test::RecordProperty("typical_state_bytes", static_cast<int>(typical));
  ::testing::Test::RecordProperty("typical_state_bytes_whole_seconds", static_cast<int>(whole_seconds));
  std::cout << "typical state: " << typical << " bytes (" << whole_seconds << " with whole-second times)\n";
  // 94 bytes before the first purchase amount and the pending check (v2).
  EXPECT_LE(typical, 110u);
  EXPECT_LE(whole_seconds, typical);
}

TEST(StateCodec, AStateWrittenBeforeTheRewardCardDecodesWithAnEmptyCard) {
  // Typical() as the encoder wrote it before the reward card existed.
  const std::string hex =
      "03ffdf0318b8b1c2f528f28640aa98e3e4bd639989af5f99ed888743b81e85eb51984e408a8a97fb513f6f2a5261625440f90fe9b7af"
      "030240d593df940e0a0a08000c8d28ed0dbe30893f1f157c4a7fb979379eb9e5e41c6d4758bfeb113113bb49d0941ddd6c4f91f44525";
  std::string before;
  for (size_t i = 0; i < hex.size(); i += 2) before.push_back(static_cast<char>(std::stoi(hex.substr(i, 2), nullptr, 16)));
  auto decoded = DecodeState(before);
  ASSERT_TRUE(decoded.ok()) << decoded.status().message();
  EXPECT_EQ(*decoded, Typical());
  EXPECT_EQ(decoded->rewards, operators::RewardCard{});
  EXPECT_EQ(Encode(*decoded), before) << "a state without a card keeps its bytes";
  // A member's card costs 12 bytes: 1 flags, 2 year, 8 amount, 1 voucher
  // year (its presence bit shares the third presence byte).
  CustomerState member = Member();
  member.journey = {};  // the card alone
  EXPECT_EQ(Encode(member).size() - before.size(), 12u);
}

TEST(StateCodec, AnEmptyCardBehindItsBitIsNotCanonical) {
  CustomerState enrolled;
  enrolled.rewards.enrolled = true;
  std::string bytes = Encode(enrolled);
  ASSERT_EQ(bytes.back(), '\x01');  // the flags: enrolled only
  bytes.back() = '\0';              // flags saying nothing: an empty card
  EXPECT_FALSE(DecodeState(bytes).ok());
  bytes.back() = '\x40';            // an unknown flag
  EXPECT_FALSE(DecodeState(bytes).ok());
}

TEST(StateCodec, EveryTruncationIsRejected) {
  for (const auto& [name, state] : RoundTripCases()) {
    const std::string bytes = Encode(state);
    for (size_t n = 0; n < bytes.size(); ++n) {
      auto decoded = DecodeState(std::string_view(bytes).substr(0, n));
      ASSERT_FALSE(decoded.ok()) << name << ": prefix of " << n << " bytes accepted";
      EXPECT_EQ(decoded.status().code(), StatusCode::kCorruption);
      EXPECT_FALSE(decoded.status().message().empty());
    }
  }
}

TEST(StateCodec, UnknownVersionAndTrailingBytesAreRejected) {
  const std::string bytes = Encode(Typical());
  for (uint8_t version : {uint8_t{0}, uint8_t{1}, static_cast<uint8_t>(kStateEncodingVersion + 1), uint8_t{255}}) {
    std::string other = bytes;
    other[0] = static_cast<char>(version);
    auto decoded = DecodeState(other);
    ASSERT_FALSE(decoded.ok());
    EXPECT_EQ(decoded.status().code(), StatusCode::kCorruption);
    EXPECT_NE(decoded.status().message().find("unknown encoding version " + std::to_string(version)),
              std::string::npos)
        << decoded.status().message();
  }
  auto trailing = DecodeState(bytes + "x");
  ASSERT_FALSE(trailing.ok());
  EXPECT_NE(trailing.status().message().find("trailing"), std::string::npos);
}

TEST(StateCodec, NonCanonicalFormsAreRejected) {
  const char v = static_cast<char>(kStateEncodingVersion);
  for (const std::string& bad : {
           std::string{v, '\x80', '\x00'},          // overlong presence varint
           std::string{v, '\x01', '\x00'},          // purchase_count present but 0
           std::string{v, '\x01'},                  // purchase_count missing
           std::string{v, '\x00', '\x00'},          // trailing byte
           std::string{v, '\x80', '\x80', '\x80', '\x80', '\x01'},  // unknown presence bits
           std::string{v, '\x80', '\x80', '\x80', '\x04', '\x00'},        // empty journey block
           std::string{v, '\x80', '\x80', '\x80', '\x04', '\x02', '\x00'},  // interactions present but 0
           std::string{v, '\x80', '\x80', '\x80', '\x04', '\x20', '\x07'},  // rung above partner
           std::string{v, '\x80', '\x80', '\x80', '\x04', '\x20', '\x00'},  // rung present but none
           std::string{v, '\x80', '\x80', '\x80', '\x04', '\x40', '\x01'},  // unknown journey bit
           std::string{v, '\x80', '\x80', '\x80', '\x08', '\x00', '\x00', '\x00', '\x00', '\x00'},  // empty alert id
           std::string{v, '\x80', '\x80', '\x80', '\x08', '\x01', 'a', '\x00', '\x00', '\x00', '\x03'},  // priority 3
           std::string{v, '\x80', '\x80', '\x80', '\x08', '\x01', 'a', '\x00', '\x00', '\x00', '\x08'},  // unknown flag
       }) {
    auto decoded = DecodeState(bad);
    EXPECT_FALSE(decoded.ok()) << testing::PrintToString(bad);
  }
}

TEST(StateCodec, EncodingsFromBeforeTheJourneyBlockStillDecode) {
  // Version 3 as written before crm.interactions: one purchase of 2 at t=5 s.
  const char v = static_cast<char>(kStateEncodingVersion);
  // Presence: purchase_count, total_spend, last_event, times in seconds.
  const std::string old_bytes{v,      '\x87', '\x20', '\x02', '\x00', '\x00', '\x00', '\x00',
                              '\x00', '\x00', '\x00', '\x40', '\x0a'};
  auto decoded = DecodeState(old_bytes);
  ASSERT_TRUE(decoded.ok()) << decoded.status().message();
  EXPECT_EQ(decoded->purchase_count, 1);
  EXPECT_EQ(decoded->total_spend, 2.0);
  EXPECT_EQ(decoded->last_event, EventTime{5000});
  EXPECT_EQ(decoded->journey, operators::JourneyState{});
  EXPECT_FALSE(decoded->open_alert.has_value());
  EXPECT_EQ(Encode(*decoded), old_bytes) << "a state without journey or open alert encodes as before";
  // A journey block decodes behind its bit.
  auto prospect = DecodeState(std::string{v, '\x80', '\x80', '\x80', '\x04', '\x20', '\x01'});
  ASSERT_TRUE(prospect.ok()) << prospect.status().message();
  EXPECT_EQ(prospect->journey.rung, operators::Rung::kProspect);
  // An open alert's block decodes behind its own bit: id "a", t = 1 ms,
  // no texts, medium priority, control.
  auto alerted = DecodeState(std::string{v, '\x80', '\x80', '\x80', '\x08', '\x01', 'a', '\x02', '\x00', '\x00', '\x05'});
  ASSERT_TRUE(alerted.ok()) << alerted.status().message();
  ASSERT_TRUE(alerted->open_alert.has_value());
  EXPECT_EQ(alerted->open_alert->alert_id, "a");
  EXPECT_EQ(alerted->open_alert->at, EventTime{1});
  EXPECT_EQ(alerted->open_alert->priority, operators::Priority::kMedium);
  EXPECT_TRUE(alerted->open_alert->control);
}

TEST(StateCodec, SingleByteCorruptionNeverCrashes) {
  for (const auto& [name, state] : RoundTripCases()) {
    const std::string bytes = Encode(state);
    for (size_t i = 0; i < bytes.size(); ++i) {
      for (int bit = 0; bit < 8; ++bit) {
        std::string flipped = bytes;
        flipped[i] = static_cast<char>(flipped[i] ^ (1 << bit));
        auto decoded = DecodeState(flipped);
        if (decoded.ok()) {
          EXPECT_EQ(Encode(*decoded), flipped) << "accepted bytes must be canonical";
        }
      }
    }
  }
}

TEST(StateCodec, ArbitraryBytesNeverCrash) {
  uint64_t x = 88172645463325252ULL;
  auto next = [&x] {
    x ^= x << 13;
    x ^= x >> 7;
    x ^= x << 17;
    return x;
  };
  int accepted = 0;
  for (int i = 0; i < 50000; ++i) {
    std::string junk(next() % 64, '\0');
    for (char& c : junk) c = static_cast<char>(next() % 4 == 0 ? 0 : next());
    if (!junk.empty()) junk[0] = static_cast<char>(kStateEncodingVersion);
    auto decoded = DecodeState(junk);
    if (decoded.ok()) {
      ++accepted;
      EXPECT_EQ(Encode(*decoded), junk) << "a decodable input must be the canonical encoding";
    }
  }
  ::testing::Test::RecordProperty("random_inputs_accepted", accepted);
}

}  // namespace
}  // namespace crm::pipeline
