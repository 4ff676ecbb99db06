// tests/common/cdnow_sample.h
//
// The public CDNOW 1/10 sample shipped in tests/data/cdnow (or the directory
// $CRM_CDNOW_DIR names), summarised per customer for a calibration period
// ending 1997-09-30 in weeks, as the published fits use it. Test-only
// helper; the including test target defines CRM_SOURCE_DIR.
#pragma once

#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>
#include <string>
#include <vector>

#include "pipeline/fit/transaction_summaries.h"

namespace crm::pipeline {

inline std::string CdnowDir() {
  if (const char* env = std::getenv("CRM_CDNOW_DIR")) return env;
  return std::string(CRM_SOURCE_DIR) + "/tests/data/cdnow";
}

// Every customer's calibration summary; empty (with a test failure) when
// the sample cannot be read.
inline std::vector<CustomerSummary> CdnowCalibrationSummaries() {
  const std::string path = CdnowDir() + "/CDNOW_sample.txt";
  EXPECT_TRUE(std::filesystem::exists(path)) << path << " is missing";
  SummaryOptions options;
  EXPECT_TRUE(ParseDay("1997-09-30", options.calibration_end_day));
  options.days_per_unit = 7;
  auto summaries = SummariseTransactions(path, options);
  EXPECT_TRUE(summaries.ok()) << summaries.status().message();
  return summaries.ok() ? summaries->customers : std::vector<CustomerSummary>{};
}

}  // namespace crm::pipeline
