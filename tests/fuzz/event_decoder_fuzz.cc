// libFuzzer target for EventDecoder and ParseRfc3339 (tests/fuzz/README.md):
// built by CMake with clang, run for a bounded time by CTest (fuzz.event_decoder).
//
// Decodes every input as each kind of event and checks that the decoder
// never crashes, that an accepted event satisfies every documented range
// (and the configured amount limit), that it agrees with simdjson's DOM
// parser on what is valid JSON (a key twice in one object, compared after
// unescaping, is invalid too), and that decoding is repeatable with a reused
// decoder.
#include <simdjson.h>

#include <cmath>
#include <cstdint>
#include <cstdlib>
#include <cstdio>
#include <set>
#include <string>
#include <string_view>

#include "operators/alert_outcome.h"
#include "pipeline/wire/event_decoder.h"

namespace {

using crm::pipeline::DecodeError;
using crm::pipeline::DecodeErrorCode;
using crm::pipeline::DecodeResult;
using crm::pipeline::DecoderLimits;
using crm::pipeline::EventDecoder;
using crm::pipeline::InputKind;

constexpr size_t kLimit = 2048;  // smaller than -max_len's default, so too_large is reached
constexpr double kMaxAmount = 1e6;  // below the default, so out_of_range is reached
constexpr int64_t kMaxEpochMs = 253'402'300'799'999;

void Check(bool ok, const char* what) {
  if (!ok) {
    std::fprintf(stderr, "invariant violated: %s\n", what);
    std::abort();
  }
}

size_t Utf8Chars(std::string_view s) {
  size_t n = 0;
  for (unsigned char c : s) n += (c & 0xC0) != 0x80;
  return n;
}

void CheckEvent(InputKind kind, const crm::operators::Event& e) {
  Check(Utf8Chars(e.customer_id) >= 1 && Utf8Chars(e.customer_id) <= 64, "customer_id 1..64 chars");
  Check(!e.event_id.empty() && Utf8Chars(e.event_id) <= 256, "event_id 1..256 chars");
  Check(e.ts.epoch_ms >= 0 && e.ts.epoch_ms <= kMaxEpochMs, "ts in 1970..9999");
  Check(e.origin.topic.empty() && e.origin.offset == 0, "origin left empty");
  switch (kind) {
    case InputKind::kPurchase: {
      const auto* p = std::get_if<crm::operators::Purchase>(&e.body);
      Check(p != nullptr, "purchase body");
      Check(std::isfinite(p->amount) && p->amount >= 0 && !std::signbit(p->amount), "amount >= 0");
      Check(p->amount <= kMaxAmount, "amount <= max_amount");
      Check(p->quantity >= 1, "quantity >= 1");
      break;
    }
    case InputKind::kComplaint: {
      const auto* c = std::get_if<crm::operators::Complaint>(&e.body);
      Check(c != nullptr, "complaint body");
      Check(!c->complaint_id.empty(), "complaint_id non-empty");
      Check(c->severity >= 1 && c->severity <= 5, "severity 1..5");
      break;
    }
    case InputKind::kService: {
      const auto* s = std::get_if<crm::operators::ServiceInteraction>(&e.body);
      Check(s != nullptr, "service body");
      Check(!s->rating || (*s->rating >= 1 && *s->rating <= 5), "rating 1..5");
      Check(std::isfinite(s->wait_seconds) && s->wait_seconds >= 0, "wait_seconds >= 0");
      break;
    }
    case InputKind::kInteraction: {
      const auto* i = std::get_if<crm::operators::Interaction>(&e.body);
      Check(i != nullptr, "interaction body");
      Check(!i->rating || (*i->rating >= 1 && *i->rating <= 5), "rating 1..5");
      Check(i->kind != crm::operators::InteractionKind::kReview || i->rating.has_value(), "a review has a rating");
      break;
    }
    case InputKind::kAction: {
      const auto* a = std::get_if<crm::operators::AlertAction>(&e.body);
      Check(a != nullptr, "action body");
      Check(!a->alert_id.empty() && a->alert_id.size() <= 256, "alert_id 1..256");
      Check(crm::operators::IsAlertActionName(a->action), "a documented action");
      break;
    }
  }
}

bool SameResult(const DecodeResult& a, const DecodeResult& b) {
  if (a.index() != b.index()) return false;
  if (const auto* ea = std::get_if<DecodeError>(&a)) {
    const auto& eb = std::get<DecodeError>(b);
    return ea->code == eb.code && ea->reason == eb.reason;
  }
  const auto& x = std::get<crm::operators::Event>(a);
  const auto& y = std::get<crm::operators::Event>(b);
  return x.event_id == y.event_id && x.customer_id == y.customer_id && x.ts == y.ts &&
         x.body.index() == y.body.index();
}

// Whether any object in `e` has a key twice (keys compared unescaped).
bool HasDuplicateKey(simdjson::dom::element e) {
  if (e.is_object()) {
    std::set<std::string_view> keys;
    for (auto field : simdjson::dom::object(e)) {
      if (!keys.insert(field.key).second || HasDuplicateKey(field.value)) return true;
    }
  } else if (e.is_array()) {
    for (auto v : simdjson::dom::array(e)) {
      if (HasDuplicateKey(v)) return true;
    }
  }
  return false;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static EventDecoder decoder(DecoderLimits{kLimit, kMaxAmount});
  static simdjson::dom::parser dom;
  const std::string_view bytes(reinterpret_cast<const char*>(data), size);

  // What simdjson's DOM parser, which validates everything, thinks of it.
  bool dom_object = false;
  bool dom_too_deep = false;
  bool dom_duplicate = false;
  if (size <= kLimit) {
    simdjson::padded_string padded(bytes);
    simdjson::dom::element root;
    auto error = dom.parse(padded).get(root);
    dom_object = !error && root.is_object();
    dom_too_deep = error == simdjson::DEPTH_ERROR;
    dom_duplicate = dom_object && HasDuplicateKey(root);
  }

  for (InputKind kind : {InputKind::kPurchase, InputKind::kComplaint, InputKind::kService, InputKind::kInteraction,
                         InputKind::kAction}) {
    DecodeResult r = decoder.Decode(kind, bytes);
    if (const auto* e = std::get_if<DecodeError>(&r)) {
      Check(!e->reason.empty() && e->reason.size() < 400, "short non-empty reason");
      Check((e->code == DecodeErrorCode::kTooLarge) == (size > kLimit), "too_large exactly when over the limit");
      if (size <= kLimit && !dom_too_deep) {
        // Both parsers agree on validity, except that ours limits nesting
        // inside unknown fields more tightly than the DOM parser's 1024.
        const bool ours_invalid = e->code == DecodeErrorCode::kInvalidJson;
        Check(ours_invalid == (!dom_object || dom_duplicate) || e->reason.find("too deep") != std::string::npos,
              "invalid_json exactly when the DOM parser rejects the message, it is not an object, "
              "or a key appears twice in one object");
        Check(e->reason.rfind("duplicate field '", 0) != 0 || !dom_object || dom_duplicate,
              "a duplicate field in valid JSON is reported only when there is one");
      }
    } else {
      Check(dom_object, "accepted only valid JSON objects");
      Check(!dom_duplicate, "accepted only objects without duplicate keys");
      CheckEvent(kind, std::get<crm::operators::Event>(r));
    }
    Check(SameResult(r, decoder.Decode(kind, bytes)), "decoding is repeatable");
  }

  int64_t ms = 0;
  if (crm::pipeline::ParseRfc3339(bytes, ms)) {
    Check(size >= 20, "RFC 3339 has at least 20 characters");
    Check(ms >= -62'167'219'200'000 - 86'400'000 && ms <= kMaxEpochMs + 86'400'000, "year 0000..9999 +- a day");
  }
  return 0;
}
