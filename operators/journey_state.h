// operators/journey_state.h
//
// What crmstream keeps about a person's journey before and beside their
// purchases (docs/journey.md): engagement interactions (inquiry, visit,
// quote, referral, review), the advocacy signals the relationship ladder
// reads, and the ladder rung last published. A plain value inside
// CustomerState (the state codec stores it as its own block); engagement.h
// updates it, ladder.h reads it.
#pragma once

#include <cstdint>

#include "operators/time.h"

namespace crm::operators {

// Payne's relationship ladder, bottom to top. kNone: not on the ladder yet
// (nothing bought and no interaction, e.g. only a complaint).
enum class Rung : uint8_t { kNone, kProspect, kCustomer, kClient, kSupporter, kAdvocate, kPartner };
inline constexpr uint8_t kHighestRung = static_cast<uint8_t>(Rung::kPartner);

struct JourneyState {
  EventTime first_interaction{};  // earliest interaction's time; epoch 0 = none
  int64_t interactions = 0;       // engagement events applied, of any kind
  int64_t referrals = 0;
  int64_t good_reviews = 0;       // reviews rated at or above ladder.good_review_rating
  EventTime last_advocacy{};      // latest referral or good review; epoch 0 = none
  Rung rung = Rung::kNone;        // as last published
  bool operator==(const JourneyState&) const = default;
};

}  // namespace crm::operators
