#include "operators/churn_risk.h"

#include <algorithm>
#include <cmath>

namespace crm::operators {
namespace {

double Logistic(double z) { return 1.0 / (1.0 + std::exp(-z)); }

std::string WholeDays(double days) { return std::to_string(static_cast<int64_t>(std::llround(days))); }

}  // namespace

Duration UsualGap(const ChurnConfig& config, const CustomerState& state) {
  if (state.purchase_count < 2) return config.default_gap;
  const double gaps = static_cast<double>(state.purchase_count - 1);
  const double span = static_cast<double>((state.last_purchase - state.first_purchase).ms);
  const double prior = config.gap_prior_weight * static_cast<double>(config.default_gap.ms);
  const Duration gap{static_cast<int64_t>((span + prior) / (gaps + config.gap_prior_weight))};
  // Without a prior, purchases at one instant give no rhythm at all; a zero
  // gap would make the customer never overdue.
  return gap.ms > 0 ? gap : config.default_gap;
}

ChurnAssessment AssessChurn(const ChurnConfig& config, double satisfaction, double satisfaction_prior,
                            const CustomerState& state, EventTime now, std::optional<PurchaseOutlook> outlook) {
  ChurnAssessment a;
  const Duration gap = UsualGap(config, state);
  double silent_days = 0;
  if (state.purchase_count > 0 && gap.ms > 0) {
    silent_days = std::max(0.0, (now - state.last_purchase).days());
    a.overdue_ratio = silent_days / gap.days();
  }
  double behaviour_term = config.weight_overdue * (a.overdue_ratio - config.overdue_midpoint);
  const std::optional<double> p_alive =
      outlook ? std::optional<double>(outlook->p_alive) : std::nullopt;
  if (outlook) {
    // Clamped so that a certain verdict stays a finite logit.
    const double p_none = std::clamp(outlook->p_no_purchase, 1e-9, 1.0 - 1e-9);
    behaviour_term = config.weight_no_purchase * std::log(p_none / (1.0 - p_none));
  }
  // Centred on the prior: a customer nobody has heard from is not judged
  // happier (or unhappier) than their purchases say.
  const double satisfaction_term = config.weight_satisfaction * (satisfaction_prior - satisfaction) / 50.0;
  int severity_sum = 0, max_severity = 0;
  for (const OpenComplaint& c : state.open_complaints) {
    severity_sum += c.severity;
    max_severity = std::max(max_severity, c.severity);
  }
  const double complaint_term = config.weight_complaints * severity_sum / 5.0;

  a.behavioural_risk = Logistic(behaviour_term);
  a.fitted = outlook.has_value();
  a.p_alive = p_alive ? *p_alive : 1.0 - a.behavioural_risk;
  a.p_no_purchase = outlook ? outlook->p_no_purchase : a.behavioural_risk;
  a.risk = Logistic(behaviour_term + satisfaction_term + complaint_term);

  // Reasons that raised the risk, largest contribution first.
  std::vector<std::pair<double, Reason>> reasons;
  if (p_alive && state.purchase_count > 0 && *p_alive < 0.5) {
    reasons.push_back({behaviour_term, {"low_p_alive", "only " + WholeDays(100 * *p_alive) +
                                                          "% likely to still be an active customer"}});
  }
  if (state.purchase_count > 0 && a.overdue_ratio >= 1.0) {
    // Without parameters the overdue term is the behavioural one; with them,
    // silence is still the plainest explanation, ranked just after P(alive).
    const double share = p_alive ? behaviour_term - 1e-9
                                 : behaviour_term + config.weight_overdue * config.overdue_midpoint;
    std::string detail = "no purchase for " + WholeDays(silent_days) + " days; usual gap " +
                         WholeDays(gap.days()) + " days";
    if (outlook) {
      detail += "; " + WholeDays(100 * (1 - outlook->p_no_purchase)) + "% likely to buy in the next " +
                WholeDays(config.horizon_days) + " days";
    }
    reasons.push_back({share, {"overdue", std::move(detail)}});
  }
  // Named only when low in absolute terms, not for every point below the prior.
  if (satisfaction < 50.0 && satisfaction_term > 0) {
    reasons.push_back({satisfaction_term,
                       {"low_satisfaction", "satisfaction " + WholeDays(satisfaction) + "/100"}});
  }
  if (!state.open_complaints.empty()) {
    const size_t n = state.open_complaints.size();
    reasons.push_back({complaint_term,
                       {"open_complaints", std::to_string(n) + (n == 1 ? " open complaint" : " open complaints") +
                                               ", highest severity " + std::to_string(max_severity)}});
  }
  std::stable_sort(reasons.begin(), reasons.end(),
                   [](const auto& x, const auto& y) { return x.first > y.first; });
  for (auto& [weight, reason] : reasons) a.reasons.push_back(std::move(reason));
  return a;
}

}  // namespace crm::operators
