// pipeline/fit_input.h
//
// What `crmstream fit` fits: the customers of a transaction log up to the
// calibration end (with the holdout after it), or of the live state store.
// Problems are printed for the user and returned as an exit code (cli.h):
// a bad row, bad --columns or a calibration end after the data's last day
// are usage errors (2). That last one is refused rather than fitted: T would
// run past the end of the file, so every customer would look as if they had
// stopped buying when only the data had stopped, biasing every parameter,
// and the holdout would be negative. A calibration end on the last day is
// fitted, with no holdout (the comparison and the calibration are skipped).
#pragma once

#include <optional>
#include <string>
#include <variant>
#include <vector>

#include "pipeline/cli.h"
#include "pipeline/commands.h"
#include "pipeline/transaction_summaries.h"

namespace crm::pipeline {

struct FitInput {
  std::optional<TransactionSummaries> log;  // with --transactions
  std::vector<CustomerSummary> customers;
  std::string period;  // what the data covers, for the report
};

// Sets options.calibration_end_day (from the flag or the store), and for a
// log options.format and options.columns; returns the input or an exit code.
std::variant<FitInput, int> ReadFitInput(const FitCommandOptions& o, const CliContext& context,
                                         SummaryOptions& options);

// yyyy-mm-dd of a day number.
std::string DayText(int64_t day);

}  // namespace crm::pipeline
