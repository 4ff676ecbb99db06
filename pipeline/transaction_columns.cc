#include "pipeline/transaction_columns.h"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <initializer_list>
#include <optional>

#include "pipeline/csv_reader.h"
#include "pipeline/transaction_summaries.h"

namespace crm::pipeline {
namespace {

constexpr size_t kMaxCustomerIdBytes = 256;

// Header names each role is recognised by, normalised (Normalise below).
const std::initializer_list<std::string_view> kKnownNames[3] = {
    {"customerid", "customer", "custid", "cust", "customerno", "customernumber", "custno", "customerkey",
     "customercode", "clientid", "client", "clientno", "clientnumber", "clientcode", "id", "userid", "user",
     "memberid", "member", "accountid", "account", "buyerid", "buyer", "shopperid"},
    {"date", "orderdate", "purchasedate", "transactiondate", "invoicedate", "saledate", "salesdate", "txdate",
     "trandate", "day", "timestamp", "datetime", "time", "ts", "createdat", "orderedat", "purchasedat",
     "orderdatetime", "invoicedatetime", "ordertime", "purchasetime", "transactiontime"},
    {"amount", "value", "total", "revenue", "sales", "spend", "price", "sum", "ordervalue", "ordertotal",
     "orderamount", "totalamount", "totalprice", "totalvalue", "netamount", "grossamount", "saleamount",
     "salesamount", "purchaseamount", "transactionamount", "monetary", "monetaryvalue", "dollars", "amountspent"},
};

std::string Lower(std::string_view text) {
  std::string out;
  for (char c : text) out.push_back(c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c);
  return out;
}

std::string_view Trim(std::string_view text) {
  while (!text.empty() && (text.front() == ' ' || text.front() == '\t')) text.remove_prefix(1);
  while (!text.empty() && (text.back() == ' ' || text.back() == '\t')) text.remove_suffix(1);
  return text;
}

// Lower case without spaces, '_', '-' and '.'.
std::string Normalise(std::string_view name) {
  std::string out;
  for (char c : Lower(Trim(name))) {
    if (c != ' ' && c != '_' && c != '-' && c != '.' && c != '\t') out.push_back(c);
  }
  return out;
}

std::optional<ColumnRole> ParseRole(std::string_view text) {
  const std::string role = Lower(Trim(text));
  if (role == "id" || role == "customer" || role == "customer_id") return ColumnRole::kId;
  if (role == "date") return ColumnRole::kDate;
  if (role == "amount" || role == "value") return ColumnRole::kAmount;
  return std::nullopt;
}

std::vector<std::string_view> SplitCommas(std::string_view text) {
  std::vector<std::string_view> out;
  for (size_t start = 0;;) {
    const size_t comma = text.find(',', start);
    out.push_back(text.substr(start, comma == std::string_view::npos ? std::string_view::npos : comma - start));
    if (comma == std::string_view::npos) return out;
    start = comma + 1;
  }
}

std::string HeaderList(const std::vector<std::string>& header) {
  std::string out;
  for (size_t i = 0; i < header.size() && i < 12; ++i) out += (i ? ", " : "") + QuoteForMessage(header[i]);
  if (header.size() > 12) out += ", ... (" + std::to_string(header.size()) + " columns)";
  return out;
}

std::string Describe(const ColumnMap& map, const std::vector<std::string>* header) {
  std::string out;
  for (int role = 0; role < 3; ++role) {
    out += std::string(role ? ", " : "") + std::string(ColumnRoleName(static_cast<ColumnRole>(role))) + " = ";
    if (header != nullptr) out += QuoteForMessage((*header)[map.index[role]]) + " ";
    out += "(column " + std::to_string(map.index[role] + 1) + ")";
  }
  return out;
}

bool ReadsAsData(const std::vector<std::string>& record, const std::array<size_t, 3>& index) {
  int64_t day = 0;
  double amount = 0;
  return std::max({index[0], index[1], index[2]}) < record.size() && ParseDateField(record[index[1]], day) &&
         ParseAmountField(record[index[2]], amount) && IsValidCustomerId(record[index[0]]);
}

Result<ColumnMap> ResolvePositional(const ColumnSpec& spec, const std::vector<std::string>& first) {
  ColumnMap map;
  for (size_t i = 0; i < spec.roles.size(); ++i) {
    if (spec.roles[i] >= 0) map.index[static_cast<size_t>(spec.roles[i])] = i;
  }
  map.fields = first.size();
  const size_t needed = std::max({map.index[0], map.index[1], map.index[2]}) + 1;
  if (first.size() < needed) {
    return Status::InvalidArgument(std::to_string(first.size()) + " fields, but --columns places a column at field " +
                                   std::to_string(needed));
  }
  int64_t day = 0;
  double amount = 0;
  map.first_is_header = !ParseDateField(first[map.index[1]], day) && !ParseAmountField(first[map.index[2]], amount);
  map.description = Describe(map, map.first_is_header ? &first : nullptr) +
                    (map.first_is_header ? ", line 1 taken for a header" : ", no header");
  return map;
}

}  // namespace

std::string_view ColumnRoleName(ColumnRole role) {
  switch (role) {
    case ColumnRole::kId: return "customer id";
    case ColumnRole::kDate: return "date";
    case ColumnRole::kAmount: return "amount";
  }
  return "?";
}

Result<ColumnSpec> ParseColumnSpec(std::string_view text) {
  ColumnSpec spec;
  const std::vector<std::string_view> entries = SplitCommas(text);
  const bool named = text.find('=') != std::string_view::npos;
  spec.positional = !named;
  std::array<bool, 3> seen{};
  for (std::string_view entry : entries) {
    std::string_view role_text = entry, name;
    if (named) {
      const size_t eq = entry.find('=');
      if (eq == std::string_view::npos) {
        return Status::InvalidArgument("--columns: '" + std::string(entry) + "' is not role=NAME (use one form: "
                                       "id=NAME,date=NAME,amount=NAME, or the roles in column order)");
      }
      role_text = entry.substr(0, eq);
      name = Trim(entry.substr(eq + 1));
      if (name.empty()) return Status::InvalidArgument("--columns: no column name after '" + std::string(entry) + "'");
    } else if (Trim(entry).empty() || Trim(entry) == "-") {
      spec.roles.push_back(-1);
      continue;
    }
    const std::optional<ColumnRole> role = ParseRole(role_text);
    if (!role) {
      return Status::InvalidArgument("--columns: unknown role '" + std::string(Trim(role_text)) +
                                     "' (roles: id, date, amount)");
    }
    const int r = static_cast<int>(*role);
    if (seen[r]) return Status::InvalidArgument("--columns names the " + std::string(ColumnRoleName(*role)) + " twice");
    seen[r] = true;
    if (named) {
      spec.names[r] = std::string(name);
    } else {
      spec.roles.push_back(r);
    }
  }
  if (spec.positional && !(seen[0] && seen[1] && seen[2])) {
    return Status::InvalidArgument("--columns by position lists every role once: id, date and amount in the "
                                   "file's column order ('-' skips a column)");
  }
  return spec;
}

Result<ColumnMap> ResolveColumns(const ColumnSpec& spec, const std::vector<std::string>& first) {
  if (spec.positional) return ResolvePositional(spec, first);
  ColumnMap map;
  map.fields = first.size();
  map.first_is_header = true;
  std::array<bool, 3> found{};
  std::vector<bool> taken(first.size(), false);
  // Explicit names first, so a recognised name never takes their column.
  for (int role = 0; role < 3; ++role) {
    if (spec.names[role].empty()) continue;
    std::vector<size_t> matches;
    for (size_t i = 0; i < first.size(); ++i) {
      if (Lower(Trim(first[i])) == Lower(spec.names[role])) matches.push_back(i);
    }
    if (matches.empty()) {
      return Status::InvalidArgument("--columns names " + QuoteForMessage(spec.names[role]) + " for the " +
                                     std::string(ColumnRoleName(static_cast<ColumnRole>(role))) +
                                     ", but the header has no such column (it has " + HeaderList(first) + ")");
    }
    if (matches.size() > 1) {
      return Status::InvalidArgument("the header names " + QuoteForMessage(spec.names[role]) + " twice (columns " +
                                     std::to_string(matches[0] + 1) + " and " + std::to_string(matches[1] + 1) + ")");
    }
    if (taken[matches[0]]) {
      return Status::InvalidArgument("--columns names " + QuoteForMessage(spec.names[role]) + " for two roles");
    }
    map.index[role] = matches[0];
    taken[matches[0]] = found[role] = true;
  }
  for (int role = 0; role < 3; ++role) {
    if (found[role]) continue;
    std::vector<size_t> matches;
    for (size_t i = 0; i < first.size(); ++i) {
      const std::string name = Normalise(first[i]);
      if (taken[i]) continue;
      for (std::string_view known : kKnownNames[role]) {
        if (name == known) matches.push_back(i);
      }
    }
    const std::string role_name(ColumnRoleName(static_cast<ColumnRole>(role)));
    const char* key = role == 0 ? "id" : role == 1 ? "date" : "amount";
    if (matches.size() > 1) {
      return Status::InvalidArgument("columns " + QuoteForMessage(first[matches[0]]) + " (" +
                                     std::to_string(matches[0] + 1) + ") and " + QuoteForMessage(first[matches[1]]) +
                                     " (" + std::to_string(matches[1] + 1) + ") could both be the " + role_name +
                                     "; choose one with --columns " + key +
                                     "=NAME");
    }
    if (matches.empty()) {
      // No header at all: the order fit has always read, customer_id,date,amount.
      if (!found[0] && !found[1] && !found[2] && ReadsAsData(first, {0, 1, 2})) {
        map.index = {0, 1, 2};
        map.first_is_header = false;
        map.description = Describe(map, nullptr) + ", no header";
        return map;
      }
      return Status::InvalidArgument("the header has no " + role_name + " column (it has " + HeaderList(first) +
                                     "); name the columns with --columns id=NAME,date=NAME,amount=NAME, or give "
                                     "their order for a file without a header (--columns date,id,amount)");
    }
    map.index[role] = matches[0];
    taken[matches[0]] = found[role] = true;
  }
  map.description = Describe(map, &first);
  return map;
}

bool ParseDateField(std::string_view text, int64_t& day) {
  text = Trim(text);
  if (text.size() > 10 && (text[10] == 'T' || text[10] == ' ')) {
    const std::string_view time = text.substr(11);
    if (time.empty() || time.front() < '0' || time.front() > '9') return false;
    text = text.substr(0, 10);
  }
  std::string date(text);
  if (date.size() == 10 && date[4] == '/' && date[7] == '/') date[4] = date[7] = '-';
  return ParseDay(date, day);
}

bool ParseAmountField(std::string_view text, double& value) {
  text = Trim(text);
  if (text.empty() || text.front() == '+' || text.front() == '-') return false;
  double parsed = 0;
  const auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), parsed);
  if (error != std::errc() || end != text.data() + text.size() || !std::isfinite(parsed)) return false;
  value = parsed;
  return true;
}

bool IsValidCustomerId(std::string_view text) {
  if (text.empty() || text.size() > kMaxCustomerIdBytes) return false;
  return std::none_of(text.begin(), text.end(), [](char c) {
    const auto u = static_cast<unsigned char>(c);
    return u < 0x20 || u == 0x7f;
  });
}

}  // namespace crm::pipeline
