#include "operators/pareto_nbd.h"

#include <algorithm>
#include <cmath>
#include <limits>

namespace crm::operators {
namespace {

// log(exp(x) - exp(y)) for x >= y.
double LogSubExp(double x, double y) {
  if (y == -std::numeric_limits<double>::infinity()) return x;
  if (y >= x) return -std::numeric_limits<double>::infinity();
  return x + std::log(-std::expm1(y - x));
}

double LogAddExp(double x, double y) {
  const double hi = std::max(x, y);
  if (!std::isfinite(hi)) return hi;
  return hi + std::log1p(std::exp(std::min(x, y) - hi));
}

// log of int_{t1}^{t2} (alpha+u)^-p (beta+u)^-q du.
double LogIntegral(double p, double q, double alpha, double beta, double t1, double t2) {
  if (t2 <= t1) return -std::numeric_limits<double>::infinity();
  return LogSubExp(LogParetoTailIntegral(p, q, alpha, beta, t1), LogParetoTailIntegral(p, q, alpha, beta, t2));
}

// log of (s/(r+s+x)) * (alpha+T)^(r+x) (beta+T)^s * A_0 (the note's eq. 19's
// second term relative to its first): s int_{t_x}^T of the death density
// over the survival to T, in logs.
double LogDeathTerm(const ParetoNbdParams& p, const PurchaseSummary& s) {
  const double log_integral = LogIntegral(p.r + s.x, p.s + 1, p.alpha, p.beta, s.t_x, s.T);
  return std::log(p.s) + log_integral + (p.r + s.x) * std::log(p.alpha + s.T) + p.s * std::log(p.beta + s.T);
}

// log 2F1(a, b; a+1; z) for a, b > 0 and 0 <= z < 1: the power series in
// linear space (every term is positive), rescaled if it grows large, so the
// likelihood costs a multiply-add per term rather than a log and an exp.
double LogHypergeometricC(double a, double b, double z) {
  const double c = a + 1;
  double term = 1, sum = 1, log_scale = 0;
  for (int n = 0; n < 1000000; ++n) {
    term *= (a + n) * (b + n) / ((c + n) * (n + 1.0)) * z;
    sum += term;
    if (term <= sum * 1e-17) break;
    if (sum > 1e250) {
      log_scale += std::log(sum);
      term /= sum;
      sum = 1;
    }
  }
  return std::log(sum) + log_scale;
}

}  // namespace

double LogParetoTailIntegral(double p, double q, double alpha, double beta, double t) {
  // Substituting v = (alpha+t)/(alpha+u) turns the integral into Euler's
  // integral of 2F1(p+q-1, q; p+q; z) with z = (alpha-beta)/(alpha+t); with
  // the roles of (alpha, p) and (beta, q) swapped when beta > alpha, z stays
  // in [0, 1) and every term of the series is positive.
  const double k = p + q - 1;
  if (alpha >= beta) {
    const double z = (alpha - beta) / (alpha + t);
    return LogHypergeometricC(k, q, z) - k * std::log(alpha + t) - std::log(k);
  }
  const double z = (beta - alpha) / (beta + t);
  return LogHypergeometricC(k, p, z) - k * std::log(beta + t) - std::log(k);
}

double ParetoNbdLogLikelihood(const ParetoNbdParams& p, const PurchaseSummary& s) {
  const double log_front = std::lgamma(p.r + s.x) - std::lgamma(p.r) + p.r * std::log(p.alpha) + p.s * std::log(p.beta);
  const double log_alive = -(p.r + s.x) * std::log(p.alpha + s.T) - p.s * std::log(p.beta + s.T);
  const double log_dead = std::log(p.s) + LogIntegral(p.r + s.x, p.s + 1, p.alpha, p.beta, s.t_x, s.T);
  return log_front + LogAddExp(log_alive, log_dead);
}

double ParetoNbdPAlive(const ParetoNbdParams& p, const PurchaseSummary& s) {
  if (s.T <= s.t_x) return 1.0;
  return 1.0 / (1.0 + std::exp(LogDeathTerm(p, s)));
}

double ParetoNbdExpectedRepeatPurchasesUnconditional(const ParetoNbdParams& p, double t) {
  if (t <= 0) return 0;
  // r beta / (alpha (s-1)) [1 - (beta/(beta+t))^(s-1)], and its limit at s = 1.
  const double log_ratio = std::log(p.beta) - std::log(p.beta + t);
  const double factor = std::abs(p.s - 1) < 1e-9 ? -log_ratio : -std::expm1((p.s - 1) * log_ratio) / (p.s - 1);
  return p.r * p.beta / p.alpha * factor;
}

double ParetoNbdExpectedPurchases(const ParetoNbdParams& p, const PurchaseSummary& s, double t) {
  if (t <= 0) return 0;
  // An alive customer is a new one with lambda ~ Gamma(r+x, alpha+T) and
  // mu ~ Gamma(s, beta+T).
  const ParetoNbdParams posterior{p.r + s.x, p.alpha + s.T, p.s, p.beta + s.T};
  return ParetoNbdPAlive(p, s) * ParetoNbdExpectedRepeatPurchasesUnconditional(posterior, t);
}

double ParetoNbdProbabilityNoPurchase(const ParetoNbdParams& p, const PurchaseSummary& s, double h) {
  if (h <= 0) return 1.0;
  const double r1 = p.r + s.x, a1 = p.alpha + s.T, b1 = p.beta + s.T;
  const double log_buy = std::log(r1) + r1 * std::log(a1) + p.s * std::log(b1) + LogIntegral(r1 + 1, p.s, a1, b1, 0, h);
  const double none_if_alive = std::clamp(-std::expm1(log_buy), 0.0, 1.0);
  const double alive = ParetoNbdPAlive(p, s);
  return 1.0 - alive + alive * none_if_alive;
}

}  // namespace crm::operators
