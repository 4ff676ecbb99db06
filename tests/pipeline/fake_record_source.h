// tests/pipeline/fake_record_source.h
//
// An in-memory RecordSource for service tests: the test scripts what Poll()
// hands out, step by step: a record, the end of a partition, an assignment
// or revocation (told to the listener inside Poll(), as librdkafka does), or
// a callback (advance a clock, fail the sink, request a stop). A step other
// than a record ends the poll round (Poll returns nothing), so a script
// controls which records one loop turn sees. Pause/resume calls, advisory
// commits and assignments are recorded for assertions; Extent() reports
// what the test put in `extents` (unknown otherwise). One thread.
#pragma once

#include <deque>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <utility>
#include <variant>
#include <vector>

#include "pipeline/io/record_source.h"

namespace crm::pipeline {

class FakeSource : public RecordSource {
 public:
  struct Record {
    std::string topic;
    int32_t partition = 0;
    int64_t offset = 0;
    std::string key, value;
    int64_t timestamp_ms = -1;
  };
  struct End {
    std::string topic;
    int32_t partition = 0;
  };
  struct Assign {
    std::vector<TopicPartitionKey> partitions;
  };
  struct Revoke {
    std::vector<TopicPartitionKey> partitions;
    bool lost = false;
  };
  using Step = std::variant<Record, End, Assign, Revoke, std::function<void()>>;

  void Then(Step step) { script_.push_back(std::move(step)); }
  bool ScriptDone() const { return script_.empty(); }

  Status Subscribe(const std::vector<std::string>& topics, RebalanceListener* listener) override {
    topics_ = topics;
    listener_ = listener;
    return Status::Ok();
  }
  Status Rejoin() override {
    ++rejoins;
    return Status::Ok();
  }
  std::optional<SourceRecord> Poll(int) override {
    if (script_.empty()) return std::nullopt;
    Step step = std::move(script_.front());
    script_.pop_front();
    if (auto* r = std::get_if<Record>(&step)) return Hand(std::move(*r));
    if (auto* e = std::get_if<End>(&step)) {
      SourceRecord end;
      end.type = SourceRecord::Type::kPartitionEnd;
      auto owned = std::make_unique<std::string>(e->topic);
      end.topic = *owned;
      end.partition = e->partition;
      end.storage = {owned.release(), [](void* p) { delete static_cast<std::string*>(p); }};
      return end;
    }
    if (auto* a = std::get_if<Assign>(&step)) {
      std::vector<AssignedPartition> partitions;
      for (const TopicPartitionKey& tp : a->partitions) partitions.push_back({tp.topic, tp.partition, -1001});
      listener_->OnAssigned(partitions);
      for (const AssignedPartition& p : partitions) positions[{p.topic, p.partition}] = p.offset;
    } else if (auto* v = std::get_if<Revoke>(&step)) {
      listener_->OnRevoked(v->partitions, v->lost);
      for (const TopicPartitionKey& tp : v->partitions) positions.erase(tp);
    } else {
      std::get<std::function<void()>>(step)();
    }
    return std::nullopt;
  }
  void Pause(const TopicPartitionKey& tp) override {
    paused.insert(tp);
    ++pauses;
  }
  void Resume(const TopicPartitionKey& tp) override {
    paused.erase(tp);
    ++resumes;
  }
  void CommitOffsets(const std::map<TopicPartitionKey, int64_t>& next_offsets) override {
    for (const auto& [tp, offset] : next_offsets) committed[tp] = offset;
  }
  std::optional<LogExtent> Extent(const TopicPartitionKey& tp) override {
    auto it = extents.find(tp);
    if (it == extents.end()) return std::nullopt;
    return it->second;
  }
  void Close() override {
    // Leaving the group revokes what is assigned, as librdkafka does.
    std::vector<TopicPartitionKey> all;
    for (const auto& [tp, offset] : positions) all.push_back(tp);
    if (!all.empty()) listener_->OnRevoked(all, false);
    positions.clear();
    closed = true;
  }

  // Where the service asked each assigned partition to start (kept while assigned).
  std::map<TopicPartitionKey, int64_t> positions;
  std::map<TopicPartitionKey, int64_t> committed;  // advisory commits
  std::map<TopicPartitionKey, LogExtent> extents;   // what Extent() reports (unknown when absent)
  std::set<TopicPartitionKey> paused;
  int pauses = 0, resumes = 0, rejoins = 0;
  bool closed = false;

 private:
  static SourceRecord Hand(Record r) {
    auto owned = std::make_unique<Record>(std::move(r));
    SourceRecord record;
    record.topic = owned->topic;
    record.partition = owned->partition;
    record.offset = owned->offset;
    record.key = owned->key;
    record.value = owned->value;
    record.timestamp_ms = owned->timestamp_ms;
    record.timestamp_type = owned->timestamp_ms >= 0 ? RecordTimestampType::kCreateTime : RecordTimestampType::kNone;
    record.storage = {owned.release(), [](void* p) { delete static_cast<Record*>(p); }};
    return record;
  }

  std::deque<Step> script_;
  std::vector<std::string> topics_;
  RebalanceListener* listener_ = nullptr;
};

}  // namespace crm::pipeline
