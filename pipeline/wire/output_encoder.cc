#include "pipeline/wire/output_encoder.h"

#include "pipeline/wire/civil_date.h"
#include "pipeline/wire/json_writer.h"

#include <charconv>
#include <cmath>
#include <type_traits>

namespace crm::pipeline {
namespace {

// Rounds to 6 decimals so the JSON text is stable and readable. Magnitudes
// from 2^53 have no fraction to round, and v * 1e6 would overflow near the
// top of the double range.
double Round6(double v) {
  constexpr double kNoFraction = 9007199254740992.0;  // 2^53
  if (!(std::fabs(v) < kNoFraction)) return v;      // also NaN and infinities, which the writer nulls
  return std::round(v * 1e6) / 1e6;
}

// Writes v in exactly `width` digits (zero-padded; v < 10^width) at `at`.
void PutDigits(char* at, int64_t v, int width) {
  for (int i = width - 1; i >= 0; --i) {
    at[i] = static_cast<char>('0' + v % 10);
    v /= 10;
  }
}

// An optional text: empty is written as null.
void TextOrNull(JsonWriter& w, const std::string& text) {
  if (text.empty()) {
    w.Null();
  } else {
    w.Value(text);
  }
}

void WriteAlertData(JsonWriter& w, const operators::ChurnAlert& a) {
  w.BeginObject();
  w.Key("customer_id").Value(a.customer_id);
  w.Key("risk").Value(Round6(a.risk));
  w.Key("p_alive").Value(Round6(a.p_alive));
  w.Key("clv").Value(Round6(a.clv));
  w.Key("value_at_risk").Value(Round6(a.value_at_risk));
  w.Key("priority").Value(operators::PriorityName(a.priority));
  w.Key("segment").Value(a.segment);
  w.Key("satisfaction").Value(Round6(a.satisfaction));
  w.Key("reasons").BeginArray();
  for (const auto& r : a.reasons) {
    w.BeginObject().Key("code").Value(r.code).Key("detail").Value(r.detail).EndObject();
  }
  w.EndArray();
  w.Key("recommended_action").Value(a.recommended_action);
  w.Key("cause").Value(a.cause);
  w.Key("control").Bool(a.control);
  w.EndObject();
}

void WriteWinBackData(JsonWriter& w, const operators::WinBack& b) {
  w.BeginObject();
  w.Key("customer_id").Value(b.customer_id);
  w.Key("alert_id").Value(b.alert_id);
  w.Key("alert_time").Value(FormatRfc3339Text(b.alert_time.epoch_ms).view());
  w.Key("days_to_return").Value(Round6(b.time_to_return.days()));
  w.Key("priority").Value(operators::PriorityName(b.priority));
  w.Key("recommended_action").Value(b.recommended_action);
  w.Key("control").Bool(b.control);
  w.Key("action");
  TextOrNull(w, b.action);
  w.Key("cause").Value(b.cause);
  w.EndObject();
}

// Opens the data of a move (segment or ladder): customer, from (null for a
// first one), to.
void BeginMove(JsonWriter& w, const std::string& customer_id, const std::string& from, const std::string& to) {
  w.BeginObject();
  w.Key("customer_id").Value(customer_id);
  w.Key("from");
  if (from.empty()) {
    w.Null();
  } else {
    w.Value(from);
  }
  w.Key("to").Value(to);
}

void WriteSegmentData(JsonWriter& w, const operators::SegmentChange& c) {
  BeginMove(w, c.customer_id, c.from, c.to);
  w.Key("rfm").BeginObject().Key("r").Value(c.rfm.r).Key("f").Value(c.rfm.f).Key("m").Value(c.rfm.m).EndObject();
  w.Key("loyalty").Value(c.loyalty);
  w.Key("relationship").Value(c.relationship);
  w.Key("cause").Value(c.cause);
  w.EndObject();
}

void WriteRewardData(JsonWriter& w, const operators::RewardEvent& r) {
  w.BeginObject();
  w.Key("customer_id").Value(r.customer_id);
  w.Key("programme_year").Value(r.programme_year);
  w.Key("year_start").Value(FormatRfc3339Text(r.year_start.epoch_ms).view());
  w.Key("year_end").Value(FormatRfc3339Text(r.year_end.epoch_ms).view());
  w.Key("accumulated").Value(Round6(r.accumulated));
  w.Key("threshold").Value(Round6(r.threshold));
  w.Key("purchase");
  if (r.kind == operators::RewardKind::kVoucherIssued) {
    w.Null();
  } else {
    w.Value(Round6(r.purchase));
  }
  w.Key("voucher");
  if (r.voucher) {
    w.BeginObject();
    w.Key("voucher_id").Value(r.voucher->voucher_id);
    w.Key("amount").Value(Round6(r.voucher->amount));
    w.Key("claim_from").Value(FormatRfc3339Text(r.voucher->claim_from.epoch_ms).view());
    w.Key("claim_until").Value(FormatRfc3339Text(r.voucher->claim_until.epoch_ms).view());
    w.EndObject();
  } else {
    w.Null();
  }
  w.Key("cause").Value(r.cause);
  w.EndObject();
}

void WriteLadderData(JsonWriter& w, const operators::LadderChange& c) {
  BeginMove(w, c.customer_id, c.from, c.to);
  w.Key("direction").Value(c.up ? "up" : "down");
  w.Key("reason").BeginObject().Key("code").Value(c.reason.code).Key("detail").Value(c.reason.detail).EndObject();
  w.Key("cause").Value(c.cause);
  if (c.conversion) {
    w.Key("conversion").BeginObject();
    w.Key("first_interaction").Value(FormatRfc3339Text(c.conversion->first_interaction.epoch_ms).view());
    w.Key("days_to_convert").Value(Round6(c.conversion->time_to_convert.days()));
    w.EndObject();
  }
  w.EndObject();
}

// The customer an output is about, its topic and kind.
struct OutputKind {
  const std::string& customer;
  const std::string& topic;
  OutputEncoder::Kind kind;
};

OutputKind KindOf(const operators::Output& output, const config::TopicsConfig& topics) {
  using Kind = OutputEncoder::Kind;
  if (const auto* alert = std::get_if<operators::ChurnAlert>(&output.payload)) {
    return {alert->customer_id, topics.churn_alerts, Kind::kChurnAlert};
  }
  if (const auto* back = std::get_if<operators::WinBack>(&output.payload)) {
    return {back->customer_id, topics.churn_alerts, Kind::kWinBack};
  }
  if (const auto* ladder = std::get_if<operators::LadderChange>(&output.payload)) {
    return {ladder->customer_id, topics.segment_changes, Kind::kLadderChange};
  }
  if (const auto* reward = std::get_if<operators::RewardEvent>(&output.payload)) {
    const Kind kind = reward->kind == operators::RewardKind::kEnrolled           ? Kind::kRewardEnrolled
                      : reward->kind == operators::RewardKind::kThresholdReached ? Kind::kRewardThresholdReached
                                                                                  : Kind::kRewardVoucherIssued;
    return {reward->customer_id, topics.rewards, kind};
  }
  return {std::get<operators::SegmentChange>(output.payload).customer_id, topics.segment_changes,
          Kind::kSegmentChange};
}

std::string TypeOf(OutputEncoder::Kind kind) {
  using Kind = OutputEncoder::Kind;
  const auto reward = [](operators::RewardKind k) {
    return std::string("com.crmstream.") + operators::RewardRuleName(k) + ".v1";
  };
  switch (kind) {
    case Kind::kChurnAlert: return "com.crmstream.churn-alert.v1";
    case Kind::kWinBack: return "com.crmstream.win-back.v1";
    case Kind::kLadderChange: return "com.crmstream.ladder-change.v1";
    case Kind::kSegmentChange: return "com.crmstream.segment-change.v1";
    case Kind::kRewardEnrolled: return reward(operators::RewardKind::kEnrolled);
    case Kind::kRewardThresholdReached: return reward(operators::RewardKind::kThresholdReached);
    case Kind::kRewardVoucherIssued:
    case Kind::kCount:
      break;
  }
  return reward(operators::RewardKind::kVoucherIssued);
}

}  // namespace

Rfc3339Text FormatRfc3339Text(int64_t epoch_ms) {
  int64_t days = epoch_ms >= 0 ? epoch_ms / 86'400'000 : -((-epoch_ms + 86'399'999) / 86'400'000);
  int64_t ms_of_day = epoch_ms - days * 86'400'000;
  const CivilDate date = CivilFromDays(days);
  static constexpr std::string_view kPattern = "YYYY-MM-DDThh:mm:ss.sssZ";
  char text[kPattern.size()];
  kPattern.copy(text, kPattern.size());
  // A year past 9999 (RFC 3339 has none; the decoder admits none) keeps all
  // its digits rather than wrapping.
  const bool four_digits = date.year >= 0 && date.year <= 9999;
  PutDigits(text, four_digits ? date.year : 0, 4);
  PutDigits(text + 5, date.month, 2);
  PutDigits(text + 8, date.day, 2);
  PutDigits(text + 11, ms_of_day / 3'600'000, 2);
  PutDigits(text + 14, ms_of_day / 60'000 % 60, 2);
  PutDigits(text + 17, ms_of_day / 1000 % 60, 2);
  PutDigits(text + 20, ms_of_day % 1000, 3);
  Rfc3339Text out;
  std::string_view year_digits(text, 4);
  std::array<char, 24> long_year;
  if (!four_digits) {
    const auto [end, ec] = std::to_chars(long_year.data(), long_year.data() + long_year.size(), date.year);
    year_digits = std::string_view(long_year.data(), static_cast<size_t>(end - long_year.data()));
  }
  out.size = year_digits.copy(out.chars.data(), year_digits.size());
  out.size += std::string_view(text + 4, kPattern.size() - 4).copy(out.chars.data() + out.size, kPattern.size() - 4);
  return out;
}

std::string FormatRfc3339(int64_t epoch_ms) { return std::string(FormatRfc3339Text(epoch_ms).view()); }

std::string RewardOutputId(const operators::RewardEvent& reward, const std::string& rule) {
  return "rewards/" + std::to_string(reward.programme_year) + "/" + reward.customer_id + "/" + rule;
}

OutputEncoder::OutputEncoder(const config::TopicsConfig& topics, std::string source_name,
                             config::CloudEventsMode mode)
    : topics_(topics), source_("crmstream/" + std::move(source_name)), mode_(mode) {
  // Each written as the members of an object, then cut out of it.
  const auto members = [](const std::string& key, const std::string& value, const std::string& key2 = {},
                          const std::string& value2 = {}) {
    std::string object;
    JsonWriter w(object);
    w.BeginObject().Key(key).Value(value);
    if (!key2.empty()) w.Key(key2).Value(value2);
    w.EndObject();
    return object.substr(1, object.size() - 2);
  };
  spec_version_ = members("specversion", "1.0");
  data_content_type_ = members("datacontenttype", kDataContentType);
  for (size_t k = 0; k < kinds_.size(); ++k) {
    KindText& text = kinds_[k];
    text.type = TypeOf(static_cast<Kind>(k));
    text.source_and_type = members("source", source_, "type", text.type);
  }
}

OutputRecord OutputEncoder::Encode(const operators::Output& output,
                                   const operators::EventOrigin& origin) const {
  OutputRecord record;
  const OutputKind kind = KindOf(output, topics_);
  const std::string& customer = kind.customer;
  record.topic = kind.topic;
  record.key = customer;
  // A reward happens once per customer and programme year, whichever
  // record or check brings it about, and a win-back once per alert,
  // whatever purchase brought the customer back: their ids say so.
  const auto* reward = std::get_if<operators::RewardEvent>(&output.payload);
  const auto* back = std::get_if<operators::WinBack>(&output.payload);
  const std::string id = reward != nullptr ? RewardOutputId(*reward, output.rule)
                         : back != nullptr ? back->alert_id + "/win-back"
                                           : OutputId(origin, customer, output.rule);
  const KindText& text = kinds_[static_cast<size_t>(kind.kind)];
  const std::string& type = text.type;
  const Rfc3339Text time = FormatRfc3339Text(output.time.epoch_ms);
  record.value.reserve(512);
  JsonWriter w(record.value);
  if (mode_ == config::CloudEventsMode::kBinary) {
    record.headers = {{"ce_specversion", "1.0"}, {"ce_id", id},           {"ce_source", source_},
                      {"ce_type", type},         {"ce_subject", customer}, {"ce_time", std::string(time.view())},
                      {"content-type", kDataContentType}};
  } else {
    record.headers = {{"content-type", kStructuredContentType}};
    // The members every output of a kind shares were encoded once.
    w.BeginObject();
    w.Members(spec_version_);
    w.Key("id").Value(id);
    w.Members(text.source_and_type);
    w.Key("subject").Value(customer);
    w.Key("time").Value(time.view());
    w.Members(data_content_type_);
    w.Key("data");
  }
  std::visit(
      [&w](const auto& payload) {
        using T = std::decay_t<decltype(payload)>;
        if constexpr (std::is_same_v<T, operators::ChurnAlert>) {
          WriteAlertData(w, payload);
        } else if constexpr (std::is_same_v<T, operators::SegmentChange>) {
          WriteSegmentData(w, payload);
        } else if constexpr (std::is_same_v<T, operators::RewardEvent>) {
          WriteRewardData(w, payload);
        } else if constexpr (std::is_same_v<T, operators::WinBack>) {
          WriteWinBackData(w, payload);
        } else {
          WriteLadderData(w, payload);
        }
      },
      output.payload);
  if (mode_ != config::CloudEventsMode::kBinary) w.EndObject();
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
