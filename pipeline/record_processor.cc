#include "pipeline/record_processor.h"

#include <algorithm>
#include <chrono>

#include "operators/customer_processor.h"
#include "pipeline/dead_letter.h"
#include "pipeline/population_codec.h"

namespace crm::pipeline {
namespace {

const std::string kSegmentCounterPrefix = "customers_in_segment/";
const std::string kTimersPendingCounter = "timers_pending";
// A partition's trusted clock is re-recorded once it is this much behind the
// wall clock (a commit each time, so not more often).
constexpr int64_t kClockRefreshMs = 60'000;
// No customer id is longer (64 characters of up to 4 UTF-8 bytes).
constexpr size_t kMaxCustomerIdBytes = 256;
// Offsets between two of this instance's changelog epochs that are not its
// own records: none, or one transaction control marker on a real cluster.
constexpr int64_t kMaxForeignOffsetsBetweenEpochs = 1;

int64_t WallNowMs() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::system_clock::now().time_since_epoch())
      .count();
}

}  // namespace

RecordProcessor::RecordProcessor(const config::Config& config, StateStore& store,
                                 RecordSink& sink, Metrics& metrics)
    : config_(config),
      time_bounds_{config.time.earliest_event_ms, config.time.max_future_skew_ms},
      dead_letter_budget_(DeadLetterBudget(config.kafka)),
      store_(store),
      sink_(sink),
      metrics_(metrics),
      decoder_(DecoderLimits{static_cast<size_t>(config.runtime.max_event_bytes), config.runtime.max_amount}),
      // The source names the application (the consumer group), not the
      // instance: a partition's outputs keep their CloudEvents identity
      // (source + id) when another instance takes the partition over.
      encoder_(config.topics, config.runtime.group_id, config.output.cloudevents_mode),
      quantile_scoring_(config.model.rfm.frequency_monetary == operators::RfmScoring::kQuantiles ||
                        config.model.rfm.recency == operators::RfmScoring::kQuantiles) {
  if (config.state.changelog) {
    epoch_prefix_ = config.runtime.instance_id + "/" +
                    std::to_string(std::chrono::system_clock::now().time_since_epoch().count()) + "/";
    changelog_ = std::make_unique<ChangelogWriter>(config.topics.changelog, epoch_prefix_);
  }
}

Status RecordProcessor::ClaimPartitions(const std::set<int32_t>& partitions, int timeout_ms) {
  if (!changelog_ || partitions.empty()) return Status::Ok();
  for (int32_t partition : partitions) {
    if (claims_pending_.count(partition)) continue;  // produced by an earlier call, waiting for its ack
    for (const OutputRecord& record : changelog_->Claim(partition, epoch_prefix_)) {
      RETURN_IF_ERROR(sink_.Produce(record));
    }
    claims_pending_.insert(partition);
  }
  RETURN_IF_ERROR(sink_.Flush(timeout_ms));
  claims_pending_.clear();
  return Status::Ok();
}

void RecordProcessor::ScheduleChangelogRewrite(int32_t partition, std::set<std::string> keys) {
  if (!changelog_ || keys.empty()) return;
  rewrites_[partition].merge(keys);
  ++uncommitted_records_;  // the rewrite is progress to commit
}

Status RecordProcessor::ProduceToChangelog(const OutputRecord& record) {
  auto [it, first] = epoch_writes_.try_emplace(record.partition);
  if (first) it->second.previous_last = sink_.LastDeliveredOffset(changelog_->topic(), record.partition);
  ++it->second.records;
  return sink_.Produce(record);
}

