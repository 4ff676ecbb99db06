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

TEST(Loyalty, JonesAndSasserClasses) {
  LoyaltyConfig config;  // satisfied_at 60, repeat_purchases_at 3
  struct Case { double satisfaction; int64_t purchases; size_t open; const char* relationship; };
  for (const Case& c : {Case{80, 5, 0, "apostle"}, Case{60, 3, 2, "apostle"}, Case{90, 1, 0, "mercenary"},
                        Case{30, 9, 1, "hostage"}, Case{59.9, 2, 0, "defector"},
                        Case{20, 1, 1, "terrorist"}}) {
    EXPECT_EQ(ClassifyRelationship(config, c.satisfaction, c.purchases, c.open), c.relationship)
        << c.satisfaction << " " << c.purchases << " " << c.open;
  }
}

TEST(Loyalty, ThresholdsComeFromConfig) {
  LoyaltyConfig strict{90, 10};
  EXPECT_EQ(ClassifyLoyalty(strict, 80, 9), "none");
  EXPECT_EQ(ClassifyRelationship(strict, 80, 9, 0), "defector");
  EXPECT_EQ(ClassifyLoyalty(strict, 95, 10), "loyal");
  EXPECT_EQ(ClassifyRelationship(strict, 95, 10, 0), "apostle");
}

}  // namespace
}  // namespace crm::operators
