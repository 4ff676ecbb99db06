// pipeline/embedded/mock_broker.h
//
// The embedded Kafka-protocol broker: librdkafka's mock cluster on 127.0.0.1,
// with crmstream's topics created up front. Used by `crmstream broker`, the
// demo, tests and benchmarks. Limits of the mock (DESIGN.md) that callers must
// respect: at most ~5 MiB / 100,000 message sets per partition are retained
// (older records are dropped silently), aborted transactions are visible to
// read_committed consumers, offsets sent with a transaction are discarded.
// The object owns the cluster; destroying it stops the broker.
#pragma once

#include <librdkafka/rdkafka.h>
#include <librdkafka/rdkafka_mock.h>

#include <memory>
#include <string>
#include <vector>

#include "operators/status.h"
#include "pipeline/kafka/kafka_client.h"

namespace crm::pipeline {

struct MockBrokerOptions {
  int brokers = 1;
  int partitions = 16;               // for every topic in `topics`
  std::vector<std::string> topics;   // created up front
};

class MockBroker {
 public:
  static Result<std::unique_ptr<MockBroker>> Create(const MockBrokerOptions& options);
  ~MockBroker();
  MockBroker(const MockBroker&) = delete;
  MockBroker& operator=(const MockBroker&) = delete;

  // "127.0.0.1:port" list for bootstrap.servers.
  std::string bootstrap_servers() const;
  // For fault injection (rd_kafka_mock_* calls).
  rd_kafka_mock_cluster_t* cluster() const { return cluster_; }

 private:
  MockBroker(KafkaHandle owner, rd_kafka_mock_cluster_t* cluster)
      : owner_(std::move(owner)), cluster_(cluster) {}
  KafkaHandle owner_;  // the rd_kafka_t the cluster is attached to
  rd_kafka_mock_cluster_t* cluster_;
};

}  // namespace crm::pipeline
