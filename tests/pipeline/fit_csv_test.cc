// The `fit` CSV path: RFC 4180 records through libcsv (quoting, CRLF, BOM,
// line numbers, limits), columns found by header name or --columns, and the
// transaction summaries read from such files, every problem named by line
// and reason.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <sstream>

#include "pipeline/csv_reader.h"
#include "pipeline/transaction_columns.h"
#include "pipeline/transaction_summaries.h"

namespace crm::pipeline {
namespace {

struct Record {
  int64_t line;
  std::vector<std::string> fields;
};

// Every record of `text`, or the error.
Result<std::vector<Record>> Records(const std::string& text, const TextLimits& limits = {}) {
  std::istringstream in(text);
  std::vector<Record> out;
  Status s = ReadCsvRecords(in, "f.csv", limits, [&](int64_t line, std::vector<std::string>& fields) {
    out.push_back({line, fields});
    return Status::Ok();
  });
  if (!s.ok()) return s;
  return out;
}

std::string ErrorOf(const std::string& text, const TextLimits& limits = {}) {
  auto r = Records(text, limits);
  return r.ok() ? "(no error)" : r.status().message();
}

TEST(CsvRecords, QuotedFieldsKeepCommasQuotesAndLineBreaks) {
  auto r = Records("id,note,amount\n\"c,1\",\"say \"\"hi\"\"\",5\n\"c2\",\"two\nlines\",7\nc3,,8\n");
  ASSERT_TRUE(r.ok()) << r.status().message();
  ASSERT_EQ(r->size(), 4u);
  EXPECT_EQ((*r)[1].fields, (std::vector<std::string>{"c,1", "say \"hi\"", "5"}));
  EXPECT_EQ((*r)[2].fields, (std::vector<std::string>{"c2", "two\nlines", "7"}));
  EXPECT_EQ((*r)[3].fields, (std::vector<std::string>{"c3", "", "8"}));
  // Each record with the line it starts on; the two-line record moves the next one down.
  EXPECT_EQ((*r)[1].line, 2);
  EXPECT_EQ((*r)[2].line, 3);
  EXPECT_EQ((*r)[3].line, 5);
}

TEST(CsvRecords, CrlfBomBlankLinesAndNoFinalLineEnd) {
  auto r = Records("\xEF\xBB\xBFid,date\r\n\r\n  \r\na, 2024-01-01 \r\nb,2024-01-02");
  ASSERT_TRUE(r.ok()) << r.status().message();
  ASSERT_EQ(r->size(), 3u);
  EXPECT_EQ((*r)[0].fields, (std::vector<std::string>{"id", "date"})) << "the BOM is not part of the first name";
  EXPECT_EQ((*r)[1].fields, (std::vector<std::string>{"a", "2024-01-01"})) << "unquoted fields are trimmed";
  EXPECT_EQ((*r)[1].line, 4);
  EXPECT_EQ((*r)[2].fields, (std::vector<std::string>{"b", "2024-01-02"}));
  EXPECT_EQ((*r)[2].line, 5);
}

TEST(CsvRecords, NulBytesAreData) {
  auto r = Records(std::string("a\0b,c\n", 6));
  ASSERT_TRUE(r.ok());
  EXPECT_EQ((*r)[0].fields[0], std::string("a\0b", 3));
}

TEST(CsvRecords, MalformedQuotingNamesTheLine) {
  EXPECT_NE(ErrorOf("a,b\nc,d\"e\"\n").find("f.csv:2: malformed quoting"), std::string::npos)
      << ErrorOf("a,b\nc,d\"e\"\n");
  EXPECT_NE(ErrorOf("a,b\n\"c\"x,d\n").find("f.csv:2: malformed quoting"), std::string::npos);
}

TEST(CsvRecords, AQuoteLeftOpenNamesTheLineItOpensOn) {
  const std::string e = ErrorOf("id,amount\nc1,5\n\"c2,6\nc3,7\nc4,8\n");
  EXPECT_NE(e.find("f.csv:3: a quoted field starts here and is never closed"), std::string::npos) << e;
}

TEST(CsvRecords, FieldsRecordsAndFieldCountsAreBounded) {
  TextLimits limits;
  limits.max_field_bytes = 100;
  limits.max_fields = 5;
  limits.max_record_bytes = 300;
  EXPECT_TRUE(Records("a," + std::string(100, 'x') + "\n", limits).ok()) << "exactly the limit is fine";
  std::string e = ErrorOf("a,b\nc," + std::string(101, 'x') + "\n", limits);
  EXPECT_NE(e.find("f.csv:2: a field longer than 100 bytes"), std::string::npos) << e;
  // A quote that never closes swallows the rest of the file: stopped at the limit.
  e = ErrorOf("a,b\n\"c" + std::string(10'000, '\n') + "\n", limits);
  EXPECT_NE(e.find("f.csv:2: a field longer than 100 bytes starts here (an unclosed quote?)"), std::string::npos) << e;
  e = ErrorOf("a,b,c,d,e,f\n", limits);
  EXPECT_NE(e.find("f.csv:1: more than 5 fields"), std::string::npos) << e;
  e = ErrorOf(std::string(90, 'x') + "," + std::string(90, 'x') + "," + std::string(90, 'x') + "," +
              std::string(90, 'x') + "\n", limits);
  EXPECT_NE(e.find("f.csv:1: a record longer than 300 bytes"), std::string::npos) << e;
}

TEST(CsvRecords, AHandlerErrorStopsTheRead) {
  std::istringstream in("a\nb\nc\n");
  int calls = 0;
  Status s = ReadCsvRecords(in, "f", {}, [&](int64_t, std::vector<std::string>&) {
    return ++calls == 2 ? Status::InvalidArgument("stop") : Status::Ok();
  });
  EXPECT_EQ(s.message(), "stop");
  EXPECT_EQ(calls, 2);
}

TEST(TextLines, LongLinesAreRefusedWithTheirNumber) {
  TextLimits limits;
  limits.max_field_bytes = 10;
  std::istringstream in("short\r\n" + std::string(11, 'x') + "\n");
  std::vector<std::string> lines;
  Status s = ReadLines(in, "f", limits, [&](int64_t, std::string_view text) {
    lines.emplace_back(text);
    return Status::Ok();
  });
  EXPECT_NE(s.message().find("f:2: a line longer than 10 bytes"), std::string::npos) << s.message();
  EXPECT_EQ(lines, std::vector<std::string>{"short"}) << "CR of CRLF removed";
}

TEST(QuoteForMessage, ShortPrintableAndEscaped) {
  EXPECT_EQ(QuoteForMessage("abc"), "'abc'");
  EXPECT_EQ(QuoteForMessage(std::string("a\0\n", 3)), "'a\\x00\\x0A'");
  EXPECT_EQ(QuoteForMessage(std::string(50, 'x')), "'" + std::string(40, 'x') + "...'");
}

// Column resolution.
ColumnMap Resolve(const std::string& spec_text, const std::vector<std::string>& first) {
  ColumnSpec spec;
  if (!spec_text.empty()) {
    auto parsed = ParseColumnSpec(spec_text);
    EXPECT_TRUE(parsed.ok()) << parsed.status().message();
    if (parsed.ok()) spec = *parsed;
  }
  auto map = ResolveColumns(spec, first);
  EXPECT_TRUE(map.ok()) << map.status().message();
  return map.ok() ? *map : ColumnMap{};
}

std::string ResolveError(const std::string& spec_text, const std::vector<std::string>& first) {
  ColumnSpec spec;  // empty: no --columns
  if (!spec_text.empty()) {
    auto parsed = ParseColumnSpec(spec_text);
    if (!parsed.ok()) return parsed.status().message();
    spec = *parsed;
  }
  auto map = ResolveColumns(spec, first);
  return map.ok() ? "(no error)" : map.status().message();
}

TEST(TransactionColumns, CommonHeaderNamesInAnyOrderAnyCase) {
  ColumnMap m = Resolve("", {"Order Date", "Total", "Customer ID", "sku"});
  EXPECT_EQ(m.index, (std::array<size_t, 3>{2, 0, 1}));
  EXPECT_TRUE(m.first_is_header);
  EXPECT_EQ(m.fields, 4u);
  m = Resolve("", {"revenue", "client", "purchase_date"});
  EXPECT_EQ(m.index, (std::array<size_t, 3>{1, 2, 0}));
  m = Resolve("", {"customer_id", "date", "amount"});
  EXPECT_EQ(m.index, (std::array<size_t, 3>{0, 1, 2}));
  EXPECT_NE(m.description.find("customer id = 'customer_id' (column 1)"), std::string::npos) << m.description;
}

TEST(TransactionColumns, NoHeaderMeansTheClassicOrder) {
  ColumnMap m = Resolve("", {"c1", "2024-01-01", "10.5"});
  EXPECT_EQ(m.index, (std::array<size_t, 3>{0, 1, 2}));
  EXPECT_FALSE(m.first_is_header);
}

TEST(TransactionColumns, ColumnsByNameOverrideAndCompleteRecognition) {
  ColumnMap m = Resolve("id=cust_no,date=order_date,amount=total", {"total", "x", "ORDER_DATE", "cust_no"});
  EXPECT_EQ(m.index, (std::array<size_t, 3>{3, 2, 0}));
  // Only the amount named: the others recognised; the named one is never
  // taken by recognition ("price" would otherwise clash with "total").
  m = Resolve("amount=net", {"customer", "date", "price", "net"});
  EXPECT_EQ(m.index, (std::array<size_t, 3>{0, 1, 3}));
}

TEST(TransactionColumns, ColumnsByPositionForAFileWithoutHeader) {
  ColumnMap m = Resolve("date,id,amount", {"2024-01-01", "c1", "3"});
  EXPECT_EQ(m.index, (std::array<size_t, 3>{1, 0, 2}));
  EXPECT_FALSE(m.first_is_header);
  m = Resolve("id,-,date,,amount", {"c1", "x", "20240101", "y", "3", "extra"});
  EXPECT_EQ(m.index, (std::array<size_t, 3>{0, 2, 4}));
  EXPECT_EQ(m.fields, 6u);
  // A header over a positional mapping is recognised and skipped.
  m = Resolve("date,id,amount", {"when", "who", "how much"});
  EXPECT_TRUE(m.first_is_header);
}

TEST(TransactionColumns, ProblemsAreNamed) {
  EXPECT_NE(ResolveError("", {"who", "when", "what"}).find("the header has no customer id column (it has 'who', "
                                                           "'when', 'what'); name the columns with --columns"),
            std::string::npos)
      << ResolveError("", {"who", "when", "what"});
  EXPECT_NE(ResolveError("", {"customer", "date", "price", "total"})
                .find("columns 'price' (3) and 'total' (4) could both be the amount; choose one with --columns "
                      "amount=NAME"),
            std::string::npos);
  EXPECT_NE(ResolveError("", {"id", "date", "amount", "amount"}).find("could both be the amount"), std::string::npos)
      << "a duplicated header name is ambiguous, not silently the first";
  EXPECT_NE(ResolveError("id=cust,date=d,amount=a", {"cust", "d", "a", "CUST"}).find("the header names 'cust' twice"),
            std::string::npos);
  EXPECT_NE(ResolveError("id=nope", {"customer", "date", "amount"})
                .find("--columns names 'nope' for the customer id, but the header has no such column"),
            std::string::npos);
  EXPECT_NE(ResolveError("id=x,date=X", {"x", "y", "amount"}).find("--columns names 'X' for two roles"),
            std::string::npos);
  EXPECT_NE(ResolveError("date,id", {"x", "y"}).find("lists every role once"), std::string::npos);
  EXPECT_NE(ResolveError("id=a,date", {"x"}).find("'date' is not role=NAME"), std::string::npos);
  EXPECT_NE(ResolveError("who=a", {"x"}).find("unknown role 'who'"), std::string::npos);
  EXPECT_NE(ResolveError("id,id,date,amount", {"x"}).find("names the customer id twice"), std::string::npos);
  EXPECT_NE(ResolveError("id,date,-,amount", {"c", "2024-01-01"}).find("2 fields, but --columns places a column at "
                                                                      "field 4"),
            std::string::npos);
}

TEST(TransactionFields, DatesAmountsAndIds) {
  int64_t day = 0, expected = 0;
  ASSERT_TRUE(ParseDay("2024-03-05", expected));
  for (const char* text : {"2024-03-05", "20240305", "2024/03/05", "2024-03-05T13:45:00Z", "2024-03-05 23:59:59+02:00",
                           " 2024-03-05 "}) {
    EXPECT_TRUE(ParseDateField(text, day) && day == expected) << text;
  }
  for (const char* text : {"03/05/2024", "2024-3-5", "2024-03-05T", "2024-03-05Tnoon", "2024-02-30", ""}) {
    EXPECT_FALSE(ParseDateField(text, day)) << text;
  }
  double v = 0;
  EXPECT_TRUE(ParseAmountField("12.50", v) && v == 12.5);
  EXPECT_TRUE(ParseAmountField("1e3", v) && v == 1000);
  for (const char* text : {"-1", "+1", "1,234.50", "$5", "inf", "nan", "0x10", "", "1 2"}) {
    EXPECT_FALSE(ParseAmountField(text, v)) << text;
  }
  EXPECT_FALSE(ParseAmountField(std::string("12\0" "9", 4), v)) << "a NUL inside the field is not the field's end";
  EXPECT_TRUE(IsValidCustomerId("c-1 ü"));
  EXPECT_FALSE(IsValidCustomerId(std::string("a\0b", 3)));
  EXPECT_FALSE(IsValidCustomerId(std::string(257, 'x')));
}

// Whole files.
class CsvFile : public ::testing::Test {
 protected:
  Result<TransactionSummaries> Summarise(const std::string& text, const std::string& columns = "",
                                         const std::string& calibration_end = "2024-01-31") {
    {
      std::ofstream out(path_, std::ios::binary);
      out << text;
    }
    SummaryOptions options;
    options.format = TransactionFormat::kCsv;
    EXPECT_TRUE(ParseDay(calibration_end, options.calibration_end_day));
    options.days_per_unit = 1;
    if (!columns.empty()) options.columns = *ParseColumnSpec(columns);
    return SummariseTransactions(path_.string(), options);
  }
  std::string Error(const std::string& text, const std::string& columns = "") {
    auto r = Summarise(text, columns);
    return r.ok() ? "(no error)" : r.status().message().substr(path_.string().size());
  }
  void TearDown() override { std::filesystem::remove(path_); }
  std::filesystem::path path_ = std::filesystem::temp_directory_path() / "crm-fit-csv-test.csv";
};

TEST_F(CsvFile, AnExportWithQuotesCrlfBomAndColumnsInAnyOrder) {
  auto r = Summarise("\xEF\xBB\xBF\"Order Date\",\"Total\",\"Customer ID\",\"Note\"\r\n"
                     "2024-01-02,\"10.00\",\"Smith, J.\",\"first \"\"big\"\" order\"\r\n"
                     "2024-01-09,5,\"Smith, J.\",\"two\r\nlines\"\r\n"
                     "2024-02-15,7,\"Smith, J.\",\r\n"
                     "2024-01-20T10:00:00,3,c2,\r\n");
  ASSERT_TRUE(r.ok()) << r.status().message();
  ASSERT_EQ(r->customers.size(), 2u);
  EXPECT_EQ(r->rows, 4);
  const CustomerSummary& smith = r->customers[0];
  EXPECT_EQ(smith.customer_id, "Smith, J.");
  EXPECT_EQ(smith.purchases.x, 1);
  EXPECT_DOUBLE_EQ(smith.purchases.t_x, 7);
  EXPECT_DOUBLE_EQ(smith.first_purchase_value, 10);
  EXPECT_EQ(smith.holdout_purchases, 1);
  EXPECT_EQ(smith.days_to_first_holdout_purchase, 15);
  EXPECT_EQ(r->customers[1].days_to_first_holdout_purchase, -1);
  EXPECT_NE(r->columns.find("date = 'Order Date' (column 1)"), std::string::npos) << r->columns;
  int64_t first = 0, last = 0;
  ASSERT_TRUE(ParseDay("2024-01-02", first) && ParseDay("2024-02-15", last));
  EXPECT_EQ(r->first_day, first);
  EXPECT_EQ(r->last_day, last);
}

TEST_F(CsvFile, ColumnsOptionByNameAndByPosition) {
  auto r = Summarise("cust_no,order_date,total,price\nA,2024-01-01,10,2\nA,2024-01-05,4,1\n",
                     "id=cust_no,date=order_date,amount=total");
  ASSERT_TRUE(r.ok()) << r.status().message();
  EXPECT_DOUBLE_EQ(r->customers[0].first_purchase_value, 10);
  EXPECT_DOUBLE_EQ(r->customers[0].mean_spend, 4);
  r = Summarise("2024-01-01,A,10\n2024-01-05,A,4\n", "date,id,amount");
  ASSERT_TRUE(r.ok()) << r.status().message();
  EXPECT_EQ(r->rows, 2) << "no header: the first line is data";
  EXPECT_EQ(r->customers[0].customer_id, "A");
}

TEST_F(CsvFile, BadRowsNameTheLineAndTheReason) {
  const std::string header = "customer_id,date,amount\n";
  EXPECT_EQ(Error(header + "c1,2024-01-01,10\nc1,2024-13-01,5\n"),
            ":3: date '2024-13-01' is not a date (yyyy-mm-dd, yyyy/mm/dd or yyyymmdd)");
  EXPECT_EQ(Error(header + "c1,2024-01-01,-5\n"),
            ":2: amount '-5' is not a number >= 0 (plain digits, '.' for decimals)");
  EXPECT_EQ(Error(header + "c1,2024-01-01,1,234.50\n"), ":2: 4 fields where line 1 has 3 (a comma in a value that is "
                                                       "not quoted?)");
  EXPECT_EQ(Error(header + "c1,2024-01-01\n"),
            ":2: 2 fields where line 1 has 3 (a comma in a value that is not quoted?)");
  EXPECT_EQ(Error(header + ",2024-01-01,1\n"), ":2: empty customer id");
  EXPECT_EQ(Error(header + std::string("c\0" "1,2024-01-01,1\n", 16)),
            ":2: customer id 'c\\x001' is longer than 256 bytes or has control characters");
  EXPECT_EQ(Error(header + "c1,\"2024-01-01,1\n"), ":2: a quoted field starts here and is never closed (the file "
                                                  "ends inside the quotes)");
  EXPECT_EQ(Error("who,when,what\n"), ":1: the header has no customer id column (it has 'who', 'when', 'what'); name "
                                     "the columns with --columns id=NAME,date=NAME,amount=NAME, or give their order "
                                     "for a file without a header (--columns date,id,amount)");
  // After a record two lines long, the next one's line is still right.
  EXPECT_EQ(Error("customer_id,note,date,amount\nc1,\"two\nlines\",2024-01-01,1\nc2,,2024-01-01,x\n").substr(0, 4),
            ":4: ");
  EXPECT_EQ(Error(header + "\"c\n1\",2024-01-01,1\n"),
            ":2: customer id 'c\\x0A1' is longer than 256 bytes or has control characters");
}

TEST_F(CsvFile, HugeFieldsStopAtTheLimitWithoutReadingThemWhole) {
  const std::string big(200'000, 'x');
  EXPECT_EQ(Error("customer_id,date,amount\nc1,2024-01-01," + big + "\n"),
            ":2: a field longer than 65536 bytes starts here");
}

}  // namespace
}  // namespace crm::pipeline
