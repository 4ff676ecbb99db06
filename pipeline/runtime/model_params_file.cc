#include "pipeline/runtime/model_params_file.h"

#include <nlohmann/json.hpp>

#include <array>
#include <fstream>
#include <optional>
#include <sstream>

namespace crm::pipeline {
namespace {

// Reads `object[name]` as a number into `out`; returns a problem otherwise.
std::string ReadNumber(const nlohmann::json& object, const std::string& section, const char* name, double& out) {
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
  struct Section {
    const char* name;
    std::array<const char*, 4> members;
    std::array<double*, 4> out;
    bool required;
  };
  using operators::PurchaseModel;
  const Section purchase_sections[] = {
      {"bgnbd", {"r", "alpha", "a", "b"}, {&p.bgnbd.r, &p.bgnbd.alpha, &p.bgnbd.a, &p.bgnbd.b},
       p.purchase_model == PurchaseModel::kBgNbd},
      {"mbgnbd", {"r", "alpha", "a", "b"}, {&p.mbgnbd.r, &p.mbgnbd.alpha, &p.mbgnbd.a, &p.mbgnbd.b},
       p.purchase_model == PurchaseModel::kMbgNbd},
      {"pareto_nbd", {"r", "alpha", "s", "beta"},
       {&p.pareto_nbd.r, &p.pareto_nbd.alpha, &p.pareto_nbd.s, &p.pareto_nbd.beta},
       p.purchase_model == PurchaseModel::kParetoNbd},
  };
  // Every section's presence before any member, as files always were checked.
  for (const Section& section : purchase_sections) {
    if (section.required && (!doc.contains(section.name) || !doc.at(section.name).is_object())) {
      return fail(std::string(section.name) + " is missing or not an object");
    }
  }
  if (!doc.contains("gamma_gamma") || !doc.at("gamma_gamma").is_object()) {
    return fail("gamma_gamma is missing or not an object");
  }
  for (const Section& section : purchase_sections) {
    if (!section.required && !doc.contains(section.name)) continue;
    if (!doc.at(section.name).is_object()) return fail(std::string(section.name) + " is not an object");
    for (size_t i = 0; i < section.members.size(); ++i) {
      const std::string problem = ReadNumber(doc.at(section.name), section.name, section.members[i], *section.out[i]);
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

}  // namespace crm::pipeline
