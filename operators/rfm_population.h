// operators/rfm_population.h
//
// The customer population that quantile RFM scores are relative to
// (DESIGN.md "RFM"). Each partition keeps one RfmPopulation: mergeable
// histograms of every purchasing customer's frequency, total spend and last
// purchase day, updated as customers change. Scores use rank tables frozen
// from the histograms and refreshed every `refresh_every` changes: a
// customer is re-scored lazily, when their own event (or timer) arrives,
// against the latest frozen tables, so a moving population never causes a
// storm of segment changes. Deterministic: the same changes in the same order
// give the same tables, and the runtime stores the whole object with the
// partition's state. Plain value type.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <vector>

#include "operators/customer_state.h"
#include "operators/model_config.h"
#include "operators/time.h"

namespace crm::operators {

// Counts of values in buckets. Logarithmic buckets (ratio 1.02, so any value
// is placed within 1% of its bucket's centre) suit counts and money; linear
// buckets of width 1 suit days. Mergeable: adding two histograms bucket by
// bucket gives the histogram of the union. Values below 1 share bucket 0 in
// logarithmic mode.
class Histogram {
 public:
  enum class Scale : uint8_t { kLogarithmic, kLinear };
  explicit Histogram(Scale scale = Scale::kLogarithmic) : scale_(scale) {}

  // Adds `n` (negative: removes) values equal to `value`.
  void Add(double value, int64_t n = 1);
  void Merge(const Histogram& other);
  int32_t BucketOf(double value) const { return BucketOf(scale_, value); }
  static int32_t BucketOf(Scale scale, double value);

  int64_t count() const { return count_; }
  Scale scale() const { return scale_; }
  const std::map<int32_t, int64_t>& buckets() const { return buckets_; }
  // For decoding: replaces the contents (zero counts are dropped).
  void Assign(std::map<int32_t, int64_t> buckets);

  bool operator==(const Histogram&) const = default;

 private:
  Scale scale_;
  std::map<int32_t, int64_t> buckets_;  // bucket -> count, no zero counts
  int64_t count_ = 0;
};

// Fraction of a frozen histogram's values that lie in buckets strictly below
// a value's bucket, by binary search.
class RankTable {
 public:
  RankTable() = default;
  explicit RankTable(const Histogram& histogram);
  double FractionBelow(double value) const;
  int64_t count() const { return total_; }

 private:
  Histogram::Scale scale_ = Histogram::Scale::kLogarithmic;
  std::vector<int32_t> buckets_;
  std::vector<int64_t> below_;  // values in buckets before buckets_[i]
  int64_t total_ = 0;
};

// Score 1..5 of a customer that beats `fraction_below` of the population:
// 1 + floor(5 * fraction), at most 5. Customers tied at the bottom (say,
// every one-purchase customer) all score 1.
int QuintileScore(double fraction_below);

class RfmPopulation {
 public:
  RfmPopulation();

  // Moves a customer from `before` to `after` (either may have no purchases,
  // i.e. not be in the population) and refreshes the rank tables when
  // `refresh_every` changes have accumulated since the last refresh.
  void Update(const RfmConfig& config, const CustomerState& before, const CustomerState& after);

  // Scores against the frozen tables, F and M sticky around the customer's
  // stored scores (state.rfm, RfmConfig::quantile_margin); nullopt fields mean "use the
  // configured breakpoints" (quantiles are off for that score, or the
  // frozen population is smaller than min_population).
  struct Ranks {
    std::optional<int> r, f, m;
  };
  Ranks Score(const RfmConfig& config, const CustomerState& state) const;

  // Rebuilds the rank tables from the frozen histograms (after decoding).
  void Thaw();

  // State as stored.
  struct Parts {
    Histogram frequency{Histogram::Scale::kLogarithmic};
    Histogram monetary{Histogram::Scale::kLogarithmic};
    Histogram last_purchase_day{Histogram::Scale::kLinear};
    bool operator==(const Parts&) const = default;
  };
  const Parts& live() const { return live_; }
  const Parts& frozen() const { return frozen_; }
  int64_t changes_since_refresh() const { return changes_since_refresh_; }
  void Restore(Parts live, Parts frozen, int64_t changes_since_refresh);

  bool operator==(const RfmPopulation& other) const {
    return live_ == other.live_ && frozen_ == other.frozen_ &&
           changes_since_refresh_ == other.changes_since_refresh_;
  }

 private:
  void Refresh();

  Parts live_;
  Parts frozen_;
  int64_t changes_since_refresh_ = 0;
  RankTable frequency_ranks_, monetary_ranks_, recency_ranks_;
};

}  // namespace crm::operators
