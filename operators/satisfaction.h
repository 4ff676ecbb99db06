// operators/satisfaction.h
//
// Satisfaction index 0..100 (DESIGN.md "Satisfaction index"): each service
// rating or complaint is a transaction-specific signal; the cumulative index
// is their exponentially time-decayed mean, starting from a neutral prior.
#pragma once

#include <optional>

#include "operators/customer_state.h"
#include "operators/events.h"
#include "operators/model_config.h"

namespace crm::operators {

// CSAT 1..5 mapped linearly to 0..100.
double CsatToSignal(int rating);

// Records one signal (0..100) at event time `at` into the cumulative index.
// Older signals lose weight with the configured half-life; the prior counts as
// prior_weight signals of value `prior` at the customer's first signal.
void RecordSatisfactionSignal(const SatisfactionConfig& config, double signal,
                              EventTime at, CustomerState& state);

// Current satisfaction (the prior when nothing was recorded).
double CurrentSatisfaction(const SatisfactionConfig& config, const CustomerState& state);

// Applies a complaint: opening records a penalty signal and tracks it as open;
// resolving an open complaint removes it and records a partial recovery.
void ApplyComplaint(const SatisfactionConfig& config, const Complaint& complaint,
                    EventTime at, CustomerState& state);

// Applies a service interaction: a rating records its CSAT signal.
void ApplyServiceInteraction(const SatisfactionConfig& config,
                             const ServiceInteraction& service, EventTime at,
                             CustomerState& state);

}  // namespace crm::operators
