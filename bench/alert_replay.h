// bench/alert_replay.h
//
// What the alert-quality benches share (bench/alert_quality_cdnow.cc,
// bench/alert_quality_generated.cc): replaying an event log through the
// operators exactly as the runtime does, fitting the models exactly as
// `crmstream fit` does, and the key=value overrides used to tune the
// defaults. Bench code, single-threaded, deterministic for a given input.
//
// The replay is in process, without a broker: one partition, events given to
// ProcessEvent in the order given (the caller sorts them by event time), and
// every customer's pending overdue check fired through FireTimer, in (due,
// customer) order, once the stream's watermark (the latest event time) has
// passed it; at the end every check due by `end` fires.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "operators/customer_state.h"
#include "operators/effects.h"
#include "operators/events.h"
#include "operators/model_config.h"
#include "operators/model_params.h"
#include "operators/purchase_model.h"
#include "pipeline/fit/transaction_summaries.h"

namespace crm::bench {

inline constexpr int64_t kDayMs = 86'400'000;

// Every output the operators emit, with the customer it concerns and when.
struct ReplayOutput {
  const std::string& customer;
  int64_t at_ms;
  const operators::Output& output;
};

// Replays `events` (sorted by event time) and then fires every check due by
// `end_ms`; `params` null is the fallback (no fitted model). Calls `observe`
// for every output (may be empty). Returns every customer's state at the end.
std::map<std::string, operators::CustomerState> Replay(
    const operators::ModelConfig& config, const operators::ModelParams* params,
    const std::vector<operators::Event>& events, int64_t end_ms,
    const std::function<void(const ReplayOutput&)>& observe);

// A purchase event at `ts_ms` (ids are the caller's, unique per event).
operators::Event PurchaseEvent(std::string event_id, std::string customer, int64_t ts_ms, double amount);

// The purchase model `model` and Gamma-Gamma fitted to `summaries` by the
// code `crmstream fit` uses; the parameters' time unit is the summaries'.
// nullopt (with a message on stderr) when a fit fails.
std::optional<operators::ModelParams> FitModels(const pipeline::TransactionSummaries& summaries,
                                                operators::PurchaseModel model, double days_per_unit);

// The parameters of `params`' purchase model, for people ("r=… alpha=…").
std::string DescribeParams(const operators::ModelParams& params);

// Applies a "key=value" tuning override to `config`: horizon_days,
// weight_no_purchase, weight_satisfaction, weight_complaints,
// alert_threshold, rearm_threshold, min_value, default_gap_days,
// overdue_midpoint, weight_overdue, gap_prior_weight, max_alerts_per_day,
// cooldown_days, and check_at_gaps (a comma-separated list). False for an
// unknown key.
bool ApplyOverride(operators::ModelConfig& config, const std::string& key, const std::string& value);

// The median of `v` (NaN when empty).
double Median(std::vector<double> v);

}  // namespace crm::bench
