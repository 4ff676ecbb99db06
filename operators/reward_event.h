// operators/reward_event.h
//
// What the reward programme publishes (on the rewards topic): a customer's
// enrolment, their crossing of the year's threshold, and the voucher issued
// when the programme year closes. Plain value type, one of the outputs in
// effects.h; the runtime encodes it (CloudEvents, ids from customer and
// programme year, so a replay publishes the same ids).
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include "operators/time.h"

namespace crm::operators {

enum class RewardKind { kEnrolled, kThresholdReached, kVoucherIssued };

// "reward-enrolled", "reward-threshold-reached", "reward-voucher-issued":
// the output rule, and the CloudEvents type's stem.
const char* RewardRuleName(RewardKind kind);

struct Voucher {
  std::string voucher_id;  // deterministic: VoucherId(customer, programme year)
  double amount = 0;       // rate x accumulated, rounded to cents
  EventTime claim_from;    // the claim window: [claim_from, claim_until)
  EventTime claim_until;
  bool operator==(const Voucher&) const = default;
};

struct RewardEvent {
  RewardKind kind = RewardKind::kEnrolled;
  std::string customer_id;
  int32_t programme_year = 0;
  EventTime year_start;  // the programme year: [year_start, year_end)
  EventTime year_end;
  double accumulated = 0;  // the year's counted purchases, after the cause
  double threshold = 0;
  double purchase = 0;     // the purchase that caused it; 0 for a voucher
  std::optional<Voucher> voucher;  // kVoucherIssued only
  std::string cause;       // event id, or "timer" when the year's close fired it
  bool operator==(const RewardEvent&) const = default;
};

}  // namespace crm::operators
