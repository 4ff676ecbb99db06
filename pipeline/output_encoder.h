// pipeline/output_encoder.h
//
// Turns operator outputs into Kafka records (DESIGN.md "Output contract"):
// CloudEvents 1.0 structured-mode JSON, key = customer id, with a
// deterministic id "<topic>/<partition>/<offset>/<rule>" from the causing
// input record (or timer), so a replay publishes byte-identical records. Also builds
// dead-letter records: original bytes as value, reason headers.
#pragma once

#include <string>

#include "config/config.h"
#include "operators/effects.h"
#include "operators/events.h"
#include "pipeline/kafka_sink.h"

namespace crm::pipeline {

// RFC 3339 UTC with milliseconds, e.g. "2024-03-01T12:00:00.000Z".
std::string FormatRfc3339(int64_t epoch_ms);

// Deterministic CloudEvents id for an output caused by `origin`:
// "<topic>/<partition>/<offset>/<rule>" for an input record, and
// "timer/<partition>/<due ms>/<customer>/<rule>" for a timer.
std::string OutputId(const operators::EventOrigin& origin, const std::string& customer_id,
                     const std::string& rule);

class OutputEncoder {
 public:
  // `source_name` goes into the CloudEvents source "crmstream/<name>".
  OutputEncoder(const config::TopicsConfig& topics, std::string source_name)
      : topics_(topics), source_("crmstream/" + std::move(source_name)) {}

  OutputRecord Encode(const operators::Output& output, const operators::EventOrigin& origin) const;

  OutputRecord DeadLetter(const operators::EventOrigin& origin, std::string key,
                          std::string original_bytes, const std::string& error_code,
                          const std::string& reason) const;

 private:
  config::TopicsConfig topics_;
  std::string source_;
};

}  // namespace crm::pipeline
