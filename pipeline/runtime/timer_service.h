// pipeline/runtime/timer_service.h
//
// The event-time timers of one processor (one overdue check per customer,
// keyed by partition, due time and customer): what was armed and dropped
// since the last commit (written to the store and changelog by the commit),
// the count of pending timers, and the due scan that fires, in (due,
// customer) order, the committed timers (from the store, and those of an
// epoch whose commit is in flight) merged with the uncommitted ones, so the
// order never depends on where a commit fell. The scan's cost follows the
// timers due, not the deletes fired timers left since the last commit. It
// remembers per partition through which due time everything has fired in
// this process (the fired-through mark), so the next scan starts after the
// tombstones fired timers leave in the store. It also remembers per
// partition a lower bound on every due time it could still have to fire
// (the floor: the first stored timer past the last complete scan, lowered by
// every timer armed since), so that while the watermark stays below it a
// due check costs no store iterator. The floor is known only after a scan
// in this process: Reset and Forget make it unknown again, and whoever
// writes timers to the store behind the service's back (a restore) must
// call one of them. One thread (the processor's).
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <set>
#include <string>

#include "operators/effects.h"
#include "operators/status.h"
#include "pipeline/state/state_store.h"

namespace crm::pipeline {

class TimerService {
 public:
  explicit TimerService(const StateStore& store) : store_(store) {}

  // Applies a customer's timer request (cancel the old check, arm the new one).
  void Apply(int32_t partition, const std::string& customer_id, const operators::TimerRequest& request);
  // Drops one timer (fired, or cancelled).
  void Drop(const TimerKey& key);

  // Fires (through `fire`, which drops the timer and may arm others) the
  // timers of `partition` due at or before `watermark_ms`, at most `limit`;
  // returns how many fired. The first error of `fire` stops the scan.
  Result<int64_t> FireDue(int32_t partition, int64_t watermark_ms, int64_t limit,
                          const std::function<Status(const TimerKey&)>& fire);

  // Since the last commit: timer key -> stored (true) or deleted (false).
  const std::map<TimerKey, bool>& changes() const { return changes_; }
  // Committed and uncommitted timers.
  int64_t pending() const { return pending_; }
  // After a commit wrote changes(): starts the next epoch.
  void Committed();
  // The pipelined commit (epoch_committer.h): Cut() starts the next epoch
  // while the cut one's changes are still on their way to the store; until
  // Landed() says they are stored, the due scan and Drop treat them as
  // committed. At most one cut epoch is in flight.
  void Cut();
  void Landed();
  // Forgets every uncommitted change, fired-through mark and floor;
  // `committed_pending` is the committed count of pending timers.
  void Reset(int64_t committed_pending);
  // Forgets what the service knows of `partition`'s stored timers (its
  // floor), so that the next due check scans the store.
  void Forget(int32_t partition) { floor_ms_.erase(partition); }

 private:
  const StateStore& store_;
  std::map<TimerKey, bool> changes_;
  std::set<TimerKey> armed_;  // the keys changes_ holds as stored (true), for the due scan
  std::map<TimerKey, bool> in_flight_;  // the cut epoch's changes, until they land
  std::set<TimerKey> in_flight_armed_;  // ... its armed timers not changed since
  std::set<TimerKey> stored_and_rearmed_;  // puts over a delete of this epoch (maybe in the store)
  int64_t pending_ = 0;
  std::map<int32_t, int64_t> fired_through_ms_;  // per partition
  // Per partition: no timer (stored, in flight or armed) is due before it.
  // Absent: unknown, scan.
  std::map<int32_t, int64_t> floor_ms_;
};

}  // namespace crm::pipeline
