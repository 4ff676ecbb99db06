// bench/churn_population.h
//
// A generated customer population whose churners are known: for each
// churner the day they stopped buying. Seeded and deterministic: the same
// options give the same events (std::mt19937_64, whose output the standard
// fixes, and our own transforms of it; no std:: distributions, whose
// algorithms differ between standard libraries).
// Bench code (bench/alert_quality_generated.cc), also usable by tests.
//
// The population (shares and rates in PopulationOptions):
// - every customer has a purchase rate; rates are gamma-distributed across
//   customers (shape `rate_shape`, mean gap `mean_gap_days`, as the NBD
//   models assume of real customers), and the gaps between one customer's
//   purchases are gamma-distributed around their mean gap 1/rate with shape
//   `gap_shape` (1: Poisson purchases, as the models assume; larger: more
//   regular). Customers arrive (first purchase) uniformly over the window;
// - regular buyers buy at their rate to the end;
// - one-time buyers buy once and never again (churners; they stopped at
//   their first purchase);
// - seasonal buyers buy 1-2 times in a 45-day season (mid-November to the
//   end of December) every year, and nothing in between;
// - complainers who stay buy like regular buyers and file complaints
//   (severity 2-4, half resolved a week later) with a poor service rating
//   every few months;
// - quiet leavers buy like regular buyers until a stop day drawn uniformly
//   between their first purchase and the end, then stop without a word;
// - loud leavers likewise, but file a complaint (severity 3-5) and rate a
//   service call 1/5 within 10 days after their last purchase.
// A churner's stop is their last purchase: from then on they buy nothing.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "operators/events.h"

namespace crm::bench {

struct PopulationOptions {
  int64_t customers = 2000;
  uint64_t seed = 1;
  int64_t start_day = 19723;      // 2024-01-01, days since 1970-01-01
  double days = 3 * 365;          // the observation window
  double calibration_days = 2 * 365;  // the model is fitted on purchases up to here
  // Mixture shares (the rest are regular buyers).
  double one_time = 0.15;
  double seasonal = 0.08;
  double complainers = 0.10;
  double quiet_leavers = 0.20;
  double loud_leavers = 0.10;
  // Purchase rates across customers: 1/rate ~ mean gap; rate ~ Gamma(rate_shape).
  double rate_shape = 1.5;
  double mean_gap_days = 45;
  double min_gap_days = 3;    // clamps of a customer's mean gap
  double max_gap_days = 180;
  double gap_shape = 2;       // regularity of one customer's gaps (1 = Poisson)
  double mean_amount = 50;
};

enum class CustomerKind { kRegular, kOneTime, kSeasonal, kComplainer, kQuietLeaver, kLoudLeaver };
inline constexpr int kCustomerKinds = 6;
const char* CustomerKindName(CustomerKind kind);

struct GeneratedCustomer {
  std::string id;
  CustomerKind kind = CustomerKind::kRegular;
  // The customer's true usual gap: the mean of their gaps (seasonal: a year
  // over the 1.5 purchases of a season; one-time buyers: the rate they never used).
  double mean_gap_days = 0;
  int64_t first_purchase_ms = 0;
  std::optional<int64_t> stop_ms;  // churners: their last purchase
};

struct Population {
  std::vector<GeneratedCustomer> customers;
  std::vector<operators::Event> events;  // purchases, complaints, service calls; by event time
  int64_t start_ms = 0, calibration_end_ms = 0, end_ms = 0;
  int64_t calibration_end_day = 0;  // days since 1970-01-01, inclusive
};

Population GeneratePopulation(const PopulationOptions& options);

// Writes the purchases as the CSV `crmstream fit` reads
// (customer_id,date,amount). False when the file cannot be written.
bool WritePurchasesCsv(const Population& population, const std::string& path);

}  // namespace crm::bench
