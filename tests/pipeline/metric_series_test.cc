// The series alert rules read exist from start-up at 0 (metric_series.h), and
// whatever the processor dead-letters is counted under one of them: a reason
// code that appears only when first counted would hide its first increase.
#include "pipeline/runtime/metric_series.h"

#include <gtest/gtest.h>

#include <set>
#include <string>

#include "tests/pipeline/processor_fixture.h"

namespace crm::pipeline {
namespace {

bool HasLine(const std::string& text, const std::string& line) {
  return text.find("\n" + line + "\n") != std::string::npos;
}

// The reason labels of crmstream_deadletter_total in a scrape.
std::set<std::string> DeadLetterReasons(const std::string& text) {
  std::set<std::string> reasons;
  const std::string prefix = "crmstream_deadletter_total{reason=\"";
  for (size_t at = text.find(prefix); at != std::string::npos; at = text.find(prefix, at + 1)) {
    size_t begin = at + prefix.size();
    reasons.insert(text.substr(begin, text.find('"', begin) - begin));
  }
  return reasons;
}

TEST(MetricSeriesTest, AlertedSeriesExistAtZeroFromStartUp) {
  Metrics metrics;
  config::Config config;
  RegisterKnownSeries(metrics, config, 1'700'000'000'000);
  const std::string text = metrics.Serialize();
  for (const char* line : {
           R"(crmstream_commits_total{result="failed"} 0)", R"(crmstream_commits_total{result="fenced"} 0)",
           R"(crmstream_model_params_loads_total{result="rejected"} 0)",
           R"(crmstream_churn_alerts_total{priority="high"} 0)", R"(crmstream_churn_alerts_total{priority="low"} 0)",
           R"(crmstream_deadletter_total{reason="invalid_json"} 0)",
           R"(crmstream_deadletter_total{reason="future_event"} 0)",
           R"(crmstream_rebalances_total{event="lost"} 0)", "crmstream_aborted_transactions_total 0",
           R"(crmstream_events_consumed_total{result="deadletter",topic="crm.complaints"} 0)",
           "crmstream_start_time_seconds 1700000000"}) {
    EXPECT_TRUE(HasLine(text, line)) << line << "\n" << text;
  }
  EXPECT_NE(text.find("crmstream_build_info{compiler=\""), std::string::npos) << text;
  for (const auto& rule : config.model.segments) {
    EXPECT_TRUE(HasLine(text, "crmstream_customers{segment=\"" + rule.name + "\"} 0")) << rule.name;
  }
}

TEST(MetricSeriesTest, TheChosenPurchaseModelsParametersAreExportedAndAReloadDropsTheOld) {
  Metrics metrics;
  operators::ModelParams params;
  params.bgnbd = {0.25, 4.5, 0.75, 2.5};
  params.gamma_gamma = {6.5, 3.75, 15.5};
  ReportModelParams(metrics, params);
  std::string text = metrics.Serialize();
  EXPECT_TRUE(HasLine(text, R"(crmstream_model_parameter{model="bgnbd",parameter="alpha"} 4.5)")) << text;
  EXPECT_TRUE(HasLine(text, R"(crmstream_model_parameter{model="gamma_gamma",parameter="q"} 3.75)")) << text;
  // A reload of a file that chose Pareto/NBD (and still carries bgnbd, as
  // `crmstream fit` writes it).
  params.purchase_model = operators::PurchaseModel::kParetoNbd;
  params.pareto_nbd = {0.5, 10.5, 0.625, 11.5};
  ReportModelParams(metrics, params);
  text = metrics.Serialize();
  for (const char* line : {R"(crmstream_model_parameter{model="pareto_nbd",parameter="r"} 0.5)",
                           R"(crmstream_model_parameter{model="pareto_nbd",parameter="alpha"} 10.5)",
                           R"(crmstream_model_parameter{model="pareto_nbd",parameter="s"} 0.625)",
                           R"(crmstream_model_parameter{model="pareto_nbd",parameter="beta"} 11.5)",
                           R"(crmstream_model_parameter{model="gamma_gamma",parameter="gamma"} 15.5)"}) {
    EXPECT_TRUE(HasLine(text, line)) << line << "\n" << text;
  }
  EXPECT_EQ(text.find(R"(model="bgnbd")"), std::string::npos) << "BG/NBD is not in use any more\n" << text;

  params.purchase_model = operators::PurchaseModel::kMbgNbd;
  params.mbgnbd = {0.5, 6.25, 0.875, 1.625};
  ReportModelParams(metrics, params);
  text = metrics.Serialize();
  EXPECT_TRUE(HasLine(text, R"(crmstream_model_parameter{model="mbgnbd",parameter="b"} 1.625)")) << text;
  EXPECT_EQ(text.find(R"(model="pareto_nbd")"), std::string::npos) << text;
  size_t series = 0;
  for (size_t at = text.find("\ncrmstream_model_parameter{"); at != std::string::npos;
       at = text.find("\ncrmstream_model_parameter{", at + 1)) {
    ++series;
  }
  EXPECT_EQ(series, 7u) << "four MBG/NBD and three Gamma-Gamma parameters\n" << text;
}

class DeadLetterSeriesTest : public ProcessorFixture {
 protected:
  void SetUp() override {
    config_.state.changelog = false;
    config_.runtime.max_event_bytes = 200;
    ProcessorFixture::SetUp();
  }
  void Feed(std::string_view key, std::string_view json) {
    InputRecordView view;
    view.topic = "crm.purchases";
    view.offset = offset_++;
    view.key = key;
    view.has_key = true;
    view.value = json;
    ASSERT_TRUE(processor_->Process(view).ok());
  }
  int64_t offset_ = 0;
};

TEST_F(DeadLetterSeriesTest, EveryReasonTheProcessorGivesWasRegisteredAtStartUp) {
  RegisterKnownSeries(metrics_, config_, 0);
  const std::set<std::string> registered = DeadLetterReasons(metrics_.Serialize());
  EXPECT_EQ(registered.size(), DeadLetterReasonCodes().size());
  const std::string ok_tail = R"(,"amount":20})";
  Feed("ann", std::string(300, ' '));                                                         // too_large
  Feed("ann", "{");                                                                           // invalid_json
  Feed("ann", R"({"event_id":"a","customer_id":"ann","amount":20})");                         // missing_field
  Feed("ann", R"({"event_id":"a","customer_id":"ann","ts":"2024-03-01T00:00:00Z","amount":"x"})");  // wrong_type
  Feed("ann", R"({"event_id":"a","customer_id":"ann","ts":"2024-03-01T00:00:00Z","amount":-1})");   // out_of_range
  Feed("bob", R"({"event_id":"a","customer_id":"ann","ts":"2024-03-01T00:00:00Z")" + ok_tail);      // key_mismatch
  Feed("ann", R"({"event_id":"b","customer_id":"ann","ts":"1980-01-01T00:00:00Z")" + ok_tail);      // past_event
  Feed("ann", R"({"event_id":"c","customer_id":"ann","ts":"9999-12-30T00:00:00Z")" + ok_tail);      // future_event
  const std::string text = metrics_.Serialize();
  EXPECT_EQ(DeadLetterReasons(text), registered) << text;
  for (const std::string& reason : registered) {
    EXPECT_TRUE(HasLine(text, "crmstream_deadletter_total{reason=\"" + reason + "\"} 1")) << reason << "\n" << text;
  }
}

}  // namespace
}  // namespace crm::pipeline
