#include "pipeline/state/state_codec.h"

#include "pipeline/state/byte_codec.h"
#include "pipeline/state/reward_card_codec.h"
#include "pipeline/state/journey_codec.h"
#include "pipeline/state/outcome_codec.h"

#include <array>
#include <cstring>
#include <optional>

namespace crm::pipeline {
namespace {

using operators::CustomerState;
using operators::EventTime;
using operators::kDedupWindow;
using Writer = ByteWriter;
using Reader = ByteReader;

// Layout (version 3):
//   u8      version
//   varint  presence: one bit per field below that differs from its default
//           (absent fields take no bytes), plus kTimesInSeconds
//   then, in bit order, each present field:
//     counts, rfm, severities  zigzag varint
//     doubles                  8 bytes, little-endian IEEE 754 bits
//     times                    zigzag varint delta from the previous present
//                              time (the first from 0), in seconds when every
//                              present time is a whole second
//     segment_period           zigzag varint (after alerts_sent)
//     segment, loyalty,        varint tag: < kDictionary.size() names a common
//     period_start_segment     value, else a literal of (tag - size) bytes
//     open complaints          varint count, then (varint length, bytes,
//                              zigzag severity) each
//     dedup ring               varint: bitmap of non-zero slots, with
//                              recent_next above it; then each non-zero slot
//                              as 8 bytes little-endian
//     reward card              reward_card_codec.h (a state written before
//                              the card existed has no bit: an empty card)
//     journey                  its own block (journey_codec.h)
//     open alert               its own block, last (outcome_codec.h)
// Decoding accepts exactly the bytes EncodeState produces (canonical varints,
// no present-but-default fields, no literal that the dictionary names), so
// that decode-then-encode returns the same bytes.
enum Bit : uint32_t {
  kPurchaseCount,
  kTotalSpend,
  kLastEvent,
  kLastPurchase,
  kFirstPurchase,
  kFirstPurchaseSpend,
  kNextCheck,
  kRfm,
  kSegment,
  kLoyalty,
  kChurnRisk,
  kDedup,
  kTimesInSeconds,
  // Set only for customers with service or complaint signals or alerts:
  // kept in the high bits so a typical presence varint is 2 bytes.
  kSatisfaction,
  kSatisfactionWeight,
  kSatisfactionAt,
  kOpenComplaints,
  kAlertDisarmed,
  kLastAlert,
  kAlertsSent,
  kRewardCard,  // the reward programme's card (reward_card_codec.h); older states lack it
  // The Markov view's memory (segment_flows.h); older states lack them.
  kSegmentPeriod,
  kPeriodStartSegment,
  // Engagement and the ladder (journey_codec.h), written last: encodings
  // from before it have the bit clear and decode as they did.
  kJourney,
  // The open alert's outcome (outcome_codec.h), after the journey block.
  kOpenAlert,
  kBitCount,
};

constexpr uint64_t Mask(Bit b) { return uint64_t{1} << b; }
constexpr uint64_t kKnownBits = (uint64_t{1} << kBitCount) - 1;
constexpr int64_t kMsPerSecond = 1000;
// Room for a typical customer state (about 100 bytes encoded).
constexpr size_t kTypicalEncodedBytes = 256;

static_assert(kDedupWindow <= 32, "the dedup ring's bitmap and position share one varint");

// Segment and loyalty names that most customers carry: the default segment
// rules and the loyalty classes. Append only: an index, once written, keeps
// its meaning within an encoding version.
constexpr std::array<std::string_view, 16> kDictionary = {
    "Champions", "Loyal",          "Can't Lose Them", "At Risk",      "Potential Loyalist", "New",
    "Promising", "Need Attention", "About to Sleep",  "Hibernating",  "Lost",               "Unclassified",
    "loyal",     "latent",         "spurious",        "none",
};

std::optional<size_t> DictionaryIndex(std::string_view s) {
  for (size_t i = 0; i < kDictionary.size(); ++i) {
    if (kDictionary[i] == s) return i;
  }
  return std::nullopt;
}

uint64_t DoubleBits(double d) {
  uint64_t bits;
  std::memcpy(&bits, &d, sizeof bits);
  return bits;
}

double BitsToDouble(uint64_t bits) {
  double d;
  std::memcpy(&d, &bits, sizeof d);
  return d;
}

// The time fields in encoding order; deltas chain through them.
std::array<int64_t, 6> Times(const CustomerState& s) {
  return {s.last_event.epoch_ms, s.last_purchase.epoch_ms, s.first_purchase.epoch_ms, s.satisfaction_at.epoch_ms,
          s.last_alert.epoch_ms, s.next_check.epoch_ms};
}
constexpr std::array<Bit, 6> kTimeBits = {kLastEvent, kLastPurchase, kFirstPurchase, kSatisfactionAt, kLastAlert,
                                          kNextCheck};

void WriteName(Writer& w, const std::string& s) {
  if (auto index = DictionaryIndex(s)) {
    w.Varint(*index);
    return;
  }
  w.Varint(kDictionary.size() + s.size());
  w.Bytes(s);
}

bool ReadName(Reader& r, std::string& s) {
  uint64_t tag;
  if (!r.Varint(tag)) return false;
  if (tag < kDictionary.size()) {
    s.assign(kDictionary[tag]);
    return true;
  }
  // A literal is never empty (empty is absent) nor a dictionary word.
  return tag > kDictionary.size() && r.Bytes(tag - kDictionary.size(), s) && !DictionaryIndex(s);
}

Status Corrupt(const Reader& r, const char* what) {
  return Status::Corruption("customer state: bad or truncated " + std::string(what) + " at byte " +
                            std::to_string(r.pos()));
}

}  // namespace

void EncodeState(const CustomerState& s, std::string& out) {
  out.clear();
  out.reserve(kTypicalEncodedBytes);  // grown once, not byte by byte
  const std::array<int64_t, 6> times = Times(s);
  const CustomerState defaults;
  uint64_t presence = 0;
  auto set_if = [&presence](bool cond, Bit b) { presence |= cond ? Mask(b) : 0; };
  set_if(s.purchase_count != 0, kPurchaseCount);
  set_if(DoubleBits(s.total_spend) != 0, kTotalSpend);
  set_if(DoubleBits(s.first_purchase_spend) != 0, kFirstPurchaseSpend);
  set_if(DoubleBits(s.satisfaction) != 0, kSatisfaction);
  set_if(DoubleBits(s.satisfaction_weight) != 0, kSatisfactionWeight);
  set_if(s.rfm != defaults.rfm, kRfm);
  set_if(!s.segment.empty(), kSegment);
  set_if(!s.loyalty.empty(), kLoyalty);
  set_if(DoubleBits(s.churn_risk) != 0, kChurnRisk);
  set_if(s.recent_event_hashes != defaults.recent_event_hashes || s.recent_next != 0, kDedup);
  set_if(!s.open_complaints.empty(), kOpenComplaints);
  set_if(!s.alert_armed, kAlertDisarmed);
  set_if(s.alerts_sent != 0, kAlertsSent);
  set_if(s.rewards != operators::RewardCard{}, kRewardCard);
  set_if(s.segment_period != defaults.segment_period, kSegmentPeriod);
  set_if(!s.period_start_segment.empty(), kPeriodStartSegment);
  set_if(!JourneyIsDefault(s.journey), kJourney);
  set_if(s.open_alert.has_value(), kOpenAlert);
  bool any_time = false;
  bool whole_seconds = true;
  for (size_t i = 0; i < times.size(); ++i) {
    if (times[i] == 0) continue;
    presence |= Mask(kTimeBits[i]);
    any_time = true;
    whole_seconds &= times[i] % kMsPerSecond == 0;
  }
  const bool in_seconds = any_time && whole_seconds;
  set_if(in_seconds, kTimesInSeconds);

  Writer w(out);
  w.Byte(kStateEncodingVersion);
  w.Varint(presence);
  // Time deltas use wrapping arithmetic so any pair of int64 values round-trips.
  uint64_t previous_time = 0;
  auto write_time = [&](size_t i) {
    if (times[i] == 0) return;
    const uint64_t t = static_cast<uint64_t>(in_seconds ? times[i] / kMsPerSecond : times[i]);
    w.Signed(static_cast<int64_t>(t - previous_time));
    previous_time = t;
  };
  if (presence & Mask(kPurchaseCount)) w.Signed(s.purchase_count);
  if (presence & Mask(kTotalSpend)) w.Fixed64(DoubleBits(s.total_spend));
  write_time(0);
  write_time(1);
  write_time(2);
  if (presence & Mask(kFirstPurchaseSpend)) w.Fixed64(DoubleBits(s.first_purchase_spend));
  write_time(5);
  if (presence & Mask(kSatisfaction)) w.Fixed64(DoubleBits(s.satisfaction));
  if (presence & Mask(kSatisfactionWeight)) w.Fixed64(DoubleBits(s.satisfaction_weight));
  write_time(3);
  if (presence & Mask(kRfm)) {
    w.Signed(s.rfm.r);
    w.Signed(s.rfm.f);
    w.Signed(s.rfm.m);
  }
  if (presence & Mask(kSegment)) WriteName(w, s.segment);
  if (presence & Mask(kLoyalty)) WriteName(w, s.loyalty);
  if (presence & Mask(kChurnRisk)) w.Fixed64(DoubleBits(s.churn_risk));
  if (presence & Mask(kDedup)) {
    uint64_t occupied = 0;
    for (size_t i = 0; i < kDedupWindow; ++i) {
      if (s.recent_event_hashes[i] != 0) occupied |= uint64_t{1} << i;
    }
    w.Varint(occupied | (uint64_t{s.recent_next} << kDedupWindow));
    for (uint64_t hash : s.recent_event_hashes) {
      if (hash != 0) w.Fixed64(hash);
    }
  }
  if (presence & Mask(kOpenComplaints)) {
    w.Varint(s.open_complaints.size());
    for (const auto& c : s.open_complaints) {
      w.Varint(c.complaint_id.size());
      w.Bytes(c.complaint_id);
      w.Signed(c.severity);
    }
  }
  write_time(4);
  if (presence & Mask(kAlertsSent)) w.Signed(s.alerts_sent);
  if (presence & Mask(kRewardCard)) EncodeRewardCard(s.rewards, w);
  if (presence & Mask(kSegmentPeriod)) w.Signed(s.segment_period);
  if (presence & Mask(kPeriodStartSegment)) WriteName(w, s.period_start_segment);
  if (presence & Mask(kJourney)) EncodeJourney(s.journey, w);
  if (presence & Mask(kOpenAlert)) EncodeOpenAlert(*s.open_alert, w);
}

Result<CustomerState> DecodeState(std::string_view bytes) {
  Reader r(bytes);
  uint8_t version;
  if (!r.Byte(version)) return Corrupt(r, "version");
  if (version != kStateEncodingVersion) {
    return Status::Corruption("customer state: unknown encoding version " + std::to_string(version) +
                              " (expected " + std::to_string(kStateEncodingVersion) + ")");
  }
  uint64_t presence;
  if (!r.Varint(presence) || (presence & ~kKnownBits) != 0) return Corrupt(r, "presence bits");
  auto has = [presence](Bit b) { return (presence & Mask(b)) != 0; };
  const bool in_seconds = has(kTimesInSeconds);

  CustomerState s;
  uint64_t previous_time = 0;
  bool any_time = false;
  bool whole_seconds = true;
  // Reads a present time; false on malformed or non-canonical bytes.
  auto read_time = [&](Bit b, EventTime& t) {
    if (!has(b)) return true;
    int64_t delta;
    if (!r.Signed(delta)) return false;
    previous_time += static_cast<uint64_t>(delta);
    int64_t value = static_cast<int64_t>(previous_time);
    if (in_seconds && __builtin_mul_overflow(value, kMsPerSecond, &value)) return false;
    if (value == 0) return false;
    any_time = true;
    whole_seconds &= value % kMsPerSecond == 0;
    t = EventTime{value};
    return true;
  };
  // Reads a present double; its bits must not be the default +0.
  auto read_double = [&](Bit b, double& d) {
    if (!has(b)) return true;
    uint64_t bits;
    if (!r.Fixed64(bits) || bits == 0) return false;
    d = BitsToDouble(bits);
    return true;
  };

  if (has(kPurchaseCount) && (!r.Signed(s.purchase_count) || s.purchase_count == 0)) {
    return Corrupt(r, "purchase_count");
  }
  if (!read_double(kTotalSpend, s.total_spend)) return Corrupt(r, "total_spend");
  if (!read_time(kLastEvent, s.last_event)) return Corrupt(r, "last_event");
  if (!read_time(kLastPurchase, s.last_purchase)) return Corrupt(r, "last_purchase");
  if (!read_time(kFirstPurchase, s.first_purchase)) return Corrupt(r, "first_purchase");
  if (!read_double(kFirstPurchaseSpend, s.first_purchase_spend)) return Corrupt(r, "first_purchase_spend");
  if (!read_time(kNextCheck, s.next_check)) return Corrupt(r, "next_check");
  if (!read_double(kSatisfaction, s.satisfaction)) return Corrupt(r, "satisfaction");
  if (!read_double(kSatisfactionWeight, s.satisfaction_weight)) return Corrupt(r, "satisfaction_weight");
  if (!read_time(kSatisfactionAt, s.satisfaction_at)) return Corrupt(r, "satisfaction_at");
  if (has(kRfm)) {
    if (!r.Int32(s.rfm.r) || !r.Int32(s.rfm.f) || !r.Int32(s.rfm.m) || s.rfm == operators::RfmScores{}) {
      return Corrupt(r, "rfm");
    }
  }
  if (has(kSegment) && !ReadName(r, s.segment)) return Corrupt(r, "segment");
  if (has(kLoyalty) && !ReadName(r, s.loyalty)) return Corrupt(r, "loyalty");
  if (!read_double(kChurnRisk, s.churn_risk)) return Corrupt(r, "churn_risk");
  if (has(kDedup)) {
    uint64_t ring;
    if (!r.Varint(ring) || ring == 0 || (ring >> kDedupWindow) > UINT32_MAX) return Corrupt(r, "dedup ring");
    s.recent_next = static_cast<uint32_t>(ring >> kDedupWindow);
    for (size_t i = 0; i < kDedupWindow; ++i) {
      if (((ring >> i) & 1) == 0) continue;
      if (!r.Fixed64(s.recent_event_hashes[i]) || s.recent_event_hashes[i] == 0) return Corrupt(r, "dedup hash");
    }
  }
  if (has(kOpenComplaints)) {
    uint64_t count;
    if (!r.Varint(count) || count == 0) return Corrupt(r, "open_complaints");
    // Each complaint takes at least two bytes, which bounds the loop by the input.
    for (uint64_t i = 0; i < count; ++i) {
      operators::OpenComplaint c;
      uint64_t length;
      if (!r.Varint(length) || !r.Bytes(length, c.complaint_id) || !r.Int32(c.severity)) {
        return Corrupt(r, "open complaint");
      }
      s.open_complaints.push_back(std::move(c));
    }
  }
  s.alert_armed = !has(kAlertDisarmed);
  if (!read_time(kLastAlert, s.last_alert)) return Corrupt(r, "last_alert");
  if (has(kAlertsSent) && (!r.Signed(s.alerts_sent) || s.alerts_sent == 0)) return Corrupt(r, "alerts_sent");
  if (has(kRewardCard) && !DecodeRewardCard(r, s.rewards)) return Corrupt(r, "reward card");
  if (has(kSegmentPeriod) && (!r.Signed(s.segment_period) || s.segment_period == INT64_MIN)) {
    return Corrupt(r, "segment_period");
  }
  if (has(kPeriodStartSegment) && !ReadName(r, s.period_start_segment)) return Corrupt(r, "period_start_segment");
  if (has(kJourney) && !DecodeJourney(r, s.journey)) return Corrupt(r, "journey");
  if (has(kOpenAlert) && !DecodeOpenAlert(r, s.open_alert.emplace())) return Corrupt(r, "open alert");
  // The seconds flag is set exactly when there are times and all are whole seconds.
  if (in_seconds != (any_time && whole_seconds)) return Corrupt(r, "time unit");
  if (!r.Done()) return Corrupt(r, "length (trailing bytes)");
  return s;
}

}  // namespace crm::pipeline
