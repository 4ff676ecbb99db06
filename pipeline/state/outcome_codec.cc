#include "pipeline/state/outcome_codec.h"

#include <cstdint>
#include <string>

namespace crm::pipeline {
namespace {

constexpr uint8_t kPriorityMask = 0x3;
constexpr uint8_t kControlBit = 0x4;
constexpr uint64_t kMaxText = 4096;  // far above the decoder's bounds; a corrupt length fails fast

void WriteText(const std::string& text, ByteWriter& w) {
  w.Varint(text.size());
  w.Bytes(text);
}

bool ReadText(ByteReader& r, std::string& text) {
  uint64_t length;
  return r.Varint(length) && length <= kMaxText && r.Bytes(length, text);
}

}  // namespace

void EncodeOpenAlert(const operators::OpenAlert& open, ByteWriter& w) {
  WriteText(open.alert_id, w);
  w.Signed(open.at.epoch_ms);
  WriteText(open.recommended_action, w);
  WriteText(open.action, w);
  w.Byte(static_cast<uint8_t>(static_cast<uint8_t>(open.priority) | (open.control ? kControlBit : 0)));
}

bool DecodeOpenAlert(ByteReader& r, operators::OpenAlert& open) {
  if (!ReadText(r, open.alert_id) || open.alert_id.empty()) return false;
  if (!r.Signed(open.at.epoch_ms)) return false;
  if (!ReadText(r, open.recommended_action) || !ReadText(r, open.action)) return false;
  uint8_t flags;
  if (!r.Byte(flags) || (flags & ~(kPriorityMask | kControlBit)) != 0) return false;
  const uint8_t priority = flags & kPriorityMask;
  if (priority > static_cast<uint8_t>(operators::Priority::kHigh)) return false;
  open.priority = static_cast<operators::Priority>(priority);
  open.control = (flags & kControlBit) != 0;
  return true;
}

}  // namespace crm::pipeline
