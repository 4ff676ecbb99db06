// tests/operators/outputs_of.h
//
// Test helper: the payloads of one type among an Effects' outputs, in order.
#pragma once

#include <variant>
#include <vector>

#include "operators/effects.h"

namespace crm::operators {

template <typename T>
std::vector<T> OutputsOf(const Effects& e) {
  std::vector<T> out;
  for (const auto& o : e.outputs) {
    if (auto* p = std::get_if<T>(&o.payload)) out.push_back(*p);
  }
  return out;
}

}  // namespace crm::operators
