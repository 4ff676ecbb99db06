#include "pipeline/fit/transaction_summaries.h"

#include "operators/money.h"
#include "pipeline/wire/civil_date.h"

#include <algorithm>
#include <cmath>
#include <fstream>
#include <map>
#include <sstream>

namespace crm::pipeline {
namespace {

bool ParseAmount(const std::string& text, double& value) {
  if (text.empty()) return false;
  char* end = nullptr;
  value = std::strtod(text.c_str(), &end);
  return *end == '\0' && std::isfinite(value) && value >= 0;
}

std::vector<std::string> Split(const std::string& line, bool csv) {
  std::vector<std::string> fields;
  if (csv) {
    std::stringstream in(line);
    for (std::string f; std::getline(in, f, ',');) fields.push_back(f);
  } else {
    std::istringstream in(line);
    for (std::string f; in >> f;) fields.push_back(f);
  }
  return fields;
}

struct Row {
  std::string customer;
  int64_t day;
  double amount;
};

}  // namespace

bool ParseDay(const std::string& text, int64_t& day) {
  std::string digits;
  for (char c : text) {
    if (c != '-') digits.push_back(c);
  }
  if (digits.size() != 8 || !std::all_of(digits.begin(), digits.end(), ::isdigit)) return false;
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
  std::ifstream in(path);
  if (!in) return Status::InvalidArgument("cannot read transactions file '" + path + "'");
  const bool csv = options.format == TransactionFormat::kCsv;
  TransactionSummaries result;
  // customer -> day -> value of that day's purchases
  std::map<std::string, std::map<int64_t, double>> days;
  std::string line;
  int64_t number = 0;
  while (std::getline(in, line)) {
    ++number;
    if (!line.empty() && line.back() == '\r') line.pop_back();
    if (options.progress && number % 1'000'000 == 0) options.progress(number);
    if (line.find_first_not_of(" \t") == std::string::npos) continue;
    auto fields = Split(line, csv);
    auto bad = [&](const std::string& why) {
      return Status::InvalidArgument(path + ":" + std::to_string(number) + ": " + why);
    };
    Row row;
    if (csv) {
      if (number == 1 && !fields.empty() && fields[0] == "customer_id") continue;
      if (fields.size() < 3) return bad("expected customer_id,date,amount");
      row.customer = fields[0];
      if (!ParseDay(fields[1], row.day)) return bad("date '" + fields[1] + "' is not yyyy-mm-dd");
      if (!ParseAmount(fields[2], row.amount)) return bad("amount '" + fields[2] + "' is not a number >= 0");
    } else {
      if (number == 1 && !fields.empty() && fields[0] == "customer_id") continue;  // CDNOW_master header
      if (fields.size() != 5 && fields.size() != 4) return bad("expected 4 or 5 whitespace-separated columns");
      const size_t date_col = fields.size() == 5 ? 2 : 1;
      row.customer = fields[0];
      if (!ParseDay(fields[date_col], row.day)) return bad("date '" + fields[date_col] + "' is not yyyymmdd");
      if (!ParseAmount(fields.back(), row.amount)) return bad("value '" + fields.back() + "' is not a number >= 0");
    }
    if (row.customer.empty()) return bad("empty customer id");
    // Sums saturate (operators/money.h): two rows of 1e308 stay finite.
    double& day_total = days[row.customer][row.day];
    day_total = operators::AddMoney(day_total, row.amount);
    ++result.rows;
    result.last_day = std::max(result.last_day, row.day);
  }
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
    s.holdout_purchases = std::count_if(by_day.begin(), by_day.end(),
                                        [&](const auto& d) { return d.first > options.calibration_end_day; });
    out.push_back(std::move(s));
  }
  return result;
}

}  // namespace crm::pipeline
