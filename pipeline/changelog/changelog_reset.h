// pipeline/changelog/changelog_reset.h
//
// Reprocessing through the changelog (changelog.h): a *reset epoch* makes
// every future restore of a changelog partition end with empty state and
// chosen input positions, whether the restoring instance starts from an
// empty state directory (restore from the beginning of the changelog) or
// from a local store that still holds the old state (restore from its
// checkpoint). It is an ordinary epoch in the existing format, written by a
// writer of its own:
//   1. a claim of the partition by the reset's owner, so that epochs begun
//      before it (a writer that died mid-commit) can never complete;
//   2. a tombstone for every customer, timer and partition-data key whose
//      latest changelog record holds a value (every piece of state a store
//      restored from, or committed with, this changelog partition can hold);
//   3. a marker with the new input offsets.
// A restore applies the epoch in one atomic RocksDB write: the deletions,
// the offsets and the checkpoint past the marker. The next owner claims the
// partition again when it is assigned, as always. Compaction then removes
// the old state's records from the topic.
//
// The scan and the records are separate so the records can be checked
// without a broker. Functions, no state: any thread.
#pragma once

#include <cstdint>
#include <map>
#include <set>
#include <string>
#include <vector>

#include "operators/status.h"
#include "pipeline/kafka/kafka_client.h"
#include "pipeline/kafka/kafka_sink.h"
#include "pipeline/state/state_store.h"

namespace crm::pipeline {

struct ChangelogScan {
  std::set<std::string> live_keys;  // changelog keys ('c', 't', 'p') whose latest record holds a value
  int64_t records = 0;              // records read
};

// Reads changelog partition `partition` of `topic` from its beginning to its
// current (read_committed) end. Unavailable when the broker does not answer
// for `stall_timeout_ms`. A missing topic or partition is an empty scan.
Result<ChangelogScan> ScanChangelogPartition(const KafkaProperties& properties, const std::string& topic,
                                             int32_t partition, int stall_timeout_ms);

// The epoch-id prefix (claim owner) of a reset started at `epoch_ns`; no
// instance's prefix ("<instance_id>/<ns>/") starts with it.
std::string ResetOwner(int64_t epoch_ns);

// The records of the reset epoch of `partition`, in the order they must be
// produced: claim, tombstones of `live_keys`, marker with the offsets of
// `next_offsets` that belong to `partition`.
std::vector<OutputRecord> ResetEpochRecords(const std::string& topic, int32_t partition, const std::string& owner,
                                            const std::set<std::string>& live_keys,
                                            const std::map<TopicPartitionKey, int64_t>& next_offsets);

}  // namespace crm::pipeline
