// libFuzzer target for EventDecoder. By hand, from the repository root (needs
// clang):
//
//   clang++ -std=c++20 -g -O1 -fsanitize=fuzzer,address,undefined -I. \
//     tests/pipeline/fuzz/event_decoder_fuzz.cc pipeline/event_decoder.cc pipeline/rfc3339.cc \
//     -lsimdjson -o /tmp/event_decoder_fuzz
//   mkdir -p /tmp/decoder_corpus && /tmp/event_decoder_fuzz -max_total_time=60 /tmp/decoder_corpus
//
// Decodes every input as each kind of event and checks that the decoder
// never crashes, that an accepted event satisfies every documented range
// (the amount within the configured maximum), that it agrees with simdjson's
// DOM parser on what is valid JSON (except that it also rejects duplicate
// keys and deeper nesting), that an accepted object has no duplicate
// top-level key, and that decoding is repeatable with a reused decoder.
#include <simdjson.h>

#include <cmath>
#include <cstdint>
#include <cstdlib>
#include <cstdio>
#include <set>
#include <string_view>

#include "pipeline/event_decoder.h"

namespace {

using crm::pipeline::DecodeError;
using crm::pipeline::DecodeErrorCode;
using crm::pipeline::DecodeResult;
using crm::pipeline::DecoderLimits;
using crm::pipeline::EventDecoder;
using crm::pipeline::InputKind;

constexpr size_t kLimit = 2048;  // smaller than -max_len's default, so too_large is reached
constexpr int64_t kMaxEpochMs = 253'402'300'799'999;
constexpr double kMaxAmount = 1000;  // small, so that the fuzzer reaches it

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

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static EventDecoder decoder(DecoderLimits{kLimit, kMaxAmount});
  static simdjson::dom::parser dom;
  const std::string_view bytes(reinterpret_cast<const char*>(data), size);

  // What simdjson's DOM parser, which validates everything, thinks of it.
  bool dom_object = false;
  bool dom_too_deep = false;
  bool dom_unique_keys = true;  // at the top level
  if (size <= kLimit) {
    simdjson::padded_string padded(bytes);
    simdjson::dom::element root;
    auto error = dom.parse(padded).get(root);
    dom_object = !error && root.is_object();
    dom_too_deep = error == simdjson::DEPTH_ERROR;
    if (dom_object) {
      std::set<std::string_view> keys;
      const simdjson::dom::object object = root.get_object().value_unsafe();
      for (auto field : object) dom_unique_keys &= keys.insert(field.key).second;
    }
  }

  for (InputKind kind : {InputKind::kPurchase, InputKind::kComplaint, InputKind::kService}) {
    DecodeResult r = decoder.Decode(kind, bytes);
    if (const auto* e = std::get_if<DecodeError>(&r)) {
      Check(!e->reason.empty() && e->reason.size() < 400, "short non-empty reason");
      Check((e->code == DecodeErrorCode::kTooLarge) == (size > kLimit), "too_large exactly when over the limit");
      if (size <= kLimit && !dom_too_deep) {
        // Both parsers agree on validity, except that ours limits nesting
        // inside unknown fields more tightly than the DOM parser's 1024.
        const bool ours_invalid = e->code == DecodeErrorCode::kInvalidJson;
        Check(ours_invalid != dom_object || e->reason.find("too deep") != std::string::npos ||
                  e->reason.rfind("duplicate field '", 0) == 0,
              "invalid_json exactly when the DOM parser rejects the message or it is not an object");
      }
    } else {
      Check(dom_object, "accepted only valid JSON objects");
      Check(dom_unique_keys, "accepted only objects without duplicate keys");
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
