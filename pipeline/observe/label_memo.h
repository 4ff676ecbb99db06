// pipeline/observe/label_memo.h
//
// A memo of one metric family's children by their label values, for the
// per-output counters (segment and ladder moves, customers per segment):
// prometheus-cpp's Family::Add builds a label map and hashes it on every
// call, several allocations per output; a hit here is two hash lookups with
// no allocation. Children are never removed from these families, so a
// remembered pointer stays valid for the family's life. Thread-safe (one
// mutex), like the families themselves.
#pragma once

#include <prometheus/family.h>

#include <mutex>
#include <string>
#include <unordered_map>

namespace crm::pipeline {

template <typename Metric>
class LabelMemo {
 public:
  LabelMemo(prometheus::Family<Metric>& family, std::string first_label, std::string second_label = {})
      : family_(family), first_label_(std::move(first_label)), second_label_(std::move(second_label)) {}

  // The child labelled {first_label: first} (one-label families).
  Metric& Get(const std::string& first) { return Get(first, std::string()); }
  // The child labelled {first_label: first, second_label: second}.
  Metric& Get(const std::string& first, const std::string& second) {
    std::lock_guard<std::mutex> lock(mutex_);
    auto& row = children_[first];
    auto it = row.find(second);
    if (it != row.end()) return *it->second;
    prometheus::Labels labels{{first_label_, first}};
    if (!second_label_.empty()) labels.emplace(second_label_, second);
    Metric& child = family_.Add(labels);
    row.emplace(second, &child);
    return child;
  }

 private:
  prometheus::Family<Metric>& family_;
  const std::string first_label_;
  const std::string second_label_;
  std::mutex mutex_;
  std::unordered_map<std::string, std::unordered_map<std::string, Metric*>> children_;
};

}  // namespace crm::pipeline
