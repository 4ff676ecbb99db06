// operators/loyalty.h
//
// Loyalty classes from two axes: attitude / satisfaction (satisfaction index
// at or above satisfied_at) and repeat patronage / behavioural loyalty
// (purchase count at or above repeat_purchases_at).
// - Dick & Basu (1994): loyal, latent, spurious, none. Stored with the
//   customer and carried in segment changes as `loyalty`.
// - Jones & Sasser (1995): apostle, mercenary, hostage, defector, and
//   terrorist for a defector with open complaints. Carried in segment changes
//   and the profile as `relationship`; derived, never stored.
// Pure functions.
#pragma once

#include <cstddef>
#include <string>

#include "operators/customer_state.h"
#include "operators/model_config.h"

namespace crm::operators {

// loyal: high attitude and high patronage; latent: high attitude only;
// spurious: high patronage only; none: neither.
std::string ClassifyLoyalty(const LoyaltyConfig& config, double satisfaction,
                            int64_t purchase_count);

// apostle: satisfied and loyal; mercenary: satisfied, not loyal; hostage:
// loyal but dissatisfied; defector: neither; terrorist: a defector who also
// has open complaints.
std::string ClassifyRelationship(const LoyaltyConfig& config, double satisfaction,
                                 int64_t purchase_count, size_t open_complaints);

}  // namespace crm::operators
