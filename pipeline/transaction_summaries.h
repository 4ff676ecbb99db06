// pipeline/transaction_summaries.h
//
// Reads a transaction log (CDNOW's whitespace format or a CSV) and reduces it
// to per-customer model inputs for a calibration period: same-day purchases
// merge into one (summing their value), as in the literature; x counts the
// purchase days after the first, t_x and T are measured from the first
// purchase day in the chosen time unit; mean_spend averages the repeat
// purchase days. Bad rows are errors naming the line and the reason.
// CSV files are read as RFC 4180 (pipeline/csv_reader.h) with their columns
// found by header name or mapped by --columns (pipeline/transaction_columns.h).
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <string>
#include <vector>

#include "operators/bgnbd.h"
#include "operators/status.h"
#include "pipeline/csv_reader.h"
#include "pipeline/transaction_columns.h"

namespace crm::pipeline {

enum class TransactionFormat {
  kCdnow,  // "master_id sample_id yyyymmdd cds dollars" (no header) or "id yyyymmdd cds dollars" with header
  kCsv,    // RFC 4180; columns by header name, by --columns, or customer_id,date,amount without a header
};

struct CustomerSummary {
  std::string customer_id;
  operators::PurchaseSummary purchases;  // x, t_x, T
  double mean_spend = 0;                 // mean value of repeat purchase days (0 if x = 0)
  double first_purchase_value = 0;
  int64_t first_purchase_day = 0;        // days since 1970-01-01
  int64_t holdout_purchases = 0;         // purchase days after the calibration end
  int64_t days_to_first_holdout_purchase = -1;  // days from the calibration end to the first after it; -1: none
};

struct TransactionSummaries {
  std::vector<CustomerSummary> customers;  // sorted by customer id
  int64_t rows = 0;                        // transaction rows read
  int64_t first_day = 0;                   // earliest purchase day in the file
  int64_t last_day = 0;                    // latest purchase day in the file
  std::string columns;                     // CSV: which columns were read, for people
  // Repeat purchase days (after each customer's first) per calendar day,
  // summed over the customers above, calibration and holdout alike.
  std::map<int64_t, int64_t> repeat_purchases_by_day;
};

struct SummaryOptions {
  TransactionFormat format = TransactionFormat::kCdnow;
  int64_t calibration_end_day = 0;  // days since 1970-01-01, inclusive
  double days_per_unit = 7;         // 7: weeks, 1: days
  ColumnSpec columns;               // CSV: --columns (default: recognise the header)
  TextLimits limits;                // per field, record and line
  // Called every 1M lines read, for progress on long inputs.
  std::function<void(int64_t lines)> progress;
};

// Parses "yyyy-mm-dd" or "yyyymmdd" into days since 1970-01-01.
bool ParseDay(const std::string& text, int64_t& day);

// Summaries of every customer whose first purchase is on or before the
// calibration end; purchases after it count as the holdout.
Result<TransactionSummaries> SummariseTransactions(const std::string& path, const SummaryOptions& options);

}  // namespace crm::pipeline
