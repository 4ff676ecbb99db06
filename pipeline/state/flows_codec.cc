#include "pipeline/state/flows_codec.h"

#include <bit>
#include <cmath>
#include <map>
#include <set>
#include <vector>

namespace crm::pipeline {
namespace {

using operators::SegmentFlows;
using operators::SegmentPair;

using Index = std::map<std::string, uint64_t>;

uint64_t At(const Index& index, const std::string& name) { return name.empty() ? 0 : index.at(name); }

void WriteSizes(ByteWriter& w, const Index& index, const std::map<std::string, int64_t>& sizes) {
  w.Varint(sizes.size());
  for (const auto& [name, n] : sizes) {
    w.Varint(At(index, name));
    w.Signed(n);
  }
}

void WritePairs(ByteWriter& w, const Index& index, const std::map<SegmentPair, int64_t>& counts) {
  w.Varint(counts.size());
  for (const auto& [pair, n] : counts) {
    w.Varint(At(index, pair.first));
    w.Varint(At(index, pair.second));
    w.Signed(n);
  }
}

void WriteMoney(ByteWriter& w, const Index& index, const std::map<std::string, double>& money) {
  w.Varint(money.size());
  for (const auto& [name, amount] : money) {
    w.Varint(At(index, name));
    w.Fixed64(std::bit_cast<uint64_t>(amount));
  }
}

// Bounds an entry count by the bytes left (each entry takes at least `min_bytes`).
bool Count(ByteReader& r, size_t input_size, size_t min_bytes, uint64_t& n) {
  return r.Varint(n) && n <= (input_size - r.pos()) / min_bytes;
}

bool Name(ByteReader& r, const std::vector<std::string>& names, const std::string*& name) {
  uint64_t i;
  if (!r.Varint(i) || i >= names.size()) return false;
  name = &names[i];
  return true;
}

bool ReadSizes(ByteReader& r, size_t size, const std::vector<std::string>& names, std::map<std::string, int64_t>& out) {
  uint64_t n;
  if (!Count(r, size, 2, n)) return false;
  for (uint64_t i = 0; i < n; ++i) {
    const std::string* name;
    int64_t count;
    if (!Name(r, names, name) || name->empty() || !r.Signed(count) || count <= 0) return false;
    if (!out.emplace(*name, count).second) return false;
  }
  return true;
}

bool ReadPairs(ByteReader& r, size_t size, const std::vector<std::string>& names, std::map<SegmentPair, int64_t>& out) {
  uint64_t n;
  if (!Count(r, size, 3, n)) return false;
  for (uint64_t i = 0; i < n; ++i) {
    const std::string *from, *to;
    int64_t count;
    if (!Name(r, names, from) || !Name(r, names, to) || !r.Signed(count) || count == 0) return false;
    if (!out.emplace(SegmentPair{*from, *to}, count).second) return false;
  }
  return true;
}

bool ReadMoney(ByteReader& r, size_t size, const std::vector<std::string>& names, std::map<std::string, double>& out) {
  uint64_t n;
  if (!Count(r, size, 9, n)) return false;
  for (uint64_t i = 0; i < n; ++i) {
    const std::string* name;
    uint64_t bits;
    if (!Name(r, names, name) || !r.Fixed64(bits)) return false;
    const double amount = std::bit_cast<double>(bits);
    if (!std::isfinite(amount) || !out.emplace(*name, amount).second) return false;
  }
  return true;
}

}  // namespace

void WriteFlows(ByteWriter& w, const SegmentFlows& f) {
  w.Signed(f.period);
  w.Signed(f.first_period);
  w.Varint(static_cast<uint64_t>(f.periods_closed));
  std::set<std::string> names;
  for (const auto& [name, n] : f.sizes) names.insert(name);
  for (const auto* counts : {&f.open, &f.transitions}) {
    for (const auto& [pair, n] : *counts) {
      names.insert(pair.first);
      names.insert(pair.second);
    }
  }
  for (const auto* money : {&f.open_spend, &f.spend}) {
    for (const auto& [name, amount] : *money) names.insert(name);
  }
  names.erase("");
  Index index;
  w.Varint(names.size());
  for (const std::string& name : names) {
    index.emplace(name, index.size() + 1);
    w.Varint(name.size());
    w.Bytes(name);
  }
  WriteSizes(w, index, f.sizes);
  WritePairs(w, index, f.open);
  WriteMoney(w, index, f.open_spend);
  WritePairs(w, index, f.transitions);
  WriteMoney(w, index, f.spend);
}

bool ReadFlows(ByteReader& r, size_t input_size, SegmentFlows& f) {
  uint64_t closed, n;
  if (!r.Signed(f.period) || !r.Signed(f.first_period) || !r.Varint(closed) || closed > INT64_MAX) return false;
  f.periods_closed = static_cast<int64_t>(closed);
  if (!Count(r, input_size, 2, n)) return false;
  std::vector<std::string> names(1);  // [0] = "" (outside)
  for (uint64_t i = 0; i < n; ++i) {
    uint64_t length;
    std::string name;
    if (!r.Varint(length) || length == 0 || !r.Bytes(length, name) || name <= names.back()) return false;
    names.push_back(std::move(name));
  }
  return ReadSizes(r, input_size, names, f.sizes) && ReadPairs(r, input_size, names, f.open) &&
         ReadMoney(r, input_size, names, f.open_spend) && ReadPairs(r, input_size, names, f.transitions) &&
         ReadMoney(r, input_size, names, f.spend);
}

}  // namespace crm::pipeline