Result<std::set<int32_t>> RecordProcessor::ProduceChangelog() {
  std::set<int32_t> marked;
  epoch_writes_.clear();
  changelog_->NextEpoch(epoch_prefix_ + std::to_string(++epoch_seq_));
  // Rewrites first: anything this epoch changes again is written after them.
  for (const auto& [partition, keys] : rewrites_) {
    marked.insert(partition);
    for (const std::string& key : keys) {
      const std::string body = key.substr(1);
      if (key[0] == 'c') {
        ASSIGN_OR_RETURN(auto state, store_.Get(body));
        RETURN_IF_ERROR(ProduceToChangelog(changelog_->Customer(partition, body, state ? &*state : nullptr)));
      } else if (key[0] == 't') {
        ASSIGN_OR_RETURN(bool present, store_.HasTimer(body));
        RETURN_IF_ERROR(ProduceToChangelog(changelog_->Timer(partition, body, present)));
      } else if (key[0] == 'p') {
        ASSIGN_OR_RETURN(auto data, store_.PartitionData(partition));
        OutputRecord r = changelog_->Partition(partition, data.value_or(""));
        r.tombstone = !data.has_value();
        RETURN_IF_ERROR(ProduceToChangelog(r));
      }
    }
  }
  for (const auto& [id, customer] : dirty_) {
    if (customer->partition < 0) continue;
    marked.insert(customer->partition);
    RETURN_IF_ERROR(ProduceToChangelog(
        changelog_->Customer(customer->partition, *id, customer->deleted ? nullptr : &customer->state)));
  }
  for (const auto& [timer, present] : timer_changes_) {
    marked.insert(timer.partition);
    RETURN_IF_ERROR(ProduceToChangelog(changelog_->Timer(timer.partition, TimerKeyBytes(timer), present)));
  }
  for (const auto& [partition, task] : tasks_) {
    if (!task.dirty) continue;
    marked.insert(partition);
    RETURN_IF_ERROR(ProduceToChangelog(changelog_->Partition(partition, EncodePartitionState(task.stored))));
  }
  std::map<TopicPartitionKey, int64_t> offsets = committed_offsets_;
  for (const auto& [tp, offset] : pending_offsets_) {
    offsets[tp] = offset;
    if (marked.insert(tp.partition).second) {
      // Input consumed without a state change (dead letters, duplicates):
      // still one data record, so that the ownership check has a record of
      // this epoch to count from.
      auto task = tasks_.find(tp.partition);
      std::optional<std::string> data;
      if (task != tasks_.end()) {
        data = EncodePartitionState(task->second.stored);
      } else {
        ASSIGN_OR_RETURN(data, store_.PartitionData(tp.partition));
      }
      OutputRecord r = changelog_->Partition(tp.partition, data.value_or(""));
      r.tombstone = !data.has_value();
      RETURN_IF_ERROR(ProduceToChangelog(r));
    }
  }
  changelog_offsets_ = std::move(offsets);
  return marked;
}

Status RecordProcessor::CheckChangelogOwnership() const {
  for (const auto& [partition, writes] : epoch_writes_) {
    std::optional<int64_t> last = sink_.LastDeliveredOffset(changelog_->topic(), partition);
    if (!writes.previous_last || !last) continue;  // nothing of ours there to count from
    // Offsets in (previous last, last] that are not this epoch's records:
    // at most one transaction control marker when nobody else writes. A new
    // owner's claim alone is two records (changelog.h).
    const int64_t others = *last - *writes.previous_last - writes.records;
    if (others > kMaxForeignOffsetsBetweenEpochs) {
      return Status(StatusCode::kFenced,
                    "changelog " + changelog_->topic() + " [" + std::to_string(partition) + "] has " +
                        std::to_string(others) + " record(s) of another writer between offsets " +
                        std::to_string(*writes.previous_last) + " and " + std::to_string(*last) +
                        ": another instance owns the partition now");
    }
  }
  return Status::Ok();
}

RecordProcessor::TopicCounters& RecordProcessor::CountersFor(const std::string& topic) {
  auto it = topic_counters_.find(topic);
  if (it == topic_counters_.end()) {
    it = topic_counters_
             .emplace(topic, TopicCounters{&metrics_.EventsConsumed(topic, "ok"),
                                           &metrics_.EventsConsumed(topic, "duplicate"),
                                           &metrics_.EventsConsumed(topic, "deadletter")})
             .first;
  }
  return it->second;
}

