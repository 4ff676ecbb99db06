#include "operators/rfm_population.h"

#include <algorithm>
#include <cmath>

namespace crm::operators {
namespace {

constexpr double kLogBucketRatio = 1.02;
const double kLogOfRatio = std::log(kLogBucketRatio);
constexpr int64_t kMsPerDay = 86'400'000;

double LastPurchaseDay(const CustomerState& s) {
  return std::floor(static_cast<double>(s.last_purchase.epoch_ms) / kMsPerDay);
}

void AddCustomer(RfmPopulation::Parts& parts, const CustomerState& s, int64_t n) {
  if (s.purchase_count == 0) return;
  parts.frequency.Add(static_cast<double>(s.purchase_count), n);
  parts.monetary.Add(s.total_spend, n);
  parts.last_purchase_day.Add(LastPurchaseDay(s), n);
}

}  // namespace

int32_t Histogram::BucketOf(Scale scale, double value) {
  if (!std::isfinite(value)) return value > 0 ? INT32_MAX : INT32_MIN;
  if (scale == Scale::kLinear) {
    return static_cast<int32_t>(std::clamp(std::floor(value), double{INT32_MIN}, double{INT32_MAX}));
  }
  if (value < 1) return 0;
  return 1 + static_cast<int32_t>(std::floor(std::log(value) / kLogOfRatio));
}

void Histogram::Add(double value, int64_t n) {
  const int32_t bucket = BucketOf(value);
  int64_t& slot = buckets_[bucket];
  slot += n;
  count_ += n;
  if (slot == 0) buckets_.erase(bucket);
}

void Histogram::Merge(const Histogram& other) {
  for (const auto& [bucket, n] : other.buckets_) {
    int64_t& slot = buckets_[bucket];
    slot += n;
    count_ += n;
    if (slot == 0) buckets_.erase(bucket);
  }
}

void Histogram::Assign(std::map<int32_t, int64_t> buckets) {
  buckets_.clear();
  count_ = 0;
  for (const auto& [bucket, n] : buckets) {
    if (n == 0) continue;
    buckets_.emplace(bucket, n);
    count_ += n;
  }
}

RankTable::RankTable(const Histogram& h) : scale_(h.scale()) {
  buckets_.reserve(h.buckets().size());
  below_.reserve(h.buckets().size());
  for (const auto& [bucket, n] : h.buckets()) {
    buckets_.push_back(bucket);
    below_.push_back(total_);
    total_ += n;
  }
}

double RankTable::FractionBelow(double value) const {
  if (total_ <= 0) return 0;
  const int32_t bucket = Histogram::BucketOf(scale_, value);
  const auto it = std::lower_bound(buckets_.begin(), buckets_.end(), bucket);
  const int64_t below = it == buckets_.end() ? total_ : below_[static_cast<size_t>(it - buckets_.begin())];
  return static_cast<double>(below) / static_cast<double>(total_);
}

int QuintileScore(double fraction_below) {
  return std::clamp(1 + static_cast<int>(std::floor(5 * fraction_below)), 1, 5);
}

RfmPopulation::RfmPopulation() { Thaw(); }

void RfmPopulation::Update(const RfmConfig& config, const CustomerState& before, const CustomerState& after) {
  const bool moved = before.purchase_count != after.purchase_count || before.total_spend != after.total_spend ||
                     before.last_purchase != after.last_purchase;
  if (!moved) return;
  AddCustomer(live_, before, -1);
  AddCustomer(live_, after, +1);
  if (++changes_since_refresh_ >= config.refresh_every) Refresh();
}

void RfmPopulation::Refresh() {
  frozen_ = live_;
  changes_since_refresh_ = 0;
  Thaw();
}

void RfmPopulation::Thaw() {
  frequency_ranks_ = RankTable(frozen_.frequency);
  monetary_ranks_ = RankTable(frozen_.monetary);
  recency_ranks_ = RankTable(frozen_.last_purchase_day);
}

void RfmPopulation::Restore(Parts live, Parts frozen, int64_t changes_since_refresh) {
  live_ = std::move(live);
  frozen_ = std::move(frozen);
  changes_since_refresh_ = changes_since_refresh;
  Thaw();
}

namespace {

// The quintile score of `fraction`, except that a customer keeps a
// `previous` score (1..5; 0: none) while the fraction lies within `margin`
// of that score's band [(previous - 1) / 5, previous / 5).
int StickyQuintileScore(double fraction, int previous, double margin) {
  const int score = QuintileScore(fraction);
  if (previous < 1 || previous > 5 || margin <= 0 || score == previous) return score;
  const double lo = (previous - 1) / 5.0 - margin;
  const double hi = previous / 5.0 + margin;
  return fraction >= lo && fraction < hi ? previous : score;
}

}  // namespace

RfmPopulation::Ranks RfmPopulation::Score(const RfmConfig& config, const CustomerState& s) const {
  Ranks ranks;
  if (s.purchase_count == 0 || frequency_ranks_.count() < config.min_population) return ranks;
  if (config.frequency_monetary == RfmScoring::kQuantiles) {
    ranks.f = StickyQuintileScore(frequency_ranks_.FractionBelow(static_cast<double>(s.purchase_count)), s.rfm.f,
                                  config.quantile_margin);
    ranks.m = StickyQuintileScore(monetary_ranks_.FractionBelow(s.total_spend), s.rfm.m, config.quantile_margin);
  }
  if (config.recency == RfmScoring::kQuantiles) {
    ranks.r = QuintileScore(recency_ranks_.FractionBelow(LastPurchaseDay(s)));
  }
  return ranks;
}

}  // namespace crm::operators
