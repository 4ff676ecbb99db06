#include "operators/bgnbd.h"

#include <algorithm>
#include <cmath>

namespace crm::operators {
namespace {

// log(exp(x) + exp(y)) without overflow.
double LogAddExp(double x, double y) {
  const double hi = std::max(x, y);
  if (!std::isfinite(hi)) return hi;
  return hi + std::log1p(std::exp(std::min(x, y) - hi));
}

}  // namespace

double BgNbdLogLikelihood(const BgNbdParams& p, const PurchaseSummary& s) {
  const double a1 = std::lgamma(p.r + s.x) - std::lgamma(p.r) + p.r * std::log(p.alpha);
  const double a2 = std::lgamma(p.a + p.b) + std::lgamma(p.b + s.x) - std::lgamma(p.b) -
                    std::lgamma(p.a + p.b + s.x);
  const double a3 = -(p.r + s.x) * std::log(p.alpha + s.T);
  if (s.x <= 0) return a1 + a2 + a3;
  const double a4 = std::log(p.a) - std::log(p.b + s.x - 1) - (p.r + s.x) * std::log(p.alpha + s.t_x);
  return a1 + a2 + LogAddExp(a3, a4);
}

double PAlive(const BgNbdParams& p, const PurchaseSummary& s) {
  if (s.x <= 0) return 1.0;
  // 1 / (1 + a/(b+x-1) * ((alpha+T)/(alpha+t_x))^(r+x)), the ratio in logs.
  const double log_term = std::log(p.a) - std::log(p.b + s.x - 1) +
                          (p.r + s.x) * (std::log(p.alpha + s.T) - std::log(p.alpha + s.t_x));
  return 1.0 / (1.0 + std::exp(log_term));
}

double Hypergeometric2F1(double a, double b, double c, double z) {
  // Terms t_{n+1} = t_n * (a+n)(b+n) / ((c+n)(n+1)) * z, all positive here.
  double log_term = 0, log_sum = 0;
  for (int n = 0; n < 100000; ++n) {
    log_term += std::log((a + n) * (b + n) / ((c + n) * (n + 1.0)) * z);
    const double next = LogAddExp(log_sum, log_term);
    if (next - log_sum < 1e-15) return std::exp(next);
    log_sum = next;
  }
  return std::exp(log_sum);
}

double ExpectedRepeatPurchasesUnconditional(const BgNbdParams& p, double t) {
  if (t <= 0) return 0;
  const double decay = std::exp(p.r * (std::log(p.alpha) - std::log(p.alpha + t)));
  const double hyp = Hypergeometric2F1(p.r, p.b, p.a + p.b - 1, t / (p.alpha + t));
  return (p.a + p.b - 1) / (p.a - 1) * (1 - decay * hyp);
}

double ExpectedPurchasesIfAlive(const BgNbdParams& p, const PurchaseSummary& s, double t) {
  if (t <= 0) return 0;
  // Eq. 10 of the paper without its P(alive) denominator: the numerator is
  // the expectation of a customer known to be alive at T.
  const double z = t / (p.alpha + s.T + t);
  const double hyp = Hypergeometric2F1(p.r + s.x, p.b + s.x, p.a + p.b + s.x - 1, z);
  const double scale = (p.a + p.b + s.x - 1) / (p.a - 1);
  const double decay = std::exp((p.r + s.x) * (std::log(p.alpha + s.T) - std::log(p.alpha + s.T + t)));
  return scale * (1 - decay * hyp);
}

double ExpectedPurchases(const BgNbdParams& p, const PurchaseSummary& s, double t) {
  if (t <= 0) return 0;
  const double numerator = ExpectedPurchasesIfAlive(p, s, t);
  double denominator = 1.0;
  if (s.x > 0) {
    denominator += std::exp(std::log(p.a) - std::log(p.b + s.x - 1) +
                            (p.r + s.x) * (std::log(p.alpha + s.T) - std::log(p.alpha + s.t_x)));
  }
  return numerator / denominator;
}

}  // namespace crm::operators
