// pipeline/state_json.h
//
// One customer's state as a JSON object: the line format of
// `crmstream state dump` and the body of GET /customers/{id}. Field order and
// number formatting are fixed, so equal states print identical text.
#pragma once

#include <string>

#include "operators/customer_state.h"

namespace crm::pipeline {

std::string CustomerStateJson(const std::string& customer_id, const operators::CustomerState& state);

}  // namespace crm::pipeline
