// pipeline/csv_reader.h
//
// Bounded readers of untrusted text files for `crmstream fit`: RFC 4180 CSV
// records (through libcsv, in strict mode) and plain lines. Both stream the
// file through a 64 KiB buffer, name every problem by file and line, and
// never hold more than one record (or line) of bounded size.
//
// CSV: fields may be quoted, with commas, line breaks and doubled quotes ("")
// inside the quotes; records end in LF or CRLF; a UTF-8 byte order mark at
// the start of the file is skipped; unquoted fields are trimmed of spaces and
// tabs; blank lines are skipped. A record is reported with the line it
// starts on (lines are counted by LF). NUL bytes are data like any other
// byte: the caller's field checks reject them where they do not belong.
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <istream>
#include <string>
#include <string_view>
#include <vector>

#include "operators/status.h"

namespace crm::pipeline {

struct TextLimits {
  size_t max_field_bytes = 64 * 1024;  // one CSV field; also one plain line
  size_t max_fields = 1024;            // fields in one CSV record
  size_t max_record_bytes = 1 << 20;   // all fields of one CSV record
};

// Called with each record and the line it starts on; a status that is not
// ok stops the read and is returned unchanged. The fields may be moved from.
using CsvRecordHandler = std::function<Status(int64_t line, std::vector<std::string>& fields)>;

// Reads `in` to its end. Problems are InvalidArgument "<name>:<line>: <why>":
// malformed quoting, a quoted field never closed, a field, record or field
// count over `limits`. A read error is an IoError.
Status ReadCsvRecords(std::istream& in, const std::string& name, const TextLimits& limits,
                      const CsvRecordHandler& on_record);

// Plain lines (LF or CRLF; the line end removed), a line longer than
// limits.max_field_bytes being an error "<name>:<line>: ...".
using LineHandler = std::function<Status(int64_t line, std::string_view text)>;
Status ReadLines(std::istream& in, const std::string& name, const TextLimits& limits, const LineHandler& on_line);

// `text` quoted for an error message: at most 40 bytes (then "..."), bytes
// outside printable ASCII as \xNN, so a message stays one short line.
std::string QuoteForMessage(std::string_view text);

}  // namespace crm::pipeline
