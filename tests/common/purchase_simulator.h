// tests/common/purchase_simulator.h
//
// Deterministic, seeded simulators of the three purchase models' stories,
// for the fit tests (recover known parameters) and the operator tests (Monte
// Carlo checks of P(no purchase within h)). Each customer starts with a
// purchase at time 0 and is observed to T (calibration), then to T + h
// (holdout). Header-only, test code.
#pragma once

#include <cstdint>
#include <random>
#include <vector>

#include "operators/bgnbd.h"
#include "operators/pareto_nbd.h"

namespace crm::testing {

struct SimulatedCustomer {
  operators::PurchaseSummary calibration;  // x, t_x, T over (0, T]
  int holdout_purchases = 0;               // purchases in (T, T + h]
};

// BG/NBD (drop-out after each repeat purchase) or, with `drop_at_first`,
// MBG/NBD (also right after the first purchase at time 0).
inline std::vector<SimulatedCustomer> SimulateBgFamily(const operators::BgNbdParams& p, bool drop_at_first, int n,
                                                       double T, double h, uint64_t seed) {
  std::mt19937_64 rng(seed);
  std::gamma_distribution<double> lambda_dist(p.r, 1.0 / p.alpha);
  std::gamma_distribution<double> ga(p.a, 1.0), gb(p.b, 1.0);
  std::uniform_real_distribution<double> unit(0.0, 1.0);
  std::vector<SimulatedCustomer> out;
  for (int i = 0; i < n; ++i) {
    const double lambda = lambda_dist(rng);
    const double g1 = ga(rng), g2 = gb(rng);
    const double drop = g1 / (g1 + g2);
    std::exponential_distribution<double> gap(lambda);
    SimulatedCustomer c;
    c.calibration = {0, 0, T};
    bool alive = !(drop_at_first && unit(rng) < drop);
    double t = 0;
    while (alive) {
      t += gap(rng);
      if (t > T + h) break;
      if (t <= T) {
        c.calibration.x += 1;
        c.calibration.t_x = t;
      } else {
        ++c.holdout_purchases;
      }
      if (unit(rng) < drop) alive = false;
    }
    out.push_back(c);
  }
  return out;
}

// Pareto/NBD: Poisson purchases at lambda ~ Gamma(r, alpha) until an
// exponential lifetime with mu ~ Gamma(s, beta) ends.
inline std::vector<SimulatedCustomer> SimulateParetoNbd(const operators::ParetoNbdParams& p, int n, double T,
                                                        double h, uint64_t seed) {
  std::mt19937_64 rng(seed);
  std::gamma_distribution<double> lambda_dist(p.r, 1.0 / p.alpha);
  std::gamma_distribution<double> mu_dist(p.s, 1.0 / p.beta);
  std::vector<SimulatedCustomer> out;
  for (int i = 0; i < n; ++i) {
    const double lambda = lambda_dist(rng);
    const double mu = mu_dist(rng);
    const double lifetime = std::exponential_distribution<double>(mu)(rng);
    std::exponential_distribution<double> gap(lambda);
    SimulatedCustomer c;
    c.calibration = {0, 0, T};
    for (double t = gap(rng); t <= T + h && t <= lifetime; t += gap(rng)) {
      if (t <= T) {
        c.calibration.x += 1;
        c.calibration.t_x = t;
      } else {
        ++c.holdout_purchases;
      }
    }
    out.push_back(c);
  }
  return out;
}

}  // namespace crm::testing
