// Alert quality against known churners (issue 12, item 5b): a generated
// population (bench/churn_population.h: gamma-distributed purchase rates,
// one-time buyers, seasonal buyers, complainers who stay, quiet and loud
// leavers, each churner's stop day known) streamed through the operators
// exactly as the runtime would (bench/alert_replay.h: ProcessEvent in event
// time order, overdue checks through FireTimer as the watermark passes
// them), once without parameters (the fallback) and once per purchase model
// (BG/NBD, MBG/NBD, Pareto/NBD) with Gamma-Gamma, fitted by the code
// `crmstream fit` uses on the purchases of the calibration period (the first
// two years; weeks).
//
// Scored on the evaluation period (after the calibration end, one year):
// - precision (customer level): of the customers alerted in the evaluation
//   period, the share who had truly stopped when their first alert of the
//   period came (a churner after their stop, i.e. their last purchase; an
//   alert before a churner's stop, or on a customer who keeps buying, is a
//   false alarm; once stopped a customer stays stopped, so later alerts
//   cannot turn a correct customer into a false one);
// - recall: of the churners who stop in the evaluation period early enough
//   to be detectable before its end (stop + 3 true usual gaps <= end), the
//   share alerted after their stop and by the end;
// - detection delay of those: first alert after the stop minus the stop, in
//   the customer's true usual gaps (their generated mean gap); the median;
// - alerts per customer: alerts in the evaluation period per customer
//   generated.
// Then the same by kind of customer. Not timed.
//
//   crm_bench_churners [key=value ...]
// population keys: customers (2000), seed (1), gap_shape (2), rate_shape
// (1.5), mean_gap_days (45); models=fallback,bgnbd,mbgnbd,pareto (all);
// every other key overrides a model default (ApplyOverride, alert_replay.h).
#include <unistd.h>

#include <algorithm>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "bench/alert_replay.h"
#include "bench/churn_population.h"
#include "pipeline/fit/transaction_summaries.h"

