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

#include <array>
#include <string>
#include <string_view>
#include <vector>

#include "operators/model_params.h"
#include "operators/status.h"

namespace crm::pipeline {

Result<operators::ModelParams> LoadModelParams(const std::string& path);

// The same from the file's text (`origin` names it in messages).
Result<operators::ModelParams> ParseModelParams(const std::string& text, const std::string& origin);

// A purchase model's parameter names, as its section of the file has them:
// (r, alpha, a, b) for the BG models, (r, alpha, s, beta) for Pareto/NBD.
std::array<std::string_view, 4> PurchaseParameterNames(operators::PurchaseModel model);

// One parameter the service uses, named as the file names it.
struct NamedParameter {
  std::string_view model;      // "bgnbd", "mbgnbd", "pareto_nbd" or "gamma_gamma"
  std::string_view parameter;  // "r", "alpha", ...
  double value = 0;
};

// The parameters in use: the chosen purchase model's four, then
// Gamma-Gamma's three (p, q, gamma). Other sections of the file are not
// used and not listed.
std::vector<NamedParameter> ParametersInUse(const operators::ModelParams& params);

// For the log: "Pareto/NBD r=0.553 alpha=10.58 s=0.606 beta=11.67,
// Gamma-Gamma p=6.25 q=3.74 gamma=15.4, unit 7 days".
std::string DescribeParametersInUse(const operators::ModelParams& params);

}  // namespace crm::pipeline
