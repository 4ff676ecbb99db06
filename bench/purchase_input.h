// bench/purchase_input.h
//
// The benchmarks' input: purchase events of ~230 bytes of JSON in the input
// contract, the same bytes for the same arguments. BenchInput picks the
// customer of each event: every customer once in order, then at random
// (fixed seed), so the log is the same in every run. Also the two
// resource figures the benchmarks print.
#pragma once

#include <cstdint>
#include <random>
#include <string>

namespace crm::bench {

constexpr int64_t kInputStartMs = 1'704'067'200'000;  // 2024-01-01, event time of event 0

// "c%08d": the customer's id and message key.
std::string CustomerId(int64_t customer);

// Event `event` of `customer` at epoch ms `ts_ms`; the amount varies with
// `event`.
std::string PurchaseJson(int64_t event, const std::string& customer_id, int64_t ts_ms);

class BenchInput {
 public:
  explicit BenchInput(int64_t customers) : customers_(customers), pick_(0, customers - 1) {}
  // The customer of event `event` (call with 0, 1, 2, ...).
  int64_t CustomerOf(int64_t event) { return event < customers_ ? event : pick_(rng_); }

 private:
  int64_t customers_;
  std::mt19937_64 rng_{42};
  std::uniform_int_distribution<int64_t> pick_;
};

// Peak resident set size of this process so far, MiB.
double PeakRssMiB();
// Bytes of every file under `dir` (a state directory: all column families'
// SST files, the WAL, the manifest), what the state costs on disk.
int64_t DirectoryBytes(const std::string& dir);

}  // namespace crm::bench
