// The schema: one FieldSpec per key, each checking type and range the same
// way for the file and the environment, plus the rules spanning several keys.
#include "config/config_fields.h"

#include <algorithm>
#include <cctype>
#include <charconv>
#include <climits>
#include <cmath>
#include <cstdint>
#include <map>
#include <string>
#include <string_view>

#include "config/config_keys.h"
#include "operators/alert_budget.h"
#include "operators/civil_date.h"
#include "operators/segment.h"

namespace crm::config {
namespace {

using Problem = std::optional<std::string>;

std::string Num(double v) {
  std::string s = std::to_string(v);
  s.erase(s.find_last_not_of('0') + 1);
  if (!s.empty() && s.back() == '.') s.pop_back();
  return s;
}

Problem AsNumber(const toml::node& n, double& out) {
  if (auto v = n.value_exact<double>()) {
    out = *v;
  } else if (auto i = n.value_exact<int64_t>()) {
    out = static_cast<double>(*i);
  } else {
    return "must be a number, got " + TomlTypeName(n);
  }
  if (!std::isfinite(out)) return std::string("must be a finite number");
  return std::nullopt;
}

FieldSpec Str(std::string key, std::function<std::string&(Config&)> field) {
  return {std::move(key), true, [field](const toml::node& n, Config& c) -> Problem {
            auto v = n.value_exact<std::string>();
            if (!v) return "must be a string, got " + TomlTypeName(n);
            if (v->empty()) return std::string("must not be empty");
            field(c) = *v;
            return std::nullopt;
          }};
}

// Kafka's own rule for topic names, checked here so that a typo stops
// start-up instead of surfacing as a broker error later.
constexpr size_t kMaxTopicLength = 249;
bool IsTopicName(const std::string& s) {
  if (s.empty() || s.size() > kMaxTopicLength || s == "." || s == "..") return false;
  return std::all_of(s.begin(), s.end(), [](unsigned char c) {
    return std::isalnum(c) || c == '.' || c == '_' || c == '-';
  });
}

FieldSpec Topic(std::string key, std::function<std::string&(Config&)> field) {
  return {std::move(key), true, [field](const toml::node& n, Config& c) -> Problem {
            auto v = n.value_exact<std::string>();
            if (!v) return "must be a string, got " + TomlTypeName(n);
            if (!IsTopicName(*v)) {
              return "must be a Kafka topic name (1 to 249 of a-z A-Z 0-9 . _ -), got \"" + *v + "\"";
            }
            field(c) = *v;
            return std::nullopt;
          }};
}

// A string that must be one of `allowed`.
FieldSpec OneOf(std::string key, std::vector<std::string> allowed, std::function<void(Config&, const std::string&)> set) {
  return {std::move(key), true, [allowed = std::move(allowed), set](const toml::node& n, Config& c) -> Problem {
            std::string names;
            for (const auto& a : allowed) names += (names.empty() ? "\"" : ", \"") + a + "\"";
            auto v = n.value_exact<std::string>();
            if (!v) return "must be one of " + names + ", got " + TomlTypeName(n);
            if (std::find(allowed.begin(), allowed.end(), *v) == allowed.end()) {
              return "must be one of " + names + ", got \"" + *v + "\"";
            }
            set(c, *v);
            return std::nullopt;
          }};
}

FieldSpec Bool(std::string key, std::function<bool&(Config&)> field) {
  return {std::move(key), false, [field](const toml::node& n, Config& c) -> Problem {
            auto v = n.value_exact<bool>();
            if (!v) return "must be true or false, got " + TomlTypeName(n);
            field(c) = *v;
            return std::nullopt;
          }};
}

FieldSpec Int(std::string key, std::function<int64_t&(Config&)> field, int64_t lo, int64_t hi) {
  return {std::move(key), false, [field, lo, hi](const toml::node& n, Config& c) -> Problem {
            auto v = n.value_exact<int64_t>();
            if (!v) return "must be an integer, got " + TomlTypeName(n);
            if (*v < lo || *v > hi) {
              return "must be from " + std::to_string(lo) + " to " + std::to_string(hi) + ", got " +
                     std::to_string(*v);
            }
            field(c) = *v;
            return std::nullopt;
          }};
}

FieldSpec Real(std::string key, std::function<double&(Config&)> field, double lo, double hi,
               bool lo_exclusive = false) {
  return {std::move(key), false, [field, lo, hi, lo_exclusive](const toml::node& n, Config& c) -> Problem {
            double v;
            if (auto p = AsNumber(n, v)) return p;
            if ((lo_exclusive ? v <= lo : v < lo) || v > hi) {
              return std::string("must be ") + (lo_exclusive ? "above " : "from ") + Num(lo) + " to " +
                     Num(hi) + ", got " + Num(v);
            }
            field(c) = v;
            return std::nullopt;
          }};
}

FieldSpec Days(std::string key, std::function<operators::Duration&(Config&)> field, bool positive) {
  return {std::move(key), false, [field, positive](const toml::node& n, Config& c) -> Problem {
            double v;
            if (auto p = AsNumber(n, v)) return p;
            if (positive ? v <= 0 : v < 0) {
              return std::string("must be ") + (positive ? "above 0" : ">= 0") + " days, got " + Num(v);
            }
            if (v > 36500) return "must be at most 36500 days, got " + Num(v);
            field(c) = operators::DaysF(v);
            return std::nullopt;
          }};
}

// An array of `count` numbers, or of `count` to `max_count` when max_count > 0.
FieldSpec Numbers(std::string key, std::function<std::vector<double>&(Config&)> field, size_t count,
                  double lo, double hi, bool ascending, size_t max_count = 0) {
  return {std::move(key), false, [=](const toml::node& n, Config& c) -> Problem {
            const std::string how_many =
                max_count > 0 ? std::to_string(count) + " to " + std::to_string(max_count) : std::to_string(count);
            const toml::array* a = n.as_array();
            if (a == nullptr) return "must be an array of " + how_many + " numbers, got " + TomlTypeName(n);
            if (max_count > 0 ? (a->size() < count || a->size() > max_count) : a->size() != count) {
              return "must have " + std::string(max_count > 0 ? "" : "exactly ") + how_many + " numbers, got " +
                     std::to_string(a->size());
            }
            std::vector<double> values;
            for (const toml::node& item : *a) {
              double v;
              if (auto p = AsNumber(item, v)) return "every element " + *p;
              if (v < lo || v > hi) return "every element must be from " + Num(lo) + " to " + Num(hi) + ", got " + Num(v);
              if (ascending && !values.empty() && v <= values.back()) {
                return std::string("must be strictly ascending");
              }
              values.push_back(v);
            }
            field(c) = values;
            return std::nullopt;
          }};
}

constexpr int64_t kMaxInt = INT64_MAX;

std::optional<int> ParseScore(std::string_view text) {
  int value = 0;
  auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (error != std::errc() || end != text.data() + text.size()) return std::nullopt;
  return value;
}

// A score 4 (integer or "4") or an inclusive range "3-5". Whether it lies in
// 1..5 is ValidateSegmentRules' business.
std::optional<operators::ScoreRange> ParseRange(const toml::node& n, std::string& problem) {
  const std::string expected = "must be a score like 4 or a range like \"3-5\", got ";
  if (auto i = n.value_exact<int64_t>()) {
    if (*i < INT_MIN || *i > INT_MAX) {
      problem = expected + std::to_string(*i);
      return std::nullopt;
    }
    return operators::ScoreRange{static_cast<int>(*i), static_cast<int>(*i)};
  }
  auto s = n.value_exact<std::string>();
  if (!s) {
    problem = expected + TomlTypeName(n);
    return std::nullopt;
  }
  const std::string_view text = *s;
  const size_t dash = text.find('-', 1);  // from 1: "-1" is a (bad) score, not a range
  auto lo = ParseScore(text.substr(0, dash));
  auto hi = dash == std::string_view::npos ? lo : ParseScore(text.substr(dash + 1));
  if (!lo || !hi) {
    problem = expected + "\"" + *s + "\"";
    return std::nullopt;
  }
  return operators::ScoreRange{*lo, *hi};
}

// One [[model.segments]] table; every rule names all four keys.
Problem ParseRule(const toml::node& node, const std::string& where, operators::SegmentRule& rule) {
  const toml::table* t = node.as_table();
  if (t == nullptr) return where + " must be a table with name, r, f, m, got " + TomlTypeName(node);
  for (const char* required : {"name", "r", "f", "m"}) {
    if (!t->contains(required)) return where + ": '" + required + "' is missing (every rule needs name, r, f, m)";
  }
  for (const auto& [k, v] : *t) {
    std::string problem;
    if (k == "name") {
      auto s = v.value_exact<std::string>();
      if (!s) return where + ": 'name' must be a string, got " + TomlTypeName(v);
      rule.name = *s;
    } else if (k == "r" || k == "f" || k == "m") {
      auto range = ParseRange(v, problem);
      if (!range) return where + ": '" + std::string(k.str()) + "' " + problem;
      (k == "r" ? rule.r : k == "f" ? rule.f : rule.m) = *range;
    } else {
      return where + ": unknown key '" + std::string(k.str()) + "' (expected name, r, f, m)";
    }
  }
  return std::nullopt;
}

// "quantiles" or "breakpoints".
Problem SetScoring(const toml::node& n, operators::RfmScoring& out) {
  auto v = n.value_exact<std::string>();
  if (!v) return "must be \"quantiles\" or \"breakpoints\", got " + TomlTypeName(n);
  if (*v == "quantiles") {
    out = operators::RfmScoring::kQuantiles;
  } else if (*v == "breakpoints") {
    out = operators::RfmScoring::kBreakpoints;
  } else {
    return "must be \"quantiles\" or \"breakpoints\", got \"" + *v + "\"";
  }
  return std::nullopt;
}

// Recency may also be judged against the customer's own rhythm.
Problem SetRecencyScoring(const toml::node& n, operators::RfmScoring& out) {
  const std::string allowed = "must be \"rhythm\", \"quantiles\" or \"breakpoints\", got ";
  auto v = n.value_exact<std::string>();
  if (!v) return allowed + TomlTypeName(n);
  if (*v == "rhythm") {
    out = operators::RfmScoring::kRhythm;
    return std::nullopt;
  }
  if (*v != "quantiles" && *v != "breakpoints") return allowed + "\"" + *v + "\"";
  return SetScoring(n, out);
}

}  // namespace

std::string TomlTypeName(const toml::node& n) {
  switch (n.type()) {
    case toml::node_type::string: return "string";
    case toml::node_type::integer: return "integer";
    case toml::node_type::floating_point: return "float";
    case toml::node_type::boolean: return "boolean";
    case toml::node_type::array: return "array";
    case toml::node_type::table: return "table";
    default: return "date/time";
  }
}

Problem SetSegments(const toml::node& node, Config& config) {
  const toml::array* rules = node.as_array();
  if (rules == nullptr) return "must be an array of tables ([[model.segments]]), got " + TomlTypeName(node);
  std::vector<operators::SegmentRule> parsed(rules->size());
  for (size_t i = 0; i < rules->size(); ++i) {
    if (auto problem = ParseRule((*rules)[i], "rule " + std::to_string(i + 1), parsed[i])) return problem;
  }
  Status valid = operators::ValidateSegmentRules(parsed);
  if (!valid.ok()) return "is not a usable rule list: " + valid.message();
  config.model.segments = std::move(parsed);
  return std::nullopt;
}

const std::vector<FieldSpec>& ConfigFields() {
  // Built once; immutable afterwards.
  static const std::vector<FieldSpec> fields = {
      Topic("topics.purchases", [](Config& c) -> std::string& { return c.topics.purchases; }),
      Topic("topics.complaints", [](Config& c) -> std::string& { return c.topics.complaints; }),
      Topic("topics.service", [](Config& c) -> std::string& { return c.topics.service; }),
      Topic("topics.interactions", [](Config& c) -> std::string& { return c.topics.interactions; }),
      Topic("topics.actions", [](Config& c) -> std::string& { return c.topics.actions; }),
      Topic("topics.churn_alerts", [](Config& c) -> std::string& { return c.topics.churn_alerts; }),
      Topic("topics.segment_changes", [](Config& c) -> std::string& { return c.topics.segment_changes; }),
      Topic("topics.deadletter", [](Config& c) -> std::string& { return c.topics.deadletter; }),
      Topic("topics.changelog", [](Config& c) -> std::string& { return c.topics.changelog; }),
      Topic("topics.rewards", [](Config& c) -> std::string& { return c.topics.rewards; }),
      OneOf("output.compression", {"gzip", "snappy", "lz4", "zstd", "none"},
            [](Config& c, const std::string& v) { c.output.compression = v; }),
      Int("output.compression_level", [](Config& c) -> int64_t& { return c.output.compression_level; }, -1, 22),
      OneOf("output.cloudevents_mode", {"structured", "binary"},
            [](Config& c, const std::string& v) {
              c.output.cloudevents_mode = v == "binary" ? CloudEventsMode::kBinary : CloudEventsMode::kStructured;
            }),
      Str("runtime.instance_id", [](Config& c) -> std::string& { return c.runtime.instance_id; }),
      Str("runtime.group_id", [](Config& c) -> std::string& { return c.runtime.group_id; }),
      Int("runtime.commit_interval_ms", [](Config& c) -> int64_t& { return c.runtime.commit_interval_ms; }, 10, 600000),
      Int("runtime.max_uncommitted_events", [](Config& c) -> int64_t& { return c.runtime.max_uncommitted_events; }, 1, kMaxInt),
      Int("runtime.max_event_bytes", [](Config& c) -> int64_t& { return c.runtime.max_event_bytes; }, 1024, 10 << 20),
      Real("runtime.max_amount", [](Config& c) -> double& { return c.runtime.max_amount; }, 0, 1e15, true),
      Int("runtime.shutdown_deadline_ms", [](Config& c) -> int64_t& { return c.runtime.shutdown_deadline_ms; }, 100, 3600000),
      Int("runtime.max_task_idle_ms", [](Config& c) -> int64_t& { return c.runtime.max_task_idle_ms; }, 0, 3600000),
      Bool("runtime.transactions", [](Config& c) -> bool& { return c.runtime.transactions; }),
      Int("runtime.partition_buffer_bytes", [](Config& c) -> int64_t& { return c.runtime.partition_buffer_bytes; }, 1 << 20, 1LL << 32),
      Str("state.dir", [](Config& c) -> std::string& { return c.state.dir; }),
      Int("state.memory_budget_bytes", [](Config& c) -> int64_t& { return c.state.memory_budget_bytes; }, 16LL << 20, kMaxInt),
      Real("state.cache_share", [](Config& c) -> double& { return c.state.cache_share; }, 0.05, 0.5),
      Int("state.cache_customers", [](Config& c) -> int64_t& { return c.state.cache_customers; }, 1000, kMaxInt),
      Bool("state.changelog", [](Config& c) -> bool& { return c.state.changelog; }),
      Int("state.restore_threads", [](Config& c) -> int64_t& { return c.state.restore_threads; }, 1, 64),
      Str("http.listen_address", [](Config& c) -> std::string& { return c.http.listen_address; }),
      Int("http.port", [](Config& c) -> int64_t& { return c.http.port; }, 0, 65535),
      Int("http.max_connections", [](Config& c) -> int64_t& { return c.http.max_connections; }, 1, 1'000'000),
      Int("http.request_timeout_ms", [](Config& c) -> int64_t& { return c.http.request_timeout_ms; }, 100, 600'000),
      {"http.auth_token_file", true,
       [](const toml::node& n, Config& c) -> Problem {
         auto v = n.value_exact<std::string>();
         if (!v) return "must be a string (a path, or \"\" for no authentication), got " + TomlTypeName(n);
         c.http.auth_token_file = *v;
         return std::nullopt;
       }},
      {"model.rfm.scoring", true,
       [](const toml::node& n, Config& c) -> Problem { return SetScoring(n, c.model.rfm.frequency_monetary); }},
      {"model.rfm.recency_scoring", true,
       [](const toml::node& n, Config& c) -> Problem { return SetRecencyScoring(n, c.model.rfm.recency); }},
      Int("model.rfm.min_population", [](Config& c) -> int64_t& { return c.model.rfm.min_population; }, 1, kMaxInt),
      Int("model.rfm.refresh_every", [](Config& c) -> int64_t& { return c.model.rfm.refresh_every; }, 1, kMaxInt),
      Numbers("model.rfm.recency_days", [](Config& c) -> std::vector<double>& { return c.model.rfm.recency_days; }, 4, 0, 1e9, true),
      Numbers("model.rfm.recency_gaps", [](Config& c) -> std::vector<double>& { return c.model.rfm.recency_gaps; }, 4, 0.1, 1e6, true),
      Real("model.rfm.quantile_margin", [](Config& c) -> double& { return c.model.rfm.quantile_margin; }, 0, 0.2),
      Numbers("model.rfm.frequency", [](Config& c) -> std::vector<double>& { return c.model.rfm.frequency; }, 4, 0, 1e12, true),
      Numbers("model.rfm.monetary", [](Config& c) -> std::vector<double>& { return c.model.rfm.monetary; }, 4, 0, 1e15, true),
      {"model.segments", false, SetSegments},
      Real("model.satisfaction.prior", [](Config& c) -> double& { return c.model.satisfaction.prior; }, 0, 100),
      Real("model.satisfaction.prior_weight", [](Config& c) -> double& { return c.model.satisfaction.prior_weight; }, 0, 1e6, true),
      Days("model.satisfaction.half_life_days", [](Config& c) -> operators::Duration& { return c.model.satisfaction.half_life; }, true),
      Numbers("model.satisfaction.complaint_penalty", [](Config& c) -> std::vector<double>& { return c.model.satisfaction.complaint_penalty; }, 5, 0, 100, false),
      Real("model.satisfaction.resolution_recovery", [](Config& c) -> double& { return c.model.satisfaction.resolution_recovery; }, 0, 1),
      {"model.satisfaction.max_open_complaints", false,
       [](const toml::node& n, Config& c) -> Problem {
         auto v = n.value_exact<int64_t>();
         if (!v) return "must be an integer, got " + TomlTypeName(n);
         if (*v < 1 || *v > 1000) return "must be from 1 to 1000, got " + std::to_string(*v);
         c.model.satisfaction.max_open_complaints = static_cast<size_t>(*v);
         return std::nullopt;
       }},
      Real("model.loyalty.satisfied_at", [](Config& c) -> double& { return c.model.loyalty.satisfied_at; }, 0, 100),
      Int("model.loyalty.repeat_purchases_at", [](Config& c) -> int64_t& { return c.model.loyalty.repeat_purchases_at; }, 1, kMaxInt),
      Days("model.churn.default_gap_days", [](Config& c) -> operators::Duration& { return c.model.churn.default_gap; }, true),
      Real("model.churn.gap_prior_weight", [](Config& c) -> double& { return c.model.churn.gap_prior_weight; }, 0, 1e6),
      Real("model.churn.overdue_midpoint", [](Config& c) -> double& { return c.model.churn.overdue_midpoint; }, 0, 1e6, true),
      Real("model.churn.weight_overdue", [](Config& c) -> double& { return c.model.churn.weight_overdue; }, 0, 1e6),
      Real("model.churn.weight_satisfaction", [](Config& c) -> double& { return c.model.churn.weight_satisfaction; }, 0, 1e6),
      Real("model.churn.weight_complaints", [](Config& c) -> double& { return c.model.churn.weight_complaints; }, 0, 1e6),
      Real("model.churn.weight_no_purchase", [](Config& c) -> double& { return c.model.churn.weight_no_purchase; }, 0, 1e6),
      Real("model.churn.horizon_days", [](Config& c) -> double& { return c.model.churn.horizon_days; }, 1, 36500),
      {"model.params_file", true,
       [](const toml::node& n, Config& c) -> Problem {
         auto v = n.value_exact<std::string>();
         if (!v) return "must be a string (a path, or \"\" for none), got " + TomlTypeName(n);
         c.model_params_file = *v;
         return std::nullopt;
       }},
      Real("model.value.horizon_days", [](Config& c) -> double& { return c.model.value.horizon_days; }, 1, 36500),
      Real("model.value.margin", [](Config& c) -> double& { return c.model.value.margin; }, 0, 1),
      Real("model.value.annual_discount", [](Config& c) -> double& { return c.model.value.annual_discount; }, 0, 10),
      Numbers("model.inactivity.check_at_gaps", [](Config& c) -> std::vector<double>& { return c.model.inactivity.check_at_gaps; }, 1, 0.01, 1000, true, 16),
      Days("model.inactivity.retention_days", [](Config& c) -> operators::Duration& { return c.model.inactivity.retention; }, true),
      {"model.inactivity.granularity_ms", false,
       [](const toml::node& n, Config& c) -> Problem {
         auto v = n.value_exact<int64_t>();
         if (!v) return "must be an integer, got " + TomlTypeName(n);
         if (*v < 1 || *v > 86'400'000) return "must be from 1 to 86400000 (a day), got " + std::to_string(*v);
         c.model.inactivity.granularity = operators::Duration{*v};
         return std::nullopt;
       }},
      Int("time.allowed_lateness_ms", [](Config& c) -> int64_t& { return c.time.allowed_lateness_ms; }, 0, 365LL * 86'400'000),
      Int("time.idle_timeout_ms", [](Config& c) -> int64_t& { return c.time.idle_timeout_ms; }, 100, 365LL * 86'400'000),
      Int("time.max_future_skew_ms", [](Config& c) -> int64_t& { return c.time.max_future_skew_ms; }, 0, 365LL * 86'400'000),
      Int("time.earliest_event_ms", [](Config& c) -> int64_t& { return c.time.earliest_event_ms; }, 0, 253'402'300'799'999),
      Real("model.alert.alert_threshold", [](Config& c) -> double& { return c.model.alert.alert_threshold; }, 0, 1),
      Real("model.alert.rearm_threshold", [](Config& c) -> double& { return c.model.alert.rearm_threshold; }, 0, 1),
      Days("model.alert.cooldown_days", [](Config& c) -> operators::Duration& { return c.model.alert.cooldown; }, false),
      Real("model.alert.min_value", [](Config& c) -> double& { return c.model.alert.min_value; }, 0, 1e15),
      Real("model.alert.high_value_at_risk", [](Config& c) -> double& { return c.model.alert.high_value_at_risk; }, 0, 1e15),
      Real("model.alert.medium_value_at_risk", [](Config& c) -> double& { return c.model.alert.medium_value_at_risk; }, 0, 1e15),
      Real("model.alert.win_back_p_alive", [](Config& c) -> double& { return c.model.alert.win_back_p_alive; }, 0, 1),
      Int("model.alert.max_alerts_per_day", [](Config& c) -> int64_t& { return c.model.alert.max_alerts_per_day; }, 0, operators::kMaxAlertsPerDay),
      Bool("rewards.enabled", [](Config& c) -> bool& { return c.model.rewards.enabled; }),
      Int("rewards.year_start_month", [](Config& c) -> int64_t& { return c.model.rewards.year_start_month; }, 1, 12),
      Int("rewards.year_start_day", [](Config& c) -> int64_t& { return c.model.rewards.year_start_day; }, 1, 31),
      Real("rewards.entry_purchase", [](Config& c) -> double& { return c.model.rewards.entry_purchase; }, 0, 1e15),
      Real("rewards.threshold", [](Config& c) -> double& { return c.model.rewards.threshold; }, 0, 1e15, true),
      Real("rewards.rate", [](Config& c) -> double& { return c.model.rewards.rate; }, 0, 1, true),
      Int("rewards.claim_window_days", [](Config& c) -> int64_t& { return c.model.rewards.claim_window_days; }, 1, 364),
      OneOf("markov.period", {"month", "week", "day"},
            [](Config& c, const std::string& v) {
              c.markov.period = v == "day" ? operators::PeriodUnit::kDay
                                : v == "week" ? operators::PeriodUnit::kWeek
                                              : operators::PeriodUnit::kMonth;
            }),
      Real("markov.discount_rate", [](Config& c) -> double& { return c.markov.discount_rate; }, 0, 1, true),
      Real("markov.margin", [](Config& c) -> double& { return c.markov.margin; }, 0, 1),
      Int("model.ladder.client_min_purchases", [](Config& c) -> int64_t& { return c.model.ladder.client_min_purchases; }, 1, kMaxInt),
      Real("model.ladder.lapsed_risk", [](Config& c) -> double& { return c.model.ladder.lapsed_risk; }, 0, 1),
      Real("model.ladder.supporter_min_satisfaction", [](Config& c) -> double& { return c.model.ladder.supporter_min_satisfaction; }, 0, 100),
      Int("model.ladder.good_review_rating", [](Config& c) -> int64_t& { return c.model.ladder.good_review_rating; }, 1, 5),
      Days("model.ladder.advocacy_window_days", [](Config& c) -> operators::Duration& { return c.model.ladder.advocacy_window; }, true),
      Real("model.ladder.partner_min_spend", [](Config& c) -> double& { return c.model.ladder.partner_min_spend; }, 0, 1e15),
      Days("model.ladder.partner_min_tenure_days", [](Config& c) -> operators::Duration& { return c.model.ladder.partner_min_tenure; }, false),
      Days("model.outcomes.winback_window_days", [](Config& c) -> operators::Duration& { return c.model.outcomes.winback_window; }, true),
      Real("model.outcomes.control_share", [](Config& c) -> double& { return c.model.outcomes.control_share; }, 0, 1),
  };
  return fields;
}

std::vector<std::string> ConfigKeys() {
  std::vector<std::string> keys;
  for (const FieldSpec& f : ConfigFields()) keys.push_back(f.key);
  return keys;
}

std::optional<CrossFieldProblem> CheckCrossFieldRules(const Config& c) {
  const operators::AlertConfig& alert = c.model.alert;
  if (alert.rearm_threshold >= alert.alert_threshold) {
    return CrossFieldProblem{"model.alert.rearm_threshold", "model.alert.alert_threshold",
                             "must be below model.alert.alert_threshold (" + Num(alert.alert_threshold) +
                                 "), got " + Num(alert.rearm_threshold)};
  }
  if (alert.medium_value_at_risk > alert.high_value_at_risk) {
    return CrossFieldProblem{"model.alert.medium_value_at_risk", "model.alert.high_value_at_risk",
                             "must not exceed model.alert.high_value_at_risk (" + Num(alert.high_value_at_risk) +
                                 "), got " + Num(alert.medium_value_at_risk)};
  }
  const operators::RewardsConfig& rewards = c.model.rewards;
  // Every calendar year must have the start day: no 29 February.
  const int64_t month_days = operators::DaysInMonth(2001, rewards.year_start_month);
  if (rewards.year_start_day > month_days) {
    return CrossFieldProblem{"rewards.year_start_day", "rewards.year_start_month",
                             "must be a day of month " + std::to_string(rewards.year_start_month) + " in every year (1 to " +
                                 std::to_string(month_days) + "), got " + std::to_string(rewards.year_start_day)};
  }
  // librdkafka's levels per codec (-1 is every codec's default).
  const std::map<std::string, int64_t> highest_level = {{"gzip", 9}, {"lz4", 12}, {"zstd", 22}, {"snappy", 0}, {"none", 0}};
  const int64_t level = c.output.compression_level;
  const int64_t highest = highest_level.at(c.output.compression);
  if (level != -1 && (level < 0 || level > highest || (c.output.compression == "zstd" && level == 0))) {
    const std::string range = highest == 0 ? "-1 or 0"
                              : c.output.compression == "zstd" ? "-1 or 1 to 22"
                                                               : "-1 or 0 to " + std::to_string(highest);
    return CrossFieldProblem{"output.compression_level", "output.compression",
                             "must be " + range + " for " + c.output.compression + ", got " + std::to_string(level)};
  }
  auto servers = c.kafka.find("bootstrap.servers");
  if (servers == c.kafka.end() || servers->second.empty()) {
    return CrossFieldProblem{"kafka.bootstrap.servers", "kafka.bootstrap.servers", "must be set"};
  }
  return std::nullopt;
}

}  // namespace crm::config
