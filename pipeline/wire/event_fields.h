// pipeline/wire/event_fields.h
//
// The fields of an input event: their names, which ones each input kind
// reads, and the checks that turn the raw values captured by the decoder's
// single pass (event_decoder.cc) into a typed operators::Event. Validation
// runs in a fixed field order, so the reported error does not depend on the
// order of keys in the message. Pure: no parser, no state.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "pipeline/wire/event_decoder.h"
#include "pipeline/wire/json_walker.h"

namespace crm::pipeline {

enum class FieldId {
  kEventId, kCustomerId, kTs,
  kAmount, kCurrency, kQuantity, kChannel, kOrderId,
  kComplaintId, kStatus, kSeverity, kCategory,
  kRating, kResolved, kWaitSeconds,
  kKind,
  kAlertId, kAction,
  kCount,
};

inline constexpr size_t kFieldCount = static_cast<size_t>(FieldId::kCount);

// Each field's key in the message, indexed by FieldId.
inline constexpr std::array<std::string_view, kFieldCount> kFieldNames = {
    "event_id", "customer_id", "ts",
    "amount", "currency", "quantity", "channel", "order_id",
    "complaint_id", "status", "severity", "category",
    "rating", "resolved", "wait_seconds",
    "kind",
    "alert_id", "action",
};

// One captured value per field (absent: a default RawValue).
using EventFields = std::array<RawValue, kFieldCount>;

// The fields `kind` reads, one bit per FieldId; every other key is unknown
// (validated as JSON, then ignored).
uint32_t KnownFields(InputKind kind);

// The event the captured `fields` describe, or the first field's error.
DecodeResult EventFromFields(InputKind kind, const EventFields& fields, const DecoderLimits& limits);

}  // namespace crm::pipeline
