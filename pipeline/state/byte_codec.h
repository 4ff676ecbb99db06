// pipeline/state/byte_codec.h
//
// Little helpers for the binary encodings of stored state (state_codec.cc,
// population_codec.cc): an appending writer and a bounds-checked reader of
// canonical LEB128 varints, zigzag-signed varints, fixed 64-bit
// little-endian words and byte strings. Readers return false on truncated or
// non-canonical input instead of throwing. Header-only; no shared state.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

namespace crm::pipeline {

inline uint64_t ZigZag(int64_t v) { return (static_cast<uint64_t>(v) << 1) ^ static_cast<uint64_t>(v >> 63); }
inline int64_t UnZigZag(uint64_t v) { return static_cast<int64_t>((v >> 1) ^ (~(v & 1) + 1)); }

class ByteWriter {
 public:
  explicit ByteWriter(std::string& out) : out_(out) {}
  void Byte(uint8_t b) { out_.push_back(static_cast<char>(b)); }
  void Varint(uint64_t v) {
    while (v >= 0x80) {
      Byte(static_cast<uint8_t>(v | 0x80));
      v >>= 7;
    }
    Byte(static_cast<uint8_t>(v));
  }
  void Signed(int64_t v) { Varint(ZigZag(v)); }
  void Fixed64(uint64_t v) {
    for (int i = 0; i < 8; ++i) Byte(static_cast<uint8_t>(v >> (8 * i)));
  }
  void Bytes(std::string_view s) { out_.append(s); }

 private:
  std::string& out_;
};

class ByteReader {
 public:
  explicit ByteReader(std::string_view in) : in_(in) {}
  bool Byte(uint8_t& b) {
    if (pos_ >= in_.size()) return false;
    b = static_cast<uint8_t>(in_[pos_++]);
    return true;
  }
  // Canonical varints only: no redundant trailing zero groups, at most 64 bits.
  bool Varint(uint64_t& v) {
    v = 0;
    constexpr int kMaxShift = 63;
    for (int shift = 0; shift <= kMaxShift; shift += 7) {
      uint8_t b;
      if (!Byte(b)) return false;
      if (shift == kMaxShift && b > 1) return false;
      v |= static_cast<uint64_t>(b & 0x7f) << shift;
      if ((b & 0x80) == 0) return b != 0 || shift == 0;
    }
    return false;
  }
  bool Signed(int64_t& v) {
    uint64_t u;
    if (!Varint(u)) return false;
    v = UnZigZag(u);
    return true;
  }
  bool Int32(int32_t& v) {
    int64_t w;
    if (!Signed(w) || w < INT32_MIN || w > INT32_MAX) return false;
    v = static_cast<int32_t>(w);
    return true;
  }
  bool Fixed64(uint64_t& v) {
    if (in_.size() - pos_ < 8) return false;
    v = 0;
    for (int i = 0; i < 8; ++i) v |= static_cast<uint64_t>(static_cast<uint8_t>(in_[pos_ + i])) << (8 * i);
    pos_ += 8;
    return true;
  }
  bool Bytes(uint64_t n, std::string& s) {
    if (n > in_.size() - pos_) return false;
    s.assign(in_.substr(pos_, n));
    pos_ += n;
    return true;
  }
  bool Done() const { return pos_ == in_.size(); }
  size_t pos() const { return pos_; }

 private:
  std::string_view in_;
  size_t pos_ = 0;
};


}  // namespace crm::pipeline
