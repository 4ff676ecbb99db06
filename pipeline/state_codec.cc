#include "pipeline/state_codec.h"

#include <cstring>

namespace crm::pipeline {
namespace {

using operators::CustomerState;
using operators::EventTime;

uint64_t ZigZag(int64_t v) { return (static_cast<uint64_t>(v) << 1) ^ static_cast<uint64_t>(v >> 63); }
int64_t UnZigZag(uint64_t v) { return static_cast<int64_t>(v >> 1) ^ -static_cast<int64_t>(v & 1); }

class Writer {
 public:
  explicit Writer(std::string& out) : out_(out) {}
  void Byte(uint8_t b) { out_.push_back(static_cast<char>(b)); }
  void Varint(uint64_t v) {
    while (v >= 0x80) {
      Byte(static_cast<uint8_t>(v | 0x80));
      v >>= 7;
    }
    Byte(static_cast<uint8_t>(v));
  }
  void Signed(int64_t v) { Varint(ZigZag(v)); }
  void Double(double d) {
    uint64_t bits;
    std::memcpy(&bits, &d, sizeof bits);
    for (int i = 0; i < 8; ++i) Byte(static_cast<uint8_t>(bits >> (8 * i)));
  }
  void Fixed64(uint64_t v) {
    for (int i = 0; i < 8; ++i) Byte(static_cast<uint8_t>(v >> (8 * i)));
  }
  void String(const std::string& s) {
    Varint(s.size());
    out_.append(s);
  }

 private:
  std::string& out_;
};

class Reader {
 public:
  explicit Reader(std::string_view in) : in_(in) {}
  bool Byte(uint8_t& b) {
    if (pos_ >= in_.size()) return false;
    b = static_cast<uint8_t>(in_[pos_++]);
    return true;
  }
  bool Varint(uint64_t& v) {
    v = 0;
    for (int shift = 0; shift < 64; shift += 7) {
      uint8_t b;
      if (!Byte(b)) return false;
      v |= static_cast<uint64_t>(b & 0x7f) << shift;
      if ((b & 0x80) == 0) return true;
    }
    return false;
  }
  bool Signed(int64_t& v) {
    uint64_t u;
    if (!Varint(u)) return false;
    v = UnZigZag(u);
    return true;
  }
  bool Fixed64(uint64_t& v) {
    if (in_.size() - pos_ < 8) return false;
    v = 0;
    for (int i = 0; i < 8; ++i) v |= static_cast<uint64_t>(static_cast<uint8_t>(in_[pos_ + i])) << (8 * i);
    pos_ += 8;
    return true;
  }
  bool Double(double& d) {
    uint64_t bits;
    if (!Fixed64(bits)) return false;
    std::memcpy(&d, &bits, sizeof d);
    return true;
  }
  bool String(std::string& s) {
    uint64_t n;
    if (!Varint(n) || n > in_.size() - pos_) return false;
    s.assign(in_.substr(pos_, n));
    pos_ += n;
    return true;
  }
  bool Done() const { return pos_ == in_.size(); }

