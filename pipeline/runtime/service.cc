#include "pipeline/runtime/service.h"

#include <spdlog/spdlog.h>

#include <chrono>
#include <map>
#include <mutex>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "pipeline/runtime/metric_series.h"
#include "pipeline/runtime/model_params_file.h"
#include "pipeline/runtime/segments_view.h"
#include "pipeline/runtime/service_impl.h"
#include "pipeline/wire/state_json.h"

namespace crm::pipeline {

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
  spdlog::info("model parameters from {}: {}", path, DescribeParametersInUse(p));
  metrics.ModelParamsLoads("ok").Increment();
  metrics.model_params_loaded().Set(1);
  ReportModelParams(metrics, p);
  return std::optional<operators::ModelParams>(std::move(loaded).value());
}

void Service::Impl::SetPaused(int kind, int32_t partition, bool pause) {
  const TopicPartitionKey tp{topics[kind], partition};
  if (pause) {
    source->Pause(tp);
    paused.insert({kind, partition});
  } else {
    source->Resume(tp);
    paused.erase({kind, partition});
  }
}

void Service::Impl::Receive(SourceRecord record) {
  const int kind = KindOf(record.topic);
  if (record.type == SourceRecord::Type::kPartitionEnd) {
    if (kind >= 0) merger.MarkEnd(record.partition, kind);
    return;
  }
  if (record.type == SourceRecord::Type::kError) {
    spdlog::warn("consumer: {}", record.error);
    return;
  }
  const int32_t partition = record.partition;
  if (kind < 0 || !assigned.count({kind, partition}) || rejoining_after_fence) return;
  if (record.key) received_keys.push_back(*record.key);
  const int64_t ts = record.timestamp_ms;
  const int64_t offset = record.offset;
  const size_t bytes = (record.key ? record.key->size() : 0) + (record.value ? record.value->size() : 0);
  next_unreceived[{kind, partition}] = offset + 1;
  merger.Push(partition, kind, Merger::Item{ts < 0 ? 0 : ts, offset, std::move(record), bytes});
  last_input[partition] = clock.Steady();
  if ((merger.Buffered(partition, kind) > kPauseAbove ||
       merger.BufferedBytes(partition, kind) > static_cast<size_t>(config.runtime.partition_buffer_bytes)) &&
      !paused.count({kind, partition})) {
    SetPaused(kind, partition, true);
  }
}

bool Service::Impl::KnownUnreceived(int32_t partition, int kind) {
  std::optional<LogExtent> extent = source->Extent({topics[kind], partition});
  if (!extent) return false;  // nothing known: the idle limit decides
  auto it = next_unreceived.find({kind, partition});
  return extent->end > (it != next_unreceived.end() ? it->second : extent->start);
}

