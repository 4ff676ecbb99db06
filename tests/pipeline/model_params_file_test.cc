#include "pipeline/runtime/model_params_file.h"

#include <gtest/gtest.h>

namespace crm::pipeline {
namespace {

const char* const kGood = R"({
  "bgnbd": {"r": 0.2426, "alpha": 4.4136, "a": 0.7929, "b": 2.4259, "log_likelihood": -9582.43},
  "gamma_gamma": {"p": 6.2496, "q": 3.7442, "gamma": 15.4435},
  "time_unit": "weeks", "calibration_end": "1997-09-30"})";

TEST(ModelParamsFile, ReadsWhatFitWrites) {
  auto p = ParseModelParams(kGood, "params.json");
  ASSERT_TRUE(p.ok()) << p.status().message();
  EXPECT_DOUBLE_EQ(p->bgnbd.r, 0.2426);
  EXPECT_DOUBLE_EQ(p->bgnbd.b, 2.4259);
  EXPECT_DOUBLE_EQ(p->gamma_gamma.gamma, 15.4435);
  EXPECT_DOUBLE_EQ(p->days_per_unit, 7);
  std::string days = kGood;
  days.replace(days.find("weeks"), 5, "days");
  EXPECT_DOUBLE_EQ(ParseModelParams(days, "p").value().days_per_unit, 1);
}

TEST(ModelParamsFile, EveryProblemIsNamed) {
  struct Case { std::string text; std::string message; };
  const std::vector<Case> cases = {
      {"{ nope", "params.json: not valid JSON"},
      {"[1, 2]", "must be a JSON object"},
      {R"({"gamma_gamma": {}, "time_unit": "weeks"})", "bgnbd is missing or not an object"},
      {R"({"bgnbd": {"r": 1, "alpha": 1, "a": 1}, "gamma_gamma": {"p": 1, "q": 2, "gamma": 1}, "time_unit": "weeks"})",
       "bgnbd.b is missing"},
      {R"({"bgnbd": {"r": "1", "alpha": 1, "a": 1, "b": 1}, "gamma_gamma": {"p": 1, "q": 2, "gamma": 1}, "time_unit": "weeks"})",
       "bgnbd.r must be a number, got string"},
      {R"({"bgnbd": {"r": 1, "alpha": 1, "a": 1, "b": 1}, "gamma_gamma": {"p": 1, "q": 2, "gamma": 1}, "time_unit": "months"})",
       "time_unit must be \"weeks\" or \"days\""},
      {R"({"bgnbd": {"r": 1, "alpha": 1, "a": 1, "b": 1}, "gamma_gamma": {"p": 1, "q": 0.5, "gamma": 1}, "time_unit": "days"})",
       "gamma_gamma.q must be above 1"},
  };
  for (const Case& c : cases) {
    auto p = ParseModelParams(c.text, "params.json");
    ASSERT_FALSE(p.ok()) << c.text;
    EXPECT_NE(p.status().message().find(c.message), std::string::npos) << p.status().message();
    EXPECT_EQ(p.status().message().rfind("model parameters params.json: ", 0), 0u) << p.status().message();
  }
}

TEST(ModelParamsFile, MissingFileIsAnIoError) {
  auto p = LoadModelParams("/nonexistent/params.json");
  ASSERT_FALSE(p.ok());
  EXPECT_EQ(p.status().code(), StatusCode::kIoError);
  EXPECT_NE(p.status().message().find("/nonexistent/params.json"), std::string::npos);
}


TEST(ModelParamsFile, FilesWithoutAPurchaseModelAreBgNbd) {
  // Written before fit offered a choice: BG/NBD, as they always meant.
  auto p = ParseModelParams(kGood, "old.json");
  ASSERT_TRUE(p.ok()) << p.status().message();
  EXPECT_EQ(p->purchase_model, operators::PurchaseModel::kBgNbd);
  EXPECT_EQ(operators::PurchaseModelOf(*p).bgnbd.a, 0.7929);
}

