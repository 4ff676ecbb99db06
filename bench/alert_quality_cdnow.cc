// Alert quality on real purchases: the CDNOW 1/10 sample (2,357 customers)
// streamed through the operators as live purchases up to the calibration end
// (1997-09-30), then each customer's churn risk at that instant compared with
// whether they bought anything in the 39-week holdout (issue 12, item 5a).
//
// In process, no broker (bench/alert_replay.h): every purchase is an Event
// given to ProcessEvent in event-time order, and every customer's overdue
// check fires through FireTimer once the stream's watermark passes it (as the
// runtime does). The fitted runs use parameters fitted by the code
// `crmstream fit` uses (SummariseTransactions, FitPurchaseModel,
// FitGammaGamma, weeks) on the same calibration period, one run per purchase
// model (BG/NBD, MBG/NBD, Pareto/NBD); the fallback run has none. For each it
// prints:
// - ROC AUC of churn risk at the end against "did not come back", beside the
//   AUC of days since the last purchase (recency alone) and, fitted, of
//   1 - P(alive);
// - alerts sent, customers under an open alert at the end (alerted and not
//   re-armed since), and the share of those who did not come back.
//
//   crm_bench_alert_quality [data=tests/data/cdnow/CDNOW_sample.txt] [key=value ...]
// keys override the defaults for tuning (ApplyOverride in alert_replay.h).
// The full CDNOW master log (23,570 customers, same format) works as well.
#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <optional>
#include <sstream>
#include <map>
#include <string>
#include <vector>

#include "bench/alert_replay.h"
#include "operators/churn_risk.h"
#include "operators/purchase_forecast.h"
#include "operators/satisfaction.h"
#include "pipeline/fit/model_comparison.h"
#include "pipeline/fit/transaction_summaries.h"

namespace {

namespace op = crm::operators;
namespace pl = crm::pipeline;
using crm::bench::kDayMs;

struct Row {
  int64_t day;
  std::string customer;
  double amount;
};

bool ReadEvents(const std::string& path, int64_t end_day, std::vector<op::Event>& events) {
  std::ifstream in(path);
  if (!in) return false;
  std::vector<Row> rows;
  std::string line;
  while (std::getline(in, line)) {
    // "id sample date cds dollars" (the sample) or "id date cds dollars"
    // (the master log, after its header line).
    std::istringstream fields(line);
    std::vector<std::string> f;
    for (std::string token; fields >> token;) f.push_back(token);
    if (f.size() != 4 && f.size() != 5) continue;
    const size_t date = f.size() - 3;
    int64_t day = 0;
    if (!pl::ParseDay(f[date], day) || day > end_day) continue;
    rows.push_back({day, f[0], std::atof(f.back().c_str())});
  }
  std::stable_sort(rows.begin(), rows.end(), [](const Row& a, const Row& b) { return a.day < b.day; });
  for (const Row& row : rows) {
    events.push_back(crm::bench::PurchaseEvent("e" + std::to_string(events.size()), row.customer,
                                               row.day * kDayMs + kDayMs / 2, row.amount));
  }
  return true;
}

struct Result {
  double auc_risk = 0, auc_recency = 0, auc_p_dead = 0;
  int64_t alerts = 0, open_alerts = 0, open_gone = 0, win_back = 0;
};

Result Run(const op::ModelConfig& config, const op::ModelParams* params, const std::vector<op::Event>& events,
           int64_t end_day, const std::map<std::string, bool>& gone) {
  Result r;
  const op::EventTime end{(end_day + 1) * kDayMs - 1};
  const auto states = crm::bench::Replay(config, params, events, end.epoch_ms, [&](const crm::bench::ReplayOutput& o) {
    if (const auto* alert = std::get_if<op::ChurnAlert>(&o.output.payload)) {
      ++r.alerts;
      if (alert->recommended_action.rfind("win back", 0) == 0) ++r.win_back;
    }
  });
  std::vector<double> risk, recency, p_dead;
  std::vector<bool> positive;
  for (const auto& [id, s] : states) {
    const auto it = gone.find(id);
    if (it == gone.end()) continue;
    std::optional<op::PurchaseOutlook> outlook;
    if (params != nullptr) outlook = op::PurchaseOutlookAt(*params, s, end, config.churn.horizon_days);
    const double sat = op::CurrentSatisfaction(config.satisfaction, s);
    risk.push_back(op::AssessChurn(config.churn, sat, config.satisfaction.prior, s, end, outlook).risk);
    recency.push_back((end - s.last_purchase).days());
    p_dead.push_back(outlook ? 1 - outlook->p_alive : 0);
    positive.push_back(it->second);
    if (s.alerts_sent > 0 && !s.alert_armed) {
      ++r.open_alerts;
      if (it->second) ++r.open_gone;
    }
  }
  r.auc_risk = pl::RankingAuc(risk, positive);
  r.auc_recency = pl::RankingAuc(recency, positive);
  r.auc_p_dead = params != nullptr ? pl::RankingAuc(p_dead, positive) : 0;
  return r;
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
    } else if (!crm::bench::ApplyOverride(config, arg.substr(0, eq), arg.substr(eq + 1))) {
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
  std::map<std::string, bool> gone;
  for (const auto& c : summaries->customers) gone[c.customer_id] = c.holdout_purchases == 0;
  std::vector<op::Event> events;
  if (!ReadEvents(path, end_day, events)) {
    std::fprintf(stderr, "cannot read %s\n", path.c_str());
    return 1;
  }
  int64_t gone_count = 0;
  for (const auto& [id, g] : gone) gone_count += g ? 1 : 0;
  std::printf("CDNOW %s: %zu customers, %.1f%% did not buy in the 39-week holdout; churn horizon %.0f days\n",
              path.c_str(), gone.size(), 100.0 * static_cast<double>(gone_count) / static_cast<double>(gone.size()),
              config.churn.horizon_days);
  std::vector<std::pair<std::string, std::optional<op::ModelParams>>> runs = {{"fallback", std::nullopt}};
  for (const op::PurchaseModel model :
       {op::PurchaseModel::kBgNbd, op::PurchaseModel::kMbgNbd, op::PurchaseModel::kParetoNbd}) {
    auto params = crm::bench::FitModels(*summaries, model, options.days_per_unit);
    if (!params) return 1;
    const std::string title(op::PurchaseModelTitle(model));
    std::printf("%s (weeks): %s\n", title.c_str(), crm::bench::DescribeParams(*params).c_str());
    runs.push_back({title + " fitted", params});
  }
  std::printf("\n| model | AUC churn risk | AUC recency | AUC 1-P(alive) | alerts | win-back | open alerts | precision |\n");
  std::printf("|---|---|---|---|---|---|---|---|\n");
  for (const auto& [name, params] : runs) {
    const Result r = Run(config, params ? &*params : nullptr, events, end_day, gone);
    char p_dead[16] = "-";
    if (params) std::snprintf(p_dead, sizeof p_dead, "%.3f", r.auc_p_dead);
    std::printf("| %s | %.3f | %.3f | %s | %lld | %lld | %lld (%.1f%%) | %.3f |\n", name.c_str(), r.auc_risk,
                r.auc_recency, p_dead, static_cast<long long>(r.alerts), static_cast<long long>(r.win_back),
                static_cast<long long>(r.open_alerts),
                100.0 * static_cast<double>(r.open_alerts) / static_cast<double>(gone.size()),
                r.open_alerts > 0 ? static_cast<double>(r.open_gone) / static_cast<double>(r.open_alerts) : 0.0);
  }
  return 0;
}
