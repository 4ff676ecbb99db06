// operators/reward_card.h
//
// The loyalty reward programme's rules (RewardsConfig, the [rewards] config
// section) and one customer's card (RewardCard, part of CustomerState).
// Defaults are the supermarket case: one purchase of at least 100 joins; 4,000
// of purchases before the programme year closes earn a voucher of 1 % of
// them, claimable in the year's last 7 days; the card resets in January.
// Plain value types; reward_programme.h has the rules that use them.
#pragma once

#include <cstdint>

namespace crm::operators {

struct RewardsConfig {
  bool enabled = true;
  // The programme year starts on this day (00:00 UTC) every calendar year
  // and is named after the calendar year it starts in.
  int64_t year_start_month = 1;  // 1..12
  int64_t year_start_day = 1;    // 1..the month's length (February: 28)
  double entry_purchase = 100;   // one purchase of at least this joins
  double threshold = 4000;       // purchases in a programme year that earn a voucher
  double rate = 0.01;            // voucher amount = rate x the year's accumulated purchases
  // The claim window is the programme year's last claim_window_days days;
  // purchases count until it opens, and the voucher is issued when it opens.
  int64_t claim_window_days = 7;  // 1..364
};

// One customer's card. Membership is for good; the amounts are per
// programme year and start again with the first purchase of a new year.
struct RewardCard {
  bool enrolled = false;
  int32_t programme_year = 0;  // the year `accumulated` belongs to; 0 = none yet
  double accumulated = 0;      // counted purchases in programme_year
  bool threshold_reached = false;  // in programme_year
  int32_t voucher_year = 0;    // the last programme year a voucher was issued for; 0 = none
  bool operator==(const RewardCard&) const = default;
};

}  // namespace crm::operators
