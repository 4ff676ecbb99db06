// operators/loyalty.h
//
// Loyalty classes from attitude (satisfaction) and repeat patronage
// (purchase count): Dick & Basu's loyal/latent/spurious/none. The class name
// travels in segment changes and the customer profile.
#pragma once

#include <string>

#include "operators/customer_state.h"
#include "operators/model_config.h"

namespace crm::operators {

// loyal: high attitude and high patronage; latent: high attitude only;
// spurious: high patronage only; none: neither.
std::string ClassifyLoyalty(const LoyaltyConfig& config, double satisfaction,
                            int64_t purchase_count);

}  // namespace crm::operators
