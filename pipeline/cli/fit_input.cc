#include "pipeline/cli/fit_input.h"

#include <iostream>

#include "pipeline/fit/state_summaries.h"
#include "pipeline/state/state_store.h"
#include "pipeline/wire/output_encoder.h"

namespace crm::pipeline {
namespace {

std::variant<FitInput, int> FromState(const FitCommandOptions& o, const CliContext& context,
                                      SummaryOptions& options) {
  FitInput input;
  config::Config config;
  if (!LoadConfigOrReport(o.config_path, context, config)) return kExitUsage;
  auto store = StateStore::Open({config.state.dir, config::StoreBudgetBytes(config.state), /*read_only=*/true});
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
  return input;
}

std::variant<FitInput, int> FromLog(const FitCommandOptions& o, SummaryOptions& options) {
  FitInput input;
  if (o.transactions.empty()) {
    std::cerr << "crmstream: fit needs --transactions FILE or --from-state\n";
    return kExitUsage;
  }
  if (!ParseDay(o.calibration_end, options.calibration_end_day)) {
    std::cerr << "crmstream: --calibration-end '" << o.calibration_end << "' is not a date (yyyy-mm-dd)\n";
    return kExitUsage;
  }
  options.format = o.format == "csv" ? TransactionFormat::kCsv : TransactionFormat::kCdnow;
  if (!o.columns.empty()) {
    if (options.format != TransactionFormat::kCsv) {
      std::cerr << "crmstream: --columns applies to --format csv\n";
      return kExitUsage;
    }
    auto spec = ParseColumnSpec(o.columns);
    if (!spec.ok()) {
      std::cerr << "crmstream: " << spec.status().message() << "\n";
      return kExitUsage;
    }
    options.columns = *spec;
  }
  options.progress = [](int64_t lines) { std::cerr << "read " << lines << " lines...\n"; };
  auto summaries = SummariseTransactions(o.transactions, options);
  if (!summaries.ok()) {
    std::cerr << "crmstream: " << summaries.status().message() << "\n";
    return summaries.status().code() == StatusCode::kIoError ? kExitFailure : kExitUsage;
  }
  if (summaries->rows == 0) {
    std::cerr << "crmstream: " << o.transactions << " has no transactions\n";
    return kExitUsage;
  }
  if (!summaries->columns.empty()) std::cerr << "columns: " << summaries->columns << "\n";
  const std::string end = DayText(options.calibration_end_day);
  if (summaries->last_day < options.calibration_end_day) {
    std::cerr << "crmstream: the data ends on " << DayText(summaries->last_day) << " (its last purchase), before "
              << "the calibration end " << end << ": every customer would look as if they had stopped buying after "
              << DayText(summaries->last_day) << " only because the file stops there, and there would be no "
              << "holdout to check the fit on. Choose a --calibration-end on or before " << DayText(summaries->last_day)
              << " (the purchases after it are the holdout).\n";
    return kExitUsage;
  }
  if (summaries->first_day > options.calibration_end_day) {
    std::cerr << "crmstream: the data starts on " << DayText(summaries->first_day) << ", after the calibration end "
              << end << ": no customer to fit. Choose a later --calibration-end.\n";
    return kExitUsage;
  }
  input.customers = summaries->customers;
  input.period = std::to_string(summaries->rows) + " transactions, calibration to " + end;
  input.log = std::move(summaries).value();
  return input;
}

}  // namespace

std::string DayText(int64_t day) { return FormatRfc3339(day * 86'400'000).substr(0, 10); }

std::variant<FitInput, int> ReadFitInput(const FitCommandOptions& o, const CliContext& context,
                                         SummaryOptions& options) {
  auto input = o.from_state ? FromState(o, context, options) : FromLog(o, options);
  if (const FitInput* in = std::get_if<FitInput>(&input); in != nullptr && in->customers.empty()) {
    std::cerr << "crmstream: no customer with a purchase to fit\n";
    return kExitFailure;
  }
  return input;
}

}  // namespace crm::pipeline
