// libFuzzer target for the customer state encoding (pipeline/state/state_codec.h;
// tests/fuzz/README.md), run for a bounded time by CTest (fuzz.state_codec).
//
// Two checks per input:
//  1. The input as stored bytes: DecodeState never crashes, a failure is a
//     Corruption with a short message, and an accepted input is canonical:
//     it re-encodes to exactly the same bytes, which decode to the same state.
//  2. The input as a recipe for a CustomerState (FuzzedDataProvider): any
//     state encodes, decodes without error, and comes back bit for bit
//     (doubles compared by their bits, so NaN, -0 and denormals count).
#include <fuzzer/FuzzedDataProvider.h>

#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <string_view>

#include "pipeline/state/state_codec.h"

namespace {

using crm::StatusCode;
using crm::operators::CustomerState;
using crm::operators::EventTime;
using crm::operators::OpenComplaint;
using crm::pipeline::DecodeState;
using crm::pipeline::EncodeState;

void Check(bool ok, const char* what) {
  if (!ok) {
    std::fprintf(stderr, "invariant violated: %s\n", what);
    std::abort();
  }
}

uint64_t Bits(double d) {
  uint64_t b;
  std::memcpy(&b, &d, sizeof b);
  return b;
}

// operator== with doubles compared bit for bit.
bool Identical(const CustomerState& a, const CustomerState& b) {
  for (auto [x, y] : {std::pair{a.total_spend, b.total_spend},
                      std::pair{a.first_purchase_spend, b.first_purchase_spend},
                      std::pair{a.satisfaction, b.satisfaction},
                      std::pair{a.satisfaction_weight, b.satisfaction_weight},
                      std::pair{a.churn_risk, b.churn_risk}}) {
    if (Bits(x) != Bits(y)) return false;
  }
  CustomerState p = a, q = b;
  p.total_spend = q.total_spend = 0;
  p.first_purchase_spend = q.first_purchase_spend = 0;
  p.satisfaction = q.satisfaction = 0;
  p.satisfaction_weight = q.satisfaction_weight = 0;
  p.churn_risk = q.churn_risk = 0;
  return p == q;
}

// Mostly common values (zero, small, whole seconds), sometimes anything.
int64_t Time(FuzzedDataProvider& in) {
  switch (in.ConsumeIntegralInRange<int>(0, 3)) {
    case 0: return 0;
    case 1: return in.ConsumeIntegralInRange<int64_t>(0, 4'000'000'000) * 1000;
    case 2: return in.ConsumeIntegralInRange<int64_t>(-4'000'000'000'000, 253'402'300'799'999);
    default: return in.ConsumeIntegral<int64_t>();
  }
}

double Double(FuzzedDataProvider& in) {
  switch (in.ConsumeIntegralInRange<int>(0, 2)) {
    case 0: return 0;
    case 1: return in.ConsumeFloatingPointInRange<double>(0, 1e6);
    default: {
      const uint64_t bits = in.ConsumeIntegral<uint64_t>();
      double d;
      std::memcpy(&d, &bits, sizeof d);
      return d;
    }
  }
}

std::string Name(FuzzedDataProvider& in) {
  static const char* const kCommon[] = {"", "Champions", "Loyal", "At Risk", "Hibernating", "Lost", "loyal", "latent", "none"};
  if (in.ConsumeBool()) return kCommon[in.ConsumeIntegralInRange<size_t>(0, std::size(kCommon) - 1)];
  return in.ConsumeRandomLengthString(80);
}

CustomerState Recipe(FuzzedDataProvider& in) {
  CustomerState s;
  s.purchase_count = in.ConsumeBool() ? in.ConsumeIntegralInRange<int64_t>(0, 1000) : in.ConsumeIntegral<int64_t>();
  s.total_spend = Double(in);
  s.first_purchase = EventTime{Time(in)};
  s.first_purchase_spend = Double(in);
  s.last_purchase = EventTime{Time(in)};
  s.last_event = EventTime{Time(in)};
  s.satisfaction = Double(in);
  s.satisfaction_weight = Double(in);
  s.satisfaction_at = EventTime{Time(in)};
  const size_t complaints = in.ConsumeIntegralInRange<size_t>(0, 4);
  for (size_t i = 0; i < complaints; ++i) {
    s.open_complaints.push_back(OpenComplaint{in.ConsumeRandomLengthString(40), in.ConsumeIntegral<int32_t>()});
  }
  s.rfm = {in.ConsumeIntegralInRange<int32_t>(-1, 6), in.ConsumeIntegral<int32_t>(), in.ConsumeIntegralInRange<int32_t>(0, 5)};
  s.segment = Name(in);
  s.loyalty = Name(in);
  s.churn_risk = Double(in);
  s.alert_armed = in.ConsumeBool();
  s.last_alert = EventTime{Time(in)};
  s.alerts_sent = in.ConsumeBool() ? 0 : in.ConsumeIntegral<int64_t>();
  s.next_check = EventTime{Time(in)};
  for (uint64_t& h : s.recent_event_hashes) h = in.ConsumeBool() ? 0 : in.ConsumeIntegral<uint64_t>();
  s.recent_next = in.ConsumeBool() ? in.ConsumeIntegralInRange<uint32_t>(0, 3) : in.ConsumeIntegral<uint32_t>();
  return s;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view bytes(reinterpret_cast<const char*>(data), size);

  // 1. Stored bytes.
  auto decoded = DecodeState(bytes);
  if (!decoded.ok()) {
    Check(decoded.status().code() == StatusCode::kCorruption, "a decode failure is Corruption");
    Check(!decoded.status().message().empty() && decoded.status().message().size() < 300, "short message");
  } else {
    std::string again;
    EncodeState(*decoded, again);
    Check(again == bytes, "an accepted encoding is canonical (re-encodes to the same bytes)");
    auto twice = DecodeState(again);
    Check(twice.ok() && Identical(*twice, *decoded), "decode(encode(decode(b))) == decode(b)");
  }

  // 2. A state built from the bytes.
  FuzzedDataProvider in(data, size);
  const CustomerState state = Recipe(in);
  std::string encoded;
  EncodeState(state, encoded);
  auto back = DecodeState(encoded);
  if (!back.ok()) {
    std::fprintf(stderr, "%s\n", back.status().message().c_str());
    Check(false, "every state's encoding decodes");
  }
  Check(Identical(*back, state), "decode(encode(s)) == s, bit for bit");
  std::string encoded_again = "not cleared";
  EncodeState(*back, encoded_again);
  Check(encoded_again == encoded, "encoding is deterministic");
  return 0;
}
