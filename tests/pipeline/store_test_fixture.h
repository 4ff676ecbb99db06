// tests/pipeline/store_test_fixture.h
//
// A test fixture with a real state store (16 MiB budget) in a fresh
// directory (test_directory.h) named after `prefix`, removed after the
// test. Derived fixtures build what they test on `store()`.
#pragma once

#include <gtest/gtest.h>

#include <filesystem>
#include <memory>
#include <string>
#include <utility>

#include "pipeline/state/state_store.h"
#include "tests/pipeline/test_directory.h"

namespace crm::pipeline {

class StoreTest : public ::testing::Test {
 protected:
  explicit StoreTest(std::string prefix) : prefix_(std::move(prefix)) {}
  void SetUp() override {
    dir_ = FreshTestDirectory(prefix_);
    auto store = StateStore::Open({dir_.string(), 16 << 20, false});
    ASSERT_TRUE(store.ok()) << store.status().message();
    store_ = std::move(store).value();
  }
  void TearDown() override {
    store_.reset();
    std::filesystem::remove_all(dir_);
  }

  std::string prefix_;
  std::filesystem::path dir_;
  std::unique_ptr<StateStore> store_;
};

}  // namespace crm::pipeline
