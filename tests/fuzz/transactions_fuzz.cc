// libFuzzer target for the `fit` transaction reader (pipeline/fit/transaction_summaries.h:
// SummariseTransactions over CSV and CDNOW text, ParseDay; tests/fuzz/README.md),
// run for a bounded time by CTest (fuzz.transactions).
//
// The reader takes a path, so each input is written to an in-memory file
// (memfd) and read through /proc/self/fd. For both formats and two
// calibration ends, it checks that a bad file is an InvalidArgument naming
// "<path>:<line>: ", and that accepted summaries are consistent: customers
// sorted and unique with non-empty ids, 0 <= t_x <= T, x and holdout counts
// within the rows read, finite non-negative money, and the repeat-purchase
// calendar adding up to the customers' repeat purchases.
#include <sys/mman.h>
#include <unistd.h>

#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <string_view>

#include "pipeline/fit/transaction_summaries.h"

namespace {

using crm::StatusCode;
using crm::pipeline::ParseDay;
using crm::pipeline::SummariseTransactions;
using crm::pipeline::SummaryOptions;
using crm::pipeline::TransactionFormat;

void Check(bool ok, const char* what) {
  if (!ok) {
    std::fprintf(stderr, "invariant violated: %s\n", what);
    std::abort();
  }
}

int File() {
  static const int fd = memfd_create("transactions", 0);
  Check(fd >= 0, "memfd_create");
  return fd;
}

void CheckSummaries(const std::string& path, const SummaryOptions& options, size_t size) {
  auto r = SummariseTransactions(path, options);
  if (!r.ok()) {
    Check(r.status().code() == StatusCode::kInvalidArgument, "a bad file is InvalidArgument");
    Check(r.status().message().rfind(path + ":", 0) == 0, "the error names the file and line");
    Check(r.status().message().size() < size + 200 + path.size(), "the message is about one line long");
    return;
  }
  const auto& s = *r;
  Check(s.rows >= 0 && static_cast<size_t>(s.rows) <= size / 5 + 1, "rows within the input");
  int64_t repeats = 0;
  for (size_t i = 0; i < s.customers.size(); ++i) {
    const auto& c = s.customers[i];
    Check(!c.customer_id.empty(), "non-empty customer ids");
    Check(i == 0 || s.customers[i - 1].customer_id < c.customer_id, "customers sorted and unique");
    Check(c.first_purchase_day <= options.calibration_end_day, "first purchase within the calibration");
    Check(c.first_purchase_day <= s.last_day, "first purchase no later than the last day");
    Check(c.purchases.x >= 0 && c.holdout_purchases >= 0, "counts >= 0");
    Check(c.purchases.x + 1 + c.holdout_purchases <= s.rows, "purchase days within the rows read");
    Check(c.purchases.t_x >= 0 && c.purchases.t_x <= c.purchases.T, "0 <= t_x <= T");
    Check(c.purchases.x > 0 || c.purchases.t_x == 0, "t_x = 0 without repeats");
    Check(std::isfinite(c.first_purchase_value) && c.first_purchase_value >= 0, "first value finite, >= 0");
    Check(std::isfinite(c.mean_spend) && c.mean_spend >= 0, "mean spend finite, >= 0");
    Check(c.purchases.x > 0 || c.mean_spend == 0, "mean spend 0 without repeats");
    repeats += static_cast<int64_t>(c.purchases.x) + c.holdout_purchases;
  }
  int64_t by_day = 0;
  for (const auto& [day, n] : s.repeat_purchases_by_day) {
    Check(n > 0 && day <= s.last_day, "repeat calendar: positive counts up to the last day");
    by_day += n;
  }
  Check(by_day == repeats, "repeat calendar adds up to x + holdout over customers");
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const int fd = File();
  Check(ftruncate(fd, 0) == 0 && pwrite(fd, data, size, 0) == static_cast<ssize_t>(size), "write memfd");
  const std::string path = "/proc/self/fd/" + std::to_string(fd);

  for (TransactionFormat format : {TransactionFormat::kCsv, TransactionFormat::kCdnow}) {
    for (int64_t end : {int64_t{10'407} /* 1998-06-30 */, int64_t{-1}}) {
      SummaryOptions options;
      options.format = format;
      options.calibration_end_day = end;
      options.days_per_unit = end < 0 ? 1 : 7;
      CheckSummaries(path, options, size);
    }
  }

  // ParseDay on the first line.
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  const std::string first(text.substr(0, text.find('\n')));
  int64_t day = 0;
  if (ParseDay(first, day)) {
    Check(first.size() == 8 || first.size() == 10, "a day is yyyymmdd or yyyy-mm-dd");
    Check(day >= -719'528 && day <= 2'932'896, "a day lies in years 0000..9999");
  }
  return 0;
}