Status RecordProcessor::Start() {
  cache_.reserve(static_cast<size_t>(std::min<int64_t>(config_.state.cache_customers, 1 << 20)));
  ASSIGN_OR_RETURN(auto counters, store_.Counters());
  if (auto it = counters.find(kTimersPendingCounter); it != counters.end()) timers_pending_ = it->second;
  metrics_.timers_pending().Set(static_cast<double>(timers_pending_));
  for (const auto& [name, value] : counters) {
    if (name.rfind(kSegmentCounterPrefix, 0) != 0) continue;
    segment_counts_[name] = value;
    metrics_.CustomersInSegment(name.substr(kSegmentCounterPrefix.size())).Set(static_cast<double>(value));
  }
  return Status::Ok();
}

Status RecordProcessor::Prefetch(std::vector<std::string_view>& customer_ids) {
  std::vector<std::string_view> missing;
  missing.reserve(customer_ids.size());
  std::string key;
  for (std::string_view id : customer_ids) {
    if (id.empty() || id.size() > kMaxCustomerIdBytes) continue;  // never a valid customer id
    key.assign(id);
    if (cache_.find(key) == cache_.end()) missing.push_back(id);
  }
  known_absent_.clear();
  if (missing.empty()) return Status::Ok();
  return store_.MultiGet(missing, [this](std::string_view id, std::optional<operators::CustomerState> state) {
    if (state) {
      cache_[std::string(id)].state = std::move(*state);
    } else {
      known_absent_.emplace(id);
    }
  });
}

Result<RecordProcessor::CachedCustomer*> RecordProcessor::LoadCustomer(
    const std::string& customer_id) {
  auto it = cache_.find(customer_id);
  if (it == cache_.end()) {
    std::optional<operators::CustomerState> stored;
    if (known_absent_.count(customer_id) == 0) {
      ASSIGN_OR_RETURN(stored, store_.Get(customer_id));
    }
    it = cache_.try_emplace(customer_id).first;
    if (stored) it->second.state = std::move(*stored);
  }
  it->second.id = &it->first;
  if (it->second.deleted) {
    // Expired earlier in this epoch and back now: a new customer.
    it->second.state = operators::CustomerState{};
    it->second.deleted = false;
  }
  return &it->second;
}

void RecordProcessor::MarkDirty(CachedCustomer* customer) {
  if (customer->dirty) return;
  customer->dirty = true;
  dirty_.emplace_back(customer->id, customer);
}

Result<RecordProcessor::PartitionTask*> RecordProcessor::TaskFor(int32_t partition, bool fire_stored) {
  auto it = tasks_.find(partition);
  if (it != tasks_.end()) return &it->second;
  ASSIGN_OR_RETURN(auto stored, store_.PartitionData(partition));
  PartitionTask loaded;
  if (stored) {
    ASSIGN_OR_RETURN(loaded.stored, DecodePartitionState(*stored));
  }
  PartitionTask& task = tasks_.emplace(partition, std::move(loaded)).first->second;
  // A partition without a recorded clock (new, or stored by an older
  // version) takes the wall clock now and records it with its next commit.
  if (task.stored.clock_ms == INT64_MIN) {
    task.stored.clock_ms = WallNowMs();
    task.dirty = true;
    ++uncommitted_records_;
  }
  // Timers the stored watermark passed but whose firing was not committed
  // (a crash after recording an idle advance) fire before anything else.
  if (fire_stored) {
    ASSIGN_OR_RETURN(int64_t fired, FireDue(partition, task));
    uncommitted_records_ += fired;
  }
  return &task;
}

operators::ModelContext RecordProcessor::ContextFor(PartitionTask& task) {
  operators::ModelContext context;
  if (params_) context.params = &*params_;
  if (quantile_scoring_) context.population = &task.stored.population;
  if (config_.model.alert.max_alerts_per_day > 0) context.budget = &task.stored.alert_budget;
  return context;
}

