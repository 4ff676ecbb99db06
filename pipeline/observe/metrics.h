// pipeline/observe/metrics.h
//
// The service's Prometheus metrics (DESIGN.md "Observability"), prefix
// crmstream_, base units, bounded labels (topics, partitions, reasons,
// priorities, segment names from config; never a customer id). The Metrics
// object owns the registry; the HTTP server serialises it. prometheus-cpp
// metric objects are thread-safe, so any thread may update them.
#pragma once

#include <prometheus/counter.h>
#include <prometheus/family.h>
#include <prometheus/gauge.h>
#include <prometheus/histogram.h>
#include <prometheus/registry.h>

#include "pipeline/observe/label_memo.h"

#include <map>
#include <memory>
#include <string>
#include <vector>

namespace crm::pipeline {

class Metrics {
 public:
  Metrics();

  // Text exposition format of every metric.
  std::string Serialize() const;
  // Every metric's current values (for in-process summaries such as the demo's).
  std::vector<prometheus::MetricFamily> Collect() const { return registry_->Collect(); }

  // result: "ok", "deadletter", "duplicate".
  prometheus::Counter& EventsConsumed(const std::string& topic, const std::string& result);
  prometheus::Counter& DeadLetters(const std::string& reason);
  prometheus::Counter& Alerts(const std::string& priority);
  prometheus::Counter& SegmentTransitions(const std::string& from, const std::string& to);
  prometheus::Gauge& CustomersInSegment(const std::string& segment);
  // Moves on the relationship ladder (from is empty for a first rung).
  prometheus::Counter& LadderChanges(const std::string& from, const std::string& to);
  // crmstream_alert_outcomes_total{priority, recommended_action, acted,
  // group = control|treated, outcome = won_back|lost} (docs/outcomes.md).
  struct AlertOutcomeLabels {
    std::string priority;
    std::string recommended_action;
    bool acted = false;
    bool control = false;
    bool won_back = false;
  };
  prometheus::Counter& AlertOutcomes(const AlertOutcomeLabels& labels);
  // crmstream_alert_actions_total{match = open_alert|unknown_alert}.
  prometheus::Counter& AlertActions(bool matched);
  prometheus::Gauge& ConsumerLag(const std::string& topic, int32_t partition);
  prometheus::Counter& Commits(const std::string& result);  // "ok", "failed", "fenced"
  prometheus::Counter& ModelParamsLoads(const std::string& result);  // "ok", "rejected"
  prometheus::Gauge& WatermarkLag(int32_t partition);
  prometheus::Counter& RestoredRecords(int32_t partition);
  prometheus::Gauge& RestoreRemaining(int32_t partition);
  prometheus::Counter& WatermarkIdleAdvances(int32_t partition);
  // Records merged past the idle limit without one of their partition's
  // inputs (input_merger.h): the order across inputs was the arrival's.
  prometheus::Counter& EnforcedProcessing(int32_t partition);
  // Changelog records a restore found corrupt (changelog_record.h).
  prometheus::Counter& ChangelogCorruptRecords(int32_t partition);
  // Restores that found the changelog unusable and dropped the partition's
  // state to rebuild it from its input.
  prometheus::Counter& ChangelogRebuilds(int32_t partition);
  // Times a restore waited for an unreachable broker.
  prometheus::Counter& RestoreRetries(int32_t partition);
  // Rebalance callbacks, by event: "assigned", "revoked", "lost" (a revoke
  // of partitions whose session expired).
  prometheus::Counter& Rebalances(const std::string& event);
  // A loaded model parameter: model "bgnbd" or "mbgnbd" (r, alpha, a, b),
  // "pareto_nbd" (r, alpha, s, beta) or "gamma_gamma" (p, q, gamma); absent
  // until a parameters file is loaded.
  prometheus::Gauge& ModelParameter(const std::string& model, const std::string& parameter);
  // Drops that series, if present (a reload switched purchase models).
  void RemoveModelParameter(const std::string& model, const std::string& parameter);
  // crmstream_build_info{version, ...} 1: what is running.
  prometheus::Gauge& BuildInfo(const std::map<std::string, std::string>& labels);

