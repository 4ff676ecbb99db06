// libFuzzer target for the `fit` transaction reader (pipeline/transaction_summaries.h:
// SummariseTransactions over CSV and CDNOW text, ParseDay; the CSV path's
// pipeline/csv_reader.h and pipeline/transaction_columns.h; tests/fuzz/README.md),
// run for a bounded time by CTest (fuzz.transactions).
//
// The reader takes a path, so each input is written to an in-memory file
// (memfd) and read through /proc/self/fd. For both formats, two calibration
// ends and, for CSV, four column mappings (recognised header, --columns by
// name, by position, by position with skipped columns), it checks that a bad
// file is an InvalidArgument naming "<path>:<line>: " in a message of bounded
// length, and that accepted summaries are consistent: customers sorted and
// unique with valid ids, 0 <= t_x <= T, x and holdout counts within the rows
// read, finite non-negative money, the first holdout purchase after the
// calibration end, and the repeat-purchase calendar adding up to the
// customers' repeat purchases.
//
// Then a round trip of the CSV record reader: the input cut into records
// (at 0x1E) and fields (at 0x1F), written as RFC 4180 with every field
// quoted, LF or CRLF line ends and perhaps a BOM, must read back as exactly
// those records, each with the line it starts on. And the field readers:
// an accepted date lies in years 0000..9999, an accepted amount is finite
// and >= 0.
#include <sys/mman.h>
#include <unistd.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <sstream>
#include <string>
#include <string_view>
#include <vector>

#include "pipeline/csv_reader.h"
#include "pipeline/transaction_columns.h"
#include "pipeline/transaction_summaries.h"

namespace {

using crm::Status;
using crm::StatusCode;
using crm::pipeline::ParseColumnSpec;
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
    Check(r.status().message().size() < 4096 + path.size(), "the message is one bounded line");
    return;
  }
  const auto& s = *r;
  Check(s.rows >= 0 && static_cast<size_t>(s.rows) <= size / 5 + 1, "rows within the input");
  int64_t repeats = 0;
  for (size_t i = 0; i < s.customers.size(); ++i) {
    const auto& c = s.customers[i];
    Check(crm::pipeline::IsValidCustomerId(c.customer_id), "valid customer ids");
    Check((c.holdout_purchases == 0) == (c.days_to_first_holdout_purchase < 0), "first holdout purchase iff any");
    Check(c.days_to_first_holdout_purchase != 0, "the first holdout purchase is after the calibration end");
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
  if (s.rows > 0) Check(s.first_day <= s.last_day, "first day <= last day");
}

// The round trip of ReadCsvRecords (see the top).
void CheckCsvRoundTrip(std::string_view text) {
  std::vector<std::vector<std::string>> records(1, std::vector<std::string>(1));
  for (char c : text) {
    if (c == '\x1E') {
      records.emplace_back(1);
    } else if (c == '\x1F') {
      records.back().emplace_back();
    } else {
      records.back().back().push_back(c);
    }
  }
  const bool crlf = !text.empty() && (text[0] & 1);
  const bool bom = !text.empty() && (text[0] & 2);
  std::string csv = bom ? "\xEF\xBB\xBF" : "";
  std::vector<int64_t> lines;
  int64_t line = 1;
  for (const auto& record : records) {
    lines.push_back(line);
    for (size_t i = 0; i < record.size(); ++i) {
      csv += i ? ",\"" : "\"";
      for (char c : record[i]) csv += c == '"' ? std::string("\"\"") : std::string(1, c);
      csv += '"';
      line += std::count(record[i].begin(), record[i].end(), '\n');
    }
    csv += crlf ? "\r\n" : "\n";
    ++line;
  }
  std::istringstream in(csv);
  size_t next = 0;
  const Status status = crm::pipeline::ReadCsvRecords(
      in, "round-trip", {}, [&](int64_t start, std::vector<std::string>& fields) {
        Check(next < records.size(), "no more records than written");
        Check(fields == records[next], "each record reads back as written");
        Check(start == lines[next], "each record reports the line it starts on");
        ++next;
        return Status::Ok();
      });
  Check(status.ok(), "a file of quoted fields always reads");
  Check(next == records.size(), "every record reads back");
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
  // The CSV column mappings; the limits small, so that inputs reach them.
  for (const char* columns : {"id=customer,date=day,amount=value", "date,id,amount", "id,-,date,,amount"}) {
    SummaryOptions options;
    options.format = TransactionFormat::kCsv;
    options.calibration_end_day = 10'407;
    options.columns = *ParseColumnSpec(columns);
    options.limits = {64, 8, 256};
    CheckSummaries(path, options, size);
  }

  const std::string_view text(reinterpret_cast<const char*>(data), size);
  CheckCsvRoundTrip(text);

  // ParseDay, ParseDateField and ParseAmountField on the first line.
  const std::string first(text.substr(0, text.find('\n')));
  int64_t day = 0;
  if (ParseDay(first, day)) {
    Check(first.size() == 8 || first.size() == 10, "a day is yyyymmdd or yyyy-mm-dd");
    Check(day >= -719'528 && day <= 2'932'896, "a day lies in years 0000..9999");
  }
  if (crm::pipeline::ParseDateField(first, day)) {
    Check(day >= -719'528 && day <= 2'932'896, "a date field in 0000..9999");
  }
  double amount = 0;
  if (crm::pipeline::ParseAmountField(first, amount)) Check(std::isfinite(amount) && amount >= 0, "amount finite >= 0");
  return 0;
}
