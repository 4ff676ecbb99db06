// pipeline/wire/output_encoder.h
//
// Turns operator outputs into Kafka records (DESIGN.md "Output contract"):
// CloudEvents 1.0 by the Kafka protocol binding, key = customer id. In
// structured mode the value is the JSON envelope and the content-type header
// says so; in binary mode the value is the data object and the attributes
// are ce_* headers. Either way each output has a
// deterministic id "<topic>/<partition>/<offset>/<rule>" from the causing
// input record (or timer), so a replay publishes byte-identical records;
// reward outputs go to topics.rewards with ids from customer and programme
// year (RewardOutputId). Also builds
// dead-letter records: original bytes as value, reason headers.
#pragma once

#include <array>
#include <string>
#include <string_view>

#include "config/config.h"
#include "operators/effects.h"
#include "operators/events.h"
#include "pipeline/io/record_sink.h"

namespace crm::pipeline {

// RFC 3339 UTC with milliseconds, e.g. "2024-03-01T12:00:00.000Z".
std::string FormatRfc3339(int64_t epoch_ms);

// The same text in a buffer of its own, for writers that copy it anyway
// (no allocation per output). Every year the date arithmetic gives fits.
struct Rfc3339Text {
  std::array<char, 40> chars{};
  size_t size = 0;
  std::string_view view() const { return {chars.data(), size}; }
};
Rfc3339Text FormatRfc3339Text(int64_t epoch_ms);

// Deterministic CloudEvents id for an output caused by `origin`
// (operators/effects.h: alert outcomes keep their alert's id); a win-back's
// id is "<alert id>/win-back".
using operators::OutputId;

// The id of a reward output, whatever caused it:
// "rewards/<programme year>/<customer>/<rule>" (one of each per customer
// and programme year), so a replay, or a timer instead of an event, gives
// the same id.
std::string RewardOutputId(const operators::RewardEvent& reward, const std::string& rule);

class OutputEncoder {
 public:
  // `source_name` goes into the CloudEvents source "crmstream/<name>".
  OutputEncoder(const config::TopicsConfig& topics, std::string source_name,
                config::CloudEventsMode mode = config::CloudEventsMode::kStructured);

  OutputRecord Encode(const operators::Output& output, const operators::EventOrigin& origin) const;

  OutputRecord DeadLetter(const operators::EventOrigin& origin, std::string key,
                          std::string original_bytes, const std::string& error_code,
                          const std::string& reason) const;

  // The kinds of output, each with its own CloudEvents type.
  enum class Kind { kChurnAlert, kWinBack, kLadderChange, kSegmentChange, kRewardEnrolled,
                    kRewardThresholdReached, kRewardVoucherIssued, kCount };

 private:
  // A kind's type, and the envelope members that are the same for every
  // output of that kind ("source" and "type"), encoded once.
  struct KindText {
    std::string type;
    std::string source_and_type;
  };

  config::TopicsConfig topics_;
  std::string source_;
  config::CloudEventsMode mode_;
  std::array<KindText, static_cast<size_t>(Kind::kCount)> kinds_;
  std::string spec_version_;       // "specversion":"1.0"
  std::string data_content_type_;  // "datacontenttype":"application/json"
};

// Header values of the CloudEvents Kafka protocol binding.
inline constexpr char kStructuredContentType[] = "application/cloudevents+json; charset=UTF-8";
inline constexpr char kDataContentType[] = "application/json";

}  // namespace crm::pipeline