  prometheus::Histogram& processing_latency() { return *processing_latency_; }
  prometheus::Histogram& commit_duration() { return *commit_duration_; }
  prometheus::Gauge& event_time_lag() { return *event_time_lag_; }
  prometheus::Gauge& state_size() { return *state_size_; }
  prometheus::Gauge& state_cache_usage() { return *state_cache_usage_; }
  prometheus::Gauge& hot_customers() { return *hot_customers_; }
  prometheus::Gauge& assigned_partitions() { return *assigned_partitions_; }
  prometheus::Gauge& up() { return *up_; }
  prometheus::Gauge& model_params_loaded() { return *model_params_loaded_; }
  prometheus::Gauge& timers_pending() { return *timers_pending_; }
  prometheus::Counter& timers_fired() { return *timers_fired_; }
  prometheus::Counter& late_events() { return *late_events_; }
  prometheus::Counter& customers_expired() { return *customers_expired_; }
  // The reward programme (docs/rewards.md): enrolments, threshold
  // crossings, vouchers issued and the sum of their amounts, as published.
  prometheus::Counter& reward_enrolments() { return *reward_enrolments_; }
  prometheus::Counter& reward_thresholds() { return *reward_thresholds_; }
  prometheus::Counter& reward_vouchers() { return *reward_vouchers_; }
  prometheus::Counter& reward_voucher_amount() { return *reward_voucher_amount_; }
  // Prospects converted by their first purchase, and the time (seconds of
  // event time) each took from their first interaction.
  prometheus::Counter& conversions() { return *conversions_; }
  prometheus::Histogram& conversion_seconds() { return *conversion_seconds_; }
  // Output transactions given up (fenced, partitions lost, a commit the
  // broker refused); without transactions, purges of unacknowledged outputs.
  prometheus::Counter& aborted_transactions() { return *aborted_transactions_; }
  // Unix time the process started (wall clock), to see restarts.
  prometheus::Gauge& start_time() { return *start_time_; }

 private:
  std::shared_ptr<prometheus::Registry> registry_;
  prometheus::Family<prometheus::Counter>* events_consumed_;
  prometheus::Family<prometheus::Counter>* dead_letters_;
  prometheus::Family<prometheus::Counter>* alerts_;
  prometheus::Family<prometheus::Counter>* segment_transitions_;
  prometheus::Family<prometheus::Counter>* ladder_changes_;
  prometheus::Family<prometheus::Counter>* alert_outcomes_;
  prometheus::Family<prometheus::Counter>* alert_actions_;
  prometheus::Counter* conversions_;
  prometheus::Histogram* conversion_seconds_;
  prometheus::Family<prometheus::Gauge>* customers_in_segment_;
  prometheus::Family<prometheus::Gauge>* consumer_lag_;
  prometheus::Family<prometheus::Counter>* commits_;
  prometheus::Family<prometheus::Counter>* model_params_loads_;
  prometheus::Family<prometheus::Gauge>* watermark_lag_;
  prometheus::Family<prometheus::Counter>* restored_records_;
  prometheus::Family<prometheus::Gauge>* restore_remaining_;
  prometheus::Family<prometheus::Counter>* watermark_idle_advances_;
  prometheus::Family<prometheus::Counter>* enforced_processing_;
  prometheus::Family<prometheus::Counter>* changelog_corrupt_records_;
  prometheus::Family<prometheus::Counter>* changelog_rebuilds_;
  prometheus::Family<prometheus::Counter>* restore_retries_;
  prometheus::Family<prometheus::Counter>* rebalances_;
  prometheus::Family<prometheus::Gauge>* model_parameters_;
  prometheus::Family<prometheus::Gauge>* build_info_;
  // The per-output children, found without Family::Add's allocations.
  std::unique_ptr<LabelMemo<prometheus::Counter>> alerts_by_priority_;
  std::unique_ptr<LabelMemo<prometheus::Counter>> segment_transitions_by_move_;
  std::unique_ptr<LabelMemo<prometheus::Counter>> ladder_changes_by_move_;
  std::unique_ptr<LabelMemo<prometheus::Gauge>> customers_by_segment_;
  prometheus::Histogram* processing_latency_;
  prometheus::Histogram* commit_duration_;
  prometheus::Gauge* event_time_lag_;
  prometheus::Gauge* state_size_;
  prometheus::Gauge* state_cache_usage_;
  prometheus::Gauge* hot_customers_;
  prometheus::Gauge* assigned_partitions_;
  prometheus::Gauge* up_;
  prometheus::Gauge* model_params_loaded_;
  prometheus::Gauge* timers_pending_;
  prometheus::Counter* timers_fired_;
  prometheus::Counter* late_events_;
  prometheus::Counter* customers_expired_;
  prometheus::Counter* reward_enrolments_;
  prometheus::Counter* reward_thresholds_;
  prometheus::Counter* reward_vouchers_;
  prometheus::Counter* reward_voucher_amount_;
  prometheus::Counter* aborted_transactions_;
  prometheus::Gauge* start_time_;
};

}  // namespace crm::pipeline
