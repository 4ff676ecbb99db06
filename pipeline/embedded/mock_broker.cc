#include "pipeline/embedded/mock_broker.h"

namespace crm::pipeline {

Result<std::unique_ptr<MockBroker>> MockBroker::Create(const MockBrokerOptions& options) {
  if (options.partitions < 1 || options.brokers < 1) {
    return Status::InvalidArgument("mock broker: partitions and brokers must be >= 1");
  }
  ASSIGN_OR_RETURN(KafkaConf conf, MakeKafkaConf({{"log_level", "3"}}));
  ASSIGN_OR_RETURN(KafkaHandle owner, MakeKafkaClient(RD_KAFKA_PRODUCER, std::move(conf)));
  rd_kafka_mock_cluster_t* cluster = rd_kafka_mock_cluster_new(owner.get(), options.brokers);
  if (cluster == nullptr) return Status::IoError("mock broker: could not start the cluster");
  std::unique_ptr<MockBroker> broker(new MockBroker(std::move(owner), cluster));
  for (const std::string& topic : options.topics) {
    rd_kafka_resp_err_t err = rd_kafka_mock_topic_create(cluster, topic.c_str(),
                                                         options.partitions, 1);
    if (err != RD_KAFKA_RESP_ERR_NO_ERROR) {
      return Status::IoError("mock broker: create topic '" + topic + "': " + KafkaErrorText(err));
    }
  }
  return broker;
}

MockBroker::~MockBroker() { rd_kafka_mock_cluster_destroy(cluster_); }

std::string MockBroker::bootstrap_servers() const {
  return rd_kafka_mock_cluster_bootstraps(cluster_);
}

}  // namespace crm::pipeline
