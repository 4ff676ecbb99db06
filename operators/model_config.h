// operators/model_config.h
//
// Every threshold, weight and rule the customer models use, with the
// documented defaults (DESIGN.md "Customer models"). The config library fills
// it from the TOML file; operators only read it.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "operators/reward_card.h"
#include "operators/time.h"

namespace crm::operators {

// How a score is computed: against the population (quintiles of the
// partition's customers, rfm_population.h), against fixed breakpoints, or
// (recency only) against the customer's own rhythm: days since the last
// purchase in multiples of their usual gap (churn_risk.h UsualGap, shrunk to
// the default gap while they have few purchases).
enum class RfmScoring { kQuantiles, kBreakpoints, kRhythm };

// Scores 5..1. Breakpoints are four ascending values b1 < b2 < b3 < b4; they
// also score while the population is smaller than min_population.
struct RfmConfig {
  RfmScoring frequency_monetary = RfmScoring::kQuantiles;
  // A fixed day breakpoint bounces a customer who buys every three weeks
  // between segments a fortnight after each purchase; judged against their
  // own rhythm they only move when overdue (docs/segments.md).
  RfmScoring recency = RfmScoring::kRhythm;
  int64_t min_population = 200;  // fewer purchasing customers: breakpoints
  int64_t refresh_every = 1000;  // population changes between rank refreshes
  // Recency in days: <= b1 -> 5, <= b2 -> 4, <= b3 -> 3, <= b4 -> 2, else 1.
  std::vector<double> recency_days = {14, 30, 60, 120};
  // Recency in usual gaps (recency = kRhythm): same shape as recency_days.
  std::vector<double> recency_gaps = {2, 4, 5, 8};
  // Quantile scores are sticky: a customer keeps their F or M score until
  // their share of the population passes the score's boundary by this much
  // (0 = no margin), so a refreshed rank table does not move customers
  // sitting on a boundary back and forth.
  double quantile_margin = 0.05;
  // Frequency (purchase count): >= b4 -> 5, >= b3 -> 4, ... , < b1 -> 1.
  std::vector<double> frequency = {2, 3, 5, 8};
  // Monetary (total spend): same shape as frequency.
  std::vector<double> monetary = {50, 150, 400, 1000};
};

// One segment rule: matches when every score lies in its inclusive range.
struct ScoreRange {
  int lo = 1;
  int hi = 5;
  bool operator==(const ScoreRange&) const = default;
};
struct SegmentRule {
  std::string name;
  ScoreRange r, f, m;
  bool operator==(const SegmentRule&) const = default;
};

// The default ordered rule list (first match wins; the last rule matches all).
std::vector<SegmentRule> DefaultSegmentRules();

struct SatisfactionConfig {
  double prior = 70;              // neutral starting value, 0..100
  double prior_weight = 1.0;      // how many signals the prior is worth
  Duration half_life = Days(90);
  // Penalty (points of a 0..100 signal) by complaint severity 1..5: the signal
  // recorded for a complaint is 100 - penalty.
  std::vector<double> complaint_penalty = {20, 40, 60, 80, 100};
  double resolution_recovery = 0.5;  // a resolution records a signal recovering this share
  size_t max_open_complaints = 16;
};

// Both loyalty typologies split customers on the same two axes.
struct LoyaltyConfig {
  double satisfied_at = 60;     // satisfaction >= this is "high attitude" / satisfied
  int64_t repeat_purchases_at = 3;  // purchase_count >= this is "high patronage" / loyal
};

struct ChurnConfig {
  Duration default_gap = Days(30);  // usual gap for a one-purchase customer
  // The usual gap is the mean observed gap shrunk towards default_gap, which
  // counts as this many observed gaps: two purchases a day apart do not make
  // a one-day rhythm.
  double gap_prior_weight = 1.0;
  double overdue_midpoint = 3.0;    // overdue ratio at which behaviour alone gives 0.5 (tuned: docs/churn-risk.md)
  double weight_overdue = 2.0;      // logistic weight per unit of overdue ratio
  double weight_satisfaction = 1.5; // per (satisfaction prior - satisfaction)/50
  double weight_complaints = 0.8;   // per unit of summed open severity / 5
  // Once model parameters are loaded, the behavioural term is this weight
  // times logit(P(no purchase within horizon_days | history))
  // (purchase_forecast.h) instead of the overdue term: with weight 1, no
  // satisfaction signal (the prior) and no open complaint the risk is
  // exactly that probability.
  double weight_no_purchase = 1.0;
  double horizon_days = 90;  // the horizon of that probability, in days
};

// Customer lifetime value (DESIGN.md "CLV"), used once parameters are loaded.
struct ValueConfig {
  double horizon_days = 365;    // how far ahead CLV sums expected purchases
  double margin = 1.0;          // share of spend that is profit (1 = revenue)
  double annual_discount = 0.1; // discount rate per year
};

struct AlertConfig {
  // Tuned on the alert-quality benches (docs/churn-risk.md): with no
  // attitude signal, an alert when P(no purchase within the horizon) >= 0.8.
  double alert_threshold = 0.8;   // raise at or above
  double rearm_threshold = 0.65;  // allow a new alert only after falling below
  Duration cooldown = Days(7);
  double min_value = 1;           // customers worth less (e.g. never bought) are not alerted
  double high_value_at_risk = 500;   // value at risk >= this: high priority
  double medium_value_at_risk = 100; // >= this: medium; else low
  // With fitted parameters, an alerted customer whose P(alive) is below this
  // is probably gone already: the alert recommends a win-back action.
  double win_back_p_alive = 0.5;
  // Call-center capacity: at most this many alerts per input partition and
  // event-time day, the most valuable first (alert_budget.h); 0 = unlimited.
  int64_t max_alerts_per_day = 0;
};

// Overdue checks of silent customers (DESIGN.md "Inactivity"). Each customer
// has one pending check; it falls due at the first of these instants after
// the customer's latest event that has not passed yet: last purchase +
// each recency breakpoint (while recency scores on breakpoints), last
// purchase + each multiple of the usual gap, and finally last event +
// retention, when a still-silent customer's state is deleted.
struct InactivityConfig {
  // Multiples of the usual gap; the later ones give a fitted model, which
  // may judge a customer gone only after long silence, a chance to say so.
  std::vector<double> check_at_gaps = {1.5, 2, 3, 4, 6, 8, 12};
  Duration retention = Days(3 * 365);
  Duration granularity = Hours(1);  // due times round up to this, so checks coalesce
};

// Payne's relationship ladder (ladder.h, docs/journey.md). Each rung needs
// the one below it: customer = bought once; client = at least
// client_min_purchases purchases and not lapsed (churn risk below
// lapsed_risk); supporter = client with satisfaction >= supporter_min_satisfaction;
// advocate = supporter with a referral or a review rated >= good_review_rating
// within advocacy_window; partner = advocate with total spend >=
// partner_min_spend and tenure (since the first purchase) >= partner_min_tenure.
// A rung whose condition stops holding is left: the customer falls to the
// highest rung whose conditions still hold.
struct LadderConfig {
  int64_t client_min_purchases = 2;       // a repeat purchase makes a client
  double lapsed_risk = 0.8;               // churn risk at or above this: back to customer
  double supporter_min_satisfaction = 75; // CSAT 4 of 5 is 75
  int64_t good_review_rating = 4;         // reviews rated this or higher are advocacy
  Duration advocacy_window = Days(180);   // advocacy counts this long
  double partner_min_spend = 1000;        // total spend
  Duration partner_min_tenure = Days(365);
};

// Closing the loop on alerts (alert_outcome.h, docs/outcomes.md).
struct OutcomeConfig {
  // A purchase within this long after an alert (event time) is a win-back;
  // once it passes without one the alert is lost.
  Duration winback_window = Days(30);
  // Share of alerts held out as control (published with control = true so
  // nobody acts), chosen from hash(customer id, alert id); 0 disables.
  double control_share = 0.1;
};

struct ModelConfig {
  RfmConfig rfm;
  std::vector<SegmentRule> segments = DefaultSegmentRules();
  SatisfactionConfig satisfaction;
  LoyaltyConfig loyalty;
  ChurnConfig churn;
  ValueConfig value;
  AlertConfig alert;
  InactivityConfig inactivity;
  RewardsConfig rewards;  // the [rewards] section
  LadderConfig ladder;
  OutcomeConfig outcomes;
};

}  // namespace crm::operators
