#include "bench/purchase_input.h"

#include <sys/resource.h>

#include <cstdio>
#include <filesystem>

#include "pipeline/wire/output_encoder.h"

namespace crm::bench {

std::string CustomerId(int64_t customer) {
  char id[24];
  std::snprintf(id, sizeof id, "c%08lld", static_cast<long long>(customer));
  return id;
}

std::string PurchaseJson(int64_t event, const std::string& customer_id, int64_t ts_ms) {
  char json[256];
  const int n = std::snprintf(json, sizeof json,
                              R"({"event_id":"e%lld","customer_id":"%s","ts":"%s","amount":%lld.%02lld,)"
                              R"("currency":"EUR","quantity":1,"channel":"web","order_id":"o%lld"})",
                              static_cast<long long>(event), customer_id.c_str(),
                              pipeline::FormatRfc3339(ts_ms).c_str(), static_cast<long long>(10 + event % 90),
                              static_cast<long long>(event % 100), static_cast<long long>(event));
  return std::string(json, static_cast<size_t>(n));
}

double PeakRssMiB() {
  rusage usage{};
  getrusage(RUSAGE_SELF, &usage);
  return static_cast<double>(usage.ru_maxrss) / 1024.0;
}

int64_t DirectoryBytes(const std::string& dir) {
  int64_t bytes = 0;
  std::error_code ec;
  for (const auto& entry : std::filesystem::recursive_directory_iterator(dir, ec)) {
    if (entry.is_regular_file(ec)) bytes += static_cast<int64_t>(entry.file_size(ec));
  }
  return bytes;
}

}  // namespace crm::bench
