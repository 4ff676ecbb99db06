#include "operators/mbgnbd.h"

#include <algorithm>
#include <cmath>

namespace crm::operators {
namespace {

double LogBeta(double a, double b) { return std::lgamma(a) + std::lgamma(b) - std::lgamma(a + b); }

double LogAddExp(double x, double y) {
  const double hi = std::max(x, y);
  if (!std::isfinite(hi)) return hi;
  return hi + std::log1p(std::exp(std::min(x, y) - hi));
}

// log of a/(b+x) ((alpha+T)/(alpha+t_x))^(r+x): gone over alive.
double LogGoneOdds(const BgNbdParams& p, const PurchaseSummary& s) {
  return std::log(p.a) - std::log(p.b + s.x) + (p.r + s.x) * (std::log(p.alpha + s.T) - std::log(p.alpha + s.t_x));
}

}  // namespace

double MbgNbdLogLikelihood(const BgNbdParams& p, const PurchaseSummary& s) {
  const double front = std::lgamma(p.r + s.x) - std::lgamma(p.r) + p.r * std::log(p.alpha) - LogBeta(p.a, p.b);
  const double alive = LogBeta(p.a, p.b + s.x + 1) - (p.r + s.x) * std::log(p.alpha + s.T);
  const double gone = LogBeta(p.a + 1, p.b + s.x) - (p.r + s.x) * std::log(p.alpha + s.t_x);
  return front + LogAddExp(alive, gone);
}

double MbgNbdPAlive(const BgNbdParams& p, const PurchaseSummary& s) {
  return 1.0 / (1.0 + std::exp(LogGoneOdds(p, s)));
}

double MbgNbdExpectedRepeatPurchasesUnconditional(const BgNbdParams& p, double t) {
  if (t <= 0) return 0;
  // Alive after the first purchase with probability 1-p: mixing (1-p) over
  // Beta(a, b) is b/(a+b) times Beta(a, b+1), and from then on it is BG/NBD.
  return p.b / (p.a + p.b) * ExpectedRepeatPurchasesUnconditional({p.r, p.alpha, p.a, p.b + 1}, t);
}

double MbgNbdExpectedPurchases(const BgNbdParams& p, const PurchaseSummary& s, double t) {
  if (t <= 0) return 0;
  const BgNbdParams alive{p.r + s.x, p.alpha + s.T, p.a, p.b + s.x + 1};
  return MbgNbdPAlive(p, s) * ExpectedRepeatPurchasesUnconditional(alive, t);
}

}  // namespace crm::operators