void RecordProcessor::DropTimer(const TimerKey& key) {
  // A timer armed since the last commit never reached the store or the
  // changelog: forgetting it is enough, no tombstone needed.
  auto it = timer_changes_.find(key);
  if (it != timer_changes_.end() && it->second && stored_and_rearmed_.count(key) == 0) {
    timer_changes_.erase(it);
  } else {
    timer_changes_[key] = false;
    stored_and_rearmed_.erase(key);
  }
  --timers_pending_;
}

void RecordProcessor::ApplyTimer(int32_t partition, const std::string& customer_id,
                                 const operators::TimerRequest& request) {
  if (request.cancel.epoch_ms != 0) DropTimer(TimerKey{partition, request.cancel.epoch_ms, customer_id});
  if (request.due.epoch_ms != 0) {
    const TimerKey key{partition, request.due.epoch_ms, customer_id};
    auto [it, inserted] = timer_changes_.try_emplace(key, true);
    if (!inserted) {
      // Deleted earlier in this epoch, so possibly stored: a later drop
      // must write the delete.
      if (!it->second) stored_and_rearmed_.insert(key);
      it->second = true;
    }
    ++timers_pending_;
  }
}

Status RecordProcessor::FireOne(int32_t partition, PartitionTask& task, const TimerKey& key) {
  DropTimer(key);
  metrics_.timers_fired().Increment();
  ASSIGN_OR_RETURN(CachedCustomer * customer, LoadCustomer(key.customer_id));
  customer->partition = partition;
  const operators::EventTime due{key.due_ms};
  operators::Effects effects = operators::FireTimer(config_.model, ContextFor(task), key.customer_id, due,
                                                    operators::EventTime{task.stored.watermark_ms}, customer->state);
  MarkDirty(customer);
  task.dirty = true;  // the population may have lost an expired customer
  if (effects.timer) ApplyTimer(partition, key.customer_id, *effects.timer);
  if (effects.expired) {
    if (!customer->state.segment.empty()) {
      int64_t& count = segment_counts_[kSegmentCounterPrefix + customer->state.segment];
      --count;
      metrics_.CustomersInSegment(customer->state.segment).Set(static_cast<double>(count));
    }
    customer->deleted = true;
    customer->state = operators::CustomerState{};
    metrics_.customers_expired().Increment();
    return Status::Ok();
  }
  return Emit(effects, operators::EventOrigin{operators::kTimerOriginTopic, partition, key.due_ms});
}

Result<int64_t> RecordProcessor::FireDue(int32_t partition, PartitionTask& task, int64_t limit) {
  const int64_t watermark = task.stored.watermark_ms;
  if (watermark == INT64_MIN) return int64_t{0};
  // Uncommitted timers due by the watermark, merged in (due, customer) order
  // with the committed ones, so the order never depends on where the last
  // commit fell. Firing only arms timers after the watermark.
  std::vector<TimerKey> pending;
  for (auto it = timer_changes_.lower_bound(TimerKey{partition, INT64_MIN, ""});
       it != timer_changes_.end() && it->first.partition == partition && it->first.due_ms <= watermark; ++it) {
    if (it->second) pending.push_back(it->first);
  }
  size_t next_pending = 0;
  int64_t fired = 0;
  Status failed;
  auto fire_pending_before = [&](const TimerKey* before) {
    while (failed.ok() && fired < limit && next_pending < pending.size() &&
           (before == nullptr || pending[next_pending] < *before)) {
      failed = FireOne(partition, task, pending[next_pending++]);
      ++fired;
    }
  };
  const int64_t from = task.fired_through_ms == INT64_MIN ? INT64_MIN : task.fired_through_ms + 1;
  RETURN_IF_ERROR(store_.ScanTimers(
      partition, watermark,
      [&](int64_t due, std::string_view id) {
        TimerKey key{partition, due, std::string(id)};
        fire_pending_before(&key);
        if (!failed.ok() || fired >= limit) return false;
        // Deleted, or armed again since and handled in order above. (A fired
    // uncommitted timer leaves no entry, but it was never in the store.)
    if (timer_changes_.count(key)) return true;
        failed = FireOne(partition, task, key);
        ++fired;
        return failed.ok() && fired < limit;
      },
      from));
  fire_pending_before(nullptr);
  RETURN_IF_ERROR(failed);
  // Only a complete pass proves nothing due is left behind. (Timers armed
  // later with an earlier due are uncommitted, so the pending path sees them.)
  if (fired < limit) task.fired_through_ms = watermark;
  return fired;
}

