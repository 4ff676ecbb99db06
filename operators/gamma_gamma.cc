#include "operators/gamma_gamma.h"

#include <cmath>

namespace crm::operators {

double GammaGammaLogLikelihood(const GammaGammaParams& g, double x, double m) {
  const double px = g.p * x;
  return std::lgamma(px + g.q) - std::lgamma(px) - std::lgamma(g.q) + g.q * std::log(g.gamma) +
         (px - 1) * std::log(m) + px * std::log(x) - (px + g.q) * std::log(g.gamma + x * m);
}

double ExpectedSpend(const GammaGammaParams& g, double x, double mean_spend) {
  if (x <= 0) return g.p * g.gamma / (g.q - 1);
  return g.p * (g.gamma + x * mean_spend) / (g.p * x + g.q - 1);
}

double CustomerLifetimeValue(const BgNbdParams& bg, const GammaGammaParams& gg,
                             const PurchaseSummary& s, double mean_spend, const ClvOptions& o) {
  PurchaseModelParams model;
  model.bgnbd = bg;
  return CustomerLifetimeValue(model, gg, s, mean_spend, o);
}

double CustomerLifetimeValue(const PurchaseModelParams& model, const GammaGammaParams& gg,
                             const PurchaseSummary& s, double mean_spend, const ClvOptions& o) {
  return DiscountedValue([&](double t) { return ExpectedPurchases(model, s, t); },
                         ExpectedSpend(gg, s.x, mean_spend), o);
}

double DiscountedValue(const std::function<double(double)>& cumulative_purchases, double spend_per_purchase,
                       const ClvOptions& o) {
  const double spend = spend_per_purchase * o.margin;
  const double rate_per_unit = std::pow(1 + o.annual_discount, 1.0 / o.units_per_year) - 1;
  double clv = 0, previous = 0;
  for (int step = 1; step <= static_cast<int>(std::ceil(o.horizon)); ++step) {
    const double t = std::min<double>(step, o.horizon);
    const double cumulative = cumulative_purchases(t);
    clv += (cumulative - previous) * spend / std::pow(1 + rate_per_unit, t);
    previous = cumulative;
  }
  return clv;
}

}  // namespace crm::operators
