#include "operators/reward_programme.h"

#include <algorithm>
#include <cmath>

#include "operators/civil_date.h"
#include "operators/money.h"

namespace crm::operators {
namespace {

constexpr int64_t kDayMs = 86'400'000;

int64_t FloorDiv(int64_t a, int64_t b) { return a / b - ((a % b != 0) && ((a < 0) != (b < 0))); }

EventTime StartOf(const RewardsConfig& config, int64_t year) {
  // Validated config never asks for 29 February; a day past the month's end
  // (only possible without validation) means its last day.
  const int64_t month = std::clamp<int64_t>(config.year_start_month, 1, 12);
  const int64_t day = std::clamp<int64_t>(config.year_start_day, 1, DaysInMonth(year, month));
  return EventTime{DaysFromCivil(year, month, day) * kDayMs};
}

double Cents(double amount) { return ClampMoney(std::round(ClampMoney(amount) * 100) / 100); }

Output MakeOutput(RewardKind kind, EventTime time, const ProgrammeYear& year, const RewardsConfig& config,
                  const RewardOccasion& at, const RewardCard& card, double purchase) {
  RewardEvent event;
  event.kind = kind;
  event.customer_id = at.customer_id;
  event.programme_year = year.year;
  event.year_start = year.start;
  event.year_end = year.end;
  event.accumulated = card.accumulated;
  event.threshold = config.threshold;
  event.purchase = purchase;
  event.cause = at.cause;
  return Output{RewardRuleName(kind), time, std::move(event)};
}

}  // namespace

const char* RewardRuleName(RewardKind kind) {
  switch (kind) {
    case RewardKind::kEnrolled: return "reward-enrolled";
    case RewardKind::kThresholdReached: return "reward-threshold-reached";
    case RewardKind::kVoucherIssued: return "reward-voucher-issued";
  }
  return "reward";
}

ProgrammeYear ProgrammeYearNamed(const RewardsConfig& config, int32_t year) {
  ProgrammeYear y;
  y.year = year;
  y.start = StartOf(config, year);
  y.end = StartOf(config, int64_t{year} + 1);
  y.close = std::max(y.start, y.end - Days(config.claim_window_days));
  return y;
}

ProgrammeYear ProgrammeYearAt(const RewardsConfig& config, EventTime t) {
  const int64_t calendar_year = CivilFromDays(FloorDiv(t.epoch_ms, kDayMs)).year;
  const int32_t year = static_cast<int32_t>(t < StartOf(config, calendar_year) ? calendar_year - 1 : calendar_year);
  return ProgrammeYearNamed(config, year);
}

std::string VoucherId(const std::string& customer_id, int32_t programme_year) {
  return std::to_string(programme_year) + "/" + customer_id;
}

void SettleRewards(const RewardsConfig& config, const RewardOccasion& at, RewardCard& card,
                   std::vector<Output>& outputs) {
  if (!config.enabled || !card.threshold_reached || card.voucher_year == card.programme_year) return;
  const ProgrammeYear year = ProgrammeYearNamed(config, card.programme_year);
  if (at.now < year.close) return;
  card.voucher_year = card.programme_year;
  Output output = MakeOutput(RewardKind::kVoucherIssued, year.close, year, config, at, card, 0);
  std::get<RewardEvent>(output.payload).voucher =
      Voucher{VoucherId(at.customer_id, year.year), Cents(config.rate * card.accumulated), year.close, year.end};
  outputs.push_back(std::move(output));
}

void ApplyRewardPurchase(const RewardsConfig& config, const RewardOccasion& at, double amount, EventTime ts,
                         RewardCard& card, std::vector<Output>& outputs) {
  if (!config.enabled) return;
  const bool joins = !card.enrolled && amount >= config.entry_purchase;
  if (!card.enrolled && !joins) return;
  card.enrolled = true;
  const ProgrammeYear year = ProgrammeYearAt(config, ts);
  if (year.year > card.programme_year) {
    // The card moves on: the old year's voucher first (its close has passed).
    SettleRewards(config, at, card, outputs);
    card.programme_year = year.year;
    card.accumulated = 0;
    card.threshold_reached = false;
  }
  // Late purchases of an earlier year, purchases in the claim window and
  // purchases after the year's voucher count for nothing.
  const bool counts = year.year == card.programme_year && ts < year.close && card.voucher_year != year.year;
  if (counts) card.accumulated = AddMoney(card.accumulated, amount);
  if (joins) outputs.push_back(MakeOutput(RewardKind::kEnrolled, ts, year, config, at, card, amount));
  if (counts && !card.threshold_reached && card.accumulated >= config.threshold) {
    card.threshold_reached = true;
    outputs.push_back(MakeOutput(RewardKind::kThresholdReached, ts, year, config, at, card, amount));
  }
}

EventTime VoucherDue(const RewardsConfig& config, const RewardCard& card) {
  if (!config.enabled || !card.threshold_reached || card.voucher_year == card.programme_year) return EventTime{};
  return ProgrammeYearNamed(config, card.programme_year).close;
}

}  // namespace crm::operators
