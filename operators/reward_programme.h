// operators/reward_programme.h
//
// The loyalty reward programme (docs/rewards.md), on one customer's card:
// a purchase of at least rewards.entry_purchase enrols the customer (for
// good); a member's purchases dated in a programme year before its claim
// window opens (the close) accumulate on the card; crossing the threshold is
// published once per year; when the customer's event time (an event, or the
// watermark through the one pending check) passes the close, a voucher of
// rate x accumulated is issued, once per year, claimable until the year ends.
// A purchase dated in a later programme year settles the old year first and
// then starts the card again. All in event time: pure and deterministic, so
// a replay issues the same vouchers with the same ids.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "operators/effects.h"
#include "operators/reward_card.h"
#include "operators/time.h"

namespace crm::operators {

// One programme year: [start, end); purchases count before `close`, the
// claim window is [close, end).
struct ProgrammeYear {
  int32_t year = 0;  // the calendar year it starts in
  EventTime start;
  EventTime close;
  EventTime end;
};

ProgrammeYear ProgrammeYearNamed(const RewardsConfig& config, int32_t year);
// The programme year that contains `t`.
ProgrammeYear ProgrammeYearAt(const RewardsConfig& config, EventTime t);

// "<programme year>/<customer id>": one voucher per customer and year.
std::string VoucherId(const std::string& customer_id, int32_t programme_year);

// Whose card, at which event time, and what to name as the cause.
struct RewardOccasion {
  const std::string& customer_id;
  EventTime now;  // the customer's event time: max(last event, event) or max(watermark, last event)
  const std::string& cause;  // event id, or kTimerCause
};

// Applies a purchase of `amount` dated `ts` to the card, appending any
// enrolment and threshold crossing to `outputs` (and a voucher for an old
// year that a purchase in a new one settles).
void ApplyRewardPurchase(const RewardsConfig& config, const RewardOccasion& at, double amount, EventTime ts,
                         RewardCard& card, std::vector<Output>& outputs);

// Issues the card's voucher when it is due and `at.now` has passed the close
// of the card's programme year. Called on every event and fired check.
void SettleRewards(const RewardsConfig& config, const RewardOccasion& at, RewardCard& card,
                   std::vector<Output>& outputs);

// When the card's voucher falls due: the close of its programme year while
// the threshold is reached and no voucher was issued for it; epoch 0 when
// none is due (or the programme is disabled). The customer's one pending
// check is never later than this.
EventTime VoucherDue(const RewardsConfig& config, const RewardCard& card);

}  // namespace crm::operators
