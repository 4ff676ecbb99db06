// `crmstream fit` on files as users have them: a CSV export with quotes,
// CRLF, a BOM and its own column names, or without a header and mapped by
// --columns; data that ends before the calibration end; a fit too small to
// trust; the report with its calibration chart.
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <fstream>
#include <map>
#include <sstream>

#include "tests/integration/harness.h"

namespace crm::testing {
namespace {

std::string CdnowSamplePath() {
  if (const char* env = std::getenv("CRM_CDNOW_DIR")) return std::string(env) + "/CDNOW_sample.txt";
  return std::string(CRM_SOURCE_DIR) + "/tests/data/cdnow/CDNOW_sample.txt";
}

struct Fit {
  std::optional<int> code;
  std::string out;  // stdout and stderr
};

Fit RunFit(const std::vector<std::string>& args) {
  std::vector<std::string> argv = {CrmstreamBinary(), "fit"};
  argv.insert(argv.end(), args.begin(), args.end());
  ChildProcess child(argv, {}, true);
  std::string out = child.ReadAll();
  return {child.Wait(std::chrono::seconds(120)), out};
}

// The CDNOW sample as an export: "Order Date","Sales","Customer" with the
// customer ids quoted (and a comma in each), amounts as "12.50", CRLF line
// ends, a BOM; or, with `header` false, date,id,amount without a header.
std::string CdnowAsCsv(const std::string& dir, bool header) {
  std::ifstream in(CdnowSamplePath());
  const std::string path = dir + (header ? "/export.csv" : "/plain.txt");
  std::ofstream out(path, std::ios::binary);
  if (header) out << "\xEF\xBB\xBF\"Order Date\",\"Sales\",\"Customer\",\"Note\"\r\n";
  std::string master, id, date;
  double cds = 0, dollars = 0;
  while (in >> master >> id >> date >> cds >> dollars) {
    const std::string iso = date.substr(0, 4) + "-" + date.substr(4, 2) + "-" + date.substr(6, 2);
    if (header) {
      out << iso << ",\"" << dollars << "\",\"Cust, " << id << "\",\"" << cds << " CDs, \"\"as shipped\"\"\"\r\n";
    } else {
      out << iso << "," << id << "," << dollars << "\n";
    }
  }
  return path;
}

TEST(CliFitCsv, AnExportOfCdnowFitsAsTheCdnowFileDoesAndReportsCalibration) {
  TempDir dir;
  const std::string csv = CdnowAsCsv(dir.path(), true);
  const std::string params = dir.path() + "/p.json", report = dir.path() + "/report.svg";
  // A *.csv file is read as CSV without --format; the columns are found by name.
  Fit fit = RunFit({"--transactions", csv, "--calibration-end", "1997-09-30", "--output", params, "--model", "bgnbd",
                    "--report", report});
  ASSERT_EQ(fit.code, 0) << fit.out;
  EXPECT_NE(fit.out.find("columns: customer id = 'Customer' (column 3), date = 'Order Date' (column 1), amount = "
                         "'Sales' (column 2)"),
            std::string::npos)
      << fit.out;
  EXPECT_NE(fit.out.find("r=0.2426 alpha=4.4136 a=0.7929 b=2.4259"), std::string::npos) << fit.out;
  EXPECT_NE(fit.out.find("Brier  skill    ECE"), std::string::npos) << fit.out;
  EXPECT_NE(fit.out.find("churn risk   P(no purchase within 12.9 weeks = 90 days): 84.7 % predicted, 83.1 % "
                         "observed; Brier 0.110"),
            std::string::npos)
      << fit.out;
  EXPECT_EQ(fit.out.find("warning"), std::string::npos) << fit.out;
  auto j = nlohmann::json::parse(std::ifstream(params));
  EXPECT_EQ(j["data"]["customers"], 2357);
  EXPECT_EQ(j["warnings"].size(), 0u);
  const auto& churn = j["comparison"][0]["churn_calibration"];
  EXPECT_EQ(churn["horizon_days"], 90.0);
  EXPECT_EQ(churn["customers"], 2357);
  EXPECT_NEAR(churn["base_rate"].get<double>(), 1959.0 / 2357, 1e-9);
  EXPECT_NEAR(churn["brier"].get<double>(), 0.110, 0.001);
  EXPECT_NEAR(churn["ece"].get<double>(), 0.025, 0.002);
  EXPECT_EQ(churn["bins"].size(), 10u);
  EXPECT_EQ(j["holdout"]["churn_horizon_days"], 90.0);
  std::ifstream chart(report);
  const std::string svg((std::istreambuf_iterator<char>(chart)), std::istreambuf_iterator<char>());
  EXPECT_NE(svg.find("Cumulative repeat purchases"), std::string::npos);
  EXPECT_NE(svg.find("Churn risk calibration on the holdout"), std::string::npos);
  EXPECT_NE(svg.find("BG/NBD*: Brier 0.110"), std::string::npos);
}

TEST(CliFitCsv, AFileWithoutHeaderByPositionAndAShortHoldout) {
  TempDir dir;
  const std::string plain = CdnowAsCsv(dir.path(), false);
  const std::string params = dir.path() + "/p.json";
  // 1998-05-31: the holdout (to 1998-06-30) is 30 days, shorter than 90.
  Fit fit = RunFit({"--transactions", plain, "--columns", "date,id,amount", "--calibration-end", "1998-05-31",
                    "--output", params, "--model", "bgnbd", "--time-unit", "days"});
  ASSERT_EQ(fit.code, 0) << fit.out;
  EXPECT_NE(fit.out.find("note         the holdout is 30 days, shorter than the 90-day churn horizon: churn risk "
                         "calibrated over 30 days"),
            std::string::npos)
      << fit.out;
  auto j = nlohmann::json::parse(std::ifstream(params));
  EXPECT_EQ(j["holdout"]["churn_horizon_days"], 30.0);
  EXPECT_EQ(j["comparison"][0]["churn_calibration"]["horizon_days"], 30.0);
  EXPECT_EQ(j["data"]["transactions"], 6919) << "no line taken for a header";
}

TEST(CliFitCsv, DataEndingBeforeTheCalibrationEndIsRefusedWithBothDates) {
  TempDir dir;
  const std::string log = dir.path() + "/log.csv", params = dir.path() + "/p.json";
  std::ofstream(log) << "customer_id,date,amount\nc1,2024-01-01,10\nc1,2024-01-05,12\nc2,2024-01-03,4\n";
  Fit fit = RunFit({"--transactions", log, "--calibration-end", "2024-02-01", "--output", params});
  EXPECT_EQ(fit.code, 2) << fit.out;
  EXPECT_NE(fit.out.find("the data ends on 2024-01-05 (its last purchase), before the calibration end 2024-02-01"),
            std::string::npos)
      << fit.out;
  EXPECT_NE(fit.out.find("Choose a --calibration-end on or before 2024-01-05"), std::string::npos) << fit.out;
  EXPECT_FALSE(std::ifstream(params).good()) << "nothing written";
  EXPECT_EQ(fit.out.find("holdout      -"), std::string::npos) << "never a negative holdout";
}

TEST(CliFitCsv, TwoCustomersFitWithWarningsOnStderrAndInTheFile) {
  TempDir dir;
  const std::string log = dir.path() + "/two.csv", params = dir.path() + "/p.json";
  std::ofstream(log) << "customer_id,date,amount\na,2024-01-01,10\na,2024-01-20,12\na,2024-02-25,9\n"
                        "b,2024-01-05,30\nb,2024-03-01,25\nb,2024-04-20,5\n";
  Fit fit = RunFit({"--transactions", log, "--calibration-end", "2024-03-31", "--output", params, "--model", "bgnbd",
                    "--report", dir.path() + "/r.svg"});
  ASSERT_EQ(fit.code, 0) << fit.out;
  EXPECT_NE(fit.out.find("crmstream: warning: only 2 customers (fewer than 200)"), std::string::npos) << fit.out;
  EXPECT_NE(fit.out.find("ran off towards the optimiser's bound"), std::string::npos) << fit.out;
  auto j = nlohmann::json::parse(std::ifstream(params));
  std::vector<std::string> codes;
  for (const auto& w : j["warnings"]) codes.push_back(w["code"]);
  ASSERT_GE(codes.size(), 3u) << j["warnings"].dump();
  EXPECT_EQ(codes[0], "few_customers");
  EXPECT_EQ(codes[1], "few_repeat_customers");
  EXPECT_EQ(codes[2], "parameter_at_bound");
  std::ifstream chart(dir.path() + "/r.svg");
  const std::string svg((std::istreambuf_iterator<char>(chart)), std::istreambuf_iterator<char>());
  EXPECT_NE(svg.find("warning: only 2 customers"), std::string::npos);
}

TEST(CliFitCsv, CalibrationEndOnTheLastDayFitsWithoutAHoldout) {
  if (!std::ifstream(CdnowSamplePath()).good()) GTEST_SKIP() << "CDNOW sample not found";
  TempDir dir;
  const std::string params = dir.path() + "/p.json";
  Fit fit = RunFit({"--transactions", CdnowSamplePath(), "--calibration-end", "1998-06-30", "--output", params,
                    "--model", "bgnbd", "--report", dir.path() + "/r.svg"});
  ASSERT_EQ(fit.code, 0) << fit.out;
  EXPECT_NE(fit.out.find("(no holdout)"), std::string::npos) << fit.out;
  EXPECT_NE(fit.out.find("note         the data ends on the calibration end: no holdout"), std::string::npos)
      << fit.out;
  auto j = nlohmann::json::parse(std::ifstream(params));
  EXPECT_EQ(j["holdout"]["length"], 0.0);
  EXPECT_FALSE(j["comparison"][0].contains("churn_calibration"));
}

TEST(CliFitCsv, UsageErrorsAreNamed) {
  TempDir dir;
  const std::string log = dir.path() + "/log.csv";
  std::ofstream(log) << "who,when,what\n";
  Fit fit = RunFit({"--transactions", log, "--calibration-end", "2024-02-01", "--output", dir.path() + "/p.json"});
  EXPECT_EQ(fit.code, 2);
  EXPECT_NE(fit.out.find(":1: the header has no customer id column"), std::string::npos) << fit.out;
  fit = RunFit({"--transactions", log, "--columns", "id=a,dat=b", "--calibration-end", "2024-02-01", "--output",
                dir.path() + "/p.json"});
  EXPECT_EQ(fit.code, 2);
  EXPECT_NE(fit.out.find("--columns: unknown role 'dat'"), std::string::npos) << fit.out;
  fit = RunFit({"--transactions", log, "--format", "cdnow", "--columns", "date,id,amount", "--calibration-end",
                "2024-02-01", "--output", dir.path() + "/p.json"});
  EXPECT_EQ(fit.code, 2);
  EXPECT_NE(fit.out.find("--columns applies to --format csv"), std::string::npos) << fit.out;
}

}  // namespace
}  // namespace crm::testing