TEST(ModelParamsFile, ReadsTheChosenModelAndItsParameters) {
  const char* const kPareto = R"({
    "purchase_model": "pareto_nbd",
    "bgnbd": {"r": 0.2426, "alpha": 4.4136, "a": 0.7929, "b": 2.4259},
    "mbgnbd": {"r": 0.5, "alpha": 6.0, "a": 1.2, "b": 3.0},
    "pareto_nbd": {"r": 0.553, "alpha": 10.578, "s": 0.606, "beta": 11.669},
    "gamma_gamma": {"p": 6.2496, "q": 3.7442, "gamma": 15.4435},
    "time_unit": "weeks"})";
  auto p = ParseModelParams(kPareto, "params.json");
  ASSERT_TRUE(p.ok()) << p.status().message();
  EXPECT_EQ(p->purchase_model, operators::PurchaseModel::kParetoNbd);
  EXPECT_DOUBLE_EQ(p->pareto_nbd.s, 0.606);
  EXPECT_DOUBLE_EQ(p->pareto_nbd.beta, 11.669);
  EXPECT_DOUBLE_EQ(p->mbgnbd.a, 1.2);
  EXPECT_DOUBLE_EQ(p->bgnbd.r, 0.2426);

  // Only the chosen model's section is required.
  auto mbg = ParseModelParams(R"({"purchase_model": "mbgnbd", "mbgnbd": {"r": 0.5, "alpha": 6, "a": 1.2, "b": 3},
      "gamma_gamma": {"p": 6, "q": 3, "gamma": 15}, "time_unit": "days"})", "p");
  ASSERT_TRUE(mbg.ok()) << mbg.status().message();
  EXPECT_EQ(mbg->purchase_model, operators::PurchaseModel::kMbgNbd);
}

TEST(ModelParamsFile, PurchaseModelProblemsAreNamed) {
  struct Case { std::string text; std::string message; };
  const std::vector<Case> cases = {
      {R"({"purchase_model": "weibull", "gamma_gamma": {"p": 1, "q": 2, "gamma": 1}, "time_unit": "weeks"})",
       "purchase_model must be"},
      {R"({"purchase_model": "pareto_nbd", "bgnbd": {"r": 1, "alpha": 1, "a": 1, "b": 1},
          "gamma_gamma": {"p": 1, "q": 2, "gamma": 1}, "time_unit": "weeks"})",
       "pareto_nbd is missing or not an object"},
      {R"({"purchase_model": "pareto_nbd", "pareto_nbd": {"r": 1, "alpha": 1, "s": 1},
          "gamma_gamma": {"p": 1, "q": 2, "gamma": 1}, "time_unit": "weeks"})",
       "pareto_nbd.beta is missing"},
      {R"({"purchase_model": "pareto_nbd", "pareto_nbd": {"r": 1, "alpha": 1, "s": -1, "beta": 1},
          "gamma_gamma": {"p": 1, "q": 2, "gamma": 1}, "time_unit": "weeks"})",
       "pareto_nbd.s must be a positive finite number"},
  };
  for (const Case& c : cases) {
    auto p = ParseModelParams(c.text, "params.json");
    ASSERT_FALSE(p.ok()) << c.text;
    EXPECT_NE(p.status().message().find(c.message), std::string::npos) << p.status().message();
  }
}

TEST(ModelParamsFile, TheParametersInUseAreTheChosenModelsAndGammaGammas) {
  const std::string pareto = R"({"purchase_model": "pareto_nbd",
    "bgnbd": {"r": 0.2426, "alpha": 4.4136, "a": 0.7929, "b": 2.4259},
    "pareto_nbd": {"r": 0.553, "alpha": 10.578, "s": 0.606, "beta": 11.669},
    "gamma_gamma": {"p": 6.25, "q": 3.74, "gamma": 15.44}, "time_unit": "weeks"})";
  auto p = ParseModelParams(pareto, "params.json");
  ASSERT_TRUE(p.ok()) << p.status().message();
  const std::vector<NamedParameter> in_use = ParametersInUse(*p);
  ASSERT_EQ(in_use.size(), 7u);
  EXPECT_EQ(in_use[2].model, "pareto_nbd");
  EXPECT_EQ(in_use[2].parameter, "s");
  EXPECT_DOUBLE_EQ(in_use[2].value, 0.606);
  EXPECT_EQ(in_use[3].parameter, "beta");
  EXPECT_DOUBLE_EQ(in_use[3].value, 11.669);
  EXPECT_EQ(in_use[6].model, "gamma_gamma");
  EXPECT_EQ(DescribeParametersInUse(*p),
            "Pareto/NBD r=0.553 alpha=10.578 s=0.606 beta=11.669, Gamma-Gamma p=6.25 q=3.74 gamma=15.44, unit 7 days");

  auto bg = ParseModelParams(kGood, "params.json");
  ASSERT_TRUE(bg.ok());
  EXPECT_EQ(DescribeParametersInUse(*bg),
            "BG/NBD r=0.2426 alpha=4.4136 a=0.7929 b=2.4259, Gamma-Gamma p=6.2496 q=3.7442 gamma=15.4435, unit 7 days");
}

}  // namespace
}  // namespace crm::pipeline
