#include "bench/alert_replay.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <set>
#include <utility>

#include "operators/alert_budget.h"
#include "operators/customer_processor.h"
#include "pipeline/fit/model_fit.h"

namespace crm::bench {

namespace op = crm::operators;
namespace pl = crm::pipeline;

std::map<std::string, op::CustomerState> Replay(const op::ModelConfig& config, const op::ModelParams* params,
                                                const std::vector<op::Event>& events, int64_t end_ms,
                                                const std::function<void(const ReplayOutput&)>& observe) {
  std::map<std::string, op::CustomerState> states;
  std::set<std::pair<int64_t, std::string>> timers;  // (due ms, customer), the runtime's firing order
  op::AlertBudget budget;                             // one partition
  op::ModelContext context;
  context.params = params;
  context.budget = &budget;
  auto handle = [&](const std::string& id, const op::Effects& e) {
    if (observe) {
      for (const op::Output& o : e.outputs) observe({id, o.time.epoch_ms, o});
    }
    if (!e.timer) return;
    timers.erase({e.timer->cancel.epoch_ms, id});
    if (e.timer->due.epoch_ms != 0) timers.insert({e.timer->due.epoch_ms, id});
  };
  auto fire_until = [&](int64_t watermark) {
    while (!timers.empty() && timers.begin()->first <= watermark) {
      const auto [due, id] = *timers.begin();
      timers.erase(timers.begin());
      op::CustomerState& state = states[id];
      const op::Effects e = op::FireTimer(config, context, id, op::EventTime{due}, op::EventTime{watermark}, state);
      if (e.expired) {
        states.erase(id);
        continue;
      }
      handle(id, e);
    }
  };
  for (const op::Event& event : events) {
    if (event.ts.epoch_ms > end_ms) break;
    fire_until(event.ts.epoch_ms);
    handle(event.customer_id, op::ProcessEvent(config, context, event, states[event.customer_id]));
  }
  fire_until(end_ms);
  return states;
}

op::Event PurchaseEvent(std::string event_id, std::string customer, int64_t ts_ms, double amount) {
  op::Purchase purchase;
  purchase.amount = amount;
  op::Event event;
  event.event_id = std::move(event_id);
  event.customer_id = std::move(customer);
  event.ts = op::EventTime{ts_ms};
  event.body = purchase;
  return event;
}

std::optional<op::ModelParams> FitModels(const pl::TransactionSummaries& summaries, op::PurchaseModel model,
                                         double days_per_unit) {
  std::vector<op::PurchaseSummary> purchases;
  std::vector<pl::SpendSummary> spend;
  for (const auto& c : summaries.customers) {
    purchases.push_back(c.purchases);
    spend.push_back({c.purchases.x, c.mean_spend});
  }
  auto fit = pl::FitPurchaseModel(model, purchases);
  auto gg = pl::FitGammaGamma(spend);
  if (!fit.ok() || !gg.ok()) {
    std::fprintf(stderr, "%s fit failed: %s\n", std::string(op::PurchaseModelTitle(model)).c_str(),
                 (!fit.ok() ? fit.status() : gg.status()).message().c_str());
    return std::nullopt;
  }
  op::ModelParams params;
  params.purchase_model = model;
  params.bgnbd = fit->params.bgnbd;
  params.mbgnbd = fit->params.mbgnbd;
  params.pareto_nbd = fit->params.pareto_nbd;
  params.gamma_gamma = gg->params;
  params.days_per_unit = days_per_unit;
  if (const auto valid = op::ValidateModelParams(params); !valid.ok()) {
    std::fprintf(stderr, "%s fit invalid: %s\n", std::string(op::PurchaseModelTitle(model)).c_str(),
                 valid.message().c_str());
    return std::nullopt;
  }
  return params;
}

std::string DescribeParams(const op::ModelParams& params) {
  char text[160];
  const op::PurchaseModelParams m = op::PurchaseModelOf(params);
  if (m.model == op::PurchaseModel::kParetoNbd) {
    std::snprintf(text, sizeof text, "r=%.4f alpha=%.4f s=%.4f beta=%.4f", m.pareto_nbd.r, m.pareto_nbd.alpha,
                  m.pareto_nbd.s, m.pareto_nbd.beta);
  } else {
    const op::BgNbdParams& p = m.model == op::PurchaseModel::kMbgNbd ? m.mbgnbd : m.bgnbd;
    std::snprintf(text, sizeof text, "r=%.4f alpha=%.4f a=%.4f b=%.4f", p.r, p.alpha, p.a, p.b);
  }
  return text;
}

bool ApplyOverride(op::ModelConfig& c, const std::string& key, const std::string& value) {
  if (key == "check_at_gaps") {
    c.inactivity.check_at_gaps.clear();
    for (size_t at = 0; at <= value.size();) {
      const size_t comma = std::min(value.find(',', at), value.size());
      c.inactivity.check_at_gaps.push_back(std::atof(value.substr(at, comma - at).c_str()));
      at = comma + 1;
    }
    return true;
  }
  const double v = std::atof(value.c_str());
  if (key == "horizon_days") c.churn.horizon_days = v;
  else if (key == "weight_no_purchase") c.churn.weight_no_purchase = v;
  else if (key == "weight_satisfaction") c.churn.weight_satisfaction = v;
  else if (key == "weight_complaints") c.churn.weight_complaints = v;
  else if (key == "alert_threshold") c.alert.alert_threshold = v;
  else if (key == "rearm_threshold") c.alert.rearm_threshold = v;
  else if (key == "min_value") c.alert.min_value = v;
  else if (key == "default_gap_days") c.churn.default_gap = op::DaysF(v);
  else if (key == "overdue_midpoint") c.churn.overdue_midpoint = v;
  else if (key == "weight_overdue") c.churn.weight_overdue = v;
  else if (key == "gap_prior_weight") c.churn.gap_prior_weight = v;
  else if (key == "max_alerts_per_day") c.alert.max_alerts_per_day = static_cast<int64_t>(v);
  else if (key == "cooldown_days") c.alert.cooldown = op::DaysF(v);
  else return false;
  return true;
}

double Median(std::vector<double> v) {
  if (v.empty()) return NAN;
  std::sort(v.begin(), v.end());
  const size_t n = v.size();
  return n % 2 == 1 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2.0;
}

}  // namespace crm::bench
