// Alert quality on real purchases: the CDNOW 1/10 sample (2,357 customers)
// streamed through the operators as live purchases up to the calibration end
// (1997-09-30), then each customer's churn risk at that instant compared with
// whether they bought anything in the 39-week holdout (issue 12, item 5a).
//
// In process, no broker: every purchase is an Event given to ProcessEvent in
// event-time order, and every customer's overdue check fires through
// FireTimer once the stream's watermark passes it (as the runtime does). The
// fitted run uses parameters fitted by the code `crmstream fit` uses
// (SummariseTransactions, FitBgNbd, FitGammaGamma, weeks) on the same
// calibration period; the fallback run has none. For each it prints:
// - ROC AUC of churn risk at the end against "did not come back", beside the
//   AUC of days since the last purchase (recency alone) and, fitted, of
//   1 - P(alive);
// - alerts sent, customers under an open alert at the end (alerted and not
//   re-armed since), and the share of those who did not come back.
//
//   crm_bench_alert_quality [data=tests/data/cdnow/CDNOW_sample.txt] [key=value ...]
// keys override the defaults for tuning: horizon_days, weight_no_purchase,
// alert_threshold, rearm_threshold, min_value, default_gap_days,
// overdue_midpoint, weight_overdue, gap_prior_weight, max_alerts_per_day.
#include <algorithm>
#include <cstdio>
#include <fstream>
#include <map>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include "operators/churn_risk.h"
#include "operators/customer_processor.h"
#include "operators/purchase_forecast.h"
#include "operators/satisfaction.h"
#include "pipeline/fit/model_fit.h"
#include "pipeline/fit/transaction_summaries.h"

namespace {

namespace op = crm::operators;
namespace pl = crm::pipeline;

constexpr int64_t kDayMs = 86'400'000;

struct Row {
  int64_t day;
  std::string customer;
  double amount;
};

bool ReadRows(const std::string& path, std::vector<Row>& rows) {
  std::ifstream in(path);
  if (!in) return false;
  std::string line;
  while (std::getline(in, line)) {
    std::istringstream fields(line);
    std::string id, sample, date, cds;
    double amount = 0;
    if (!(fields >> id >> sample >> date >> cds >> amount)) continue;
    int64_t day = 0;
    if (!pl::ParseDay(date, day)) continue;
    rows.push_back({day, id, amount});
  }
  std::stable_sort(rows.begin(), rows.end(), [](const Row& a, const Row& b) { return a.day < b.day; });
  return true;
}

// ROC AUC of `score` for positives (Mann-Whitney, ties count one half).
double Auc(const std::vector<double>& score, const std::vector<bool>& positive) {
  std::vector<size_t> order(score.size());
  for (size_t i = 0; i < order.size(); ++i) order[i] = i;
  std::sort(order.begin(), order.end(), [&](size_t a, size_t b) { return score[a] < score[b]; });
  double rank_sum = 0, positives = 0;
  for (size_t i = 0; i < order.size();) {
    size_t j = i;
    while (j < order.size() && score[order[j]] == score[order[i]]) ++j;
    const double mid_rank = (static_cast<double>(i + j - 1)) / 2.0 + 1.0;
    for (size_t k = i; k < j; ++k) {
      if (positive[order[k]]) {
        rank_sum += mid_rank;
        positives += 1;
      }
    }
    i = j;
  }
  const double negatives = static_cast<double>(score.size()) - positives;
  return (rank_sum - positives * (positives + 1) / 2.0) / (positives * negatives);
}

struct Result {
  double auc_risk = 0, auc_recency = 0, auc_p_dead = 0;
  int64_t alerts = 0, open_alerts = 0, open_gone = 0, win_back = 0;
};

Result Replay(const op::ModelConfig& config, const op::ModelParams* params, const std::vector<Row>& rows,
              int64_t end_day, const std::map<std::string, bool>& gone) {
  std::map<std::string, op::CustomerState> states;
  std::set<std::pair<int64_t, std::string>> timers;  // (due ms, customer)
  op::AlertBudget budget;  // the sample is one partition
  op::ModelContext context;
  context.params = params;
  context.budget = &budget;
  Result r;
  auto count = [&](const op::Effects& e) {
    for (const op::Output& o : e.outputs) {
      if (const auto* alert = std::get_if<op::ChurnAlert>(&o.payload)) {
        ++r.alerts;
        if (alert->recommended_action.rfind("win back", 0) == 0) ++r.win_back;
      }
    }
  };
  auto arm = [&](const std::string& id, const op::Effects& e) {
    if (!e.timer) return;
    timers.erase({e.timer->cancel.epoch_ms, id});
    if (e.timer->due.epoch_ms != 0) timers.insert({e.timer->due.epoch_ms, id});
  };
  auto fire_until = [&](int64_t watermark) {
    while (!timers.empty() && timers.begin()->first <= watermark) {
      const auto [due, id] = *timers.begin();
      timers.erase(timers.begin());
      const op::Effects e = op::FireTimer(config, context, id, op::EventTime{due}, op::EventTime{watermark}, states[id]);
      count(e);
      arm(id, e);
    }
  };
  int64_t n = 0;
  for (const Row& row : rows) {
    if (row.day > end_day) break;
    const int64_t ts = row.day * kDayMs + kDayMs / 2;
    fire_until(ts);
    op::Purchase purchase;
    purchase.amount = row.amount;
    op::Event event;
    event.event_id = "e" + std::to_string(n++);
    event.customer_id = row.customer;
    event.ts = op::EventTime{ts};
    event.body = purchase;
    const op::Effects e = op::ProcessEvent(config, context, event, states[row.customer]);
    count(e);
    arm(row.customer, e);
  }
  const op::EventTime end{(end_day + 1) * kDayMs - 1};
  fire_until(end.epoch_ms);

  std::vector<double> risk, recency, p_dead;
  std::vector<bool> positive;
  for (const auto& [id, s] : states) {
    const auto it = gone.find(id);
    if (it == gone.end()) continue;
    std::optional<op::PurchaseOutlook> outlook;
    if (params != nullptr) outlook = op::PurchaseOutlookAt(*params, s, end, config.churn.horizon_days);
    const double sat = op::CurrentSatisfaction(config.satisfaction, s);
    risk.push_back(op::AssessChurn(config.churn, sat, s, end, outlook).risk);
    recency.push_back((end - s.last_purchase).days());
    p_dead.push_back(outlook ? 1 - outlook->p_alive : 0);
    positive.push_back(it->second);
    if (s.alerts_sent > 0 && !s.alert_armed) {
      ++r.open_alerts;
      if (it->second) ++r.open_gone;
    }
  }
  r.auc_risk = Auc(risk, positive);
  r.auc_recency = Auc(recency, positive);
  r.auc_p_dead = params != nullptr ? Auc(p_dead, positive) : 0;
  return r;
}

bool Override(op::ModelConfig& c, const std::string& key, double v) {
  if (key == "horizon_days") c.churn.horizon_days = v;
  else if (key == "weight_no_purchase") c.churn.weight_no_purchase = v;
  else if (key == "alert_threshold") c.alert.alert_threshold = v;
  else if (key == "rearm_threshold") c.alert.rearm_threshold = v;
  else if (key == "min_value") c.alert.min_value = v;
  else if (key == "default_gap_days") c.churn.default_gap = op::DaysF(v);
  else if (key == "overdue_midpoint") c.churn.overdue_midpoint = v;
  else if (key == "weight_overdue") c.churn.weight_overdue = v;
  else if (key == "gap_prior_weight") c.churn.gap_prior_weight = v;
  else if (key == "max_alerts_per_day") c.alert.max_alerts_per_day = static_cast<int64_t>(v);
  else return false;
  return true;
}

}  // namespace

