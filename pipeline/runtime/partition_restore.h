// pipeline/runtime/partition_restore.h
//
// Brings the state of partitions newly assigned to this instance up to date
// before they are consumed (with state.changelog): first this process's
// claim of them is written and acknowledged (so a zombie that had them is
// fenced from then on, record_processor.h), then each is restored from its
// changelog partition into the state store. Not ready meanwhile (health),
// alive (the heartbeat goes on), however long the broker is away; a stop
// request ends it at once and the partitions not restored are reported, to
// be left out of the assignment. Up to state.restore_threads partitions
// are restored at the same time, each by its own reader (the restorer is
// called from that many threads; the store takes their batches
// concurrently); the processor hears of each only afterwards, on the
// service's thread. The changelog reader is injected (ChangelogRestorer),
// so the service runs without a broker in tests. Called from one thread
// (the service's).
#pragma once

#include <atomic>
#include <cstdint>
#include <functional>
#include <set>

#include "config/config.h"
#include "operators/status.h"
#include "pipeline/changelog/changelog.h"
#include "pipeline/io/clock.h"
#include "pipeline/observe/metrics.h"
#include "pipeline/observe/service_health.h"
#include "pipeline/runtime/record_processor.h"
#include "pipeline/state/state_store.h"

namespace crm::pipeline {

// Restores one changelog partition into the store (RestoreChangelogPartition
// with the service's Kafka settings, in production). Called concurrently
// for different partitions.
using ChangelogRestorer = std::function<Result<RestoreResult>(
    int32_t partition, StateStore& store, const std::function<void(int64_t, int64_t)>& progress,
    const RestoreOptions& options)>;

// Everything a restore reports to or works on; all outlive the restore.
struct PartitionRestoreContext {
  const config::Config& config;
  Metrics& metrics;
  ServiceHealth& health;
  const Clock& clock;
  RecordProcessor& processor;
  StateStore& store;
  const ChangelogRestorer& restorer;
  const std::atomic<bool>* stop = nullptr;  // the service's stop flag (may be null)
};

// Claims and restores `partitions`; returns the ones left unrestored by a
// stop request. An error is an infrastructure failure (the service stops).
Result<std::set<int32_t>> RestorePartitions(const PartitionRestoreContext& context,
                                            const std::set<int32_t>& partitions);

}  // namespace crm::pipeline
