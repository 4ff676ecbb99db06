#include "operators/loyalty.h"

namespace crm::operators {

std::string ClassifyLoyalty(const LoyaltyConfig& config, double satisfaction,
                            int64_t purchase_count) {
  const bool attitude = satisfaction >= config.satisfied_at;
  const bool patronage = purchase_count >= config.repeat_purchases_at;
  if (attitude && patronage) return "loyal";
  if (attitude) return "latent";
  if (patronage) return "spurious";
  return "none";
}

}  // namespace crm::operators