Result<bool> RecordProcessor::AdvanceWatermark(int32_t partition, int64_t watermark_ms) {
  ASSIGN_OR_RETURN(PartitionTask * task, TaskFor(partition));
  // A partition that never saw an event has no timers and keeps no clock.
  if (task->stored.max_event_ms == INT64_MIN || watermark_ms <= task->stored.watermark_ms) return false;
  task->stored.watermark_ms = watermark_ms;
  task->dirty = true;
  // An advance alone is progress to commit, even without input records.
  ++uncommitted_records_;
  return true;
}

Result<bool> RecordProcessor::RefreshClock(int32_t partition, int64_t wall_ms) {
  ASSIGN_OR_RETURN(PartitionTask * task, TaskFor(partition));
  // (A wall clock that stepped back keeps the later recorded one.)
  if (task->stored.clock_ms != INT64_MIN && wall_ms - task->stored.clock_ms < kClockRefreshMs) return false;
  task->stored.clock_ms = wall_ms;
  task->dirty = true;
  ++uncommitted_records_;
  return true;
}

Result<int64_t> RecordProcessor::FireDueTimers(int32_t partition, int64_t max_timers) {
  ASSIGN_OR_RETURN(PartitionTask * task, TaskFor(partition, /*fire_stored=*/false));
  ASSIGN_OR_RETURN(int64_t fired, FireDue(partition, *task, max_timers));
  uncommitted_records_ += fired;
  return fired;
}

Status RecordProcessor::DeadLetter(const InputRecordView& record,
                                   const operators::EventOrigin& origin, const std::string& code,
                                   const std::string& reason) {
  CountersFor(origin.topic).deadletter->Increment();
  metrics_.DeadLetters(code).Increment();
  RejectedRecord rejected{&origin, std::nullopt, std::nullopt};
  if (record.has_key) rejected.key = record.key;
  if (record.has_value) rejected.value = record.value;
  return sink_.Produce(MakeDeadLetter(config_.topics.deadletter, rejected, code, reason, dead_letter_budget_));
}

Status RecordProcessor::Emit(const operators::Effects& effects,
                             const operators::EventOrigin& origin) {
  for (const operators::Output& output : effects.outputs) {
    RETURN_IF_ERROR(sink_.Produce(encoder_.Encode(output, origin)));
    if (const auto* alert = std::get_if<operators::ChurnAlert>(&output.payload)) {
      metrics_.Alerts(operators::PriorityName(alert->priority)).Increment();
    } else {
      const auto& change = std::get<operators::SegmentChange>(output.payload);
      metrics_.SegmentTransitions(change.from, change.to).Increment();
      if (!change.from.empty()) {
        int64_t& from = segment_counts_[kSegmentCounterPrefix + change.from];
        --from;
        metrics_.CustomersInSegment(change.from).Set(static_cast<double>(from));
      }
      int64_t& to = segment_counts_[kSegmentCounterPrefix + change.to];
      ++to;
      metrics_.CustomersInSegment(change.to).Set(static_cast<double>(to));
    }
  }
  return Status::Ok();
}

