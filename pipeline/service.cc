#include "pipeline/service.h"

#include <spdlog/spdlog.h>

#include <chrono>
#include <map>
#include <mutex>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "pipeline/changelog.h"
#include "pipeline/input_merger.h"
#include "pipeline/kafka_client.h"
#include "pipeline/kafka_sink.h"
#include "pipeline/metric_series.h"
#include "pipeline/model_params_file.h"
#include "pipeline/output_encoder.h"
#include "pipeline/record_processor.h"
#include "pipeline/state_json.h"

namespace crm::pipeline {
namespace {

using Clock = std::chrono::steady_clock;

using Merger = InputMerger<OwnedMessage>;

// Per-partition buffering beyond which fetching pauses (the merge may be
// waiting for another input) and below which it resumes; in bytes too
// (runtime.partition_buffer_bytes), so large messages cannot grow it.
constexpr size_t kPauseAbove = 20000;
constexpr size_t kResumeBelow = 5000;
constexpr size_t kResumeBelowFraction = 4;
constexpr int kMaxPollBatch = 10000;
// A commit waits for output acknowledgements in slices of this length, so
// that health and stop requests are looked at while the broker is away.
constexpr int kFlushSliceMs = 1000;

}  // namespace

struct Service::Impl {
  Impl(const config::Config& c, Metrics& m, ServiceHealth& h)
      : config(c), metrics(m), health(h),
        merger(std::chrono::milliseconds(c.runtime.max_task_idle_ms)) {
    topics = {c.topics.purchases, c.topics.complaints, c.topics.service};
  }

  const config::Config& config;
  Metrics& metrics;
  ServiceHealth& health;
  std::array<std::string, kInputKinds> topics;
  std::unique_ptr<StateStore> store;
  std::unique_ptr<KafkaSink> sink;
  std::unique_ptr<RecordProcessor> processor;
  KafkaHandle consumer;
  Merger merger;
  std::set<std::pair<int, int32_t>> assigned;  // (kind, partition)
  std::set<std::pair<int, int32_t>> paused;
  Status fatal;  // set by callbacks, checked by the loop
  std::vector<std::string_view> received_keys;  // keys of this poll round, for prefetching
  Clock::time_point last_commit = Clock::now();
  const std::atomic<bool>* stop = nullptr;  // Run()'s stop flag
  bool stopping_after_error = false;
  // Set when a commit was fenced: the instance dropped its state and left
  // the group to rejoin; nothing is processed until partitions are assigned.
  bool rejoining_after_fence = false;
  // What profiles read from the HTTP thread: the parameters in use and the
  // latest committed event time.
  mutable std::mutex params_mutex;
  std::shared_ptr<const operators::ModelParams> params_in_use;
  std::atomic<int64_t> committed_event_time_ms{0};
  // When each assigned partition number last received an input record.
  std::map<int32_t, Clock::time_point> last_input;

  void UseModelParams(operators::ModelParams params) {
    processor->SetModelParams(params);
    std::lock_guard lock(params_mutex);
    params_in_use = std::make_shared<const operators::ModelParams>(std::move(params));
  }
  std::optional<Clock::time_point> stop_requested_at;

  int KindOf(const char* topic) const {
    for (int k = 0; k < kInputKinds; ++k) {
      if (topics[k] == topic) return k;
    }
    return -1;
  }

