#include "pipeline/runtime/event_time_bounds.h"

#include <limits>

#include "pipeline/wire/output_encoder.h"

namespace crm::pipeline {
namespace {

constexpr int64_t kMsPerSecond = 1000;

// a + b without overflow (clamped): the bounds come from config and stored
// data, which can hold anything.
int64_t SaturatingAdd(int64_t a, int64_t b) {
  int64_t sum;
  if (__builtin_add_overflow(a, b, &sum)) return b > 0 ? std::numeric_limits<int64_t>::max() : std::numeric_limits<int64_t>::min();
  return sum;
}

const char* TimestampTypeName(RecordTimestampType type) {
  switch (type) {
    case RecordTimestampType::kCreateTime: return "CreateTime";
    case RecordTimestampType::kLogAppendTime: return "LogAppendTime";
    case RecordTimestampType::kNone: break;
  }
  return "timestamp";
}

}  // namespace

std::optional<EventTimeRejection> CheckEventTime(const EventTimeBounds& bounds, int64_t event_ms,
                                                 int64_t record_timestamp_ms, RecordTimestampType type,
                                                 int64_t trusted_now_ms) {
  if (event_ms < bounds.earliest_ms) {
    std::string reason = "event time " + FormatRfc3339(event_ms) + " is before the earliest accepted " +
                         FormatRfc3339(bounds.earliest_ms) + " (time.earliest_event_ms)";
    // 1769904000 ms is 1970-01-21; as seconds it would be a plausible date.
    if (event_ms >= 0 && event_ms <= std::numeric_limits<int64_t>::max() / kMsPerSecond &&
        event_ms * kMsPerSecond >= bounds.earliest_ms) {
      reason += "; an integer ts is epoch milliseconds, and this looks like epoch seconds";
    }
    return EventTimeRejection{"past_event", std::move(reason)};
  }
  if (trusted_now_ms != std::numeric_limits<int64_t>::min() &&
      event_ms > SaturatingAdd(trusted_now_ms, bounds.max_future_skew_ms)) {
    return EventTimeRejection{
        "future_event", "event time " + FormatRfc3339(event_ms) + " is more than " +
                            std::to_string(bounds.max_future_skew_ms) + " ms after the partition's clock " +
                            FormatRfc3339(trusted_now_ms) + " (time.max_future_skew_ms)"};
  }
  if (record_timestamp_ms > 0 && event_ms > SaturatingAdd(record_timestamp_ms, bounds.max_future_skew_ms)) {
    return EventTimeRejection{"future_event", "event time " + FormatRfc3339(event_ms) + " is more than " +
                                                  std::to_string(bounds.max_future_skew_ms) +
                                                  " ms after the record's " + TimestampTypeName(type) + " " +
                                                  FormatRfc3339(record_timestamp_ms)};
  }
  return std::nullopt;
}

}  // namespace crm::pipeline
