#include "pipeline/state/customer_cache.h"

#include <algorithm>
#include <iterator>
#include <optional>

namespace crm::pipeline {
namespace {

// No customer id is longer (64 characters of up to 4 UTF-8 bytes).
constexpr size_t kMaxCustomerIdBytes = 256;

// What a heap block costs beyond its size (glibc: a size word, 16-byte
// granularity).
constexpr int64_t kAllocationOverhead = 16;
// A node of the map beyond its value: the next pointer and the cached hash,
// plus one bucket pointer (load factor at most 1).
constexpr int64_t kNodeOverhead = 3 * sizeof(void*) + kAllocationOverhead;

int64_t StringBytes(const std::string& s) {
  // Short strings live inside the std::string itself.
  return s.capacity() > std::string().capacity() ? static_cast<int64_t>(s.capacity()) + 1 + kAllocationOverhead : 0;
}

}  // namespace

int64_t ApproximateEntryBytes(const std::string& id, const operators::CustomerState& state) {
  int64_t bytes = kNodeOverhead + static_cast<int64_t>(sizeof(std::pair<const std::string, CachedCustomer>));
  bytes += StringBytes(id) + StringBytes(state.segment) + StringBytes(state.loyalty) +
           StringBytes(state.period_start_segment);
  if (state.open_complaints.capacity() > 0) {
    bytes += static_cast<int64_t>(state.open_complaints.capacity() * sizeof(operators::OpenComplaint)) +
             kAllocationOverhead;
    for (const operators::OpenComplaint& complaint : state.open_complaints) bytes += StringBytes(complaint.complaint_id);
  }
  if (state.open_alert) {
    bytes += StringBytes(state.open_alert->alert_id) + StringBytes(state.open_alert->recommended_action) +
             StringBytes(state.open_alert->action);
  }
  return bytes;
}

CustomerCache::CustomerCache(const StateStore& store, int64_t max_customers, int64_t max_bytes)
    : store_(store), limit_(static_cast<size_t>(max_customers)), max_bytes_(max_bytes) {
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
      auto& entry = *cache_.try_emplace(std::string(id)).first;
      entry.second.state = std::move(*state);
      Charge(entry.first, entry.second);
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
    Charge(it->first, it->second);
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
    Charge(*id, *customer);
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
    if (it != cache_.end() && it->second.deleted && !it->second.dirty) Erase(it);
  }
  if (cache_.size() <= limit_ && bytes_ <= max_bytes_) return;
  // Evict down to 90% so that eviction runs once per several commits, not on
  // every one. Dirty entries (changed since a cut) stay.
  const size_t target = limit_ - limit_ / 10;
  const int64_t target_bytes = max_bytes_ - max_bytes_ / 10;
  for (auto it = cache_.begin(); it != cache_.end() && (cache_.size() > target || bytes_ > target_bytes);) {
    it = it->second.dirty || it->second.in_flight ? std::next(it) : Erase(it);
  }
}

void CustomerCache::Clear() {
  dirty_.clear();
  in_flight_.clear();
  cache_.clear();
  bytes_ = 0;
  known_absent_.clear();
}

void CustomerCache::Charge(const std::string& id, CachedCustomer& customer) {
  const int64_t charged = ApproximateEntryBytes(id, customer.state);
  bytes_ += charged - customer.charged_bytes;
  customer.charged_bytes = charged;
}

CustomerCache::Map::iterator CustomerCache::Erase(Map::iterator it) {
  bytes_ -= it->second.charged_bytes;
  return cache_.erase(it);
}

}  // namespace crm::pipeline
