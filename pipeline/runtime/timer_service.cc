#include "pipeline/runtime/timer_service.h"

#include <algorithm>
#include <utility>
#include <vector>

namespace crm::pipeline {
namespace {

// The earliest due time of the partition's timers in `armed` (INT64_MAX: none).
int64_t FirstArmed(const std::set<TimerKey>& armed, int32_t partition) {
  auto it = armed.lower_bound(TimerKey{partition, INT64_MIN, ""});
  return it != armed.end() && it->partition == partition ? it->due_ms : INT64_MAX;
}

}  // namespace

void TimerService::Drop(const TimerKey& key) {
  // A timer armed since the last commit never reached the store or the
  // changelog: forgetting it is enough, no tombstone needed.
  armed_.erase(key);
  in_flight_armed_.erase(key);
  auto it = changes_.find(key);
  if (it != changes_.end() && it->second && stored_and_rearmed_.count(key) == 0) {
    changes_.erase(it);
  } else {
    changes_[key] = false;
    stored_and_rearmed_.erase(key);
  }
  --pending_;
}

void TimerService::Apply(int32_t partition, const std::string& customer_id, const operators::TimerRequest& request) {
  if (request.cancel.epoch_ms != 0) Drop(TimerKey{partition, request.cancel.epoch_ms, customer_id});
  if (request.due.epoch_ms != 0) {
    const TimerKey key{partition, request.due.epoch_ms, customer_id};
    // Whether it fires from memory or, once landed, from the store: no
    // timer of the partition is due before it any more.
    if (auto floor = floor_ms_.find(partition); floor != floor_ms_.end()) {
      floor->second = std::min(floor->second, key.due_ms);
    }
    auto [it, inserted] = changes_.try_emplace(key, true);
    armed_.insert(key);
    in_flight_armed_.erase(key);
    if (inserted && in_flight_.count(key) != 0) {
      // The epoch in flight stores or deletes it: a later drop must write
      // the delete.
      stored_and_rearmed_.insert(key);
    } else if (!inserted) {
      // Deleted earlier in this epoch, so possibly stored: a later drop
      // must write the delete.
      if (!it->second) stored_and_rearmed_.insert(key);
      it->second = true;
    }
    ++pending_;
  }
}

Result<int64_t> TimerService::FireDue(int32_t partition, int64_t watermark, int64_t limit,
                                      const std::function<Status(const TimerKey&)>& fire) {
  if (watermark == INT64_MIN) return int64_t{0};
  // Nothing stored, in flight or armed is due yet: no iterator needed.
  if (auto floor = floor_ms_.find(partition); floor != floor_ms_.end() && floor->second > watermark) {
    return int64_t{0};
  }
  // Uncommitted timers due by the watermark, merged in (due, customer) order
  // with the committed ones. Firing only arms timers after the watermark.
  // Only armed timers are walked, never the deletes that fired timers leave
  // in changes_: those pile up below the watermark during an epoch, and
  // walking them on every event made an event's cost grow with the checks
  // fired since the last commit. Timers armed by the epoch whose commit is
  // in flight are not in the store yet: they count as committed unless
  // changed since (then they left in_flight_armed_).
  std::vector<TimerKey> pending;
  for (const std::set<TimerKey>* armed : {&armed_, &in_flight_armed_}) {
    for (auto it = armed->lower_bound(TimerKey{partition, INT64_MIN, ""});
         it != armed->end() && it->partition == partition && it->due_ms <= watermark; ++it) {
      pending.push_back(*it);
    }
  }
  std::sort(pending.begin(), pending.end());
  size_t next_pending = 0;
  int64_t fired = 0;
  Status failed;
  auto fire_pending_before = [&](const TimerKey* before) {
    while (failed.ok() && fired < limit && next_pending < pending.size() &&
           (before == nullptr || pending[next_pending] < *before)) {
      failed = fire(pending[next_pending++]);
      ++fired;
    }
  };
  auto [mark, fresh] = fired_through_ms_.try_emplace(partition, INT64_MIN);
  const int64_t from = mark->second == INT64_MIN ? INT64_MIN : mark->second + 1;
  // The scan goes on to the first stored timer past the watermark (the
  // floor after a complete pass), stopping there.
  int64_t next_stored = INT64_MAX;
  RETURN_IF_ERROR(store_.ScanTimers(
      partition, INT64_MAX,
      [&](int64_t due, std::string_view id) {
        if (due > watermark) {
          next_stored = due;
          return false;
        }
        TimerKey key{partition, due, std::string(id)};
        fire_pending_before(&key);
        if (!failed.ok() || fired >= limit) return false;
        // Deleted, or armed again since and handled in order above. (A fired
        // uncommitted timer leaves no entry, but it was never in the store.)
        // Also skipped: what the epoch in flight changed (armed again: in
        // `pending`; deleted: gone once its batch lands).
        if (changes_.count(key) || in_flight_.count(key)) return true;
        failed = fire(key);
        ++fired;
        return failed.ok() && fired < limit;
      },
      from));
  fire_pending_before(nullptr);
  RETURN_IF_ERROR(failed);
  // Only a complete pass proves nothing due is left behind. (Timers armed
  // later with an earlier due are uncommitted, so the pending path sees them.)
  if (fired < limit) {
    fired_through_ms_[partition] = watermark;
    floor_ms_[partition] = std::min({next_stored, FirstArmed(armed_, partition), FirstArmed(in_flight_armed_, partition)});
  } else {
    floor_ms_.erase(partition);
  }
  return fired;
}

void TimerService::Cut() {
  in_flight_ = std::move(changes_);
  in_flight_armed_ = std::move(armed_);
  changes_.clear();
  armed_.clear();
  stored_and_rearmed_.clear();
}

void TimerService::Landed() {
  in_flight_.clear();
  in_flight_armed_.clear();
}

void TimerService::Committed() {
  Cut();
  Landed();
}

void TimerService::Reset(int64_t committed_pending) {
  Committed();
  fired_through_ms_.clear();
  floor_ms_.clear();
  pending_ = committed_pending;
}

}  // namespace crm::pipeline
