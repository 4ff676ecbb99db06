#include "pipeline/wire/segments_json.h"

#include <type_traits>

#include "pipeline/wire/json_writer.h"
#include "pipeline/wire/output_encoder.h"

namespace crm::pipeline {
namespace {

template <typename T>
void Values(JsonWriter& w, const std::vector<T>& values) {
  w.BeginArray();
  for (const T& v : values) {
    if constexpr (std::is_same_v<T, bool>) {
      w.Bool(v);
    } else {
      w.Value(v);
    }
  }
  w.EndArray();
}

template <typename T>
void Array(JsonWriter& w, std::string_view key, const std::vector<T>& values) {
  w.Key(key);
  Values(w, values);
}

void PeriodStart(JsonWriter& w, std::string_view key, const operators::MarkovConfig& config, int64_t period) {
  w.Key(key);
  if (period == operators::kNoPeriod) {
    w.Null();
  } else {
    w.Value(FormatRfc3339(operators::PeriodStart(config.period, period).epoch_ms));
  }
}

}  // namespace

std::string SegmentsJson(const operators::SegmentChain& chain, const operators::SegmentFlows& flows,
                         const operators::MarkovConfig& config, const std::vector<int32_t>& partitions) {
  std::string out;
  JsonWriter w(out);
  w.BeginObject();
  w.Key("period").Value(operators::PeriodUnitName(config.period));
  w.Key("discount_rate").Value(config.discount_rate);
  w.Key("margin").Value(config.margin);
  w.Key("partitions").BeginArray();
  for (int32_t p : partitions) w.Value(int64_t{p});
  w.EndArray();
  PeriodStart(w, "first_period_start", config, flows.first_period);
  PeriodStart(w, "open_period_start", config, flows.period);
  w.Key("periods_closed").Value(flows.periods_closed);
  Array(w, "states", chain.states);
  Array(w, "sizes", chain.sizes);
  w.Key("counts").BeginArray();
  for (const auto& row : chain.counts) Values(w, row);
  w.EndArray();
  w.Key("transition_matrix").BeginArray();
  for (const auto& row : chain.transition) Values(w, row);
  w.EndArray();
  Array(w, "observed", chain.observed);
  Array(w, "left", chain.left);
  Array(w, "joined", chain.joined);
  Array(w, "steady_state", chain.steady.distribution);
  w.Key("steady_state_converged").Bool(chain.steady.converged);
  Array(w, "spend_per_period", chain.spend_per_period);
  Array(w, "reward", chain.reward);
  Array(w, "value", chain.value);
  w.EndObject();
  return out;
}

}  // namespace crm::pipeline
