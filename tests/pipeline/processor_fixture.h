// tests/pipeline/processor_fixture.h
//
// A RecordProcessor over a real RocksDB store in a fresh temporary directory
// and an in-memory FakeSink, for the processor tests (record_processor,
// hostile_input, fencing). Subclasses set config_ in their SetUp before
// calling ProcessorFixture::SetUp(); Reopen() starts over on the same store.
#pragma once

#include <gtest/gtest.h>

#include <filesystem>
#include <memory>
#include <string>
#include <string_view>

#include "config/config.h"
#include "pipeline/observe/metrics.h"
#include "pipeline/runtime/record_processor.h"
#include "pipeline/state/state_store.h"
#include "tests/pipeline/fake_record_sink.h"

namespace crm::pipeline {

class ProcessorFixture : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = std::filesystem::temp_directory_path() /
           ("crm-processor-" + std::to_string(::testing::UnitTest::GetInstance()->random_seed()) + "-" +
            ::testing::UnitTest::GetInstance()->current_test_info()->test_suite_name() + "-" +
            ::testing::UnitTest::GetInstance()->current_test_info()->name());
    std::filesystem::remove_all(dir_);
    config_.state.dir = dir_.string();
    config_.state.memory_budget_bytes = 16 << 20;
    Reopen();
  }
  void TearDown() override {
    processor_.reset();
    store_.reset();
    std::filesystem::remove_all(dir_);
  }
  // `read_only`: a store that refuses every write (RocksDB's own error).
  void Reopen(bool read_only = false) {
    processor_.reset();
    store_.reset();
    auto store = StateStore::Open({config_.state.dir, config_.state.memory_budget_bytes, read_only});
    ASSERT_TRUE(store.ok()) << store.status().message();
    store_ = std::move(store).value();
    processor_ = std::make_unique<RecordProcessor>(config_, *store_, sink_, metrics_, clock_);
    ASSERT_TRUE(processor_->Start().ok());
  }

  // Processes one purchase of `customer` at `ts` (RFC 3339) from
  // crm.purchases [0] at `offset`; the event id follows the offset.
  Status FeedPurchase(int64_t offset, const std::string& customer, const std::string& ts,
                      const std::string& amount = "12") {
    const std::string json = R"({"event_id":"e)" + std::to_string(offset) + R"(","customer_id":")" + customer +
                             R"(","ts":")" + ts + R"(","amount":)" + amount + "}";
    return FeedRecord(offset, customer, json);
  }
  // Processes the record `key`/`json` from crm.purchases [0] at `offset`.
  Status FeedRecord(int64_t offset, std::string_view key, std::string_view json, int64_t record_ts = 0,
                    RecordTimestampType timestamp_type = RecordTimestampType::kNone) {
    InputRecordView view;
    view.topic = "crm.purchases";
    view.offset = offset;
    view.key = key;
    view.has_key = true;
    view.value = json;
    view.timestamp_ms = record_ts;
    view.timestamp_type = timestamp_type;
    return processor_->Process(view);
  }

  std::filesystem::path dir_;
  config::Config config_;
  Metrics metrics_;
  SystemClock clock_;
  FakeSink sink_;
  std::unique_ptr<StateStore> store_;
  std::unique_ptr<RecordProcessor> processor_;
};

}  // namespace crm::pipeline
