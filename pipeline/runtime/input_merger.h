// pipeline/runtime/input_merger.h
//
// Deterministic merge of the five input topics, per partition number.
// Customers are keyed into the same partition number of crm.purchases,
// crm.complaints, crm.service, crm.interactions and crm.actions (co-partitioned topics;
// the input kind breaks timestamp ties in that order), so one partition
// number is one independent task. Within a task, the next record is the
// buffered head with the smallest (record timestamp, input kind, offset), taken
// only when every assigned input of the task either has a head or has reached
// its end, or has been silent longer than the idle limit while nothing says
// it holds more records. An input the caller knows to hold records not yet
// pushed (the consumer saw them on the broker) is slow, not idle: the task
// waits for it however long the fetch takes (as Kafka Streams does since
// KIP-695), since merging without it would make the order depend on the
// machine's load. For a given log this order does not depend on fetch timing,
// so replays, restarts and reruns apply events to customers in the same
// order: the basis of byte-identical results. Items are opaque to the merger
// (T is the owned message). One thread.
#pragma once

#include <array>
#include <chrono>
#include <cstdint>
#include <deque>
#include <functional>
#include <map>
#include <optional>
#include <utility>

namespace crm::pipeline {

inline constexpr int kInputKinds = 5;

template <typename T>
class InputMerger {
 public:
  using Clock = std::chrono::steady_clock;

  struct Item {
    int64_t timestamp_ms = 0;
    int64_t offset = 0;
    T payload;
    size_t bytes = 0;  // what the payload weighs, for BufferedBytes()
  };

  struct Input {
    bool assigned = false;
    bool at_end = false;   // consumer reported end of partition, no record since
    std::deque<Item> buffered;
    size_t buffered_bytes = 0;
  };

  explicit InputMerger(std::chrono::milliseconds idle_limit) : idle_limit_(idle_limit) {}

  void Assign(int32_t partition, int kind) { tasks_[partition].inputs[kind].assigned = true; }
  void Revoke(int32_t partition, int kind) {
    auto it = tasks_.find(partition);
    if (it == tasks_.end()) return;
    it->second.inputs[kind] = Input{};
    bool any = false;
    for (const Input& in : it->second.inputs) any |= in.assigned;
    if (!any) tasks_.erase(it);
  }
  void Clear() { tasks_.clear(); }

  void Push(int32_t partition, int kind, Item item) {
    Input& in = tasks_[partition].inputs[kind];
    in.at_end = false;
    in.buffered_bytes += item.bytes;
    in.buffered.push_back(std::move(item));
  }
  void MarkEnd(int32_t partition, int kind) {
    // Everything before the end marker is already buffered: once drained,
    // the input has nothing more to offer until a new record arrives.
    tasks_[partition].inputs[kind].at_end = true;
  }

  size_t Buffered(int32_t partition, int kind) const {
    auto it = tasks_.find(partition);
    return it == tasks_.end() ? 0 : it->second.inputs[kind].buffered.size();
  }
  // The bytes (Item::bytes) buffered for one input.
  size_t BufferedBytes(int32_t partition, int kind) const {
    auto it = tasks_.find(partition);
    return it == tasks_.end() ? 0 : it->second.inputs[kind].buffered_bytes;
  }

  // Whether an input (partition, kind) is known to hold records that were not
  // pushed yet. Asked only once the idle limit has passed.
  using KnownUnreceived = std::function<bool(int32_t partition, int kind)>;

  // Takes the next record of any task that can proceed, or nullopt.
  // `now` is the steady clock, used only for the idle limit; an input that
  // `unreceived` says holds more records is waited for past the limit.
  struct Next {
    int32_t partition;
    int kind;
    Item item;
    // Taken while another input of the partition had nothing buffered, past
    // the idle limit and with nothing known to be left on it: the order
    // across inputs is then the arrival's, not the timestamps'.
    bool enforced = false;
  };
  std::optional<Next> Pop(Clock::time_point now, const KnownUnreceived& unreceived = nullptr) {
    for (auto& [partition, task] : tasks_) {
      bool enforced = false;
      std::optional<int> kind = Choose(partition, task, now, unreceived, enforced);
      if (!kind) continue;
      Input& in = task.inputs[*kind];
      Next next{partition, *kind, std::move(in.buffered.front()), enforced};
      in.buffered.pop_front();
      in.buffered_bytes -= next.item.bytes;
      return next;
    }
    return std::nullopt;
  }

  // True when every assigned input has reached its end with nothing buffered
  // (and at least one input is assigned).
  bool AllAtEnd() const {
    bool any = false;
    for (const auto& [partition, task] : tasks_) {
      for (const Input& in : task.inputs) {
        if (!in.assigned) continue;
        any = true;
        if (!in.at_end || !in.buffered.empty()) return false;
      }
    }
    return any;
  }

 private:
  struct Task {
    std::array<Input, kInputKinds> inputs;
    std::optional<Clock::time_point> blocked_since;
  };

  static bool Waiting(const Input& in) { return in.buffered.empty() && in.assigned && !in.at_end; }

  std::optional<int> Choose(int32_t partition, Task& task, Clock::time_point now, const KnownUnreceived& unreceived,
                            bool& enforced) {
    std::optional<int> best;
    bool waiting = false;
    for (int k = 0; k < kInputKinds; ++k) {
      const Input& in = task.inputs[k];
      if (in.buffered.empty()) {
        waiting |= Waiting(in);
        continue;
      }
      if (!best || Earlier(in.buffered.front(), k, task.inputs[*best].buffered.front(), *best)) {
        best = k;
      }
    }
    if (!best) {
      task.blocked_since.reset();
      return std::nullopt;
    }
    if (waiting) {
      if (!task.blocked_since) task.blocked_since = now;
      if (now - *task.blocked_since < idle_limit_) return std::nullopt;
      if (unreceived) {
        for (int k = 0; k < kInputKinds; ++k) {
          if (Waiting(task.inputs[k]) && unreceived(partition, k)) return std::nullopt;
        }
      }
      enforced = true;
    } else {
      task.blocked_since.reset();
    }
    return best;
  }

  static bool Earlier(const Item& a, int ka, const Item& b, int kb) {
    if (a.timestamp_ms != b.timestamp_ms) return a.timestamp_ms < b.timestamp_ms;
    if (ka != kb) return ka < kb;
    return a.offset < b.offset;
  }

  std::chrono::milliseconds idle_limit_;
  std::map<int32_t, Task> tasks_;
};

}  // namespace crm::pipeline
