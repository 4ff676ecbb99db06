// pipeline/transaction_columns.h
//
// Which CSV columns of a transaction export hold the customer id, the
// purchase date and the amount, and how their text is read.
//
// Without --columns the first record is a header and each column is
// recognised by its name: case, spaces, '_', '-' and '.' do not matter, so
// "Customer ID", "customer_id" and "CustomerId" are one name (the lists are
// in transaction_columns.cc and docs/purchase-models.md). A header that names
// none of them, over a first record that reads as data in the order
// customer_id,date,amount, is no header: the file is read in that order (the
// format `fit` has always read).
//
// --columns maps them explicitly, in one of two forms:
//   by name      id=cust_no,date=order_date,amount=total  (header names, any
//                case; a role left out is recognised as above)
//   by position  date,id,amount  or  id,-,date,amount  ("-" or an empty
//                entry skips a column; columns past the list are ignored).
//                The file has no header; a first record whose date and amount
//                are neither a date nor a number is taken for one and skipped.
// Roles: id (also customer, customer_id), date, amount (also value).
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "operators/status.h"

namespace crm::pipeline {

enum class ColumnRole { kId = 0, kDate = 1, kAmount = 2 };
std::string_view ColumnRoleName(ColumnRole role);  // "customer id", "date", "amount"

struct ColumnSpec {
  bool positional = false;
  // By name: the header name of each role, empty to recognise it.
  std::array<std::string, 3> names;
  // By position: the role of each listed column, -1 to skip it.
  std::vector<int> roles;
};

// Parses the --columns text; an error says what is wrong with it.
Result<ColumnSpec> ParseColumnSpec(std::string_view text);

struct ColumnMap {
  std::array<size_t, 3> index{};  // column of each role (ColumnRole order)
  size_t fields = 0;              // fields every data record must have
  bool first_is_header = false;   // skip the first record
  std::string description;        // e.g. "customer id = 'cust_no' (column 3), ..."
};

// The columns of a file whose first record is `first`; an error (without
// file and line, which the caller adds) says why they cannot be found.
Result<ColumnMap> ResolveColumns(const ColumnSpec& spec, const std::vector<std::string>& first);

// Field readers; each returns false when the text is not such a value.
// A date: yyyy-mm-dd, yyyy/mm/dd or yyyymmdd, or an ISO 8601 date and time
// (yyyy-mm-ddThh:mm..., a space also separating them) whose calendar date is
// taken as written, its time zone ignored. Days since 1970-01-01.
bool ParseDateField(std::string_view text, int64_t& day);
// An amount: a finite decimal number >= 0, the whole field (no currency
// signs or thousands separators: "1,234.50" is refused rather than misread).
bool ParseAmountField(std::string_view text, double& value);
// A customer id: 1..256 bytes, no control characters (they would corrupt
// the scores CSV and the messages that quote ids).
bool IsValidCustomerId(std::string_view text);

}  // namespace crm::pipeline