Status Service::Impl::Drain() {
  const auto now = clock.Steady();
  // Under load a fetch can take longer than the idle limit; merging without
  // an input that has records on the broker would change the order, and so
  // the state and outputs, with the machine's load (input_merger.h).
  const Merger::KnownUnreceived unreceived = [this](int32_t partition, int kind) {
    return KnownUnreceived(partition, kind);
  };
  while (auto next = merger.Pop(now, unreceived)) {
    const SourceRecord& r = next->item.payload;
    InputRecordView view;
    view.kind = static_cast<InputKind>(next->kind);
    view.topic = topics[next->kind];
    view.partition = next->partition;
    view.offset = r.offset;
    view.has_key = r.key.has_value();
    view.has_value = r.value.has_value();
    view.timestamp_ms = next->item.timestamp_ms;
    view.timestamp_type = r.timestamp_type;
    view.key = r.key.value_or(std::string_view());
    view.value = r.value.value_or(std::string_view());
    if (next->enforced) metrics.EnforcedProcessing(next->partition).Increment();
    if (health.first_record_ms.load(std::memory_order_relaxed) == 0) health.first_record_ms.store(clock.SteadyMs());
    RETURN_IF_ERROR(processor->Process(view));
    metrics.processing_latency().Observe(std::chrono::duration<double>(clock.Steady() - now).count());
    if (processor->uncommitted_records() >= config.runtime.max_uncommitted_events) RETURN_IF_ERROR(Commit());
    // Checks the record passed beyond its epoch's room: an epoch per slice,
    // before the next record.
    while (processor->timer_backlog()) {
      RETURN_IF_ERROR(Commit());
      RETURN_IF_ERROR(processor->FireTimerBacklog(config.runtime.max_uncommitted_events).status());
    }
    // The epoch in flight held back too much of this one's output.
    if (processor->holding_full()) RETURN_IF_ERROR(Settle(/*wait=*/true));
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

Result<std::string> Service::SegmentsReport() const {
  std::vector<int32_t> partitions;
  {
    std::lock_guard lock(impl_->owned_mutex);
    partitions = impl_->owned_partitions;
  }
  return SegmentsReportJson(*impl_->store, impl_->config, partitions);
}

Result<std::unique_ptr<Service>> Service::Create(const config::Config& config, Metrics& metrics,
                                                 ServiceHealth& health, const Clock& clock,
                                                 const std::function<Result<ServiceParts>()>& make_parts) {
  auto impl = std::make_unique<Impl>(config, metrics, health, clock);
  RegisterKnownSeries(metrics, config, clock.WallMs());
  // First, so that a bad file stops start-up before any connection is made.
  ASSIGN_OR_RETURN(std::optional<operators::ModelParams> params, impl->LoadModelParams(/*at_start=*/true));
  ASSIGN_OR_RETURN(ServiceParts parts, make_parts());
  impl->store = std::move(parts.store);
  impl->sink = std::move(parts.sink);
  impl->restorer = std::move(parts.restorer);
  impl->processor = std::make_unique<RecordProcessor>(config, *impl->store, *impl->sink, metrics, clock);
  RETURN_IF_ERROR(impl->processor->Start());
  if (params) impl->UseModelParams(std::move(*params));
  impl->source = std::move(parts.source);
  return std::unique_ptr<Service>(new Service(std::move(impl)));
}

Status Service::Impl::Loop(const RunOptions& options) {
  const auto interval = std::chrono::milliseconds(config.runtime.commit_interval_ms);
  while (!StopRequested()) {
    health.Beat();
    if (options.reload_params != nullptr && options.reload_params->exchange(false)) {
      Result<std::optional<operators::ModelParams>> reloaded = LoadModelParams(/*at_start=*/false);
      if (reloaded.ok() && reloaded->has_value()) UseModelParams(std::move(**reloaded));
    }
    int timeout_ms = 100;
    for (int received = 0; received < kMaxPollBatch; ++received) {
      std::optional<SourceRecord> record = source->Poll(timeout_ms);
      if (!record) break;
      timeout_ms = 0;
      Receive(std::move(*record));
    }
    RETURN_IF_ERROR(fatal);
    // Records are judged against a committed clock (the future-event
    // bound): a stale one is refreshed and committed before any is drained.
    RETURN_IF_ERROR(RejoinIfFenced(RefreshClocks()));
    // The keys point into buffered records, which stay alive until drained.
    Status prefetched = processor->Prefetch(received_keys);
    received_keys.clear();
    RETURN_IF_ERROR(prefetched);
    RETURN_IF_ERROR(RejoinIfFenced(Drain()));
    RETURN_IF_ERROR(RejoinIfFenced(AdvanceIdlePartitions()));
    // A commit that landed meanwhile releases the held outputs now.
    RETURN_IF_ERROR(RejoinIfFenced(Settle(/*wait=*/false)));
    if (clock.Steady() - last_commit >= interval) RETURN_IF_ERROR(RejoinIfFenced(Commit()));
    if (options.stop_at_end && merger.AllAtEnd()) {
      RETURN_IF_ERROR(CommitAndSettle());
      spdlog::info("all input partitions consumed to their end");
      break;
    }
  }
  return Status::Ok();
}

Status Service::Run(const RunOptions& options, const std::atomic<bool>& stop) {
  Impl& s = *impl_;
  s.stop = &stop;
  RETURN_IF_ERROR(s.source->Subscribe({s.topics.begin(), s.topics.end()}, &s));
  s.health.running.store(true);
  s.metrics.up().Set(1);
  spdlog::info("consuming {}, {}, {}, {} as group '{}'; outputs {}", s.topics[0], s.topics[1], s.topics[2],
               s.topics[3],
               s.config.runtime.group_id,
               s.config.runtime.transactions
                   ? "in Kafka transactions (transactional.id " + s.config.runtime.group_id + "-" +
                         s.config.runtime.instance_id + ")"
                   : std::string("without transactions"));
  Status result = s.Loop(options);
  if (result.ok()) result = s.CommitAndSettle();
  if (result.ok()) {
    // Leaves the group; the revoke callback commits nothing new.
    s.source->Close();
    if (!s.fatal.ok()) result = s.fatal;
  } else {
    spdlog::error("stopping without committing: {}", result.message());
    // Leave the group now, while everything the rebalance callback uses is
    // still alive.
    s.stopping_after_error = true;
    s.source->Close();
  }
  s.health.running.store(false);
  s.metrics.up().Set(0);
  return result;
}

}  // namespace crm::pipeline