namespace {

namespace op = crm::operators;
namespace pl = crm::pipeline;
namespace cb = crm::bench;

constexpr double kDetectableGaps = 3;

struct KindStats {
  int64_t customers = 0, alerted = 0, false_alarms = 0, churners = 0, detected = 0, alerts = 0;
};

struct Score {
  double precision = 0, recall = 0, delay_gaps = 0, delay_days = 0, alerts_per_customer = 0;
  int64_t alerted = 0, churners = 0;
  KindStats kinds[cb::kCustomerKinds];
};

// Scores alert times (customer -> sorted alert times in the evaluation
// period) against the truth.
Score ScoreAlerts(const std::map<std::string, std::vector<int64_t>>& alerts, const cb::Population& population) {
  Score s;
  int64_t correct = 0, total_alerts = 0;
  std::vector<double> delay_gaps, delay_days;
  for (const cb::GeneratedCustomer& c : population.customers) {
    KindStats& k = s.kinds[static_cast<int>(c.kind)];
    ++k.customers;
    const auto it = alerts.find(c.id);
    const std::vector<int64_t> none;
    const std::vector<int64_t>& at = it == alerts.end() ? none : it->second;
    total_alerts += static_cast<int64_t>(at.size());
    k.alerts += static_cast<int64_t>(at.size());
    if (!at.empty()) {
      ++s.alerted;
      ++k.alerted;
      if (c.stop_ms && at.front() > *c.stop_ms) {
        ++correct;
      } else {
        ++k.false_alarms;
      }
    }
    const int64_t gap_ms = static_cast<int64_t>(c.mean_gap_days * cb::kDayMs);
    if (c.stop_ms && *c.stop_ms > population.calibration_end_ms &&
        *c.stop_ms + static_cast<int64_t>(kDetectableGaps * static_cast<double>(gap_ms)) <= population.end_ms) {
      ++s.churners;
      ++k.churners;
      const auto after = std::upper_bound(at.begin(), at.end(), *c.stop_ms);
      if (after != at.end()) {
        ++k.detected;
        const double days = static_cast<double>(*after - *c.stop_ms) / cb::kDayMs;
        delay_days.push_back(days);
        delay_gaps.push_back(days / c.mean_gap_days);
      }
    }
  }
  s.precision = s.alerted > 0 ? static_cast<double>(correct) / static_cast<double>(s.alerted) : 0;
  s.recall = s.churners > 0 ? static_cast<double>(delay_gaps.size()) / static_cast<double>(s.churners) : 0;
  s.delay_gaps = cb::Median(delay_gaps);
  s.delay_days = cb::Median(delay_days);
  s.alerts_per_customer = static_cast<double>(total_alerts) / static_cast<double>(population.customers.size());
  return s;
}

Score Evaluate(const op::ModelConfig& config, const op::ModelParams* params, const cb::Population& population) {
  std::map<std::string, std::vector<int64_t>> alerts;
  cb::Replay(config, params, population.events, population.end_ms, [&](const cb::ReplayOutput& o) {
    if (std::holds_alternative<op::ChurnAlert>(o.output.payload) && o.at_ms > population.calibration_end_ms) {
      alerts[o.customer].push_back(o.at_ms);
    }
  });
  return ScoreAlerts(alerts, population);
}

// What the data allows: an oracle that knows each customer's true usual gap
// and alerts once per silence when it reaches `gaps` of them (no model, no
// estimate; purchases only). Its precision at a given delay bounds what any
// detector of silence can reach on this population.
Score Oracle(double gaps, const cb::Population& population) {
  std::map<std::string, std::vector<int64_t>> purchases;
  for (const op::Event& e : population.events) {
    if (std::holds_alternative<op::Purchase>(e.body)) purchases[e.customer_id].push_back(e.ts.epoch_ms);
  }
  std::map<std::string, std::vector<int64_t>> alerts;
  for (const cb::GeneratedCustomer& c : population.customers) {
    const std::vector<int64_t>& p = purchases[c.id];
    const int64_t wait = static_cast<int64_t>(gaps * c.mean_gap_days * cb::kDayMs);
    for (size_t i = 0; i < p.size(); ++i) {
      const int64_t at = p[i] + wait;
      const int64_t next = i + 1 < p.size() ? p[i + 1] : INT64_MAX;
      if (at < next && at > population.calibration_end_ms && at <= population.end_ms) alerts[c.id].push_back(at);
    }
  }
  return ScoreAlerts(alerts, population);
}

bool SetPopulationOption(cb::PopulationOptions& o, const std::string& key, double v) {
  if (key == "customers") o.customers = static_cast<int64_t>(v);
  else if (key == "seed") o.seed = static_cast<uint64_t>(v);
  else if (key == "gap_shape") o.gap_shape = v;
  else if (key == "rate_shape") o.rate_shape = v;
  else if (key == "mean_gap_days") o.mean_gap_days = v;
  else return false;
  return true;
}

}  // namespace

