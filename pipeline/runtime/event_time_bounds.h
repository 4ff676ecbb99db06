// pipeline/runtime/event_time_bounds.h
//
// The sanity bounds on an event's time, checked before the event may touch a
// partition's clock (DESIGN.md "Inactivity"): one record stamped in the year
// 9999 would otherwise move the partition's watermark there, fire every timer
// and let retention delete every customer of the partition. An event is
// rejected (dead-lettered, its partition's clock left alone) when
//   - it is earlier than `earliest_ms` (code past_event; also catches epoch
//     seconds sent where milliseconds are expected: 1769904000 reads as
//     1970-01-21), or
//   - it is more than `max_future_skew_ms` after the partition's trusted
//     clock (code future_event): the wall clock the runtime recorded with the
//     partition's last commit, so a replay from that commit decides the same
//     way, whatever the record's own timestamp claims, or
//   - it is more than `max_future_skew_ms` after the Kafka record's timestamp
//     when the record has one (> 0): CreateTime is the producer's clock and
//     LogAppendTime the broker's; either says when the event was sent.
// Pure: the caller passes every clock in.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include "pipeline/io/record_source.h"

namespace crm::pipeline {

struct EventTimeBounds {
  int64_t earliest_ms = 0;
  int64_t max_future_skew_ms = 0;
};

struct EventTimeRejection {
  std::string code;    // "past_event" or "future_event"
  std::string reason;  // readable, with the times in RFC 3339
};

// nullopt when the event time is acceptable. `trusted_now_ms` INT64_MIN:
// no recorded clock (the bound is skipped).
std::optional<EventTimeRejection> CheckEventTime(const EventTimeBounds& bounds, int64_t event_ms,
                                                 int64_t record_timestamp_ms, RecordTimestampType type,
                                                 int64_t trusted_now_ms);

}  // namespace crm::pipeline
