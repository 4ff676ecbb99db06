// pipeline/embedded/broker_control.h
//
// Fault injection for the embedded broker, as text commands (one per line on
// the stdin of `crmstream broker`), so that tests and people can make the
// broker misbehave while crmstream runs against it as a separate process:
//   down <broker-id>                       broker stops answering
//   up <broker-id>                         ... and comes back
//   rtt <broker-id> <ms>                   adds round-trip delay
//   errors <api> <count> <error>           the next <count> requests of <api>
//                                          fail with <error>
//   clear <api>                            forget queued errors of <api>
//   topic <name> <partitions>              create a topic (the mock has no CreateTopics)
// <api> is a Kafka API name (Produce, Fetch, ListOffsets, Metadata,
// OffsetCommit, OffsetFetch, FindCoordinator, JoinGroup, Heartbeat,
// SyncGroup, InitProducerId, AddPartitionsToTxn, EndTxn) or its number;
// <error> is a Kafka error name (NOT_LEADER_FOR_PARTITION, REQUEST_TIMED_OUT,
// NOT_ENOUGH_REPLICAS, ...) or its code.
#pragma once

#include <librdkafka/rdkafka.h>
#include <librdkafka/rdkafka_mock.h>

#include <string>

#include "operators/status.h"

namespace crm::pipeline {

Status ApplyBrokerCommand(rd_kafka_mock_cluster_t* cluster, const std::string& line);

}  // namespace crm::pipeline
