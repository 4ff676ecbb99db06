// pipeline/fit_tracking.h
//
// The paper's tracking check of a fitted purchase model on a transaction
// log: the cohort's cumulative repeat purchases per time unit since its
// first purchase, observed and expected from the model (customers grouped by
// the day they joined, so large logs stay cheap), and the repeat purchases
// the cohort is expected to make in the holdout.
#pragma once

#include <string>

#include "operators/purchase_model.h"
#include "pipeline/tracking_report.h"
#include "pipeline/transaction_summaries.h"

namespace crm::pipeline {

TrackingSeries Tracking(const TransactionSummaries& data, const operators::PurchaseModelParams& params,
                        const SummaryOptions& options, const std::string& unit);

// Repeat purchases the whole cohort is expected to make between the
// calibration end and the last day, from each join day's unconditional
// expectation: what the tracking chart shows.
double CohortHoldout(const TransactionSummaries& data, const operators::PurchaseModelParams& params,
                     const SummaryOptions& options);

}  // namespace crm::pipeline
