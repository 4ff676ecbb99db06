#include "pipeline/observe/metrics.h"

#include <prometheus/text_serializer.h>

namespace crm::pipeline {
namespace {

prometheus::Histogram::BucketBoundaries LatencyBuckets() {
  return {0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10};
}

}  // namespace

Metrics::Metrics() : registry_(std::make_shared<prometheus::Registry>()) {
  using prometheus::BuildCounter;
  using prometheus::BuildGauge;
  using prometheus::BuildHistogram;
  auto& r = *registry_;
  events_consumed_ = &BuildCounter().Name("crmstream_events_consumed_total")
                          .Help("Input events consumed, by topic and result (ok, deadletter, duplicate)")
                          .Register(r);
  dead_letters_ = &BuildCounter().Name("crmstream_deadletter_total")
                       .Help("Input messages sent to the dead-letter topic, by reason code")
                       .Register(r);
  alerts_ = &BuildCounter().Name("crmstream_churn_alerts_total")
                 .Help("Churn alerts emitted, by priority")
                 .Register(r);
  segment_transitions_ = &BuildCounter().Name("crmstream_segment_transitions_total")
                              .Help("Customer segment transitions (from is empty for new customers)")
                              .Register(r);
  ladder_changes_ = &BuildCounter().Name("crmstream_ladder_changes_total")
                         .Help("Moves on the relationship ladder, by rung (from is empty for a first rung)")
                         .Register(r);
  alert_outcomes_ = &BuildCounter().Name("crmstream_alert_outcomes_total")
                         .Help("Churn alert outcomes (won_back or lost), by priority, recommended action, whether "
                               "an action was reported, and control or treated group")
                         .Register(r);
  alert_actions_ = &BuildCounter().Name("crmstream_alert_actions_total")
                        .Help("Actions reported on the actions topic, by whether they named the customer's open alert")
                        .Register(r);
  conversions_ = &BuildCounter().Name("crmstream_conversions_total")
                      .Help("Prospects converted by their first purchase")
                      .Register(r)
                      .Add({});
  // Seconds (Prometheus' base unit), in buckets of 1, 3, 7, 14, 30, 60, 90, 180 and 365 days.
  prometheus::Histogram::BucketBoundaries conversion_buckets;
  for (double days : {1, 3, 7, 14, 30, 60, 90, 180, 365}) conversion_buckets.push_back(days * 86'400);
  conversion_seconds_ = &BuildHistogram().Name("crmstream_conversion_seconds")
                          .Help("Time from a prospect's first interaction to their first purchase (event time)")
                          .Register(r)
                          .Add({}, conversion_buckets);
  customers_in_segment_ = &BuildGauge().Name("crmstream_customers")
                               .Help("Customers per segment, as committed in the state store")
                               .Register(r);
  alerts_by_priority_ = std::make_unique<LabelMemo<prometheus::Counter>>(*alerts_, "priority");
  segment_transitions_by_move_ = std::make_unique<LabelMemo<prometheus::Counter>>(*segment_transitions_, "from", "to");
  ladder_changes_by_move_ = std::make_unique<LabelMemo<prometheus::Counter>>(*ladder_changes_, "from", "to");
  customers_by_segment_ = std::make_unique<LabelMemo<prometheus::Gauge>>(*customers_in_segment_, "segment");
  consumer_lag_ = &BuildGauge().Name("crmstream_consumer_lag_records")
                       .Help("Records between the committed position and the end of each input partition")
                       .Register(r);
  commits_ = &BuildCounter().Name("crmstream_commits_total")
                  .Help("State+offset commits, by result")
                  .Register(r);
  processing_latency_ = &BuildHistogram().Name("crmstream_processing_latency_seconds")
                             .Help("From receiving an event to its outputs being handed to the producer")
                             .Register(r)
                             .Add({}, LatencyBuckets());
  commit_duration_ = &BuildHistogram().Name("crmstream_commit_duration_seconds")
                          .Help("Duration of one commit: producer flush plus the atomic state write")
                          .Register(r)
                          .Add({}, LatencyBuckets());
  event_time_lag_ = &BuildGauge().Name("crmstream_event_time_lag_seconds")
                         .Help("Wall clock minus the event time of the latest processed event")
                         .Register(r)
                         .Add({});
  state_size_ = &BuildGauge().Name("crmstream_state_size_bytes")
                     .Help("Approximate size of the customer state in RocksDB")
                     .Register(r)
                     .Add({});
  state_cache_usage_ = &BuildGauge().Name("crmstream_state_block_cache_usage_bytes")
                            .Help("RocksDB block cache usage (shared with write buffers)")
                            .Register(r)
                            .Add({});
  hot_customers_ = &BuildGauge().Name("crmstream_hot_customers")
                        .Help("Customer states held in the in-memory cache")
                        .Register(r)
                        .Add({});
  assigned_partitions_ = &BuildGauge().Name("crmstream_assigned_partitions")
                              .Help("Input partitions assigned to this instance")
                              .Register(r)
                              .Add({});
  model_params_loads_ = &BuildCounter().Name("crmstream_model_params_loads_total")
                            .Help("Loads of the model parameters file (start and SIGHUP), by result (ok, rejected)")
                            .Register(r);
  model_params_loaded_ = &BuildGauge().Name("crmstream_model_params_loaded")
                             .Help("1 while fitted BG/NBD and Gamma-Gamma parameters are in use, 0 on the fallback")
                             .Register(r)
                             .Add({});
  watermark_lag_ = &BuildGauge().Name("crmstream_watermark_lag_seconds")
                       .Help("Wall clock minus the event-time watermark, per input partition, at the last commit")
                       .Register(r);
  restored_records_ = &BuildCounter().Name("crmstream_restored_records_total")
                          .Help("Changelog records read to restore a partition's state on assignment")
                          .Register(r);
  restore_remaining_ = &BuildGauge().Name("crmstream_restore_remaining_records")
                           .Help("Changelog records still to read for a partition being restored (0 when done)")
                           .Register(r);
  watermark_idle_advances_ = &BuildCounter().Name("crmstream_watermark_idle_advances_total")
                                 .Help("Watermark advances by wall clock on an idle partition")
                                 .Register(r);
  enforced_processing_ = &BuildCounter().Name("crmstream_enforced_processing_total")
                             .Help("Records merged while another input of their partition had nothing buffered, "
                                   "after runtime.max_task_idle_ms and with nothing known to be left on it: the "
                                   "order across inputs followed arrival, not timestamps")
                             .Register(r);
  changelog_corrupt_records_ = &BuildCounter().Name("crmstream_changelog_corrupt_records_total")
                                   .Help("Changelog records a restore found corrupt (counted, logged, never applied)")
                                   .Register(r);
  changelog_rebuilds_ = &BuildCounter().Name("crmstream_changelog_rebuilds_total")
                            .Help("Restores that found a complete changelog epoch unusable and dropped the "
                                  "partition's state to rebuild it from its input")
                            .Register(r);
  restore_retries_ = &BuildCounter().Name("crmstream_restore_retries_total")
                         .Help("Waits of a changelog restore for an unreachable broker (with back-off)")
                         .Register(r);
  timers_pending_ = &BuildGauge().Name("crmstream_timers_pending")
                        .Help("Overdue-check timers stored and not yet fired, as committed")
                        .Register(r)
                        .Add({});
  timers_fired_ = &BuildCounter().Name("crmstream_timers_fired_total")
                      .Help("Overdue-check timers fired because the watermark passed them")
                      .Register(r)
                      .Add({});
  late_events_ = &BuildCounter().Name("crmstream_late_events_total")
                     .Help("Events older than their partition's watermark (applied, never retracting outputs)")
                     .Register(r)
                     .Add({});
  customers_expired_ = &BuildCounter().Name("crmstream_customers_expired_total")
                           .Help("Customer states deleted after the retention period of silence")
                           .Register(r)
                           .Add({});
  reward_enrolments_ = &BuildCounter().Name("crmstream_reward_enrolments_total")
                           .Help("Customers enrolled in the reward programme (published on the rewards topic)")
                           .Register(r)
                           .Add({});
  reward_thresholds_ = &BuildCounter().Name("crmstream_reward_thresholds_total")
                           .Help("Reward programme members who reached the year's threshold")
                           .Register(r)
                           .Add({});
  reward_vouchers_ = &BuildCounter().Name("crmstream_reward_vouchers_total")
                         .Help("Reward vouchers issued at the close of a programme year")
                         .Register(r)
                         .Add({});
  reward_voucher_amount_ = &BuildCounter().Name("crmstream_reward_voucher_amount_total")
                               .Help("Sum of the amounts of the reward vouchers issued (purchase currency)")
                               .Register(r)
                               .Add({});
  rebalances_ = &BuildCounter().Name("crmstream_rebalances_total")
                    .Help("Consumer group rebalance callbacks, by event (assigned, revoked, lost)")
                    .Register(r);
  model_parameters_ = &BuildGauge().Name("crmstream_model_parameter")
                          .Help("Fitted parameters in use, by model (bgnbd: r, alpha, a, b; gamma_gamma: p, q, gamma)")
                          .Register(r);
  build_info_ = &BuildGauge().Name("crmstream_build_info")
                    .Help("Always 1; the labels say which build is running")
                    .Register(r);
  aborted_transactions_ = &BuildCounter().Name("crmstream_aborted_transactions_total")
                              .Help("Output transactions aborted (fenced, partitions lost, commit refused); "
                                    "without transactions, purges of unacknowledged outputs")
                              .Register(r)
                              .Add({});
  start_time_ = &BuildGauge().Name("crmstream_start_time_seconds")
                    .Help("Unix time the process started")
                    .Register(r)
                    .Add({});
  up_ = &BuildGauge().Name("crmstream_up")
             .Help("1 while the processing loop runs")
             .Register(r)
             .Add({});
}

std::string Metrics::Serialize() const {
  return prometheus::TextSerializer().Serialize(registry_->Collect());
}

prometheus::Gauge& Metrics::WatermarkLag(int32_t partition) {
  return watermark_lag_->Add({{"partition", std::to_string(partition)}});
}

prometheus::Counter& Metrics::RestoredRecords(int32_t partition) {
  return restored_records_->Add({{"partition", std::to_string(partition)}});
}

prometheus::Gauge& Metrics::RestoreRemaining(int32_t partition) {
  return restore_remaining_->Add({{"partition", std::to_string(partition)}});
}

prometheus::Counter& Metrics::WatermarkIdleAdvances(int32_t partition) {
  return watermark_idle_advances_->Add({{"partition", std::to_string(partition)}});
}

prometheus::Counter& Metrics::EnforcedProcessing(int32_t partition) {
  return enforced_processing_->Add({{"partition", std::to_string(partition)}});
}

prometheus::Counter& Metrics::ChangelogCorruptRecords(int32_t partition) {
  return changelog_corrupt_records_->Add({{"partition", std::to_string(partition)}});
}

prometheus::Counter& Metrics::ChangelogRebuilds(int32_t partition) {
  return changelog_rebuilds_->Add({{"partition", std::to_string(partition)}});
}

prometheus::Counter& Metrics::RestoreRetries(int32_t partition) {
  return restore_retries_->Add({{"partition", std::to_string(partition)}});
}

prometheus::Counter& Metrics::Rebalances(const std::string& event) {
  return rebalances_->Add({{"event", event}});
}

prometheus::Gauge& Metrics::ModelParameter(const std::string& model, const std::string& parameter) {
  return model_parameters_->Add({{"model", model}, {"parameter", parameter}});
}

void Metrics::RemoveModelParameter(const std::string& model, const std::string& parameter) {
  const prometheus::Labels labels{{"model", model}, {"parameter", parameter}};
  if (model_parameters_->Has(labels)) model_parameters_->Remove(&model_parameters_->Add(labels));
}

prometheus::Gauge& Metrics::BuildInfo(const std::map<std::string, std::string>& labels) {
  return build_info_->Add(labels);
}

prometheus::Counter& Metrics::ModelParamsLoads(const std::string& result) {
  return model_params_loads_->Add({{"result", result}});
}

prometheus::Counter& Metrics::EventsConsumed(const std::string& topic, const std::string& result) {
  return events_consumed_->Add({{"topic", topic}, {"result", result}});
}
prometheus::Counter& Metrics::DeadLetters(const std::string& reason) {
  return dead_letters_->Add({{"reason", reason}});
}
prometheus::Counter& Metrics::Alerts(const std::string& priority) {
  return alerts_by_priority_->Get(priority);
}
prometheus::Counter& Metrics::SegmentTransitions(const std::string& from, const std::string& to) {
  return segment_transitions_by_move_->Get(from, to);
}
prometheus::Counter& Metrics::LadderChanges(const std::string& from, const std::string& to) {
  return ladder_changes_by_move_->Get(from, to);
}
prometheus::Counter& Metrics::AlertOutcomes(const AlertOutcomeLabels& labels) {
  return alert_outcomes_->Add({{"priority", labels.priority},
                               {"recommended_action", labels.recommended_action},
                               {"acted", labels.acted ? "true" : "false"},
                               {"group", labels.control ? "control" : "treated"},
                               {"outcome", labels.won_back ? "won_back" : "lost"}});
}
prometheus::Counter& Metrics::AlertActions(bool matched) {
  return alert_actions_->Add({{"match", matched ? "open_alert" : "unknown_alert"}});
}
prometheus::Gauge& Metrics::CustomersInSegment(const std::string& segment) {
  return customers_by_segment_->Get(segment);
}
prometheus::Gauge& Metrics::ConsumerLag(const std::string& topic, int32_t partition) {
  return consumer_lag_->Add({{"topic", topic}, {"partition", std::to_string(partition)}});
}
prometheus::Counter& Metrics::Commits(const std::string& result) {
  return commits_->Add({{"result", result}});
}

}  // namespace crm::pipeline
