// tests/pipeline/changelog_restore_fixture.h
//
// The embedded broker (in process), a real RocksDB store in a fresh
// temporary directory and a producer that writes changelog records as
// ChangelogWriter makes them or crafted ones, for the restore tests
// (changelog_restore_test, changelog_lean_test).
#pragma once

#include <gtest/gtest.h>
#include <librdkafka/rdkafka.h>

#include <chrono>
#include <filesystem>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "pipeline/changelog/changelog.h"
#include "pipeline/embedded/mock_broker.h"
#include "pipeline/state/population_codec.h"
#include "pipeline/state/state_codec.h"

namespace crm::pipeline {

inline constexpr char kTopic[] = "changelog";
// A second changelog topic, for a copy of the first as a cluster would
// compact it.
inline constexpr char kCompactedTopic[] = "changelog-compacted";
inline constexpr int32_t kPartition = 1;
inline constexpr int32_t kOtherPartition = 2;
inline constexpr char kInput[] = "crm.purchases";

inline constexpr int64_t kCheckDueMs = 1'000'000;

inline operators::CustomerState StateWithSpend(double spend, int64_t next_check_ms = kCheckDueMs) {
  operators::CustomerState state;
  state.purchase_count = 1;
  state.total_spend = spend;
  state.next_check = operators::EventTime{next_check_ms};
  return state;
}

class ChangelogRestoreTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto broker = MockBroker::Create(MockBrokerOptions{1, 4, {kTopic, kCompactedTopic}});
    ASSERT_TRUE(broker.ok()) << broker.status().message();
    broker_ = std::move(*broker);
    dir_ = std::filesystem::temp_directory_path() /
           ("crm-restore-" + std::to_string(::testing::UnitTest::GetInstance()->random_seed()) + "-" +
            ::testing::UnitTest::GetInstance()->current_test_info()->name());
    std::filesystem::remove_all(dir_);
    auto store = StateStore::Open({dir_.string(), 16 << 20, false});
    ASSERT_TRUE(store.ok()) << store.status().message();
    store_ = std::move(*store);
    char error[256];
    rd_kafka_conf_t* conf = rd_kafka_conf_new();
    ASSERT_EQ(rd_kafka_conf_set(conf, "bootstrap.servers", broker_->bootstrap_servers().c_str(), error, sizeof error),
              RD_KAFKA_CONF_OK);
    producer_.reset(rd_kafka_new(RD_KAFKA_PRODUCER, conf, error, sizeof error));
    ASSERT_NE(producer_, nullptr) << error;
  }
  void TearDown() override {
    producer_.reset();
    store_.reset();
    broker_.reset();
    std::filesystem::remove_all(dir_);
  }

  // Produces one record as the writer would, or a crafted one.
  void Produce(int32_t partition, const std::string& key, std::optional<std::string> value,
               std::optional<std::string> epoch, const char* topic = kTopic) {
    rd_kafka_headers_t* headers = rd_kafka_headers_new(1);
    if (epoch) rd_kafka_header_add(headers, kEpochHeader, -1, epoch->data(), static_cast<ssize_t>(epoch->size()));
    void* payload = value ? const_cast<char*>(value->data()) : nullptr;
    const size_t size = value ? value->size() : 0;
    rd_kafka_resp_err_t err = rd_kafka_producev(
        producer_.get(), RD_KAFKA_V_TOPIC(topic), RD_KAFKA_V_PARTITION(partition),
        RD_KAFKA_V_KEY(key.data(), key.size()),
        RD_KAFKA_V_VALUE(payload, size),
        RD_KAFKA_V_MSGFLAGS(RD_KAFKA_MSG_F_COPY), RD_KAFKA_V_HEADERS(headers), RD_KAFKA_V_END);
    ASSERT_EQ(err, RD_KAFKA_RESP_ERR_NO_ERROR) << rd_kafka_err2str(err);
    ASSERT_EQ(rd_kafka_flush(producer_.get(), 10'000), RD_KAFKA_RESP_ERR_NO_ERROR);
  }
  void Produce(const OutputRecord& r, const char* topic = kTopic) {
    std::optional<std::string> epoch;
    for (const auto& [name, value] : r.headers) {
      if (name == kEpochHeader) epoch = value;
    }
    Produce(r.partition, r.key, r.tombstone ? std::nullopt : std::optional<std::string>(r.value), epoch, topic);
  }
  // One complete epoch: a customer (with its pending check at
  // kCheckDueMs), partition data and the marker.
  void GoodEpoch(int32_t partition, const std::string& epoch, const std::string& customer, double spend,
                 int64_t next_offset) {
    ChangelogWriter writer(kTopic, epoch);
    const operators::CustomerState state = StateWithSpend(spend);
    Produce(writer.Customer(partition, customer, &state));
    Produce(writer.Partition(partition, EncodePartitionState(PartitionState{})));
    Produce(writer.Marker(partition, {{TopicPartitionKey{kInput, partition}, next_offset}}));
  }

  KafkaProperties Properties() const { return {{"bootstrap.servers", broker_->bootstrap_servers()}}; }

  Result<RestoreResult> Restore(int32_t partition, const RestoreOptions& options = {}) {
    return RestoreInto(*store_, partition, kTopic, options);
  }
  Result<RestoreResult> RestoreInto(StateStore& store, int32_t partition, const char* topic,
                                    const RestoreOptions& options = {}) {
    RestoreOptions counting = options;
    counting.on_corrupt = [this](int64_t, const Status& why) { corruptions_.push_back(why.message()); };
    return RestoreChangelogPartition(Properties(), topic, partition, store, nullptr, counting);
  }

  std::optional<int64_t> StoredOffset(int32_t partition) {
    auto offset = store_->NextOffset(TopicPartitionKey{kInput, partition});
    EXPECT_TRUE(offset.ok());
    return offset.ok() ? *offset : std::nullopt;
  }
  bool HasCustomer(const std::string& id) {
    auto state = store_->Get(id);
    EXPECT_TRUE(state.ok());
    return state.ok() && state->has_value();
  }

  struct ProducerDeleter {
    void operator()(rd_kafka_t* rk) const { rd_kafka_destroy(rk); }
  };
  std::unique_ptr<MockBroker> broker_;
  std::filesystem::path dir_;
  std::unique_ptr<StateStore> store_;
  std::unique_ptr<rd_kafka_t, ProducerDeleter> producer_;
  std::vector<std::string> corruptions_;
};

}  // namespace crm::pipeline
