// tests/pipeline/event_decoder_cases.h
//
// What the event decoder tests share: the decoder limits they run under, a
// minimal valid envelope to build messages from, and short names for the
// input kinds and error codes their case tables use.
#pragma once

#include <gtest/gtest.h>

#include <string>
#include <variant>

#include "pipeline/wire/event_decoder.h"

namespace crm::pipeline::decoder_cases {

using operators::Complaint;
using operators::ComplaintStatus;
using operators::Event;
using operators::Purchase;
using operators::ServiceInteraction;

inline constexpr size_t kLimit = 4096;
inline const DecoderLimits kLimits{kLimit, 1e9};
inline constexpr int64_t k20240301Noon = 1'709'294'400'000;  // 2024-03-01T12:00:00Z

inline const std::string kBase = R"("event_id":"e","customer_id":"c","ts":0)";

inline std::string WithBase(const std::string& fields) { return "{" + kBase + (fields.empty() ? "" : "," + fields) + "}"; }
inline std::string Repeat(const std::string& s, size_t n) {
  std::string out;
  for (size_t i = 0; i < n; ++i) out += s;
  return out;
}

// A message the decoder must reject, with the code and reason it gives.
struct BadMessage {
  std::string json;
  DecodeErrorCode code;
  std::string reason;
};

inline void ExpectRejected(InputKind kind, const BadMessage& bad) {
  EventDecoder decoder(kLimits);
  DecodeResult r = decoder.Decode(kind, bad.json);
  auto* error = std::get_if<DecodeError>(&r);
  ASSERT_NE(error, nullptr) << bad.json;
  EXPECT_EQ(error->code, bad.code) << error->reason;
  EXPECT_EQ(error->reason, bad.reason);
}

inline Event MustDecode(InputKind kind, const std::string& json) {
  EventDecoder decoder(kLimits);
  DecodeResult r = decoder.Decode(kind, json);
  if (auto* e = std::get_if<DecodeError>(&r)) {
    ADD_FAILURE() << "unexpected " << DecodeErrorCodeName(e->code) << ": " << e->reason << " for " << json;
    return Event{};
  }
  return std::get<Event>(r);
}

inline constexpr auto P = InputKind::kPurchase;
inline constexpr auto C = InputKind::kComplaint;
inline constexpr auto S = InputKind::kService;
inline constexpr auto kJson = DecodeErrorCode::kInvalidJson;
inline constexpr auto kMissing = DecodeErrorCode::kMissingField;
inline constexpr auto kType = DecodeErrorCode::kWrongType;
inline constexpr auto kRange = DecodeErrorCode::kOutOfRange;

inline const std::string kPurchase = WithBase(R"("amount":1)");

}  // namespace crm::pipeline::decoder_cases
