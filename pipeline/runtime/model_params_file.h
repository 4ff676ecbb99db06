// pipeline/runtime/model_params_file.h
//
// Reads the parameters file that `crmstream fit` writes (JSON:
// purchase_model "bgnbd" | "mbgnbd" | "pareto_nbd" (absent: "bgnbd", as in
// files written before there was a choice), bgnbd.{r, alpha, a, b},
// mbgnbd.{r, alpha, a, b}, pareto_nbd.{r, alpha, s, beta} (the chosen
// model's section is required, the others are read when present),
// gamma_gamma.{p, q, gamma}, time_unit "weeks" | "days"; other members are
// informational) and validates it. Every problem comes back as a
// value naming the file and the member, never as an exception.
#pragma once

#include <string>

#include "operators/model_params.h"
#include "operators/status.h"

namespace crm::pipeline {

Result<operators::ModelParams> LoadModelParams(const std::string& path);

// The same from the file's text (`origin` names it in messages).
Result<operators::ModelParams> ParseModelParams(const std::string& text, const std::string& origin);

}  // namespace crm::pipeline
