#include "operators/markov_chain.h"

#include <algorithm>
#include <cmath>
#include <utility>

namespace crm::operators {
namespace {

constexpr double kSteadyTolerance = 1e-13;
constexpr int64_t kMaxSteadyIterations = 200'000;

}  // namespace

Matrix RowStochastic(const CountMatrix& counts) {
  const size_t n = counts.size();
  Matrix p(n, std::vector<double>(n, 0.0));
  for (size_t i = 0; i < n; ++i) {
    double total = 0;
    for (size_t j = 0; j < n && j < counts[i].size(); ++j) total += static_cast<double>(std::max<int64_t>(counts[i][j], 0));
    if (total <= 0) {
      p[i][i] = 1;
      continue;
    }
    for (size_t j = 0; j < n && j < counts[i].size(); ++j) {
      p[i][j] = static_cast<double>(std::max<int64_t>(counts[i][j], 0)) / total;
    }
  }
  return p;
}

SteadyState SteadyStateFrom(const Matrix& p, const std::vector<double>& start) {
  const size_t n = p.size();
  SteadyState result;
  std::vector<double> x(n, 0.0);
  double total = 0;
  for (size_t i = 0; i < n && i < start.size(); ++i) total += std::max(start[i], 0.0);
  for (size_t i = 0; i < n; ++i) {
    x[i] = total > 0 ? (i < start.size() ? std::max(start[i], 0.0) / total : 0.0) : 1.0 / static_cast<double>(n);
  }
  std::vector<double> next(n);
  while (result.iterations < kMaxSteadyIterations) {
    ++result.iterations;
    for (size_t j = 0; j < n; ++j) next[j] = 0.5 * x[j];
    for (size_t i = 0; i < n; ++i) {
      for (size_t j = 0; j < n; ++j) next[j] += 0.5 * x[i] * p[i][j];
    }
    double moved = 0;
    for (size_t j = 0; j < n; ++j) moved += std::abs(next[j] - x[j]);
    std::swap(x, next);
    if (moved < kSteadyTolerance) {
      result.converged = true;
      break;
    }
  }
  result.distribution = std::move(x);
  return result;
}

Result<std::vector<double>> DiscountedValue(const Matrix& p, const std::vector<double>& reward,
                                            double discount_rate) {
  const size_t n = p.size();
  if (!std::isfinite(discount_rate) || discount_rate <= 0) {
    return Status::InvalidArgument("discount rate must be a finite number > 0");
  }
  if (reward.size() != n) return Status::InvalidArgument("reward vector and matrix sizes differ");
  for (const auto& row : p) {
    if (row.size() != n) return Status::InvalidArgument("transition matrix is not square");
  }
  // The augmented system [I - P/(1+d) | R].
  const double keep = 1 / (1 + discount_rate);
  Matrix a(n, std::vector<double>(n + 1, 0.0));
  for (size_t i = 0; i < n; ++i) {
    for (size_t j = 0; j < n; ++j) a[i][j] = (i == j ? 1.0 : 0.0) - keep * p[i][j];
    a[i][n] = reward[i];
  }
  for (size_t col = 0; col < n; ++col) {
    size_t pivot = col;
    for (size_t r = col + 1; r < n; ++r) {
      if (std::abs(a[r][col]) > std::abs(a[pivot][col])) pivot = r;
    }
    if (a[pivot][col] == 0) return Status::InvalidArgument("singular system (is the matrix stochastic?)");
    std::swap(a[pivot], a[col]);
    for (size_t r = col + 1; r < n; ++r) {
      const double factor = a[r][col] / a[col][col];
      if (factor == 0) continue;
      for (size_t c = col; c <= n; ++c) a[r][c] -= factor * a[col][c];
    }
  }
  std::vector<double> v(n, 0.0);
  for (size_t i = n; i-- > 0;) {
    double sum = a[i][n];
    for (size_t j = i + 1; j < n; ++j) sum -= a[i][j] * v[j];
    v[i] = sum / a[i][i];
  }
  return v;
}

}  // namespace crm::operators
