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

std::string ClassifyRelationship(const LoyaltyConfig& config, double satisfaction,
                                 int64_t purchase_count, size_t open_complaints) {
  const bool satisfied = satisfaction >= config.satisfied_at;
  const bool loyal = purchase_count >= config.repeat_purchases_at;
  if (satisfied) return loyal ? "apostle" : "mercenary";
  if (loyal) return "hostage";
  return open_complaints > 0 ? "terrorist" : "defector";
}

}  // namespace crm::operators
