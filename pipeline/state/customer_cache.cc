#include "pipeline/state/customer_cache.h"

#include <algorithm>
#include <iterator>
#include <optional>

namespace crm::pipeline {
namespace {

// No customer id is longer (64 characters of up to 4 UTF-8 bytes).
constexpr size_t kMaxCustomerIdBytes = 256;

}  // namespace

CustomerCache::CustomerCache(const StateStore& store, int64_t max_customers)
    : store_(store), limit_(static_cast<size_t>(max_customers)) {
  cache_.reserve(static_cast<size_t>(std::min<int64_t>(max_customers, 1 << 20)));
}

Status CustomerCache::Prefetch(const std::vector<std::string_view>& customer_ids) {
  std::vector<std::string_view> missing;
  missing.reserve(customer_ids.size());
  std::string key;
  for (std::string_view id : customer_ids) {
    if (id.empty() || id.size() > kMaxCustomerIdBytes) continue;  // never a valid customer id
    key.assign(id);
    if (cache_.find(key) == cache_.end()) missing.push_back(id);
  }
  known_absent_.clear();
  if (missing.empty()) return Status::Ok();
  return store_.MultiGet(missing, [this](std::string_view id, std::optional<operators::CustomerState> state) {
    if (state) {
      cache_[std::string(id)].state = std::move(*state);
    } else {
      known_absent_.emplace(id);
    }
  });
}

Result<CachedCustomer*> CustomerCache::Load(const std::string& customer_id) {
  auto it = cache_.find(customer_id);
  if (it == cache_.end()) {
    std::optional<operators::CustomerState> stored;
    if (known_absent_.count(customer_id) == 0) {
      ASSIGN_OR_RETURN(stored, store_.Get(customer_id));
    }
    it = cache_.try_emplace(customer_id).first;
    if (stored) it->second.state = std::move(*stored);
  }
  it->second.id = &it->first;
  if (it->second.deleted) {
    // Expired earlier in this epoch and back now: a new customer.
    it->second.state = operators::CustomerState{};
    it->second.deleted = false;
  }
  return &it->second;
}

void CustomerCache::MarkDirty(CachedCustomer* customer) {
  if (customer->dirty) return;
  customer->dirty = true;
  dirty_.emplace_back(customer->id, customer);
}

void CustomerCache::Committed() {
  Cut();
  Landed();
}

void CustomerCache::Cut() {
  for (const auto& [id, customer] : dirty_) {
    customer->dirty = false;
    customer->in_flight = true;
  }
  in_flight_.insert(in_flight_.end(), dirty_.begin(), dirty_.end());
  dirty_.clear();
}

void CustomerCache::Landed() {
  std::vector<std::string> deleted;
  for (const auto& [id, customer] : in_flight_) {
    customer->in_flight = false;
    // Changed again since the cut: the next commit writes it.
    if (customer->deleted && !customer->dirty) deleted.push_back(*id);
  }
  in_flight_.clear();
  for (const std::string& id : deleted) {
    auto it = cache_.find(id);
    if (it != cache_.end() && it->second.deleted && !it->second.dirty) cache_.erase(it);
  }
  if (cache_.size() <= limit_) return;
  // Evict down to 90% so that eviction runs once per several commits, not on
  // every one. Dirty entries (changed since a cut) stay.
  const size_t target = limit_ - limit_ / 10;
  for (auto it = cache_.begin(); it != cache_.end() && cache_.size() > target;) {
    it = it->second.dirty || it->second.in_flight ? std::next(it) : cache_.erase(it);
  }
}

void CustomerCache::Clear() {
  dirty_.clear();
  in_flight_.clear();
  cache_.clear();
  known_absent_.clear();
}

}  // namespace crm::pipeline