  Status Commit();
  // The parameters file's contents; nullopt when none is configured or, on a
  // reload, when the file is bad (logged; the old parameters stay).
  Result<std::optional<operators::ModelParams>> LoadModelParams(bool at_start);
  void CommitToKafka();
  void UpdateLag();
  void OnRebalance(rd_kafka_resp_err_t err, rd_kafka_topic_partition_list_t* partitions);
  Status AssignFromStore(rd_kafka_topic_partition_list_t* partitions);
  Status RestorePartitions(rd_kafka_topic_partition_list_t* partitions);
  void Receive(OwnedMessage message);
  Status Drain();
  Status AdvanceIdlePartitions();
  Status RefreshClocks();
  // A fenced commit (another instance owns a partition now): drops every
  // uncommitted change and buffered record, leaves the group and joins it
  // again, so that what this instance gets next is restored and claimed
  // afresh. Other statuses pass through.
  Status RejoinIfFenced(Status status, const rd_kafka_topic_partition_list_t* subscription);
  void SetPaused(int kind, int32_t partition, bool pause);
};

Result<std::optional<operators::ModelParams>> Service::Impl::LoadModelParams(bool at_start) {
  const std::string& path = config.model_params_file;
  if (path.empty()) {
    if (at_start) spdlog::info("no model parameters file: churn risk from the overdue ratio, value = spend so far");
    return std::optional<operators::ModelParams>();
  }
  Result<operators::ModelParams> loaded = pipeline::LoadModelParams(path);
  if (!loaded.ok()) {
    metrics.ModelParamsLoads("rejected").Increment();
    if (at_start) return Status::InvalidArgument(loaded.status().message());
    spdlog::error("{}; keeping the parameters in use", loaded.status().message());
    return std::optional<operators::ModelParams>();
  }
  const operators::ModelParams& p = *loaded;
  spdlog::info("model parameters from {}: BG/NBD r={} alpha={} a={} b={}, Gamma-Gamma p={} q={} gamma={}, unit {} days",
               path, p.bgnbd.r, p.bgnbd.alpha, p.bgnbd.a, p.bgnbd.b, p.gamma_gamma.p, p.gamma_gamma.q,
               p.gamma_gamma.gamma, p.days_per_unit);
  metrics.ModelParamsLoads("ok").Increment();
  metrics.model_params_loaded().Set(1);
  ReportModelParams(metrics, p);
  return std::optional<operators::ModelParams>(std::move(loaded).value());
}

Status Service::Impl::Commit() {
  if (processor->uncommitted_records() == 0) {
    last_commit = Clock::now();
    return Status::Ok();
  }
  auto started = Clock::now();
  // While the broker does not acknowledge the outputs (down, slow), keep
  // waiting: librdkafka retries with back-off and fails the records itself
  // after message.timeout.ms. Not ready meanwhile; a stop request gives up
  // after the shutdown deadline (nothing is lost: the next start replays).
  Status status;
  for (int attempt = 1;; ++attempt) {
    health.heartbeat_ms.store(ServiceHealth::SteadyNowMs());
    status = processor->Commit(kFlushSliceMs);
    if (status.code() != StatusCode::kUnavailable) break;
    health.last_commit_ok.store(false);
    if (attempt == 1 || attempt % 10 == 0) {
      spdlog::warn("commit waiting for the broker ({} s so far): {}", attempt * kFlushSliceMs / 1000,
                   status.message());
    }
    if (stop != nullptr && stop->load()) {
      if (!stop_requested_at) stop_requested_at = Clock::now();
      if (Clock::now() - *stop_requested_at >= std::chrono::milliseconds(config.runtime.shutdown_deadline_ms)) {
        return Status(StatusCode::kUnavailable, "shutdown deadline passed: " + status.message());
      }
    }
  }
  health.last_commit_ok.store(status.ok());
  metrics.Commits(status.ok() ? "ok" : status.code() == StatusCode::kFenced ? "fenced" : "failed").Increment();
  if (!status.ok()) return status;
  last_commit = Clock::now();
  metrics.commit_duration().Observe(std::chrono::duration<double>(last_commit - started).count());
  metrics.state_size().Set(static_cast<double>(store->ApproximateSizeBytes()));
  committed_event_time_ms.store(processor->latest_event_time_ms());
  if (processor->latest_event_time_ms() > 0) {
    const auto wall_ms = std::chrono::duration_cast<std::chrono::milliseconds>(
                             std::chrono::system_clock::now().time_since_epoch()).count();
    metrics.event_time_lag().Set(static_cast<double>(wall_ms - processor->latest_event_time_ms()) / 1000.0);
  }
  metrics.state_cache_usage().Set(static_cast<double>(store->BlockCacheUsageBytes()));
  CommitToKafka();
  UpdateLag();
  return Status::Ok();
}

void Service::Impl::CommitToKafka() {
  TopicPartitionList list(rd_kafka_topic_partition_list_new(static_cast<int>(assigned.size())));
  for (const auto& [tp, offset] : processor->committed_offsets()) {
    int kind = KindOf(tp.topic.c_str());
    if (kind < 0 || !assigned.count({kind, tp.partition})) continue;
    rd_kafka_topic_partition_list_add(list.get(), tp.topic.c_str(), tp.partition)->offset = offset;
  }
  if (list->cnt == 0) return;
  // Advisory only (lag tools); the state store holds the positions we resume from.
  rd_kafka_resp_err_t err = rd_kafka_commit(consumer.get(), list.get(), /*async=*/1);
  if (err != RD_KAFKA_RESP_ERR_NO_ERROR) {
    spdlog::debug("advisory offset commit failed: {}", KafkaErrorText(err));
  }
}

void Service::Impl::UpdateLag() {
  for (const auto& [kind, partition] : assigned) {
    int64_t low = 0, high = 0;
    if (rd_kafka_get_watermark_offsets(consumer.get(), topics[kind].c_str(), partition, &low,
                                       &high) != RD_KAFKA_RESP_ERR_NO_ERROR || high < 0) {
      continue;
    }
    auto it = processor->committed_offsets().find(TopicPartitionKey{topics[kind], partition});
    int64_t position = it == processor->committed_offsets().end() ? low : it->second;
    metrics.ConsumerLag(topics[kind], partition).Set(static_cast<double>(std::max<int64_t>(0, high - position)));
  }
}

Status Service::Impl::RestorePartitions(rd_kafka_topic_partition_list_t* partitions) {
  std::set<int32_t> numbers;
  for (int i = 0; i < partitions->cnt; ++i) {
    if (KindOf(partitions->elems[i].topic) >= 0) numbers.insert(partitions->elems[i].partition);
  }
  for (const auto& [kind, partition] : assigned) numbers.erase(partition);  // ours already
  if (numbers.empty()) return Status::Ok();
  // Not ready until every new partition is restored, however long the broker
  // is away; alive meanwhile (the heartbeat goes on). A stop request ends the
  // restore at once: what it applied is durable with its checkpoint, and the
  // partitions not restored are left out of the assignment, so nothing is
  // processed on partial state and the loop stops as usual.
  health.restoring.store(true);
  RestoreOptions options;
  options.interrupted = [this] {
    health.heartbeat_ms.store(ServiceHealth::SteadyNowMs());
    return stop != nullptr && stop->load();
  };
  // The claim goes first and is acknowledged: the restore then reads past
  // it, and whatever another writer completes after it (a zombie that had
  // these partitions) is never applied, here or by any later restore.
  for (int attempt = 1;; ++attempt) {
    health.heartbeat_ms.store(ServiceHealth::SteadyNowMs());
    Status claimed = processor->ClaimPartitions(numbers, kFlushSliceMs);
    if (claimed.ok() || (stop != nullptr && stop->load())) break;
    if (claimed.code() != StatusCode::kUnavailable) {
      health.restoring.store(false);
      return Status(claimed.code(), "claim partitions: " + claimed.message());
    }
    if (attempt == 1 || attempt % 10 == 0) spdlog::warn("claiming partitions waits for the broker: {}", claimed.message());
  }
  std::set<int32_t> unrestored = numbers;
  for (int32_t partition : numbers) {
    auto progress = [this, partition](int64_t read, int64_t total) {
      metrics.RestoreRemaining(partition).Set(static_cast<double>(total - read));
      spdlog::info("restoring partition {}: {} of {} changelog records", partition, read, total);
    };
    options.on_unavailable = [this, partition](const Status& why, int64_t waits, std::chrono::milliseconds down) {
      metrics.RestoreRetries(partition).Increment();
      spdlog::warn("restoring partition {}: waiting for the broker ({} s so far, wait {}; not ready): {}", partition,
                   down.count() / 1000, waits, why.message());
    };
    options.on_corrupt = [this, partition](int64_t offset, const Status& why) {
      metrics.ChangelogCorruptRecords(partition).Increment();
      spdlog::error("restoring partition {}: corrupt changelog record at offset {}: {}", partition, offset,
                    why.message());
    };
    Result<RestoreResult> restored =
        RestoreChangelogPartition(config.kafka, config.topics.changelog, partition, *store, progress, options);
    if (!restored.ok()) {
      health.restoring.store(false);
      return Status(restored.status().code(), "restore partition " + std::to_string(partition) + ": " +
                                                  restored.status().message());
    }
    metrics.RestoredRecords(partition).Increment(static_cast<double>(restored->records));
    if (restored->interrupted) {
      spdlog::info("restore of partition {} interrupted by the stop request after {} records", partition,
                   restored->records);
      break;
    }
    unrestored.erase(partition);
    metrics.RestoreRemaining(partition).Set(0);
    if (restored->rebuild_from_input) {
      metrics.ChangelogRebuilds(partition).Increment();
      spdlog::warn("partition {}: changelog unusable ({}); its state was dropped and is rebuilt from the beginning "
                   "of its input", partition, restored->rebuild_reason);
    } else if (restored->epochs > 0 || restored->corrupt_records > 0 || restored->fenced_epochs > 0 ||
               !restored->keys_to_rewrite.empty()) {
      spdlog::info("restored partition {} from {}: {} records, {} epochs in {:.2f} s ({:.0f} records/s); "
                   "{} keys of unfinished epochs to rewrite; {} corrupt records; {} epochs of fenced writers "
                   "ignored; {:.1f} s waiting for the broker",
                   partition, config.topics.changelog, restored->records, restored->epochs, restored->seconds,
                   static_cast<double>(restored->records) / std::max(restored->seconds, 1e-6),
                   restored->keys_to_rewrite.size(), restored->corrupt_records, restored->fenced_epochs,
                   restored->unavailable_seconds);
    }
    processor->ScheduleChangelogRewrite(partition, std::move(restored->keys_to_rewrite));
  }
  for (int i = partitions->cnt - 1; i >= 0; --i) {
    if (unrestored.count(partitions->elems[i].partition) && KindOf(partitions->elems[i].topic) >= 0) {
      rd_kafka_topic_partition_list_del_by_idx(partitions, i);
    }
  }
  health.restoring.store(false);
  return Status::Ok();
}

Status Service::Impl::AssignFromStore(rd_kafka_topic_partition_list_t* partitions) {
  for (int i = 0; i < partitions->cnt; ++i) {
    if (KindOf(partitions->elems[i].topic) >= 0) RegisterPartitionSeries(metrics, partitions->elems[i].partition);
  }
  // State first: a partition that moved here resumes from the offsets its
  // restored state reached.
  if (config.state.changelog) RETURN_IF_ERROR(RestorePartitions(partitions));
  int resumed = 0;
  for (int i = 0; i < partitions->cnt; ++i) {
    rd_kafka_topic_partition_t& tp = partitions->elems[i];
    int kind = KindOf(tp.topic);
    if (kind < 0) continue;
    ASSIGN_OR_RETURN(std::optional<int64_t> stored,
                     store->NextOffset(TopicPartitionKey{tp.topic, tp.partition}));
    // Without a stored position the partition's state is rebuilt from the
    // start of the log, whatever Kafka's group offset says.
    tp.offset = stored ? *stored : RD_KAFKA_OFFSET_BEGINNING;
    merger.Assign(tp.partition, kind);
    assigned.insert({kind, tp.partition});
    resumed += stored ? 1 : 0;
    spdlog::debug("assigned {} [{}] from offset {}", tp.topic, tp.partition,
                  stored ? std::to_string(*stored) : std::string("beginning"));
  }
  spdlog::info("assigned {} input partitions: {} resume from stored offsets, {} start from the "
               "beginning", partitions->cnt, resumed, partitions->cnt - resumed);
  return Status::Ok();
}

void Service::Impl::OnRebalance(rd_kafka_resp_err_t err,
                                rd_kafka_topic_partition_list_t* partitions) {
  const bool cooperative = std::string(rd_kafka_rebalance_protocol(consumer.get())) == "COOPERATIVE";
  if (err == RD_KAFKA_RESP_ERR__ASSIGN_PARTITIONS) {
    metrics.Rebalances("assigned").Increment();
    rejoining_after_fence = false;
    Status s = AssignFromStore(partitions);
    if (!s.ok() && fatal.ok()) fatal = s;
    rd_kafka_error_t* error = nullptr;
    if (cooperative) {
      error = rd_kafka_incremental_assign(consumer.get(), partitions);
    } else {
      rd_kafka_assign(consumer.get(), partitions);
    }
    if (error != nullptr) {
      if (fatal.ok()) fatal = Status::IoError(std::string("assign: ") + rd_kafka_error_string(error));
      rd_kafka_error_destroy(error);
    }
  } else {
    // Make what was processed durable before another instance takes over
    // (unless the service is stopping because something failed: then the
    // next owner replays from the last commit).
    received_keys.clear();  // they point into buffers dropped below
    // Partitions lost (the session expired: another instance may own them
    // already) or taken from a fenced instance are not committed: their
    // uncommitted outputs are aborted and the next owner replays.
    const bool lost = rd_kafka_assignment_lost(consumer.get()) != 0;
    metrics.Rebalances(lost ? "lost" : "revoked").Increment();
    if (lost || rejoining_after_fence) {
      spdlog::warn("{} input partitions {}: uncommitted work dropped, outputs aborted", partitions->cnt,
                   lost ? "lost (session expired)" : "given up after fencing");
      sink->Abort(kFlushSliceMs).IgnoreError();
    } else if (!stopping_after_error) {
      Status s = Commit();
      if (s.code() == StatusCode::kFenced) {
        spdlog::warn("fenced while committing before a revoke: {}", s.message());
      } else if (!s.ok() && fatal.ok()) {
        fatal = s;
      }
    }
    for (int i = 0; i < partitions->cnt; ++i) {
      int kind = KindOf(partitions->elems[i].topic);
      if (kind < 0) continue;
      merger.Revoke(partitions->elems[i].partition, kind);
      last_input.erase(partitions->elems[i].partition);
      assigned.erase({kind, partitions->elems[i].partition});
      paused.erase({kind, partitions->elems[i].partition});
    }
    spdlog::info("revoked {} input partitions{}", partitions->cnt, stopping_after_error ? "" : " after committing");
    processor->DropCachedState();
    if (cooperative) {
      rd_kafka_error_t* error = rd_kafka_incremental_unassign(consumer.get(), partitions);
      if (error != nullptr) rd_kafka_error_destroy(error);
    } else {
      rd_kafka_assign(consumer.get(), nullptr);
    }
  }
  health.assigned.store(!assigned.empty());
  metrics.assigned_partitions().Set(static_cast<double>(assigned.size()));
}

void Service::Impl::SetPaused(int kind, int32_t partition, bool pause) {
  TopicPartitionList list(rd_kafka_topic_partition_list_new(1));
  rd_kafka_topic_partition_list_add(list.get(), topics[kind].c_str(), partition);
  if (pause) {
    rd_kafka_pause_partitions(consumer.get(), list.get());
    paused.insert({kind, partition});
  } else {
    rd_kafka_resume_partitions(consumer.get(), list.get());
    paused.erase({kind, partition});
  }
}

void Service::Impl::Receive(OwnedMessage message) {
  int kind = message->rkt ? KindOf(rd_kafka_topic_name(message->rkt)) : -1;
  if (message->err == RD_KAFKA_RESP_ERR__PARTITION_EOF) {
    if (kind >= 0) merger.MarkEnd(message->partition, kind);
    return;
  }
  if (message->err != RD_KAFKA_RESP_ERR_NO_ERROR) {
    spdlog::warn("consumer: {}", rd_kafka_message_errstr(message.get()));
    return;
  }
  if (kind < 0 || !assigned.count({kind, message->partition}) || rejoining_after_fence) return;
  rd_kafka_timestamp_type_t type;
  int64_t ts = rd_kafka_message_timestamp(message.get(), &type);
  int32_t partition = message->partition;
  int64_t offset = message->offset;
  if (message->key != nullptr) {
    received_keys.emplace_back(static_cast<const char*>(message->key), message->key_len);
  }
  const size_t bytes = message->len + message->key_len;
  merger.Push(partition, kind, Merger::Item{ts < 0 ? 0 : ts, offset, std::move(message), bytes});
  last_input[partition] = Clock::now();
  if ((merger.Buffered(partition, kind) > kPauseAbove ||
       merger.BufferedBytes(partition, kind) > static_cast<size_t>(config.runtime.partition_buffer_bytes)) &&
      !paused.count({kind, partition})) {
    SetPaused(kind, partition, true);
  }
}

Status Service::Impl::Drain() {
  auto now = Clock::now();
  while (auto next = merger.Pop(now)) {
    const rd_kafka_message_t* m = next->item.payload.get();
    InputRecordView view;
    view.kind = static_cast<InputKind>(next->kind);
    view.topic = topics[next->kind];
    view.partition = next->partition;
    view.offset = m->offset;
    view.has_key = m->key != nullptr;
    view.has_value = m->payload != nullptr;
    view.timestamp_ms = next->item.timestamp_ms;
    rd_kafka_timestamp_type_t timestamp_type = RD_KAFKA_TIMESTAMP_NOT_AVAILABLE;
    rd_kafka_message_timestamp(m, &timestamp_type);
    view.timestamp_type = timestamp_type == RD_KAFKA_TIMESTAMP_LOG_APPEND_TIME ? RecordTimestampType::kLogAppendTime
                          : timestamp_type == RD_KAFKA_TIMESTAMP_CREATE_TIME  ? RecordTimestampType::kCreateTime
                                                                              : RecordTimestampType::kNone;
    view.key = std::string_view(static_cast<const char*>(m->key), m->key_len);
    view.value = std::string_view(static_cast<const char*>(m->payload), m->len);
    if (health.first_record_ms.load(std::memory_order_relaxed) == 0) {
      health.first_record_ms.store(ServiceHealth::SteadyNowMs());
    }
    RETURN_IF_ERROR(processor->Process(view));
    metrics.processing_latency().Observe(
        std::chrono::duration<double>(Clock::now() - now).count());
    if (processor->uncommitted_records() >= config.runtime.max_uncommitted_events) {
      RETURN_IF_ERROR(Commit());
    }
  }
  for (auto it = paused.begin(); it != paused.end();) {
    auto [kind, partition] = *it++;
    if (merger.Buffered(partition, kind) < kResumeBelow &&
        merger.BufferedBytes(partition, kind) <
            static_cast<size_t>(config.runtime.partition_buffer_bytes) / kResumeBelowFraction) {
      SetPaused(kind, partition, false);
    }
  }
  return Status::Ok();
}

Status Service::Impl::RejoinIfFenced(Status status, const rd_kafka_topic_partition_list_t* subscription) {
  if (status.code() != StatusCode::kFenced) return status;
  spdlog::error("fenced: {}; uncommitted work dropped, rejoining the group", status.message());
  health.last_commit_ok.store(false);
  processor->DropCachedState();
  merger.Clear();
  received_keys.clear();
  for (auto it = paused.begin(); it != paused.end();) {
    auto [kind, partition] = *it++;
    SetPaused(kind, partition, false);
  }
  last_input.clear();
  rejoining_after_fence = true;
  rd_kafka_resp_err_t err = rd_kafka_unsubscribe(consumer.get());
  if (err == RD_KAFKA_RESP_ERR_NO_ERROR) err = rd_kafka_subscribe(consumer.get(), subscription);
  if (err != RD_KAFKA_RESP_ERR_NO_ERROR) return Status::IoError("rejoin after fencing: " + KafkaErrorText(err));
  return Status::Ok();
}

Status Service::Impl::RefreshClocks() {
  const int64_t wall_ms = std::chrono::duration_cast<std::chrono::milliseconds>(
                              std::chrono::system_clock::now().time_since_epoch())
                              .count();
  bool refreshed = false;
  std::set<int32_t> partitions;
  for (const auto& [kind, partition] : assigned) partitions.insert(partition);
  for (int32_t partition : partitions) {
    ASSIGN_OR_RETURN(bool changed, processor->RefreshClock(partition, wall_ms));
    refreshed |= changed;
  }
  return refreshed ? Commit() : Status::Ok();
}

Status Service::Impl::AdvanceIdlePartitions() {
  const auto now = Clock::now();
  const auto idle_timeout = std::chrono::milliseconds(config.time.idle_timeout_ms);
  std::set<int32_t> partitions;
  for (const auto& [kind, partition] : assigned) partitions.insert(partition);
  for (int32_t partition : partitions) {
    bool buffered = false;
    for (int kind = 0; kind < kInputKinds; ++kind) buffered |= merger.Buffered(partition, kind) > 0;
    auto [it, fresh] = last_input.try_emplace(partition, now);
    if (buffered || fresh || now - it->second < idle_timeout) continue;
    it->second = now;  // the next advance needs another idle period
    const int64_t wall_ms = std::chrono::duration_cast<std::chrono::milliseconds>(
                                std::chrono::system_clock::now().time_since_epoch())
                                .count();
    const int64_t watermark = wall_ms - config.time.allowed_lateness_ms;
    // Everything before the advance is durable first, then the advance is
    // recorded, then its effects follow: a replay repeats exactly this.
    RETURN_IF_ERROR(Commit());
    ASSIGN_OR_RETURN(bool advanced, processor->AdvanceWatermark(partition, watermark));
    if (!advanced) continue;
    RETURN_IF_ERROR(Commit());
    // A long silence can pass many timers: fire and commit them in slices so
    // memory stays bounded.
    constexpr int64_t kTimersPerCommit = 50'000;
    int64_t fired = 0;
    for (;;) {
      ASSIGN_OR_RETURN(int64_t slice, processor->FireDueTimers(partition, kTimersPerCommit));
      RETURN_IF_ERROR(Commit());
      fired += slice;
      if (slice < kTimersPerCommit) break;
    }
    metrics.WatermarkIdleAdvances(partition).Increment();
    spdlog::info("partition {} idle for {} ms: watermark advanced by wall clock to {}; {} timers fired", partition,
                 config.time.idle_timeout_ms, FormatRfc3339(watermark), fired);
  }
  return Status::Ok();
}

Service::Service(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
Service::~Service() = default;

const StateStore& Service::store() const { return *impl_->store; }
StateStore& Service::mutable_store() { return *impl_->store; }

Result<std::optional<std::string>> Service::CustomerProfile(const std::string& customer_id) const {
  ASSIGN_OR_RETURN(auto state, impl_->store->Get(customer_id));
  if (!state) return std::optional<std::string>();
  std::shared_ptr<const operators::ModelParams> params;
  {
    std::lock_guard lock(impl_->params_mutex);
    params = impl_->params_in_use;
  }
  return std::optional<std::string>(CustomerProfileJson(customer_id, *state, impl_->config.model, params.get(),
                                                        operators::EventTime{impl_->committed_event_time_ms.load()}));
}

Result<std::unique_ptr<Service>> Service::Create(const config::Config& config, Metrics& metrics,
                                                 ServiceHealth& health) {
  auto impl = std::make_unique<Impl>(config, metrics, health);
  RegisterKnownSeries(metrics, config,
                      std::chrono::duration_cast<std::chrono::milliseconds>(
                          std::chrono::system_clock::now().time_since_epoch()).count());
  // First, so that a bad file stops start-up before any connection is made.
  ASSIGN_OR_RETURN(std::optional<operators::ModelParams> params, impl->LoadModelParams(/*at_start=*/true));
  ASSIGN_OR_RETURN(impl->store, StateStore::Open(StateStoreOptions{
                                    config.state.dir, config.state.memory_budget_bytes, false}));
  KafkaProperties producer_props = ProducerProperties(config.kafka);
  producer_props.try_emplace("client.id", config.runtime.instance_id);
  const std::string transactional_id =
      config.runtime.transactions ? config.runtime.group_id + "-" + config.runtime.instance_id : "";
  const std::map<std::string, std::string> output_codecs = {{config.topics.churn_alerts, config.output.compression},
                                                            {config.topics.segment_changes, config.output.compression},
                                                            {config.topics.deadletter, config.output.compression}};
  ASSIGN_OR_RETURN(impl->sink, KafkaSink::Create(producer_props, transactional_id, output_codecs));
  impl->sink->SetAbortListener([&m = metrics] { m.aborted_transactions().Increment(); });
  impl->processor = std::make_unique<RecordProcessor>(config, *impl->store, *impl->sink, metrics);
  RETURN_IF_ERROR(impl->processor->Start());
  if (params) impl->UseModelParams(std::move(*params));

  KafkaProperties props = ConsumerProperties(config.kafka);
  props.try_emplace("client.id", config.runtime.instance_id);
  props["group.id"] = config.runtime.group_id;
  props["enable.auto.commit"] = "false";
  props["enable.auto.offset.store"] = "false";
  props["enable.partition.eof"] = "true";
  props.try_emplace("auto.offset.reset", "earliest");
  // Range assignment gives one instance the same partition number of every
  // input topic, which the per-partition merge relies on.
  props.try_emplace("partition.assignment.strategy", "range");
  props.try_emplace("isolation.level", "read_committed");
  ASSIGN_OR_RETURN(KafkaConf conf, MakeKafkaConf(props));
  rd_kafka_conf_set_opaque(conf.get(), impl.get());
  rd_kafka_conf_set_rebalance_cb(
      conf.get(), [](rd_kafka_t*, rd_kafka_resp_err_t err,
                     rd_kafka_topic_partition_list_t* partitions, void* opaque) {
        static_cast<Impl*>(opaque)->OnRebalance(err, partitions);
      });
  ASSIGN_OR_RETURN(impl->consumer, MakeKafkaClient(RD_KAFKA_CONSUMER, std::move(conf)));
  if (config.state.changelog) {
    RETURN_IF_ERROR(EnsureChangelogTopic(impl->consumer.get(), config.topics.purchases, config.topics.changelog, 10'000));
  }
  rd_kafka_poll_set_consumer(impl->consumer.get());
  return std::unique_ptr<Service>(new Service(std::move(impl)));
}

Status Service::Run(const RunOptions& options, const std::atomic<bool>& stop) {
  Impl& s = *impl_;
  s.stop = &stop;
  TopicPartitionList subscription(rd_kafka_topic_partition_list_new(kInputKinds));
  for (const std::string& topic : s.topics) {
    rd_kafka_topic_partition_list_add(subscription.get(), topic.c_str(), RD_KAFKA_PARTITION_UA);
  }
  rd_kafka_resp_err_t err = rd_kafka_subscribe(s.consumer.get(), subscription.get());
  if (err != RD_KAFKA_RESP_ERR_NO_ERROR) return Status::IoError("subscribe: " + KafkaErrorText(err));
  s.health.running.store(true);
  s.metrics.up().Set(1);
  spdlog::info("consuming {}, {}, {} as group '{}'; outputs {}", s.topics[0], s.topics[1], s.topics[2],
               s.config.runtime.group_id,
               s.config.runtime.transactions
                   ? "in Kafka transactions (transactional.id " + s.config.runtime.group_id + "-" +
                         s.config.runtime.instance_id + ")"
                   : std::string("without transactions"));

  const auto interval = std::chrono::milliseconds(s.config.runtime.commit_interval_ms);
  Status result;
  while (!stop.load() && result.ok()) {
    s.health.heartbeat_ms.store(ServiceHealth::SteadyNowMs());
    if (options.reload_params != nullptr && options.reload_params->exchange(false)) {
      Result<std::optional<operators::ModelParams>> reloaded = s.LoadModelParams(/*at_start=*/false);
      if (reloaded.ok() && reloaded->has_value()) s.UseModelParams(std::move(**reloaded));
    }
    int received = 0;
    int timeout_ms = 100;
    while (received < kMaxPollBatch) {
      rd_kafka_message_t* m = rd_kafka_consumer_poll(s.consumer.get(), timeout_ms);
      if (m == nullptr) break;
      timeout_ms = 0;
      ++received;
      s.Receive(OwnedMessage(m));
    }
    if (!s.fatal.ok()) {
      result = s.fatal;
      break;
    }
    // Records are judged against a committed clock (the future-event
    // bound): a stale one is refreshed and committed before any is drained.
    result = s.RejoinIfFenced(s.RefreshClocks(), subscription.get());
    if (!result.ok()) break;
    // The keys point into buffered messages, which stay alive until drained.
    result = s.processor->Prefetch(s.received_keys);
    s.received_keys.clear();
    if (!result.ok()) break;
    result = s.RejoinIfFenced(s.Drain(), subscription.get());
    if (!result.ok()) break;
    result = s.RejoinIfFenced(s.AdvanceIdlePartitions(), subscription.get());
    if (!result.ok()) break;
    if (Clock::now() - s.last_commit >= interval) result = s.RejoinIfFenced(s.Commit(), subscription.get());
    if (result.ok() && options.stop_at_end && s.merger.AllAtEnd()) {
      result = s.Commit();
      spdlog::info("all input partitions consumed to their end");
      break;
    }
  }
  if (result.ok()) result = s.Commit();
  if (result.ok()) {
    // Leaves the group; the revoke callback commits nothing new.
    rd_kafka_consumer_close(s.consumer.get());
    if (!s.fatal.ok()) result = s.fatal;
  } else {
    spdlog::error("stopping without committing: {}", result.message());
    // Leave the group now, while everything the rebalance callback uses is
    // still alive.
    s.stopping_after_error = true;
    rd_kafka_consumer_close(s.consumer.get());
  }
  s.health.running.store(false);
  s.metrics.up().Set(0);
  return result;
}

}  // namespace crm::pipeline
