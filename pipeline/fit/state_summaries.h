// pipeline/fit/state_summaries.h
//
// The model inputs of `crmstream fit --from-state`: every purchasing
// customer in the live state store reduced to (x, t_x, T) and mean spend,
// with T measured up to the latest event time in the store (the stream's
// "now"). The store keeps aggregates, not purchases, so x counts purchases
// rather than purchase days (the same when same-day purchases are merged
// upstream); the mean spend is that of the repeat purchases (total minus the
// first purchase's amount), as Gamma-Gamma wants. Reads only; the store may
// be opened read-only beside a running service.
#pragma once

#include <cstdint>
#include <vector>

#include "operators/status.h"
#include "pipeline/fit/transaction_summaries.h"
#include "pipeline/state/state_store.h"

namespace crm::pipeline {

struct StateSummaries {
  std::vector<CustomerSummary> customers;  // sorted by customer id
  int64_t as_of_ms = 0;                    // latest event time in the store
  int64_t stored_customers = 0;            // all customers, purchasing or not
};

Result<StateSummaries> SummariseState(const StateStore& store, double days_per_unit);

}  // namespace crm::pipeline
