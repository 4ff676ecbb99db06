#include "pipeline/runtime/record_processor.h"

#include <algorithm>
#include <variant>

#include "operators/customer_processor.h"
#include "operators/markov_period.h"
#include "operators/segment_flows.h"
#include "pipeline/state/population_codec.h"
#include "pipeline/wire/dead_letter.h"

namespace crm::pipeline {
namespace {

// A partition's trusted clock is re-recorded once it is this much behind the
// wall clock (a commit each time, so not more often).
constexpr int64_t kClockRefreshMs = 60'000;

}  // namespace

RecordProcessor::RecordProcessor(const config::Config& config, StateStore& store,
                                 RecordSink& sink, Metrics& metrics, const Clock& clock)
    : config_(config),
      time_bounds_{config.time.earliest_event_ms, config.time.max_future_skew_ms},
      dead_letter_budget_(DeadLetterBudget(config.kafka)),
      store_(store),
      sink_(sink),
      metrics_(metrics),
      clock_(clock),
      decoder_(DecoderLimits{static_cast<size_t>(config.runtime.max_event_bytes), config.runtime.max_amount}),
      // The source names the application (the consumer group), not the
      // instance: a partition's outputs keep their CloudEvents identity
      // (source + id) when another instance takes the partition over.
      encoder_(config.topics, config.runtime.group_id, config.output.cloudevents_mode),
      quantile_scoring_(config.model.rfm.frequency_monetary == operators::RfmScoring::kQuantiles ||
                        config.model.rfm.recency == operators::RfmScoring::kQuantiles) {
  if (config.state.changelog) {
    changelog_ = std::make_unique<ChangelogEpochs>(
        config.topics.changelog, config.runtime.instance_id + "/" + std::to_string(clock_.WallNs()) + "/", sink_,
        store_);
  }
}

Status RecordProcessor::ClaimPartitions(const std::set<int32_t>& partitions, int timeout_ms) {
  if (!changelog_) return Status::Ok();
  // The claim flushes the sink (commits the transaction): no epoch may be
  // in flight.
  RETURN_IF_ERROR(Settle(/*wait=*/true).status());
  return changelog_->Claim(partitions, timeout_ms);
}

void RecordProcessor::ScheduleChangelogRewrite(int32_t partition, std::set<std::string> keys) {
  if (!changelog_ || keys.empty()) return;
  // Handed over at the next cut: an epoch in flight may be using changelog_.
  // The rewrite is progress to commit.
  pending_rewrites_[partition].merge(keys);
  ++uncommitted_records_;
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

Status RecordProcessor::Start() { return LoadCommittedCounters(); }

// The counters as the last landed commit stored them (pending timers,
// customers per segment): at start, and when uncommitted progress is
// dropped, which a replay then repeats.
Status RecordProcessor::LoadCommittedCounters() {
  ASSIGN_OR_RETURN(auto counters, store_.Counters());
  auto pending = counters.find(kTimersPendingCounter);
  timers_.Reset(pending == counters.end() ? 0 : pending->second);
  metrics_.timers_pending().Set(static_cast<double>(timers_.pending()));
  // A segment only the dropped progress had counts 0 again.
  for (auto& [segment, count] : segment_counts_) count = 0;
  for (const auto& [name, value] : counters) {
    if (name.rfind(kSegmentCounterPrefix, 0) != 0) continue;
    segment_counts_[name.substr(kSegmentCounterPrefix.size())] = value;
  }
  for (const auto& [segment, count] : segment_counts_) {
    metrics_.CustomersInSegment(segment).Set(static_cast<double>(count));
  }
  return Status::Ok();
}

Status RecordProcessor::Prefetch(std::vector<std::string_view>& customer_ids) {
  return customers_.Prefetch(customer_ids);
}

Result<RecordProcessor::PartitionTask*> RecordProcessor::TaskFor(int32_t partition, bool fire_stored) {
  auto it = tasks_.find(partition);
  if (it != tasks_.end()) return &it->second;
  ASSIGN_OR_RETURN(auto stored, store_.PartitionData(partition));
  PartitionTask loaded;
  loaded.partition = partition;
  if (stored) {
    ASSIGN_OR_RETURN(loaded.stored, DecodePartitionState(*stored));
  }
  PartitionTask& task = tasks_.emplace(partition, std::move(loaded)).first->second;
  // The partition's timers may have been written (restored) since the
  // timer service last scanned them.
  timers_.Forget(partition);
  // A partition without a recorded clock (new, or stored by an older
  // version) takes the wall clock now and records it with its next commit.
  if (task.stored.clock_ms == INT64_MIN) {
    task.stored.clock_ms = clock_.WallMs();
    task.dirty = true;
    ++uncommitted_records_;
  }
  // Timers the stored watermark passed but whose firing was not committed
  // (a crash after recording an idle advance) fire before anything else.
  if (fire_stored) RETURN_IF_ERROR(FireDue(partition, task).status());
  return &task;
}

void RecordProcessor::AdvanceFlows(PartitionTask& task, int64_t event_ms) {
  const int64_t clock = std::max({task.stored.max_event_ms, task.stored.watermark_ms, event_ms});
  if (clock == INT64_MIN) return;
  operators::AdvanceFlows(task.stored.flows, operators::PeriodIndex(config_.markov.period, operators::EventTime{clock}));
}

void RecordProcessor::RecordFlows(PartitionTask& task, const operators::Effects& effects,
                                  operators::CustomerState& state, double spend) {
  const std::string* segment_before = &state.segment;
  for (const operators::Output& output : effects.outputs) {
    if (const auto* change = std::get_if<operators::SegmentChange>(&output.payload)) {
      if (segment_before == &state.segment) segment_before = &change->from;
      operators::RecordMove(task.stored.flows, state, change->from, change->to);
    }
  }
  operators::RecordSpend(task.stored.flows, state, *segment_before, spend);
}

operators::ModelContext RecordProcessor::ContextFor(PartitionTask& task) {
  operators::ModelContext context;
  if (params_) context.params = &*params_;
  if (quantile_scoring_) context.population = &task.stored.population;
  if (config_.model.alert.max_alerts_per_day > 0) context.budget = &task.stored.alert_budget;
  context.partition = task.partition;
  return context;
}

Status RecordProcessor::FireOne(int32_t partition, PartitionTask& task, const TimerKey& key) {
  timers_.Drop(key);
  metrics_.timers_fired().Increment();
  ASSIGN_OR_RETURN(CachedCustomer * customer, customers_.Load(key.customer_id));
  customer->partition = partition;
  const operators::EventTime due{key.due_ms};
  operators::Effects effects = operators::FireTimer(config_.model, ContextFor(task), key.customer_id, due,
                                                    operators::EventTime{task.stored.watermark_ms}, customer->state);
  customers_.MarkDirty(customer);
  task.dirty = true;  // the population may have lost an expired customer
  if (effects.timer) timers_.Apply(partition, key.customer_id, *effects.timer);
  if (effects.expired) {
    if (!customer->state.segment.empty()) {
      operators::RecordMove(task.stored.flows, customer->state, customer->state.segment, "");
      int64_t& count = segment_counts_[customer->state.segment];
      --count;
      metrics_.CustomersInSegment(customer->state.segment).Set(static_cast<double>(count));
    }
    customer->deleted = true;
    customer->state = operators::CustomerState{};
    metrics_.customers_expired().Increment();
  } else {
    RecordFlows(task, effects, customer->state, 0);
  }
  // An expiring customer may still get the voucher that fell due with it.
  return Emit(effects, operators::EventOrigin{operators::kTimerOriginTopic, partition, key.due_ms});
}

Result<int64_t> RecordProcessor::FireDue(int32_t partition, PartitionTask& task, int64_t limit) {
  ASSIGN_OR_RETURN(int64_t fired, timers_.FireDue(partition, task.stored.watermark_ms, limit, [&](const TimerKey& key) {
    return FireOne(partition, task, key);
  }));
  // A fired check changes a customer like an event does: it counts towards
  // the epoch's size, or one epoch could hold every check a watermark passed.
  uncommitted_records_ += fired;
  if (fired < limit) {
    timer_backlog_.erase(partition);
  } else {
    timer_backlog_.insert(partition);  // maybe more due: the next scan says
  }
  return fired;
}

Result<bool> RecordProcessor::AdvanceWatermark(int32_t partition, int64_t watermark_ms) {
  ASSIGN_OR_RETURN(PartitionTask * task, TaskFor(partition));
  // A partition that never saw an event has no timers and keeps no clock.
  if (task->stored.max_event_ms == INT64_MIN || watermark_ms <= task->stored.watermark_ms) return false;
  task->stored.watermark_ms = watermark_ms;
  AdvanceFlows(*task);
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
  return FireDue(partition, *task, max_timers);
}

Result<int64_t> RecordProcessor::FireTimerBacklog(int64_t max_timers) {
  int64_t fired = 0;
  while (!timer_backlog_.empty() && fired < max_timers) {
    // FireDue drops the partition from the backlog once its scan completes.
    ASSIGN_OR_RETURN(int64_t slice, FireDueTimers(*timer_backlog_.begin(), max_timers - fired));
    fired += slice;
  }
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
  return outputs_.ProduceOwned(MakeDeadLetter(config_.topics.deadletter, rejected, code, reason, dead_letter_budget_));
}

Status RecordProcessor::Emit(const operators::Effects& effects,
                             const operators::EventOrigin& origin) {
  if (effects.conversion) {
    metrics_.conversions().Increment();
    metrics_.conversion_seconds().Observe(static_cast<double>(effects.conversion->time_to_convert.ms) / 1000.0);
  }
  for (const operators::AlertOutcome& outcome : effects.outcomes) {
    metrics_
        .AlertOutcomes({operators::PriorityName(outcome.priority), outcome.recommended_action, outcome.acted,
                        outcome.control, outcome.won_back})
        .Increment();
  }
  for (const operators::Output& output : effects.outputs) {
    RETURN_IF_ERROR(outputs_.ProduceOwned(encoder_.Encode(output, origin)));
    if (const auto* alert = std::get_if<operators::ChurnAlert>(&output.payload)) {
      metrics_.Alerts(operators::PriorityName(alert->priority)).Increment();
    } else if (const auto* reward = std::get_if<operators::RewardEvent>(&output.payload)) {
      CountReward(*reward);
    } else if (const auto* ladder = std::get_if<operators::LadderChange>(&output.payload)) {
      metrics_.LadderChanges(ladder->from, ladder->to).Increment();
    } else if (std::holds_alternative<operators::WinBack>(output.payload)) {
      // Counted with its outcome (effects.outcomes) above.
    } else {
      const auto& change = std::get<operators::SegmentChange>(output.payload);
      metrics_.SegmentTransitions(change.from, change.to).Increment();
      if (!change.from.empty()) {
        int64_t& from = segment_counts_[change.from];
        --from;
        metrics_.CustomersInSegment(change.from).Set(static_cast<double>(from));
      }
      int64_t& to = segment_counts_[change.to];
      ++to;
      metrics_.CustomersInSegment(change.to).Set(static_cast<double>(to));
    }
  }
  return Status::Ok();
}

void RecordProcessor::CountReward(const operators::RewardEvent& reward) {
  switch (reward.kind) {
    case operators::RewardKind::kEnrolled: metrics_.reward_enrolments().Increment(); break;
    case operators::RewardKind::kThresholdReached: metrics_.reward_thresholds().Increment(); break;
    case operators::RewardKind::kVoucherIssued:
      metrics_.reward_vouchers().Increment();
      // Counters only go up; a voucher amount never is negative.
      if (reward.voucher && reward.voucher->amount > 0) metrics_.reward_voucher_amount().Increment(reward.voucher->amount);
      break;
  }
}

Status RecordProcessor::Process(const InputRecordView& record) {
  // Checks an earlier record left due fire first, whether or not the caller
  // fired them: the order never depends on where the epochs were cut.
  if (timer_backlog_.count(record.partition) != 0) {
    ASSIGN_OR_RETURN(PartitionTask * task, TaskFor(record.partition));
    RETURN_IF_ERROR(FireDue(record.partition, *task).status());
  }
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
  ASSIGN_OR_RETURN(CachedCustomer * customer, customers_.Load(event.customer_id));
  customer->partition = origin.partition;
  AdvanceFlows(*task, event.ts.epoch_ms);
  operators::Effects effects = operators::ProcessEvent(config_.model, ContextFor(*task), event, customer->state);
  if (effects.duplicate) {
    CountersFor(origin.topic).duplicate->Increment();
    return Status::Ok();
  }
  if (effects.action_matched) {
    metrics_.AlertActions(*effects.action_matched).Increment();
    // An action for no open alert changed nothing: storing the customer
    // would keep a state for an unknown id that no timer ever expires.
    if (!*effects.action_matched) {
      CountersFor(origin.topic).ok->Increment();
      return Status::Ok();
    }
  }
  const auto* purchase = std::get_if<operators::Purchase>(&event.body);
  RecordFlows(*task, effects, customer->state, purchase != nullptr ? purchase->amount : 0);
  customers_.MarkDirty(customer);
  task->dirty = true;
  CountersFor(origin.topic).ok->Increment();
  bool fire = false;
  if (effects.timer) {
    timers_.Apply(origin.partition, event.customer_id, *effects.timer);
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
  if (fire) {
    const int64_t room = config_.runtime.max_uncommitted_events - uncommitted_records_;
    RETURN_IF_ERROR(FireDue(origin.partition, *task, std::max<int64_t>(room, 1)).status());
  }
  return Status::Ok();
}

}  // namespace crm::pipeline