int main(int argc, char** argv) {
  cb::PopulationOptions options;
  op::ModelConfig config;
  std::string models = "fallback,bgnbd,mbgnbd";
  bool by_kind = true, oracle = true;
  for (int i = 1; i < argc; ++i) {
    const std::string arg = argv[i];
    const size_t eq = arg.find('=');
    const std::string key = arg.substr(0, eq), value = eq == std::string::npos ? "" : arg.substr(eq + 1);
    if (key == "models") {
      models = value;
    } else if (key == "by_kind") {
      by_kind = value != "0";
    } else if (key == "oracle") {
      oracle = value != "0";
    } else if (eq == std::string::npos || (!SetPopulationOption(options, key, std::atof(value.c_str())) &&
                                           !cb::ApplyOverride(config, key, value))) {
      std::fprintf(stderr, "unknown argument %s\n", arg.c_str());
      return 2;
    }
  }
  const cb::Population population = cb::GeneratePopulation(options);
  int64_t churners = 0;
  for (const auto& c : population.customers) churners += c.stop_ms ? 1 : 0;
  // The truth the scores rely on: a churner's stop is their last purchase.
  std::map<std::string, int64_t> last_purchase;
  for (const op::Event& e : population.events) {
    if (std::holds_alternative<op::Purchase>(e.body)) last_purchase[e.customer_id] = e.ts.epoch_ms;
  }
  for (const auto& c : population.customers) {
    if (c.stop_ms && last_purchase[c.id] != *c.stop_ms) {
      std::fprintf(stderr, "generator bug: %s stops at %lld but buys at %lld\n", c.id.c_str(),
                   static_cast<long long>(*c.stop_ms), static_cast<long long>(last_purchase[c.id]));
      return 1;
    }
  }
  std::printf("generated: %zu customers (seed %llu, gap shape %.1f), %lld churners, %zu events; "
              "fitted on the first %.0f days, scored on the last %.0f\n",
              population.customers.size(), static_cast<unsigned long long>(options.seed), options.gap_shape,
              static_cast<long long>(churners), population.events.size(), options.calibration_days,
              options.days - options.calibration_days);

  std::vector<std::pair<std::string, std::optional<op::ModelParams>>> runs;
  std::set<std::string> wanted;
  for (size_t at = 0; at <= models.size();) {
    const size_t comma = std::min(models.find(',', at), models.size());
    wanted.insert(models.substr(at, comma - at));
    at = comma + 1;
  }
  if (wanted.count("fallback")) runs.push_back({"fallback", std::nullopt});
  const std::string csv = "/tmp/crm_bench_churners." + std::to_string(getpid()) + ".csv";
  if (!cb::WritePurchasesCsv(population, csv)) {
    std::fprintf(stderr, "cannot write %s\n", csv.c_str());
    return 1;
  }
  pl::SummaryOptions summary_options;
  summary_options.format = pl::TransactionFormat::kCsv;
  summary_options.calibration_end_day = population.calibration_end_day;
  summary_options.days_per_unit = 7;
  auto summaries = pl::SummariseTransactions(csv, summary_options);
  std::remove(csv.c_str());
  if (!summaries.ok()) {
    std::fprintf(stderr, "%s\n", summaries.status().message().c_str());
    return 1;
  }
  const std::pair<const char*, op::PurchaseModel> fitted[] = {{"bgnbd", op::PurchaseModel::kBgNbd},
                                                              {"mbgnbd", op::PurchaseModel::kMbgNbd},
                                                              {"pareto", op::PurchaseModel::kParetoNbd}};
  for (const auto& [name, model] : fitted) {
    if (!wanted.count(name)) continue;
    auto params = cb::FitModels(*summaries, model, summary_options.days_per_unit);
    if (!params) return 1;
    const std::string title(op::PurchaseModelTitle(model));
    std::printf("%s (weeks): %s\n", title.c_str(), cb::DescribeParams(*params).c_str());
    runs.push_back({title + " fitted", params});
  }
  std::printf("\n| model | precision | recall | median delay (usual gaps) | median delay (days) | alerted | "
              "churners | alerts per customer |\n|---|---|---|---|---|---|---|---|\n");
  std::vector<Score> scores;
  for (const auto& [name, params] : runs) {
    scores.push_back(Evaluate(config, params ? &*params : nullptr, population));
    const Score& s = scores.back();
    std::printf("| %s | %.3f | %.3f | %.2f | %.0f | %lld | %lld | %.3f |\n", name.c_str(), s.precision, s.recall,
                s.delay_gaps, s.delay_days, static_cast<long long>(s.alerted), static_cast<long long>(s.churners),
                s.alerts_per_customer);
  }
  if (oracle) {
    std::printf("\nWhat the data allows: an oracle alerting after k true usual gaps of silence\n"
                "| k | precision | recall | median delay (usual gaps) | alerted | alerts per customer |\n"
                "|---|---|---|---|---|---|\n");
    for (const double k : {1.5, 2.0, 2.5, 3.0, 4.0}) {
      const Score s = Oracle(k, population);
      std::printf("| %.1f | %.3f | %.3f | %.2f | %lld | %.3f |\n", k, s.precision, s.recall, s.delay_gaps,
                  static_cast<long long>(s.alerted), s.alerts_per_customer);
    }
  }
  if (!by_kind) return 0;
  for (size_t r = 0; r < runs.size(); ++r) {
    std::printf("\n%s by kind: customers, alerted, false alarms, detectable churners, detected, alerts\n",
                runs[r].first.c_str());
    for (int k = 0; k < cb::kCustomerKinds; ++k) {
      const KindStats& ks = scores[r].kinds[k];
      std::printf("  %-22s %5lld %5lld %5lld %5lld %5lld %5lld\n", cb::CustomerKindName(static_cast<cb::CustomerKind>(k)),
                  static_cast<long long>(ks.customers), static_cast<long long>(ks.alerted),
                  static_cast<long long>(ks.false_alarms), static_cast<long long>(ks.churners),
                  static_cast<long long>(ks.detected), static_cast<long long>(ks.alerts));
    }
  }
  return 0;
}
