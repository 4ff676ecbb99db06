// pipeline/state/customer_cache.h
//
// The processor's bounded in-memory cache of customer states in front of
// the state store: batched prefetch of the customers a poll round is about
// to touch, load on demand, the list of customers changed since the last
// commit (what the commit and its changelog epoch write), and eviction of
// clean entries past state.cache_customers entries or past its share of the
// memory budget in bytes (ApproximateEntryBytes; never entries changed since
// the last cut or those of an epoch whose commit is in flight, so the cache
// exceeds its bytes by at most those). Entries stay at stable
// addresses while cached (an unordered_map's nodes do not move). One thread
// (the processor's).
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <unordered_map>
#include <unordered_set>
#include <utility>
#include <vector>

#include "operators/customer_state.h"
#include "operators/status.h"
#include "pipeline/state/state_store.h"

namespace crm::pipeline {

struct CachedCustomer {
  operators::CustomerState state;
  bool dirty = false;
  bool deleted = false;             // expired: the commit deletes it from the store
  bool in_flight = false;           // changed by the epoch whose commit is in flight
  int32_t partition = -1;           // input partition number its events come from
  const std::string* id = nullptr;  // the map key (stable node address)
  int64_t charged_bytes = 0;        // what approximate_bytes() counts for it
};

// Approximate memory one cache entry takes: the map node, its key and the
// state with what its strings and vectors allocate.
int64_t ApproximateEntryBytes(const std::string& id, const operators::CustomerState& state);

class CustomerCache {
 public:
  // At most `max_customers` entries and `max_bytes` (approximate_bytes())
  // once a commit lands, but for the customers of epochs not yet landed.
  CustomerCache(const StateStore& store, int64_t max_customers, int64_t max_bytes);

  // Loads the given customers into the cache in one batched read. Only
  // stored customers are cached: ids the store does not know are remembered
  // until the next Prefetch (so Load does not ask again), and keys longer
  // than any customer id are skipped, so a flood of bad records creates no
  // entry.
  Status Prefetch(const std::vector<std::string_view>& customer_ids);
  // The customer's cached state, read from the store when not cached (an
  // expired customer coming back starts anew).
  Result<CachedCustomer*> Load(const std::string& customer_id);
  void MarkDirty(CachedCustomer* customer);
  // Customers changed since the last commit, in the order they changed.
  const std::vector<std::pair<const std::string*, CachedCustomer*>>& dirty() const { return dirty_; }
  // After a commit: everything is clean, deleted customers leave the cache
  // and clean ones are evicted down to 90% of the limits.
  void Committed();
  // The pipelined commit: Cut() starts the next epoch (nothing is dirty)
  // while the cut epoch's states are on their way to the store; until
  // Landed(), those customers are never evicted, so no read falls through
  // to their older stored state. Landed() then does Committed()'s removal
  // and eviction. At most one cut epoch is in flight.
  void Cut();
  void Landed();
  void Clear();
  size_t size() const { return cache_.size(); }
  // Memory the entries take, approximately (ApproximateEntryBytes): exact
  // for entries added since the last Cut() when they were added, and for
  // the others as of the last Cut().
  int64_t approximate_bytes() const { return bytes_; }

 private:
  using Map = std::unordered_map<std::string, CachedCustomer>;
  // Counts the entry at its current size in bytes_.
  void Charge(const std::string& id, CachedCustomer& customer);
  Map::iterator Erase(Map::iterator it);

  const StateStore& store_;
  const size_t limit_;
  const int64_t max_bytes_;
  Map cache_;
  int64_t bytes_ = 0;  // sum of the entries' charged_bytes
  // Ids the last Prefetch found absent from the store (new customers).
  std::unordered_set<std::string> known_absent_;
  // Customers changed since the last commit (node pointers stay valid when
  // the map rehashes), so a commit touches only what changed.
  std::vector<std::pair<const std::string*, CachedCustomer*>> dirty_;
  // The cut epoch's customers, until it lands.
  std::vector<std::pair<const std::string*, CachedCustomer*>> in_flight_;
};

}  // namespace crm::pipeline