int main(int argc, char** argv) {
  std::string path = "tests/data/cdnow/CDNOW_sample.txt";
  op::ModelConfig config;
  for (int i = 1; i < argc; ++i) {
    const std::string arg = argv[i];
    const size_t eq = arg.find('=');
    if (eq == std::string::npos) {
      path = arg;
    } else if (!Override(config, arg.substr(0, eq), std::stod(arg.substr(eq + 1)))) {
      std::fprintf(stderr, "unknown key %s\n", arg.c_str());
      return 2;
    }
  }
  int64_t end_day = 0;
  pl::ParseDay("1997-09-30", end_day);

  // Parameters exactly as `crmstream fit --time-unit weeks` computes them.
  pl::SummaryOptions options;
  options.calibration_end_day = end_day;
  options.days_per_unit = 7;
  auto summaries = pl::SummariseTransactions(path, options);
  if (!summaries.ok()) {
    std::fprintf(stderr, "%s\n", summaries.status().message().c_str());
    return 1;
  }
  std::vector<op::PurchaseSummary> purchases;
  std::vector<pl::SpendSummary> spend;
  std::map<std::string, bool> gone;
  for (const auto& c : summaries->customers) {
    purchases.push_back(c.purchases);
    spend.push_back({c.purchases.x, c.mean_spend});
    gone[c.customer_id] = c.holdout_purchases == 0;
  }
  auto bg = pl::FitBgNbd(purchases);
  auto gg = pl::FitGammaGamma(spend);
  if (!bg.ok() || !gg.ok()) {
    std::fprintf(stderr, "fit failed\n");
    return 1;
  }
  op::ModelParams params;
  params.bgnbd = bg->params;
  params.gamma_gamma = gg->params;
  params.days_per_unit = 7;
  std::vector<Row> rows;
  if (!ReadRows(path, rows)) {
    std::fprintf(stderr, "cannot read %s\n", path.c_str());
    return 1;
  }
  int64_t gone_count = 0;
  for (const auto& [id, g] : gone) gone_count += g ? 1 : 0;
  std::printf("CDNOW sample: %zu customers, %.1f%% did not buy in the 39-week holdout\n", gone.size(),
              100.0 * static_cast<double>(gone_count) / static_cast<double>(gone.size()));
  std::printf("BG/NBD r=%.4f alpha=%.4f a=%.4f b=%.4f (weeks); churn horizon %.0f days\n\n", params.bgnbd.r,
              params.bgnbd.alpha, params.bgnbd.a, params.bgnbd.b, config.churn.horizon_days);
  std::printf("| model | AUC churn risk | AUC recency | AUC 1-P(alive) | alerts | win-back | open alerts | precision |\n");
  std::printf("|---|---|---|---|---|---|---|---|\n");
  for (const bool fitted : {false, true}) {
    const Result r = Replay(config, fitted ? &params : nullptr, rows, end_day, gone);
    std::printf("| %s | %.3f | %.3f | %s | %lld | %lld | %lld (%.1f%%) | %.3f |\n", fitted ? "BG/NBD fitted" : "fallback",
                r.auc_risk, r.auc_recency, fitted ? std::to_string(r.auc_p_dead).substr(0, 5).c_str() : "-",
                static_cast<long long>(r.alerts), static_cast<long long>(r.win_back),
                static_cast<long long>(r.open_alerts),
                100.0 * static_cast<double>(r.open_alerts) / static_cast<double>(gone.size()),
                r.open_alerts > 0 ? static_cast<double>(r.open_gone) / static_cast<double>(r.open_alerts) : 0.0);
  }
  return 0;
}