Status RecordProcessor::Process(const InputRecordView& record) {
  operators::EventOrigin origin{std::string(record.topic), record.partition, record.offset};
  pending_offsets_[TopicPartitionKey{origin.topic, origin.partition}] = record.offset + 1;
  ++uncommitted_records_;

  // A null value decodes as empty input: invalid_json, dead-lettered as null.
  DecodeResult decoded = decoder_.Decode(record.kind, record.has_value ? record.value : std::string_view());
  if (auto* error = std::get_if<DecodeError>(&decoded)) {
    return DeadLetter(record, origin, DecodeErrorCodeName(error->code), error->reason);
  }
  operators::Event& event = std::get<operators::Event>(decoded);
  // Partitioning by key is what keeps one customer's events on one partition
  // and so in one instance; a record keyed otherwise would split the state.
  if (!record.has_key || record.key != event.customer_id) {
    return DeadLetter(record, origin, "key_mismatch",
                      "message key must equal customer_id '" + event.customer_id + "'");
  }
  event.origin = origin;
  ASSIGN_OR_RETURN(PartitionTask * task, TaskFor(origin.partition));
  if (std::optional<EventTimeRejection> rejected = CheckEventTime(
          time_bounds_, event.ts.epoch_ms, record.timestamp_ms, record.timestamp_type, task->stored.clock_ms)) {
    return DeadLetter(record, origin, rejected->code, rejected->reason);
  }
  latest_event_time_ms_ = std::max(latest_event_time_ms_, event.ts.epoch_ms);

  if (event.ts.epoch_ms < task->stored.watermark_ms) metrics_.late_events().Increment();
  ASSIGN_OR_RETURN(CachedCustomer * customer, LoadCustomer(event.customer_id));
  customer->partition = origin.partition;
  operators::Effects effects = operators::ProcessEvent(config_.model, ContextFor(*task), event, customer->state);
  if (effects.duplicate) {
    CountersFor(origin.topic).duplicate->Increment();
    return Status::Ok();
  }
  MarkDirty(customer);
  task->dirty = true;
  CountersFor(origin.topic).ok->Increment();
  bool fire = false;
  if (effects.timer) {
    ApplyTimer(origin.partition, event.customer_id, *effects.timer);
    // A late event can re-arm a check the watermark has already passed.
    fire = effects.timer->due.epoch_ms != 0 && effects.timer->due.epoch_ms <= task->stored.watermark_ms;
  }
  RETURN_IF_ERROR(Emit(effects, origin));

  PartitionState& clock = task->stored;
  clock.max_event_ms = std::max(clock.max_event_ms, event.ts.epoch_ms);
  const int64_t watermark = clock.max_event_ms - config_.time.allowed_lateness_ms;
  if (watermark > clock.watermark_ms) {
    clock.watermark_ms = watermark;
    fire = true;
  }
  if (fire) RETURN_IF_ERROR(FireDue(origin.partition, *task).status());
  return Status::Ok();
}

