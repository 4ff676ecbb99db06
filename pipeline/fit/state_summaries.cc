#include "pipeline/fit/state_summaries.h"

#include <algorithm>

#include "operators/model_params.h"
#include "pipeline/state/state_codec.h"

namespace crm::pipeline {

Result<StateSummaries> SummariseState(const StateStore& store, double days_per_unit) {
  // Two passes: T needs the latest event time of the whole store first.
  struct Bought {
    std::string id;
    operators::CustomerState state;
  };
  std::vector<Bought> bought;
  StateSummaries out;
  RETURN_IF_ERROR(store.ForEachCustomer([&](const std::string& id, const std::string& bytes) {
    ASSIGN_OR_RETURN(operators::CustomerState state, DecodeState(bytes));
    ++out.stored_customers;
    out.as_of_ms = std::max(out.as_of_ms, state.last_event.epoch_ms);
    if (state.purchase_count > 0) bought.push_back({id, std::move(state)});
    return Status::Ok();
  }));
  out.customers.reserve(bought.size());
  const operators::EventTime as_of{out.as_of_ms};
  for (const Bought& b : bought) {
    CustomerSummary c;
    c.customer_id = b.id;
    c.purchases = operators::PurchaseSummaryAt(b.state, as_of, days_per_unit);
    // Gamma-Gamma wants the mean of the repeat purchases: the first one out.
    c.mean_spend = b.state.purchase_count > 1 ? (b.state.total_spend - b.state.first_purchase_spend) /
                                                    static_cast<double>(b.state.purchase_count - 1)
                                              : 0;
    c.first_purchase_day = b.state.first_purchase.epoch_ms / 86'400'000;
    out.customers.push_back(std::move(c));
  }
  return out;
}

}  // namespace crm::pipeline
