#include "pipeline/runtime/metric_series.h"

#include "operators/effects.h"
#include "pipeline/kafka/kafka_client.h"
#include "pipeline/runtime/model_params_file.h"
#include "pipeline/wire/event_decoder.h"

#ifndef CRM_VERSION
#define CRM_VERSION "dev"
#endif

namespace crm::pipeline {

std::vector<std::string> DeadLetterReasonCodes() {
  std::vector<std::string> codes;
  for (DecodeErrorCode code : {DecodeErrorCode::kTooLarge, DecodeErrorCode::kInvalidJson,
                               DecodeErrorCode::kMissingField, DecodeErrorCode::kWrongType,
                               DecodeErrorCode::kOutOfRange}) {
    codes.emplace_back(DecodeErrorCodeName(code));
  }
  // record_processor.cc (key differs from customer_id) and
  // event_time_bounds.cc (event time outside its sane bounds).
  for (const char* code : {"key_mismatch", "past_event", "future_event"}) codes.emplace_back(code);
  return codes;
}

void RegisterKnownSeries(Metrics& metrics, const config::Config& config, int64_t start_time_ms) {
  metrics.BuildInfo({{"version", CRM_VERSION}, {"librdkafka", KafkaLibraryVersion()},
                     {"compiler", __VERSION__}})
      .Set(1);
  metrics.start_time().Set(static_cast<double>(start_time_ms) / 1000.0);
  for (const char* result : {"ok", "failed", "fenced"}) metrics.Commits(result);
  for (const char* result : {"ok", "rejected"}) metrics.ModelParamsLoads(result);
  for (const char* event : {"assigned", "revoked", "lost"}) metrics.Rebalances(event);
  for (const std::string& reason : DeadLetterReasonCodes()) metrics.DeadLetters(reason);
  for (auto priority : {operators::Priority::kLow, operators::Priority::kMedium, operators::Priority::kHigh}) {
    metrics.Alerts(operators::PriorityName(priority));
  }
  for (const std::string& topic : config::InputTopics(config.topics)) {
    for (const char* result : {"ok", "deadletter", "duplicate"}) metrics.EventsConsumed(topic, result);
  }
  // A segment nobody is in has 0 customers (the processor sets the others
  // from the committed counts when it starts).
  for (const operators::SegmentRule& rule : config.model.segments) metrics.CustomersInSegment(rule.name);
}

void RegisterPartitionSeries(Metrics& metrics, int32_t partition) {
  metrics.RestoredRecords(partition);
  metrics.RestoreRetries(partition);
  metrics.ChangelogCorruptRecords(partition);
  metrics.ChangelogRebuilds(partition);
  metrics.WatermarkIdleAdvances(partition);
}

void ReportModelParams(Metrics& metrics, const operators::ModelParams& params) {
  // A reload may switch models: the series of a model no longer in use go,
  // so that a scrape shows only the parameters the risk is computed with.
  using operators::PurchaseModel;
  for (PurchaseModel model : {PurchaseModel::kBgNbd, PurchaseModel::kMbgNbd, PurchaseModel::kParetoNbd}) {
    if (model == params.purchase_model) continue;
    for (std::string_view parameter : PurchaseParameterNames(model)) {
      metrics.RemoveModelParameter(std::string(operators::PurchaseModelName(model)), std::string(parameter));
    }
  }
  for (const NamedParameter& named : ParametersInUse(params)) {
    metrics.ModelParameter(std::string(named.model), std::string(named.parameter)).Set(named.value);
  }
}

}  // namespace crm::pipeline