Status RecordProcessor::Commit(int flush_timeout_ms) {
  if (uncommitted_records_ == 0 && pending_offsets_.empty()) return Status::Ok();
  // The changelog records go out with the outputs, in the same flush (or
  // transaction), before the state batch: a state that reaches RocksDB is
  // always in the changelog too. A retried commit writes them again under a
  // new epoch; restore applies each complete epoch, so repeats are harmless.
  // Produced once per commit: a retry after a flush timeout waits for the
  // same records. The epoch markers go out only after every output and data
  // record of the epoch is acknowledged: a restore applies an epoch when its
  // marker is there, and then nothing of the epoch may be missing.
  if (changelog_ && !changelog_pending_) {
    ASSIGN_OR_RETURN(changelog_marked_, ProduceChangelog());
    changelog_pending_ = true;
  }
  if (changelog_ && !markers_produced_) {
    Status acked = sink_.AwaitDelivery(flush_timeout_ms);
    if (!acked.ok()) return Status(acked.code(), "commit: outputs not acknowledged: " + acked.message());
    // A zombie (paused past its session, its partitions taken over) must not
    // complete an epoch: the new owner wrote its claim to the changelog
    // first, so records after ours mean someone else owns the partition.
    // The epoch is given up, its outputs aborted; the caller rejoins.
    Status owned = CheckChangelogOwnership();
    if (owned.code() == StatusCode::kFenced) {
      sink_.Abort(flush_timeout_ms).IgnoreError();
      return owned;
    }
    RETURN_IF_ERROR(owned);
    for (int32_t partition : changelog_marked_) {
      RETURN_IF_ERROR(sink_.Produce(changelog_->Marker(partition, changelog_offsets_)));
    }
    markers_produced_ = true;
  }
  const std::set<int32_t> marked = changelog_marked_;
  Status flushed = sink_.Flush(flush_timeout_ms);
  if (!flushed.ok()) return Status(flushed.code(), "commit: outputs not acknowledged: " + flushed.message());

  CommitBatch batch;
  batch.customers.reserve(dirty_.size());
  for (const auto& [id, customer] : dirty_) {
    if (customer->deleted) {
      batch.deleted_customers.push_back(*id);
    } else {
      batch.customers.emplace_back(*id, &customer->state);
    }
  }
  batch.next_offsets = pending_offsets_;
  batch.counters = segment_counts_;
  batch.counters[kTimersPendingCounter] = timers_pending_;
  for (const auto& [partition, task] : tasks_) {
    if (task.dirty) batch.partition_data[partition] = EncodePartitionState(task.stored);
  }
  batch.timers = timer_changes_;
  for (int32_t partition : marked) {
    if (auto last = sink_.LastDeliveredOffset(changelog_->topic(), partition)) {
      batch.changelog_checkpoints[partition] = *last + 1;
    }
  }
  RETURN_IF_ERROR(store_.Commit(batch));
  rewrites_.clear();
  changelog_pending_ = false;
  markers_produced_ = false;
  timer_changes_.clear();
  stored_and_rearmed_.clear();
  const double wall_ms = static_cast<double>(std::chrono::duration_cast<std::chrono::milliseconds>(
                                                 std::chrono::system_clock::now().time_since_epoch())
                                                 .count());
  for (auto& [partition, task] : tasks_) {
    task.dirty = false;
    if (task.stored.watermark_ms != INT64_MIN) {
      metrics_.WatermarkLag(partition).Set((wall_ms - static_cast<double>(task.stored.watermark_ms)) / 1000.0);
    }
  }
  metrics_.timers_pending().Set(static_cast<double>(timers_pending_));

  for (const auto& [id, customer] : dirty_) customer->dirty = false;
  dirty_.clear();
  for (const std::string& id : batch.deleted_customers) {
    auto it = cache_.find(id);
    if (it != cache_.end() && it->second.deleted) cache_.erase(it);
  }
  for (const auto& [tp, offset] : pending_offsets_) committed_offsets_[tp] = offset;
  pending_offsets_.clear();
  uncommitted_records_ = 0;
  EvictCleanCustomers();
  metrics_.hot_customers().Set(static_cast<double>(cache_.size()));
  return Status::Ok();
}

void RecordProcessor::EvictCleanCustomers() {
  const size_t limit = static_cast<size_t>(config_.state.cache_customers);
  if (cache_.size() <= limit) return;
  // Evict down to 90% so that eviction runs once per several commits, not on
  // every one; everything is clean right after a commit.
  const size_t target = limit - limit / 10;
  for (auto it = cache_.begin(); it != cache_.end() && cache_.size() > target;) {
    it = it->second.dirty ? std::next(it) : cache_.erase(it);
  }
}

void RecordProcessor::DropCachedState() {
  // Positions of partitions that may now move on elsewhere: the store (or a
  // restore) knows them next time.
  committed_offsets_.clear();
  rewrites_.clear();
  changelog_pending_ = false;
  markers_produced_ = false;
  dirty_.clear();
  cache_.clear();
  known_absent_.clear();
  claims_pending_.clear();
  tasks_.clear();
  timer_changes_.clear();
  stored_and_rearmed_.clear();
  pending_offsets_.clear();
  uncommitted_records_ = 0;
  // Back to the committed count of pending timers.
  auto counters = store_.Counters();
  if (counters.ok()) {
    auto it = counters->find(kTimersPendingCounter);
    timers_pending_ = it == counters->end() ? 0 : it->second;
  }
}

}  // namespace crm::pipeline
