// tests/pipeline/test_directory.h
//
// A fresh, empty directory under the system's temporary directory, named
// after the running test (and the random seed, so parallel runs of the
// suite do not meet), for tests that need a real state store.
#pragma once

#include <gtest/gtest.h>

#include <filesystem>
#include <string>

namespace crm::pipeline {

inline std::filesystem::path FreshTestDirectory(const std::string& prefix) {
  const ::testing::UnitTest& unit = *::testing::UnitTest::GetInstance();
  std::filesystem::path dir = std::filesystem::temp_directory_path() /
                              (prefix + "-" + std::to_string(unit.random_seed()) + "-" +
                               unit.current_test_info()->test_suite_name() + "-" + unit.current_test_info()->name());
  std::filesystem::remove_all(dir);
  return dir;
}

}  // namespace crm::pipeline
