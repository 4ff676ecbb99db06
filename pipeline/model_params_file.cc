#include "pipeline/model_params_file.h"

#include <nlohmann/json.hpp>

#include <fstream>
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
  for (const char* section : {"bgnbd", "gamma_gamma"}) {
    if (!doc.contains(section) || !doc.at(section).is_object()) {
      return fail(std::string(section) + " is missing or not an object");
    }
  }
  const nlohmann::json& bg = doc.at("bgnbd");
  const nlohmann::json& gg = doc.at("gamma_gamma");
  for (auto [object, section, name, out] :
       {std::tuple{&bg, "bgnbd", "r", &p.bgnbd.r}, std::tuple{&bg, "bgnbd", "alpha", &p.bgnbd.alpha},
        std::tuple{&bg, "bgnbd", "a", &p.bgnbd.a}, std::tuple{&bg, "bgnbd", "b", &p.bgnbd.b},
        std::tuple{&gg, "gamma_gamma", "p", &p.gamma_gamma.p}, std::tuple{&gg, "gamma_gamma", "q", &p.gamma_gamma.q},
        std::tuple{&gg, "gamma_gamma", "gamma", &p.gamma_gamma.gamma}}) {
    const std::string problem = ReadNumber(*object, section, name, *out);
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