 private:
  std::string_view in_;
  size_t pos_ = 0;
};

}  // namespace

void EncodeState(const CustomerState& s, std::string& out) {
  out.clear();
  Writer w(out);
  w.Byte(kStateEncodingVersion);
  // Times are stored relative to the first purchase (small varints).
  const int64_t base = s.first_purchase.epoch_ms;
  w.Varint(static_cast<uint64_t>(s.purchase_count));
  w.Double(s.total_spend);
  w.Signed(base);
  w.Signed(s.last_purchase.epoch_ms - base);
  w.Signed(s.last_event.epoch_ms - base);
  w.Double(s.satisfaction);
  w.Double(s.satisfaction_weight);
  w.Signed(s.satisfaction_at.epoch_ms - base);
  w.Varint(s.open_complaints.size());
  for (const auto& c : s.open_complaints) {
    w.String(c.complaint_id);
    w.Signed(c.severity);
  }
  w.Signed(s.rfm.r);
  w.Signed(s.rfm.f);
  w.Signed(s.rfm.m);
  w.String(s.segment);
  w.String(s.loyalty);
  w.Double(s.churn_risk);
  w.Byte(s.alert_armed ? 1 : 0);
  w.Signed(s.last_alert.epoch_ms - base);
  w.Varint(static_cast<uint64_t>(s.alerts_sent));
  // Dedup ring: a bitmap of occupied slots, then those hashes.
  uint8_t occupied = 0;
  for (size_t i = 0; i < operators::kDedupWindow; ++i) {
    if (s.recent_event_hashes[i] != 0) occupied |= static_cast<uint8_t>(1u << i);
  }
  w.Byte(occupied);
  for (size_t i = 0; i < operators::kDedupWindow; ++i) {
    if (s.recent_event_hashes[i] != 0) w.Fixed64(s.recent_event_hashes[i]);
  }
  w.Varint(s.recent_next);
}

Result<CustomerState> DecodeState(std::string_view bytes) {
  static_assert(operators::kDedupWindow <= 8, "the dedup bitmap is one byte");
  Reader r(bytes);
  auto corrupt = [](const char* what) {
    return Status::Corruption(std::string("customer state: bad ") + what);
  };
  uint8_t version;
  if (!r.Byte(version)) return corrupt("length");
  if (version != kStateEncodingVersion) {
    return Status::Corruption("customer state: unknown encoding version " + std::to_string(version));
  }
  CustomerState s;
  uint64_t u;
  int64_t base, v;
  if (!r.Varint(u)) return corrupt("purchase_count");
  s.purchase_count = static_cast<int64_t>(u);
  if (!r.Double(s.total_spend)) return corrupt("total_spend");
  if (!r.Signed(base)) return corrupt("first_purchase");
  s.first_purchase = EventTime{base};
  if (!r.Signed(v)) return corrupt("last_purchase");
  s.last_purchase = EventTime{base + v};
  if (!r.Signed(v)) return corrupt("last_event");
  s.last_event = EventTime{base + v};
  if (!r.Double(s.satisfaction) || !r.Double(s.satisfaction_weight)) return corrupt("satisfaction");
  if (!r.Signed(v)) return corrupt("satisfaction_at");
  s.satisfaction_at = EventTime{base + v};
  uint64_t complaints;
  if (!r.Varint(complaints) || complaints > bytes.size()) return corrupt("open_complaints");
  for (uint64_t i = 0; i < complaints; ++i) {
    operators::OpenComplaint c;
    if (!r.String(c.complaint_id) || !r.Signed(v)) return corrupt("open complaint");
    c.severity = static_cast<int32_t>(v);
    s.open_complaints.push_back(std::move(c));
  }
  int64_t rr, ff, mm;
  if (!r.Signed(rr) || !r.Signed(ff) || !r.Signed(mm)) return corrupt("rfm");
  s.rfm = {static_cast<int32_t>(rr), static_cast<int32_t>(ff), static_cast<int32_t>(mm)};
  if (!r.String(s.segment) || !r.String(s.loyalty)) return corrupt("segment");
  if (!r.Double(s.churn_risk)) return corrupt("churn_risk");
  uint8_t armed;
  if (!r.Byte(armed) || armed > 1) return corrupt("alert_armed");
  s.alert_armed = armed == 1;
  if (!r.Signed(v)) return corrupt("last_alert");
  s.last_alert = EventTime{base + v};
  if (!r.Varint(u)) return corrupt("alerts_sent");
  s.alerts_sent = static_cast<int64_t>(u);
  uint8_t occupied;
  if (!r.Byte(occupied) || (occupied >> operators::kDedupWindow) != 0) return corrupt("dedup bitmap");
  for (size_t i = 0; i < operators::kDedupWindow; ++i) {
    if ((occupied >> i) & 1) {
      if (!r.Fixed64(s.recent_event_hashes[i]) || s.recent_event_hashes[i] == 0) return corrupt("dedup hash");
    }
  }
  if (!r.Varint(u) || u >= operators::kDedupWindow) return corrupt("dedup position");
  s.recent_next = static_cast<uint32_t>(u);
  if (!r.Done()) return corrupt("trailing bytes");
  return s;
}

}  // namespace crm::pipeline
