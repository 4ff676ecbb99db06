// tests/pipeline/changelog_writer_script.h
//
// A real RecordProcessor writing a changelog into a FakeSink, fed a scripted
// year of purchases (30 customers; some buy often, some stop early so that
// their checks fire and, past retention, they expire; one event in 7 is a
// duplicate), and readers of what a store holds (customers byte for byte,
// timers), for the tests that compare a restored store with the writer's
// (changelog_lean_test, changelog_compaction_test).
#pragma once

#include <gtest/gtest.h>

#include <filesystem>
#include <map>
#include <memory>
#include <set>
#include <string>
#include <utility>

#include "config/config.h"
#include "pipeline/io/clock.h"
#include "pipeline/observe/metrics.h"
#include "pipeline/runtime/record_processor.h"
#include "pipeline/wire/output_encoder.h"
#include "tests/pipeline/changelog_restore_fixture.h"
#include "tests/pipeline/fake_record_sink.h"

namespace crm::pipeline {

// Every timer of `partition` in the store, as (due, customer).
inline std::set<std::pair<int64_t, std::string>> Timers(const StateStore& store, int32_t partition) {
  std::set<std::pair<int64_t, std::string>> timers;
  EXPECT_TRUE(store
                  .ScanTimers(partition, INT64_MAX,
                              [&](int64_t due, std::string_view id) {
                                timers.emplace(due, std::string(id));
                                return true;
                              })
                  .ok());
  return timers;
}

inline std::map<std::string, std::string> Customers(const StateStore& store) {
  std::map<std::string, std::string> customers;
  EXPECT_TRUE(store
                  .ForEachCustomer([&](const std::string& id, const std::string& bytes) {
                    customers[id] = bytes;
                    return Status::Ok();
                  })
                  .ok());
  return customers;
}

// A processor with the changelog on (topic kTopic), its own store in `dir`
// (removed first and at the end) and a FakeSink.
struct ScriptedWriter {
  explicit ScriptedWriter(std::filesystem::path store_dir) : dir(std::move(store_dir)) {
    config.state.changelog = true;
    config.topics.changelog = kTopic;
    config.model.inactivity.retention = operators::Days(120);
    std::filesystem::remove_all(dir);
    auto opened = StateStore::Open({dir.string(), 16 << 20, false});
    EXPECT_TRUE(opened.ok()) << opened.status().message();
    if (opened.ok()) store = std::move(*opened);
    processor = std::make_unique<RecordProcessor>(config, *store, sink, metrics, clock);
    EXPECT_TRUE(processor->Start().ok());
  }
  ~ScriptedWriter() {
    processor.reset();
    store.reset();
    std::filesystem::remove_all(dir);
  }

  // Purchases of days [first_day, last_day) of 2024 on input partition
  // kPartition, from input offset `offset` on, committing every 30 days.
  void FeedDays(int first_day, int last_day, int64_t& offset) {
    const int64_t day_ms = 86'400'000;
    const int64_t start_ms = 1'704'067'200'000;  // 2024-01-01
    for (int day = first_day; day < last_day; day += 3) {
      for (int c = 0; c < 30; ++c) {
        if ((c + day) % (c % 5 + 2) != 0 || (c % 3 == 0 && day > 100 + c)) continue;
        const std::string id = "c" + std::to_string(c);
        const int n = static_cast<int>(offset % 7 == 6 ? offset - 1 : offset);
        const std::string json = R"({"event_id":"e)" + std::to_string(n) + R"(","customer_id":")" + id +
                                 R"(","ts":")" + FormatRfc3339(start_ms + day * day_ms + c * 1000) +
                                 R"(","amount":)" + std::to_string(5 + c) + "}";
        InputRecordView view;
        view.topic = kInput;
        view.partition = kPartition;
        view.offset = offset++;
        view.key = id;
        view.has_key = true;
        view.value = json;
        ASSERT_TRUE(processor->Process(view).ok());
      }
      if (day % 30 == 0) {
        ASSERT_TRUE(processor->Commit(1000).ok());
      }
    }
  }

  std::filesystem::path dir;
  config::Config config;
  std::unique_ptr<StateStore> store;
  Metrics metrics;
  SystemClock clock;
  FakeSink sink;
  std::unique_ptr<RecordProcessor> processor;
};

}  // namespace crm::pipeline
