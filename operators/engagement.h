// operators/engagement.h
//
// Engagement before and beside purchases (docs/journey.md): inquiries,
// visits, quotes, referrals and reviews from crm.interactions. A person with
// interactions and no purchase is a prospect: their state is kept, they have
// no RFM segment, are not in the RFM population and get no churn alerts;
// their first purchase converts them. Reviews feed satisfaction like a
// service rating; referrals and good reviews are the ladder's advocacy.
// Pure functions over CustomerState.
#pragma once

#include <optional>
#include <string_view>

#include "operators/customer_state.h"
#include "operators/effects.h"
#include "operators/events.h"
#include "operators/model_config.h"

namespace crm::operators {

// "inquiry", "visit", "quote", "referral", "review".
const char* InteractionKindName(InteractionKind kind);
// The kind named `name`, nullopt for any other text.
std::optional<InteractionKind> InteractionKindFromName(std::string_view name);

// Interactions and no purchase.
bool IsProspect(const CustomerState& state);

// Applies one interaction at event time `at`: counts it, keeps the earliest
// interaction time, records a review's rating as a satisfaction signal, and
// remembers referrals and reviews rated at or above
// ladder.good_review_rating as advocacy.
void ApplyInteraction(const ModelConfig& config, const Interaction& interaction, EventTime at, CustomerState& state);

// The conversion a purchase at `purchase_at` makes of `state` (as it was
// before the purchase): set when they were a prospect.
std::optional<Conversion> ConversionBy(const CustomerState& state, EventTime purchase_at);

}  // namespace crm::operators
