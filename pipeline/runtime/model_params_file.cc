#include "pipeline/runtime/model_params_file.h"

#include <nlohmann/json.hpp>

#include <array>
#include <cstdio>
#include <fstream>
#include <optional>
#include <sstream>

namespace crm::pipeline {
namespace {

// Reads `object[name]` as a number into `out`; returns a problem otherwise.
std::string ReadNumber(const nlohmann::json& object, const std::string& section, const std::string& name, double& out) {
  const std::string where = section + "." + name;
  if (!object.contains(name)) return where + " is missing";
  const nlohmann::json& v = object.at(name);
  if (!v.is_number()) return where + " must be a number, got " + std::string(v.type_name());
  out = v.get<double>();
  return "";
}

}  // namespace

Result<operators::ModelParams> ParseModelParams(const std::string& text, const std::string& origin) {
  nlohmann::json doc = nlohmann::json::parse(text, nullptr, /*allow_exceptions=*/false);
  auto fail = [&origin](const std::string& problem) {
    return Status::InvalidArgument("model parameters " + origin + ": " + problem);
  };
  if (doc.is_discarded()) return fail("not valid JSON");
  if (!doc.is_object()) return fail("must be a JSON object as `crmstream fit` writes it");
  operators::ModelParams p;
  if (doc.contains("purchase_model")) {
    const nlohmann::json& name = doc.at("purchase_model");
    const auto model = name.is_string() ? operators::ParsePurchaseModel(name.get<std::string>()) : std::nullopt;
    if (!model) return fail("purchase_model must be \"bgnbd\", \"mbgnbd\" or \"pareto_nbd\"");
    p.purchase_model = *model;
  }
  using operators::PurchaseModel;
  struct Section {
    PurchaseModel model;
    std::array<double*, 4> out;
  };
  const Section purchase_sections[] = {
      {PurchaseModel::kBgNbd, {&p.bgnbd.r, &p.bgnbd.alpha, &p.bgnbd.a, &p.bgnbd.b}},
      {PurchaseModel::kMbgNbd, {&p.mbgnbd.r, &p.mbgnbd.alpha, &p.mbgnbd.a, &p.mbgnbd.b}},
      {PurchaseModel::kParetoNbd, {&p.pareto_nbd.r, &p.pareto_nbd.alpha, &p.pareto_nbd.s, &p.pareto_nbd.beta}},
  };
  // Every section's presence before any member, as files always were checked.
  for (const Section& section : purchase_sections) {
    const std::string name(operators::PurchaseModelName(section.model));
    if (section.model == p.purchase_model && (!doc.contains(name) || !doc.at(name).is_object())) {
      return fail(name + " is missing or not an object");
    }
  }
  if (!doc.contains("gamma_gamma") || !doc.at("gamma_gamma").is_object()) {
    return fail("gamma_gamma is missing or not an object");
  }
  for (const Section& section : purchase_sections) {
    const std::string name(operators::PurchaseModelName(section.model));
    if (section.model != p.purchase_model && !doc.contains(name)) continue;
    if (!doc.at(name).is_object()) return fail(name + " is not an object");
    const std::array<std::string_view, 4> members = PurchaseParameterNames(section.model);
    for (size_t i = 0; i < members.size(); ++i) {
      const std::string problem = ReadNumber(doc.at(name), name, std::string(members[i]), *section.out[i]);
      if (!problem.empty()) return fail(problem);
    }
  }
  const nlohmann::json& gg = doc.at("gamma_gamma");
  for (auto [name, out] : {std::pair{"p", &p.gamma_gamma.p}, std::pair{"q", &p.gamma_gamma.q},
                           std::pair{"gamma", &p.gamma_gamma.gamma}}) {
    const std::string problem = ReadNumber(gg, "gamma_gamma", name, *out);
    if (!problem.empty()) return fail(problem);
  }
  const std::string unit = doc.contains("time_unit") && doc.at("time_unit").is_string()
                               ? doc.at("time_unit").get<std::string>()
                               : "";
  if (unit == "weeks") {
    p.days_per_unit = 7;
  } else if (unit == "days") {
    p.days_per_unit = 1;
  } else {
    return fail("time_unit must be \"weeks\" or \"days\"");
  }
  Status valid = operators::ValidateModelParams(p);
  if (!valid.ok()) return fail(valid.message());
  return p;
}

Result<operators::ModelParams> LoadModelParams(const std::string& path) {
  std::ifstream in(path);
  if (!in) return Status::IoError("model parameters " + path + ": cannot open the file");
  std::ostringstream text;
  text << in.rdbuf();
  return ParseModelParams(text.str(), path);
}

std::array<std::string_view, 4> PurchaseParameterNames(operators::PurchaseModel model) {
  if (model == operators::PurchaseModel::kParetoNbd) return {"r", "alpha", "s", "beta"};
  return {"r", "alpha", "a", "b"};
}

std::vector<NamedParameter> ParametersInUse(const operators::ModelParams& params) {
  const operators::PurchaseModelParams purchase = operators::PurchaseModelOf(params);
  std::array<double, 4> values{};
  switch (purchase.model) {
    case operators::PurchaseModel::kBgNbd:
    case operators::PurchaseModel::kMbgNbd: {
      const operators::BgNbdParams& bg =
          purchase.model == operators::PurchaseModel::kBgNbd ? purchase.bgnbd : purchase.mbgnbd;
      values = {bg.r, bg.alpha, bg.a, bg.b};
      break;
    }
    case operators::PurchaseModel::kParetoNbd: {
      const operators::ParetoNbdParams& pn = purchase.pareto_nbd;
      values = {pn.r, pn.alpha, pn.s, pn.beta};
      break;
    }
  }
  std::vector<NamedParameter> out;
  const std::array<std::string_view, 4> names = PurchaseParameterNames(purchase.model);
  for (size_t i = 0; i < names.size(); ++i) {
    out.push_back({operators::PurchaseModelName(purchase.model), names[i], values[i]});
  }
  const operators::GammaGammaParams& gg = params.gamma_gamma;
  out.push_back({"gamma_gamma", "p", gg.p});
  out.push_back({"gamma_gamma", "q", gg.q});
  out.push_back({"gamma_gamma", "gamma", gg.gamma});
  return out;
}

std::string DescribeParametersInUse(const operators::ModelParams& params) {
  std::string text(operators::PurchaseModelTitle(params.purchase_model));
  std::string_view model;
  for (const NamedParameter& named : ParametersInUse(params)) {
    if (named.model != model) {
      if (!model.empty()) text += ", Gamma-Gamma";
      model = named.model;
    }
    char value[32];
    std::snprintf(value, sizeof value, "%g", named.value);
    text += " " + std::string(named.parameter) + "=" + value;
  }
  char unit[32];
  std::snprintf(unit, sizeof unit, "%g", params.days_per_unit);
  return text + ", unit " + unit + " days";
}

}  // namespace crm::pipeline
