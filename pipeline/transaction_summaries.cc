#include "pipeline/transaction_summaries.h"

#include "operators/money.h"
#include "pipeline/civil_date.h"

#include <algorithm>
#include <cmath>
#include <fstream>
#include <iterator>
#include <map>
#include <optional>

namespace crm::pipeline {
namespace {

std::vector<std::string> SplitWhitespace(std::string_view line) {
  std::vector<std::string> fields;
  size_t i = 0;
  while (i < line.size()) {
    while (i < line.size() && (line[i] == ' ' || line[i] == '\t')) ++i;
    const size_t start = i;
    while (i < line.size() && line[i] != ' ' && line[i] != '\t') ++i;
    if (i > start) fields.emplace_back(line.substr(start, i - start));
  }
  return fields;
}

struct Row {
  std::string customer;
  int64_t day = 0;
  double amount = 0;
};

// Reads every row of the file into `add`; the first problem, named by line.
Status ReadRows(std::istream& in, const std::string& path, const SummaryOptions& options, std::string& columns,
                const std::function<void(Row&)>& add) {
  int64_t reported = 0;
  auto progress = [&](int64_t line) {
    if (options.progress && line / 1'000'000 > reported) options.progress((reported = line / 1'000'000) * 1'000'000);
  };
  auto bad = [&](int64_t line, const std::string& why) {
    return Status::InvalidArgument(path + ":" + std::to_string(line) + ": " + why);
  };
  auto check = [&](int64_t line, Row& row, std::string_view date, std::string_view amount) {
    if (!IsValidCustomerId(row.customer)) {
      return bad(line, row.customer.empty() ? "empty customer id"
                                            : "customer id " + QuoteForMessage(row.customer) +
                                                  " is longer than 256 bytes or has control characters");
    }
    if (!ParseDateField(date, row.day)) {
      return bad(line, "date " + QuoteForMessage(date) + " is not a date (yyyy-mm-dd, yyyy/mm/dd or yyyymmdd)");
    }
    if (!ParseAmountField(amount, row.amount)) {
      return bad(line, "amount " + QuoteForMessage(amount) + " is not a number >= 0 (plain digits, '.' for decimals)");
    }
    add(row);
    return Status::Ok();
  };
  if (options.format == TransactionFormat::kCdnow) {
    return ReadLines(in, path, options.limits, [&](int64_t line, std::string_view text) -> Status {
      progress(line);
      std::vector<std::string> fields = SplitWhitespace(text);
      if (fields.empty()) return Status::Ok();
      if (line == 1 && fields[0] == "customer_id") return Status::Ok();  // CDNOW_master's header
      if (fields.size() != 5 && fields.size() != 4) {
        const bool csv = text.find(',') != std::string_view::npos;
        return bad(line, std::string("expected 4 or 5 whitespace-separated columns") +
                             (csv ? " (a CSV file? use --format csv)" : ""));
      }
      Row row{fields[0]};
      return check(line, row, fields[fields.size() == 5 ? 2 : 1], fields.back());
    });
  }
  std::optional<ColumnMap> map;
  return ReadCsvRecords(in, path, options.limits, [&](int64_t line, std::vector<std::string>& fields) -> Status {
    progress(line);
    if (fields.size() == 1 && fields[0].empty()) return Status::Ok();  // a line of spaces
    if (!map) {
      Result<ColumnMap> resolved = ResolveColumns(options.columns, fields);
      if (!resolved.ok()) return bad(line, resolved.status().message());
      map = *resolved;
      columns = map->description;
      if (map->first_is_header) return Status::Ok();
    }
    if (fields.size() != map->fields) {
      return bad(line, std::to_string(fields.size()) + " fields where line 1 has " + std::to_string(map->fields) +
                           " (a comma in a value that is not quoted?)");
    }
    Row row{std::move(fields[map->index[0]])};
    return check(line, row, fields[map->index[1]], fields[map->index[2]]);
  });
}

}  // namespace

bool ParseDay(const std::string& text, int64_t& day) {
  std::string digits;
  for (char c : text) {
    if (c != '-') digits.push_back(c);
  }
  auto is_digit = [](char c) { return c >= '0' && c <= '9'; };
  if (digits.size() != 8 || !std::all_of(digits.begin(), digits.end(), is_digit)) return false;
  if (text.size() == 10 && (text[4] != '-' || text[7] != '-')) return false;
  if (text.size() != 8 && text.size() != 10) return false;
  const int64_t y = std::stoll(digits.substr(0, 4));
  const int64_t m = std::stoll(digits.substr(4, 2));
  const int64_t d = std::stoll(digits.substr(6, 2));
  if (m < 1 || m > 12 || d < 1 || d > DaysInMonth(y, m)) return false;
  day = DaysFromCivil(y, m, d);
  return true;
}

Result<TransactionSummaries> SummariseTransactions(const std::string& path, const SummaryOptions& options) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return Status::InvalidArgument("cannot read transactions file '" + path + "'");
  TransactionSummaries result;
  // customer -> day -> value of that day's purchases
  std::map<std::string, std::map<int64_t, double>> days;
  RETURN_IF_ERROR(ReadRows(in, path, options, result.columns, [&](Row& row) {
    // Sums saturate (operators/money.h): two rows of 1e308 stay finite.
    double& day_total = days[row.customer][row.day];
    day_total = operators::AddMoney(day_total, row.amount);
    result.first_day = result.rows == 0 ? row.day : std::min(result.first_day, row.day);
    result.last_day = result.rows == 0 ? row.day : std::max(result.last_day, row.day);
    ++result.rows;
  }));
  std::vector<CustomerSummary>& out = result.customers;
  for (const auto& [customer, by_day] : days) {
    const int64_t first = by_day.begin()->first;
    if (first > options.calibration_end_day) continue;
    CustomerSummary s;
    s.customer_id = customer;
    s.first_purchase_day = first;
    s.first_purchase_value = by_day.begin()->second;
    int64_t last = first;
    double repeat_spend = 0;
    int repeats = 0;
    for (auto it = std::next(by_day.begin()); it != by_day.end() && it->first <= options.calibration_end_day; ++it) {
      ++repeats;
      repeat_spend = operators::AddMoney(repeat_spend, it->second);
      last = it->first;
    }
    s.purchases.x = repeats;
    s.purchases.t_x = static_cast<double>(last - first) / options.days_per_unit;
    s.purchases.T = static_cast<double>(options.calibration_end_day - first) / options.days_per_unit;
    s.mean_spend = repeats > 0 ? repeat_spend / repeats : 0;
    for (auto it = std::next(by_day.begin()); it != by_day.end(); ++it) ++result.repeat_purchases_by_day[it->first];
    const auto holdout = by_day.upper_bound(options.calibration_end_day);
    s.holdout_purchases = std::distance(holdout, by_day.end());
    if (holdout != by_day.end()) s.days_to_first_holdout_purchase = holdout->first - options.calibration_end_day;
    out.push_back(std::move(s));
  }
  return result;
}

}  // namespace crm::pipeline
