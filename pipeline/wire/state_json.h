// pipeline/wire/state_json.h
//
// One customer's state as a JSON object: the line format of
// `crmstream state dump` and the core of GET /customers/{id}. Field order and
// number formatting are fixed, so equal states print identical text.
#pragma once

#include <string>

#include "operators/customer_state.h"
#include "operators/model_config.h"
#include "operators/model_params.h"

namespace crm::pipeline {

std::string CustomerStateJson(const std::string& customer_id, const operators::CustomerState& state);

// The profile of GET /customers/{id}: the stored state, plus a "model" object
// with what the models derive from it as of event time `as_of`:
// satisfaction now, recency in days, the Jones & Sasser relationship and,
// when `params` is given, p_alive, expected purchases over the value horizon,
// expected spend per purchase, clv and value at risk (clv x stored risk);
// its "rewards" object adds the threshold and the progress in plain words as
// of `as_of` ("2,640 of 4,000 this year").
std::string CustomerProfileJson(const std::string& customer_id, const operators::CustomerState& state,
                                const operators::ModelConfig& config, const operators::ModelParams* params,
                                operators::EventTime as_of);

}  // namespace crm::pipeline
