#include "pipeline/output_encoder.h"

#include <nlohmann/json.hpp>

#include <cmath>
#include <cstdio>

namespace crm::pipeline {
namespace {

using nlohmann::ordered_json;

// Civil date from days since 1970-01-01 (Howard Hinnant's algorithm): no
// locale or time-zone state involved.
void CivilFromDays(int64_t z, int64_t& y, unsigned& m, unsigned& d) {
  z += 719468;
  const int64_t era = (z >= 0 ? z : z - 146096) / 146097;
  const unsigned doe = static_cast<unsigned>(z - era * 146097);
  const unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  y = static_cast<int64_t>(yoe) + era * 400;
  const unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  const unsigned mp = (5 * doy + 2) / 153;
  d = doy - (153 * mp + 2) / 5 + 1;
  m = mp < 10 ? mp + 3 : mp - 9;
  y += (m <= 2);
}

// Rounds to 6 decimals so the JSON text is stable and readable.
double Round6(double v) { return std::round(v * 1e6) / 1e6; }

ordered_json RfmJson(const operators::RfmScores& rfm) {
  return ordered_json{{"r", rfm.r}, {"f", rfm.f}, {"m", rfm.m}};
}

ordered_json AlertData(const operators::ChurnAlert& a) {
  ordered_json reasons = ordered_json::array();
  for (const auto& r : a.reasons) reasons.push_back({{"code", r.code}, {"detail", r.detail}});
  return ordered_json{{"customer_id", a.customer_id},
                      {"risk", Round6(a.risk)},
                      {"p_alive", Round6(a.p_alive)},
                      {"clv", Round6(a.clv)},
                      {"value_at_risk", Round6(a.value_at_risk)},
                      {"priority", operators::PriorityName(a.priority)},
                      {"segment", a.segment},
                      {"satisfaction", Round6(a.satisfaction)},
                      {"reasons", reasons},
                      {"recommended_action", a.recommended_action}};
}

ordered_json SegmentData(const operators::SegmentChange& c) {
  return ordered_json{{"customer_id", c.customer_id},
                      {"from", c.from.empty() ? ordered_json(nullptr) : ordered_json(c.from)},
                      {"to", c.to},
                      {"rfm", RfmJson(c.rfm)},
                      {"loyalty", c.loyalty},
                      {"cause", c.cause}};
}

}  // namespace

std::string FormatRfc3339(int64_t epoch_ms) {
  int64_t days = epoch_ms >= 0 ? epoch_ms / 86'400'000 : -((-epoch_ms + 86'399'999) / 86'400'000);
  int64_t ms_of_day = epoch_ms - days * 86'400'000;
  int64_t y;
  unsigned m, d;
  CivilFromDays(days, y, m, d);
  char buf[96];
  std::snprintf(buf, sizeof buf, "%04lld-%02u-%02uT%02lld:%02lld:%02lld.%03lldZ",
                static_cast<long long>(y), m, d, static_cast<long long>(ms_of_day / 3'600'000),
                static_cast<long long>(ms_of_day / 60'000 % 60),
                static_cast<long long>(ms_of_day / 1000 % 60), static_cast<long long>(ms_of_day % 1000));
  return buf;
}

std::string OutputId(const operators::EventOrigin& origin, const std::string& rule) {
  return origin.topic + "/" + std::to_string(origin.partition) + "/" +
         std::to_string(origin.offset) + "/" + rule;
}

OutputRecord OutputEncoder::Encode(const operators::Output& output,
                                   const operators::EventOrigin& origin) const {
  OutputRecord record;
  ordered_json envelope{{"specversion", "1.0"}, {"id", OutputId(origin, output.rule)},
                        {"source", source_}};
  if (const auto* alert = std::get_if<operators::ChurnAlert>(&output.payload)) {
    record.topic = topics_.churn_alerts;
    record.key = alert->customer_id;
    envelope["type"] = "com.crmstream.churn-alert.v1";
    envelope["subject"] = alert->customer_id;
    envelope["time"] = FormatRfc3339(output.time.epoch_ms);
    envelope["datacontenttype"] = "application/json";
    envelope["data"] = AlertData(*alert);
  } else {
    const auto& change = std::get<operators::SegmentChange>(output.payload);
    record.topic = topics_.segment_changes;
    record.key = change.customer_id;
    envelope["type"] = "com.crmstream.segment-change.v1";
    envelope["subject"] = change.customer_id;
    envelope["time"] = FormatRfc3339(output.time.epoch_ms);
    envelope["datacontenttype"] = "application/json";
    envelope["data"] = SegmentData(change);
  }
  record.value = envelope.dump();
  return record;
}

OutputRecord OutputEncoder::DeadLetter(const operators::EventOrigin& origin, std::string key,
                                       std::string original_bytes, const std::string& error_code,
                                       const std::string& reason) const {
  OutputRecord record;
  record.topic = topics_.deadletter;
  record.key = std::move(key);
  record.value = std::move(original_bytes);
  record.headers = {{"crm.source.topic", origin.topic},
                    {"crm.source.partition", std::to_string(origin.partition)},
                    {"crm.source.offset", std::to_string(origin.offset)},
                    {"crm.error.code", error_code},
                    {"crm.error.reason", reason}};
  return record;
}

}  // namespace crm::pipeline
