#include "operators/loyalty.h"

#include <gtest/gtest.h>

namespace crm::operators {
namespace {

TEST(Loyalty, DickAndBasuQuadrants) {
  LoyaltyConfig config;  // satisfied_at 60, repeat_purchases_at 3
  struct Case { double satisfaction; int64_t purchases; const char* loyalty; };
  for (const Case& c : {Case{80, 5, "loyal"}, Case{60, 3, "loyal"}, Case{80, 1, "latent"},
                        Case{30, 9, "spurious"}, Case{59.9, 2, "none"}}) {
    EXPECT_EQ(ClassifyLoyalty(config, c.satisfaction, c.purchases), c.loyalty)
        << c.satisfaction << " " << c.purchases;
  }
}

}  // namespace
}  // namespace crm::operators
