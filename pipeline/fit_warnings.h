// pipeline/fit_warnings.h
//
// When a fit cannot be trusted, `crmstream fit` still writes it but says so:
// each warning goes to stderr, into the parameters file ("warnings") and onto
// the --report chart. A fit is flagged as degenerate when
//
//   few_customers         fewer than 200 customers: the four parameters of a
//                         purchase model are then poorly determined (on
//                         populations simulated from the CDNOW estimates, the
//                         90-day churn risk of a 100-customer fit is off by
//                         0.024 on average and a parameter runs off in 11 of 40
//                         fits; at 200, 0.017 and 3 of 40; docs/purchase-models.md
//                         "Degenerate fits")
//   few_repeat_customers  fewer than 50 customers with a repeat purchase: the
//                         drop-out process (a, b or s, beta) and Gamma-Gamma
//                         (fitted on repeat customers only) rest on them
//   parameter_at_bound    a parameter beyond e^±15 (above 3.3e6 or below
//                         3.1e-7; one warning per model naming each such
//                         parameter): the optimiser (searching ln p in [-20, 20])
//                         followed a likelihood that keeps rising in that
//                         direction, so the data do not determine it; no
//                         fitted value of these models is that extreme on
//                         real data in days or weeks
//
// Pure; the limits are parameters so tests and callers can see them.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "pipeline/model_fit.h"

namespace crm::pipeline {

struct FitWarning {
  std::string code;     // few_customers | few_repeat_customers | parameter_at_bound
  std::string message;  // one line, for people
};

struct DegenerateFitLimits {
  int64_t min_customers = 200;
  int64_t min_repeat_customers = 50;
  double max_abs_log_parameter = 15;
};

std::vector<FitWarning> DegenerateFitWarnings(int64_t customers, int64_t repeat_customers,
                                              const std::vector<PurchaseModelFit>& fits, const GammaGammaFit& spend,
                                              const DegenerateFitLimits& limits = {});

}  // namespace crm::pipeline
