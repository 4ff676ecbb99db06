// tests/config/config_test_support.h
//
// What the config test files share: parsing TOML text under a fixed origin,
// reading a file, and comparing two Configs field by field (Config has no
// operator==). Test-only; the test target defines CRM_SOURCE_DIR.
#pragma once

#include <gtest/gtest.h>

#include <fstream>
#include <sstream>
#include <string>

#include "config/config.h"

namespace crm::config {

inline const std::string kSourceDir = CRM_SOURCE_DIR;
inline const std::string kDefaultFile = kSourceDir + "/config/crmstream.toml";

inline Result<Config> Parse(const std::string& text, const Environment& env = {}) {
  return ParseConfig(text, "test.toml", env);
}

inline std::string ReadFile(const std::string& path) {
  std::ifstream in(path);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

// Config has no operator== (ModelConfig belongs to operators/), so every
// field is compared here; a new field needs a line.
inline void ExpectSameConfig(const Config& a, const Config& b) {
  EXPECT_EQ(a.kafka, b.kafka);
  EXPECT_EQ(a.topics.purchases, b.topics.purchases);
  EXPECT_EQ(a.topics.complaints, b.topics.complaints);
  EXPECT_EQ(a.topics.service, b.topics.service);
  EXPECT_EQ(a.topics.interactions, b.topics.interactions);
  EXPECT_EQ(a.topics.churn_alerts, b.topics.churn_alerts);
  EXPECT_EQ(a.topics.segment_changes, b.topics.segment_changes);
  EXPECT_EQ(a.topics.rewards, b.topics.rewards);
  EXPECT_EQ(a.topics.deadletter, b.topics.deadletter);
  EXPECT_EQ(a.topics.changelog, b.topics.changelog);
  EXPECT_EQ(a.state.changelog, b.state.changelog);
  EXPECT_EQ(a.runtime.instance_id, b.runtime.instance_id);
  EXPECT_EQ(a.runtime.group_id, b.runtime.group_id);
  EXPECT_EQ(a.runtime.commit_interval_ms, b.runtime.commit_interval_ms);
  EXPECT_EQ(a.runtime.max_uncommitted_events, b.runtime.max_uncommitted_events);
  EXPECT_EQ(a.runtime.max_event_bytes, b.runtime.max_event_bytes);
  EXPECT_EQ(a.runtime.shutdown_deadline_ms, b.runtime.shutdown_deadline_ms);
  EXPECT_EQ(a.runtime.max_task_idle_ms, b.runtime.max_task_idle_ms);
  EXPECT_EQ(a.runtime.transactions, b.runtime.transactions);
  EXPECT_EQ(a.runtime.partition_buffer_bytes, b.runtime.partition_buffer_bytes);
  EXPECT_EQ(a.runtime.max_amount, b.runtime.max_amount);
  EXPECT_EQ(a.state.dir, b.state.dir);
  EXPECT_EQ(a.state.memory_budget_bytes, b.state.memory_budget_bytes);
  EXPECT_EQ(a.state.cache_share, b.state.cache_share);
  EXPECT_EQ(a.state.cache_customers, b.state.cache_customers);
  EXPECT_EQ(a.output.compression, b.output.compression);
  EXPECT_EQ(a.output.cloudevents_mode, b.output.cloudevents_mode);
  EXPECT_EQ(a.http.listen_address, b.http.listen_address);
  EXPECT_EQ(a.http.port, b.http.port);
  EXPECT_EQ(a.http.max_connections, b.http.max_connections);
  EXPECT_EQ(a.http.request_timeout_ms, b.http.request_timeout_ms);
  EXPECT_EQ(a.http.auth_token_file, b.http.auth_token_file);
  const operators::ModelConfig& m = a.model;
  const operators::ModelConfig& n = b.model;
  EXPECT_EQ(a.model_params_file, b.model_params_file);
  EXPECT_EQ(a.model.rewards.enabled, b.model.rewards.enabled);
  EXPECT_EQ(a.model.rewards.year_start_month, b.model.rewards.year_start_month);
  EXPECT_EQ(a.model.rewards.year_start_day, b.model.rewards.year_start_day);
  EXPECT_EQ(a.model.rewards.entry_purchase, b.model.rewards.entry_purchase);
  EXPECT_EQ(a.model.rewards.threshold, b.model.rewards.threshold);
  EXPECT_EQ(a.model.rewards.rate, b.model.rewards.rate);
  EXPECT_EQ(a.model.rewards.claim_window_days, b.model.rewards.claim_window_days);
  EXPECT_EQ(a.time.allowed_lateness_ms, b.time.allowed_lateness_ms);
  EXPECT_EQ(a.time.idle_timeout_ms, b.time.idle_timeout_ms);
  EXPECT_EQ(a.time.max_future_skew_ms, b.time.max_future_skew_ms);
  EXPECT_EQ(a.time.earliest_event_ms, b.time.earliest_event_ms);
  EXPECT_EQ(m.inactivity.check_at_gaps, n.inactivity.check_at_gaps);
  EXPECT_EQ(m.inactivity.retention, n.inactivity.retention);
  EXPECT_EQ(m.inactivity.granularity, n.inactivity.granularity);
  EXPECT_EQ(m.rfm.frequency_monetary, n.rfm.frequency_monetary);
  EXPECT_EQ(m.rfm.recency, n.rfm.recency);
  EXPECT_EQ(m.rfm.min_population, n.rfm.min_population);
  EXPECT_EQ(m.rfm.refresh_every, n.rfm.refresh_every);
  EXPECT_EQ(m.rfm.recency_days, n.rfm.recency_days);
  EXPECT_EQ(m.rfm.recency_gaps, n.rfm.recency_gaps);
  EXPECT_EQ(m.rfm.quantile_margin, n.rfm.quantile_margin);
  EXPECT_EQ(m.rfm.frequency, n.rfm.frequency);
  EXPECT_EQ(m.rfm.monetary, n.rfm.monetary);
  EXPECT_EQ(m.segments, n.segments);
  EXPECT_EQ(m.satisfaction.prior, n.satisfaction.prior);
  EXPECT_EQ(m.satisfaction.prior_weight, n.satisfaction.prior_weight);
  EXPECT_EQ(m.satisfaction.half_life, n.satisfaction.half_life);
  EXPECT_EQ(m.satisfaction.complaint_penalty, n.satisfaction.complaint_penalty);
  EXPECT_EQ(m.satisfaction.resolution_recovery, n.satisfaction.resolution_recovery);
  EXPECT_EQ(m.satisfaction.max_open_complaints, n.satisfaction.max_open_complaints);
  EXPECT_EQ(m.loyalty.satisfied_at, n.loyalty.satisfied_at);
  EXPECT_EQ(m.loyalty.repeat_purchases_at, n.loyalty.repeat_purchases_at);
  EXPECT_EQ(m.churn.default_gap, n.churn.default_gap);
  EXPECT_EQ(m.churn.gap_prior_weight, n.churn.gap_prior_weight);
  EXPECT_EQ(m.churn.overdue_midpoint, n.churn.overdue_midpoint);
  EXPECT_EQ(m.churn.weight_overdue, n.churn.weight_overdue);
  EXPECT_EQ(m.churn.weight_satisfaction, n.churn.weight_satisfaction);
  EXPECT_EQ(m.churn.weight_complaints, n.churn.weight_complaints);
  EXPECT_EQ(m.churn.weight_no_purchase, n.churn.weight_no_purchase);
  EXPECT_EQ(m.churn.horizon_days, n.churn.horizon_days);
  EXPECT_EQ(m.value.horizon_days, n.value.horizon_days);
  EXPECT_EQ(m.value.margin, n.value.margin);
  EXPECT_EQ(m.value.annual_discount, n.value.annual_discount);
  EXPECT_EQ(m.alert.alert_threshold, n.alert.alert_threshold);
  EXPECT_EQ(m.alert.rearm_threshold, n.alert.rearm_threshold);
  EXPECT_EQ(m.alert.cooldown, n.alert.cooldown);
  EXPECT_EQ(m.alert.min_value, n.alert.min_value);
  EXPECT_EQ(m.alert.win_back_p_alive, n.alert.win_back_p_alive);
  EXPECT_EQ(m.alert.max_alerts_per_day, n.alert.max_alerts_per_day);
  EXPECT_EQ(m.alert.high_value_at_risk, n.alert.high_value_at_risk);
  EXPECT_EQ(m.alert.medium_value_at_risk, n.alert.medium_value_at_risk);
  EXPECT_EQ(m.ladder.client_min_purchases, n.ladder.client_min_purchases);
  EXPECT_EQ(m.ladder.lapsed_risk, n.ladder.lapsed_risk);
  EXPECT_EQ(m.ladder.supporter_min_satisfaction, n.ladder.supporter_min_satisfaction);
  EXPECT_EQ(m.ladder.good_review_rating, n.ladder.good_review_rating);
  EXPECT_EQ(m.ladder.advocacy_window, n.ladder.advocacy_window);
  EXPECT_EQ(m.ladder.partner_min_spend, n.ladder.partner_min_spend);
  EXPECT_EQ(m.ladder.partner_min_tenure, n.ladder.partner_min_tenure);
  EXPECT_EQ(m.outcomes.winback_window, n.outcomes.winback_window);
  EXPECT_EQ(m.outcomes.control_share, n.outcomes.control_share);
}

}  // namespace crm::config
