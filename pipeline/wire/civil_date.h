// pipeline/wire/civil_date.h
//
// The civil-date conversions of operators/civil_date.h under the pipeline's
// namespace: the domain (the reward programme's years) and the wire (RFC 3339
// text) share one implementation.
#pragma once

#include "operators/civil_date.h"

namespace crm::pipeline {

using operators::CivilDate;
using operators::CivilFromDays;
using operators::DaysFromCivil;
using operators::DaysInMonth;
using operators::IsLeapYear;

}  // namespace crm::pipeline
