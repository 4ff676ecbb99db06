// operators/money.h
//
// Sums of money that stay finite whatever the input. The decoder bounds each
// amount (runtime.max_amount), but a total grows with every purchase and a
// stored state may predate that bound, so every accumulation saturates at
// kMaxMoney and every model output that is money is clamped to it. kMaxMoney
// (10^18) is far above any real customer's spend and far below where doubles
// overflow, so products with probabilities, counts and discount factors stay
// finite too. Pure functions.
#pragma once

#include <algorithm>
#include <cmath>

namespace crm::operators {

inline constexpr double kMaxMoney = 1e18;

// `v` within [-kMaxMoney, kMaxMoney]; `fallback` (itself clamped) when v is
// NaN. Infinities saturate.
inline double ClampMoney(double v, double fallback = 0) {
  if (std::isnan(v)) v = std::isnan(fallback) ? 0 : fallback;
  return std::clamp(v, -kMaxMoney, kMaxMoney);
}

// total + amount, saturating at kMaxMoney; a non-finite stored total heals.
inline double AddMoney(double total, double amount) { return ClampMoney(ClampMoney(total) + ClampMoney(amount)); }

}  // namespace crm::operators
