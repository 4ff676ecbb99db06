// pipeline/changelog/restore_wait.h
//
// How a changelog restore waits out a broker it cannot reach: which
// librdkafka errors are transient, and BrokerWait, a bounded exponential
// back-off that can be interrupted (RestoreOptions::interrupted) and reports
// every wait (RestoreOptions::on_unavailable, RestoreResult's counters).
// Used by the restore in changelog.cc only, on the restoring thread.
#pragma once

#include <librdkafka/rdkafka.h>

#include <chrono>
#include <optional>

#include "operators/status.h"
#include "pipeline/changelog/changelog.h"
#include "pipeline/io/clock.h"

namespace crm::pipeline {

// How often a waiting restore looks at RestoreOptions::interrupted.
inline constexpr std::chrono::milliseconds kRestoreCheckEvery{500};

// Errors that mean "the broker is away or busy; the client retries": the
// restore waits them out. Anything else stops it.
bool IsTransientKafkaError(rd_kafka_resp_err_t err);

// Waiting for the broker: bounded exponential back-off, interruptible, and
// reported through RestoreOptions.
class BrokerWait {
 public:
  BrokerWait(const RestoreOptions& options, RestoreResult& result, const Clock& clock)
      : options_(options), result_(result), clock_(clock), delay_(options.first_backoff) {}

  const Clock& clock() const { return clock_; }

  bool Interrupted() const { return options_.interrupted && options_.interrupted(); }

  // Reports `why` and sleeps one back-off step before the caller tries
  // again; false when interrupted meanwhile.
  bool Wait(const Status& why);

  // For a reader that keeps polling (librdkafka reconnects by itself, and a
  // poll is a wait): reports `why` on the same back-off schedule, without
  // sleeping; false when interrupted.
  // `since`: when the broker was last heard from.
  bool Report(const Status& why, Clock::SteadyTime since) {
    if (!since_) since_ = since;
    if (!next_report_ || clock_.Steady() >= *next_report_) {
      next_report_ = clock_.Steady() + delay_;
      Note(why);
    }
    return !Interrupted();
  }

  // The broker answered: the next outage starts from the first back-off again.
  void Answered();

 private:
  void Note(const Status& why);

  const RestoreOptions& options_;
  RestoreResult& result_;
  const Clock& clock_;
  std::chrono::milliseconds delay_;
  std::optional<Clock::SteadyTime> since_;        // unreachable since
  std::optional<Clock::SteadyTime> next_report_;  // Report()'s schedule
};

}  // namespace crm::pipeline
