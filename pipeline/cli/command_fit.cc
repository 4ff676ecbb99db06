// `crmstream fit`: purchase model (BG/NBD always; MBG/NBD and Pareto/NBD with
// --model or auto) and Gamma-Gamma parameters from a transaction log or the
// state store, the models compared on the holdout (model_comparison.h).
#include <nlohmann/json.hpp>

#include <cmath>
#include <cstdio>
#include <map>
#include <optional>
#include <variant>
#include <fstream>
#include <iostream>

#include "operators/bgnbd.h"
#include "operators/gamma_gamma.h"
#include "pipeline/cli/commands.h"
#include "pipeline/fit/model_comparison.h"
#include "pipeline/fit/model_fit.h"
#include "pipeline/wire/output_encoder.h"
#include "pipeline/state/state_store.h"
#include "pipeline/fit/state_summaries.h"
#include "pipeline/fit/tracking_report.h"
#include "pipeline/fit/transaction_summaries.h"

namespace crm::pipeline {
namespace {

std::string DayText(int64_t day) { return FormatRfc3339(day * 86'400'000).substr(0, 10); }

// First purchase day -> customers who joined that day: the cohort's
// expectations are computed per join day, so large logs stay cheap.
std::map<int64_t, int64_t> CustomersByJoinDay(const TransactionSummaries& data) {
  std::map<int64_t, int64_t> joined;
  for (const auto& c : data.customers) ++joined[c.first_purchase_day];
  return joined;
}

// Cumulative repeat purchases of the whole cohort, per time unit since its
// first purchase: observed, and expected from the fitted BG/NBD (customers
// grouped by the day they joined, so large logs stay cheap).
TrackingSeries Tracking(const TransactionSummaries& data, const operators::PurchaseModelParams& params,
                        const SummaryOptions& options, const std::string& unit) {
  TrackingSeries series;
  series.time_unit = unit;
  const std::string title(operators::PurchaseModelTitle(params.model));
  series.title = "Cumulative repeat purchases: actual vs " + title;
  series.expected_label = title + " expected";
  const std::map<int64_t, int64_t> joined = CustomersByJoinDay(data);
  if (joined.empty()) return series;
  const int64_t start = joined.begin()->first;
  const double dpu = options.days_per_unit;
  series.calibration_end = static_cast<double>(options.calibration_end_day - start) / dpu;
  const int steps = static_cast<int>(std::ceil(static_cast<double>(data.last_day - start) / dpu));
  auto observed = data.repeat_purchases_by_day.begin();
  double cumulative = 0;
  for (int step = 0; step <= steps; ++step) {
    const double day = static_cast<double>(start) + step * dpu;
    while (observed != data.repeat_purchases_by_day.end() && static_cast<double>(observed->first) <= day) {
      cumulative += static_cast<double>(observed->second);
      ++observed;
    }
    double expected = 0;
    for (const auto& [first_day, count] : joined) {
      const double age = (day - static_cast<double>(first_day)) / dpu;
      if (age > 0) expected += static_cast<double>(count) * operators::ExpectedRepeatPurchasesUnconditional(params, age);
    }
    series.time.push_back(step);
    series.actual.push_back(cumulative);
    series.expected.push_back(expected);
  }
  return series;
}


// Repeat purchases the whole cohort is expected to make between the
// calibration end and the last day, from each join day's unconditional
// expectation: what the tracking chart shows.
double CohortHoldout(const TransactionSummaries& data, const operators::PurchaseModelParams& params,
                     const SummaryOptions& options) {
  double expected = 0;
  for (const auto& [first_day, count] : CustomersByJoinDay(data)) {
    const double at_end = static_cast<double>(data.last_day - first_day) / options.days_per_unit;
    const double at_calibration = static_cast<double>(options.calibration_end_day - first_day) / options.days_per_unit;
    expected += static_cast<double>(count) * (operators::ExpectedRepeatPurchasesUnconditional(params, at_end) -
                                              operators::ExpectedRepeatPurchasesUnconditional(params, at_calibration));
  }
  return expected;
}

// The customers to fit, from a transaction log or the state store; prints
// the problem and returns an exit code when there are none to fit.
struct FitInput {
  std::optional<TransactionSummaries> log;  // with --transactions
  std::vector<CustomerSummary> customers;
  std::string period;  // what the data covers, for the report
};

std::variant<FitInput, int> ReadFitInput(const FitCommandOptions& o, const CliContext& context,
                                         SummaryOptions& options) {
  FitInput input;
  if (o.from_state) {
    config::Config config;
    if (!LoadConfigOrReport(o.config_path, context, config)) return kExitUsage;
    auto store = StateStore::Open({config.state.dir, config.state.memory_budget_bytes, /*read_only=*/true});
    if (!store.ok()) {
      std::cerr << "crmstream: " << store.status().message() << "\n";
      return kExitFailure;
    }
    auto summaries = SummariseState(**store, options.days_per_unit);
    if (!summaries.ok()) {
      std::cerr << "crmstream: " << summaries.status().message() << "\n";
      return kExitFailure;
    }
    options.calibration_end_day = summaries->as_of_ms / 86'400'000;
    input.customers = std::move(summaries->customers);
    input.period = "state store " + config.state.dir + " as of " + FormatRfc3339(summaries->as_of_ms);
    std::cerr << "read " << summaries->stored_customers << " customers from " << config.state.dir << ", "
              << input.customers.size() << " with purchases\n";
  } else {
    if (o.transactions.empty()) {
      std::cerr << "crmstream: fit needs --transactions FILE or --from-state\n";
      return kExitUsage;
    }
    if (!ParseDay(o.calibration_end, options.calibration_end_day)) {
      std::cerr << "crmstream: --calibration-end '" << o.calibration_end << "' is not a date (yyyy-mm-dd)\n";
      return kExitUsage;
    }
    options.progress = [](int64_t lines) { std::cerr << "read " << lines << " lines...\n"; };
    auto summaries = SummariseTransactions(o.transactions, options);
    if (!summaries.ok()) {
      std::cerr << "crmstream: " << summaries.status().message() << "\n";
      return kExitUsage;
    }
    input.customers = summaries->customers;
    input.period = std::to_string(summaries->rows) + " transactions, calibration to " +
                   DayText(options.calibration_end_day);
    input.log = std::move(summaries).value();
  }
  if (input.customers.empty()) {
    std::cerr << "crmstream: no customer with a purchase to fit\n";
    return kExitFailure;
  }
  return input;
}

}  // namespace

int RunFitCommand(const FitCommandOptions& o, const CliContext& context) {
  SummaryOptions options;
  options.format = o.format == "csv" ? TransactionFormat::kCsv : TransactionFormat::kCdnow;
  options.days_per_unit = o.time_unit == "days" ? 1 : 7;
  if (o.from_state && !o.report.empty()) {
    std::cerr << "crmstream: --report needs --transactions (the state store keeps no purchase history)\n";
    return kExitUsage;
  }
  auto read = ReadFitInput(o, context, options);
  if (const int* exit_code = std::get_if<int>(&read)) return *exit_code;
  FitInput& input = std::get<FitInput>(read);
  const auto& customers = input.customers;
  std::vector<operators::PurchaseSummary> purchases;
  std::vector<SpendSummary> spend;
  for (const auto& c : customers) {
    purchases.push_back(c.purchases);
    spend.push_back({c.purchases.x, c.mean_spend});
  }
  auto bg = FitBgNbd(purchases);
  if (!bg.ok()) {
    std::cerr << "crmstream: BG/NBD fit failed: " << bg.status().message() << "\n";
    return kExitFailure;
  }
  auto gg = FitGammaGamma(spend);
  if (!gg.ok()) {
    std::cerr << "crmstream: Gamma-Gamma fit failed: " << gg.status().message() << "\n";
    return kExitFailure;
  }
  // BG/NBD is always fitted (services that predate the choice read only
  // it); the others as asked, all of them in auto mode.
  using operators::PurchaseModel;
  // --model is checked by the CLI; anything unknown counts as auto.
  const bool requested = o.model != "auto" && operators::ParsePurchaseModel(o.model).has_value();
  const PurchaseModel requested_model = operators::ParsePurchaseModel(o.model).value_or(PurchaseModel::kBgNbd);
  std::vector<PurchaseModelFit> fits;
  fits.push_back({{PurchaseModel::kBgNbd, bg->params, {}, {}}, bg->log_likelihood, bg->evaluations});
  for (PurchaseModel model : {PurchaseModel::kMbgNbd, PurchaseModel::kParetoNbd}) {
    if (requested && requested_model != model) continue;
    auto fit = FitPurchaseModel(model, purchases);
    if (!fit.ok()) {
      std::cerr << "crmstream: " << operators::PurchaseModelTitle(model) << " fit failed: " << fit.status().message()
                << "\n";
      return kExitFailure;
    }
    fits.push_back(*fit);
  }
  const double holdout =
      input.log ? static_cast<double>(input.log->last_day - options.calibration_end_day) / options.days_per_unit : 0;
  std::vector<HoldoutCustomer> holdout_customers;
  for (const auto& c : customers) holdout_customers.push_back({c.purchases, c.holdout_purchases});
  std::vector<ModelComparisonRow> rows;
  for (const auto& fit : fits) rows.push_back(CompareOnHoldout(fit, holdout_customers, holdout));
  size_t chosen = BestByLogLikelihood(rows);
  if (requested) {
    for (size_t i = 0; i < rows.size(); ++i) {
      if (rows[i].fit.params.model == requested_model) chosen = i;
    }
  }
  // One parameter set with every fitted model's section filled, the chosen
  // one named.
  operators::PurchaseModelParams model = rows[chosen].fit.params;
  for (const auto& fit : fits) {
    if (fit.params.model == PurchaseModel::kMbgNbd) model.mbgnbd = fit.params.mbgnbd;
    if (fit.params.model == PurchaseModel::kParetoNbd) model.pareto_nbd = fit.params.pareto_nbd;
  }
  model.bgnbd = bg->params;

  nlohmann::ordered_json params{
      {"purchase_model", std::string(operators::PurchaseModelName(model.model))},
      {"model_selection", requested ? "--model " + o.model : "auto: highest calibration log-likelihood"},
      {"bgnbd", {{"r", bg->params.r}, {"alpha", bg->params.alpha}, {"a", bg->params.a}, {"b", bg->params.b},
                 {"log_likelihood", bg->log_likelihood}}},
      {"gamma_gamma", {{"p", gg->params.p}, {"q", gg->params.q}, {"gamma", gg->params.gamma},
                       {"log_likelihood", gg->log_likelihood}, {"customers", gg->customers}}},
      {"time_unit", o.time_unit},
      {"calibration_end", DayText(options.calibration_end_day)},
      {"data", {{"source", o.from_state ? "state" : "transactions"}, {"period", input.period},
                {"customers", customers.size()}}}};
  std::string model_lines;
  for (const auto& fit : fits) {
    char line[256];
    if (fit.params.model == PurchaseModel::kMbgNbd) {
      const auto& m = fit.params.mbgnbd;
      params["mbgnbd"] = {{"r", m.r}, {"alpha", m.alpha}, {"a", m.a}, {"b", m.b}, {"log_likelihood", fit.log_likelihood}};
      std::snprintf(line, sizeof line, "MBG/NBD      r=%.4f alpha=%.4f a=%.4f b=%.4f  log-likelihood %.2f\n", m.r,
                    m.alpha, m.a, m.b, fit.log_likelihood);
      model_lines += line;
    } else if (fit.params.model == PurchaseModel::kParetoNbd) {
      const auto& m = fit.params.pareto_nbd;
      params["pareto_nbd"] = {{"r", m.r}, {"alpha", m.alpha}, {"s", m.s}, {"beta", m.beta},
                              {"log_likelihood", fit.log_likelihood}};
      std::snprintf(line, sizeof line, "Pareto/NBD   r=%.4f alpha=%.4f s=%.4f beta=%.4f  log-likelihood %.2f\n", m.r,
                    m.alpha, m.s, m.beta, fit.log_likelihood);
      model_lines += line;
    }
  }
  nlohmann::ordered_json comparison = nlohmann::ordered_json::array();
  for (const auto& row : rows) {
    nlohmann::ordered_json r{{"model", std::string(operators::PurchaseModelName(row.fit.params.model))},
                             {"log_likelihood", row.fit.log_likelihood}};
    if (row.has_holdout) {
      r["predicted_holdout_repeat_purchases"] = row.predicted_holdout;
      r["actual_holdout_repeat_purchases"] = row.actual_holdout;
      r["no_purchase_auc"] = row.no_purchase_auc;
    }
    comparison.push_back(r);
  }
  params["comparison"] = comparison;
  const std::string table = ComparisonTable(rows, chosen, o.time_unit, holdout);
  std::string holdout_line;
  if (input.log) {
    // Holdout check of the chosen model: predicted against actual repeat
    // purchases after the calibration end, up to the last day in the data,
    // two ways: the sum of each customer's conditional expectation (what the
    // live service uses) and the cohort's unconditional expectation (the
    // paper's tracking plot).
    const TransactionSummaries& log = *input.log;
    const double conditional = rows[chosen].predicted_holdout;
    const int64_t actual = rows[chosen].actual_holdout;
    const TrackingSeries tracking = Tracking(log, model, options, o.time_unit);
    const double unconditional = CohortHoldout(log, model, options);
    params["data"]["transactions"] = log.rows;
    params["data"]["last_day"] = DayText(log.last_day);
    params["holdout"] = {{"length", holdout},
                         {"model", std::string(operators::PurchaseModelName(model.model))},
                         {"predicted_repeat_purchases", conditional},
                         {"predicted_repeat_purchases_cohort", unconditional},
                         {"actual_repeat_purchases", actual}};
    char text[256];
    std::snprintf(text, sizeof text,
                  "holdout      %.1f %s: predicted %.1f repeat purchases (cohort curve %.1f), actual %lld\n", holdout,
                  o.time_unit.c_str(), conditional, unconditional, static_cast<long long>(actual));
    holdout_line = text;
    if (!o.report.empty()) {
      Status written = WriteTrackingChart(tracking, o.report);
      if (!written.ok()) {
        std::cerr << "crmstream: " << written.message() << "\n";
        return kExitFailure;
      }
    }
  }
  std::ofstream out(o.output);
  out << params.dump(2) << "\n";
  if (!out) {
    std::cerr << "crmstream: cannot write '" << o.output << "'\n";
    return kExitFailure;
  }

  if (!o.scores.empty()) {
    std::ofstream scores(o.scores);
    scores << "customer_id,x,t_x,T,p_alive,expected_purchases,expected_spend,clv,p_no_purchase\n";
    operators::ClvOptions clv;
    clv.horizon = o.horizon;
    clv.units_per_year = options.days_per_unit == 1 ? 365 : 52;
    char line[512];
    for (const auto& c : customers) {
      std::snprintf(line, sizeof line, "%s,%g,%.4f,%.4f,%.6f,%.6f,%.4f,%.4f,%.6f\n", c.customer_id.c_str(),
                    c.purchases.x, c.purchases.t_x, c.purchases.T, operators::ProbabilityAlive(model, c.purchases),
                    operators::ExpectedPurchases(model, c.purchases, o.horizon),
                    operators::ExpectedSpend(gg->params, c.purchases.x, c.mean_spend),
                    operators::CustomerLifetimeValue(model, gg->params, c.purchases, c.mean_spend, clv),
                    operators::ProbabilityNoPurchase(model, c.purchases, o.horizon));
      scores << line;
    }
    if (!scores) {
      std::cerr << "crmstream: cannot write '" << o.scores << "'\n";
      return kExitFailure;
    }
  }
  std::printf("fitted %zu customers (%s, %s)\n"
              "BG/NBD       r=%.4f alpha=%.4f a=%.4f b=%.4f  log-likelihood %.2f\n"
              "%s"
              "Gamma-Gamma  p=%.4f q=%.4f gamma=%.4f  (%d repeat customers)\n"
              "%s"
              "purchase model %s (%s)\n"
              "%sparameters written to %s\n",
              customers.size(), input.period.c_str(), o.time_unit.c_str(), bg->params.r, bg->params.alpha,
              bg->params.a, bg->params.b, bg->log_likelihood, model_lines.c_str(), gg->params.p, gg->params.q,
              gg->params.gamma, gg->customers, table.c_str(), std::string(operators::PurchaseModelTitle(model.model)).c_str(),
              requested ? "--model" : "highest calibration log-likelihood", holdout_line.c_str(), o.output.c_str());
  return kExitOk;
}

}  // namespace crm::pipeline
