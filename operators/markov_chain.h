// operators/markov_chain.h
//
// The maths of a finite Markov chain over customer segments: transition
// counts to a row-stochastic matrix, the distribution the chain settles in,
// and each state's expected discounted value (Pfeifer & Carraway 2000,
// "Modeling customer relationships as Markov chains"):
//   V = sum_{t>=0} (1+d)^-t P^t R = (I - P/(1+d))^-1 R
// where R is the reward of one period spent in each state. Pure functions of
// their arguments, no state; any thread. Sizes are small (one row per
// segment), so plain dense loops do.
#pragma once

#include <cstdint>
#include <vector>

#include "operators/status.h"

namespace crm::operators {

using Matrix = std::vector<std::vector<double>>;
using CountMatrix = std::vector<std::vector<int64_t>>;

// Each row of `counts` divided by its sum. A row without counts (nobody was
// seen starting a period there) becomes the unit row of its state: no
// evidence that anyone leaves it. Negative counts are treated as 0.
Matrix RowStochastic(const CountMatrix& counts);

struct SteadyState {
  std::vector<double> distribution;  // sums to 1
  int64_t iterations = 0;
  bool converged = false;  // the last step moved less than the tolerance
};

// Where a base distributed as `start` (non-negative weights, normalised;
// uniform when they sum to 0) settles under `p`: the limit of start x L^n for
// the lazy chain L = (I + P)/2, which has the same stationary distributions
// as P and converges even when P is periodic. For an irreducible P that is
// its unique stationary distribution, whatever the start. Stops when an
// iteration moves the distribution by less than 1e-13 (L1) or after 200,000
// iterations (then converged = false).
SteadyState SteadyStateFrom(const Matrix& p, const std::vector<double>& start);

// V = (I - P/(1+d))^-1 R, solved by Gaussian elimination with partial
// pivoting. For a (sub-)stochastic P and d > 0 the system is strictly
// diagonally dominant, so it always has one solution. InvalidArgument when
// the shapes disagree or d is not a finite number > 0.
Result<std::vector<double>> DiscountedValue(const Matrix& p, const std::vector<double>& reward,
                                            double discount_rate);

}  // namespace crm::operators
