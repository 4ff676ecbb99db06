// pipeline/runtime/metric_series.h
//
// Creates, at 0, every labelled series an alert rule or the dashboard reads
// (deploy/prometheus/crmstream-rules.yml, deploy/grafana/dashboards/), so
// that `increase(...)` sees a first failure as a step from 0 rather than as
// a series that appears at 1 (which no rate function counts). Also sets the
// build-info and start-time metrics. Called once by Service::Create, before
// anything is counted; label values are bounded and come from code or
// config, never from input.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "config/config.h"
#include "operators/model_params.h"
#include "pipeline/observe/metrics.h"

namespace crm::pipeline {

// Every dead-letter reason code (the crm.error.code header): the decoder's
// codes, key_mismatch and the event-time bounds' past_event/future_event.
std::vector<std::string> DeadLetterReasonCodes();

// `start_time_ms`: wall-clock Unix time of the process start.
void RegisterKnownSeries(Metrics& metrics, const config::Config& config, int64_t start_time_ms);

// Creates, at 0, the per-partition counters of an input partition number
// (restore, changelog and watermark counters), when it is assigned.
void RegisterPartitionSeries(Metrics& metrics, int32_t partition);

// Publishes the parameters in use (model_params_file.h ParametersInUse) as
// crmstream_model_parameter{model, parameter} gauges: model "bgnbd",
// "mbgnbd" or "pareto_nbd" (the purchase model the parameters file chose)
// and "gamma_gamma". The series of the other purchase models are removed.
void ReportModelParams(Metrics& metrics, const operators::ModelParams& params);

}  // namespace crm::pipeline
