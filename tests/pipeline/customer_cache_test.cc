// The customer cache's memory bound: clean entries are evicted past the
// cache's bytes or count, changed ones never, and the accounting follows
// what the entries hold.
#include "pipeline/state/customer_cache.h"

#include <gtest/gtest.h>

#include <memory>
#include <string>

#include "tests/pipeline/store_test_fixture.h"

namespace crm::pipeline {
namespace {

class CustomerCacheTest : public StoreTest {
 protected:
  CustomerCacheTest() : StoreTest("crm-customer-cache") {}

  // Loads customers [first, first + count), marks them changed and gives
  // each a purchase count of its number.
  static void Touch(CustomerCache& cache, int first, int count) {
    for (int i = first; i < first + count; ++i) {
      auto customer = cache.Load(Id(i));
      ASSERT_TRUE(customer.ok());
      (*customer)->state.purchase_count = i;
      cache.MarkDirty(*customer);
    }
  }
  static std::string Id(int i) { return "customer-" + std::to_string(i); }
  static int64_t EntryBytes() { return ApproximateEntryBytes(Id(0), operators::CustomerState{}); }
};

TEST_F(CustomerCacheTest, EvictsCleanEntriesPastItsBytes) {
  CustomerCache cache(*store_, /*max_customers=*/1'000'000, /*max_bytes=*/100 * EntryBytes());
  Touch(cache, 0, 1000);
  EXPECT_EQ(cache.size(), 1000u);
  EXPECT_GE(cache.approximate_bytes(), 1000 * EntryBytes());
  cache.Committed();
  EXPECT_LE(cache.approximate_bytes(), 100 * EntryBytes());
  EXPECT_LE(cache.size(), 100u);
  EXPECT_GT(cache.size(), 0u);
}

TEST_F(CustomerCacheTest, EvictsPastItsCountWhateverTheBytes) {
  CustomerCache cache(*store_, /*max_customers=*/100, /*max_bytes=*/INT64_MAX);
  Touch(cache, 0, 1000);
  cache.Committed();
  EXPECT_LE(cache.size(), 100u);
}

TEST_F(CustomerCacheTest, KeepsChangedCustomersPastItsBytes) {
  CustomerCache cache(*store_, 1'000'000, 10 * EntryBytes());
  Touch(cache, 0, 1000);
  cache.Cut();
  Touch(cache, 1000, 50);  // changed after the cut: not evictable when the cut lands
  cache.Landed();
  EXPECT_GE(cache.approximate_bytes(), 50 * EntryBytes());
  // Nothing was stored, so an evicted customer would come back anew.
  for (int i = 1000; i < 1050; ++i) {
    auto customer = cache.Load(Id(i));
    ASSERT_TRUE(customer.ok());
    EXPECT_EQ((*customer)->state.purchase_count, i);
  }
}

TEST_F(CustomerCacheTest, CountsWhatStatesAllocate) {
  operators::CustomerState state;
  const int64_t empty = ApproximateEntryBytes(Id(0), state);
  state.segment = std::string(100, 's');
  state.open_alert.emplace();
  state.open_alert->alert_id = std::string(64, 'a');
  EXPECT_GE(ApproximateEntryBytes(Id(0), state), empty + 164);
  EXPECT_GE(ApproximateEntryBytes(std::string(200, 'c'), operators::CustomerState{}), empty + 200);
}

TEST_F(CustomerCacheTest, ChargesAChangedStateAtTheCut) {
  CustomerCache cache(*store_, 1'000'000, INT64_MAX);
  Touch(cache, 0, 1);
  const int64_t before = cache.approximate_bytes();
  auto customer = cache.Load(Id(0));
  ASSERT_TRUE(customer.ok());
  (*customer)->state.segment = std::string(1000, 's');
  cache.Cut();
  EXPECT_GE(cache.approximate_bytes(), before + 1000);
  cache.Landed();
  cache.Clear();
  EXPECT_EQ(cache.approximate_bytes(), 0);
}

}  // namespace
}  // namespace crm::pipeline
