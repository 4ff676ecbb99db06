#include "pipeline/record_processor.h"

#include <algorithm>

#include "operators/customer_processor.h"
#include "pipeline/population_codec.h"

namespace crm::pipeline {
namespace {

const std::string kSegmentCounterPrefix = "customers_in_segment/";

}  // namespace

RecordProcessor::RecordProcessor(const config::Config& config, StateStore& store,
                                 RecordSink& sink, Metrics& metrics)
    : config_(config),
      store_(store),
      sink_(sink),
      metrics_(metrics),
      decoder_(static_cast<size_t>(config.runtime.max_event_bytes)),
      encoder_(config.topics, config.runtime.instance_id),
      quantile_scoring_(config.model.rfm.frequency_monetary == operators::RfmScoring::kQuantiles ||
                        config.model.rfm.recency == operators::RfmScoring::kQuantiles) {}

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
    key.assign(id);
    if (cache_.find(key) == cache_.end()) missing.push_back(id);
  }
  if (missing.empty()) return Status::Ok();
  return store_.MultiGet(missing, [this](std::string_view id, std::optional<operators::CustomerState> state) {
    CachedCustomer& entry = cache_[std::string(id)];
    if (state) entry.state = std::move(*state);
  });
}

Result<RecordProcessor::CachedCustomer*> RecordProcessor::LoadCustomer(
    const std::string& customer_id) {
  auto it = cache_.find(customer_id);
  if (it == cache_.end()) {
    ASSIGN_OR_RETURN(auto stored, store_.Get(customer_id));
    it = cache_.try_emplace(customer_id).first;
    if (stored) it->second.state = std::move(*stored);
  }
  it->second.id = &it->first;
  return &it->second;
}

Result<RecordProcessor::PartitionPopulation*> RecordProcessor::PopulationFor(int32_t partition) {
  auto it = populations_.find(partition);
  if (it == populations_.end()) {
    ASSIGN_OR_RETURN(auto stored, store_.PartitionData(partition));
    PartitionPopulation loaded;
    if (stored) {
      ASSIGN_OR_RETURN(loaded.population, DecodePopulation(*stored));
    }
    it = populations_.emplace(partition, std::move(loaded)).first;
  }
  return &it->second;
}

Status RecordProcessor::DeadLetter(const InputRecordView& record,
                                   const operators::EventOrigin& origin, const std::string& code,
                                   const std::string& reason) {
  CountersFor(origin.topic).deadletter->Increment();
  metrics_.DeadLetters(code).Increment();
  return sink_.Produce(encoder_.DeadLetter(origin, std::string(record.key),
                                           std::string(record.value), code, reason));
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

  DecodeResult decoded = decoder_.Decode(record.kind, record.value);
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
  latest_event_time_ms_ = std::max(latest_event_time_ms_, event.ts.epoch_ms);

  ASSIGN_OR_RETURN(CachedCustomer * customer, LoadCustomer(event.customer_id));
  operators::ModelContext context;
  if (params_) context.params = &*params_;
  PartitionPopulation* population = nullptr;
  if (quantile_scoring_) {
    ASSIGN_OR_RETURN(population, PopulationFor(origin.partition));
    context.population = &population->population;
  }
  operators::Effects effects = operators::ProcessEvent(config_.model, context, event, customer->state);
  if (effects.duplicate) {
    CountersFor(origin.topic).duplicate->Increment();
    return Status::Ok();
  }
  // Only purchases move a customer within the population.
  if (population != nullptr && std::holds_alternative<operators::Purchase>(event.body)) population->dirty = true;
  if (!customer->dirty) {
    customer->dirty = true;
    dirty_.emplace_back(customer->id, customer);
  }
  CountersFor(origin.topic).ok->Increment();
  return Emit(effects, origin);
}

Status RecordProcessor::Commit(int flush_timeout_ms) {
  if (pending_offsets_.empty()) return Status::Ok();
  Status flushed = sink_.Flush(flush_timeout_ms);
  if (!flushed.ok()) return Status(flushed.code(), "commit: outputs not acknowledged: " + flushed.message());

  CommitBatch batch;
  batch.customers.reserve(dirty_.size());
  for (const auto& [id, customer] : dirty_) batch.customers.emplace_back(*id, &customer->state);
  batch.next_offsets = pending_offsets_;
  batch.counters = segment_counts_;
  for (const auto& [partition, population] : populations_) {
    if (population.dirty) batch.partition_data[partition] = EncodePopulation(population.population);
  }
  RETURN_IF_ERROR(store_.Commit(batch));
  for (auto& [partition, population] : populations_) population.dirty = false;

  for (const auto& [id, customer] : dirty_) customer->dirty = false;
  dirty_.clear();
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
  dirty_.clear();
  cache_.clear();
  populations_.clear();
  pending_offsets_.clear();
  uncommitted_records_ = 0;
}

}  // namespace crm::pipeline
