#include "pipeline/csv_reader.h"

#include <csv.h>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <cstring>

namespace crm::pipeline {
namespace {

constexpr size_t kBlockBytes = 64 * 1024;

// libcsv grows a field's buffer with realloc_func and reports CSV_ENOMEM
// when it returns null (after halving its request down to one byte), so a
// realloc that refuses past the limit caps every field at exactly the
// limit. The hook takes no user data; the limit is per thread.
thread_local size_t t_field_limit = 0;

void* BoundedRealloc(void* p, size_t size) {
  if (size > t_field_limit) return nullptr;
  return std::realloc(p, size);
}

int64_t Newlines(const void* data, size_t size) {
  const char* text = static_cast<const char*>(data);
  return std::count(text, text + size, '\n');
}

struct CsvState {
  const std::string& name;
  const TextLimits& limits;
  const CsvRecordHandler& on_record;
  std::vector<std::string> fields;
  size_t record_bytes = 0;
  int64_t record_newlines = 0;  // line breaks inside the current record's quoted fields
  int64_t line = 1;             // the line being fed to the parser
  Status status;                // the first problem; later callbacks do nothing

  Status Bad(int64_t at, const std::string& why) const {
    return Status::InvalidArgument(name + ":" + std::to_string(at) + ": " + why);
  }
  int64_t RecordStart() const { return line - record_newlines; }
};

void OnField(void* data, size_t size, void* user) {
  auto* s = static_cast<CsvState*>(user);
  if (!s->status.ok()) return;
  if (s->fields.size() >= s->limits.max_fields) {
    s->status = s->Bad(s->RecordStart(), "more than " + std::to_string(s->limits.max_fields) + " fields in a record");
    return;
  }
  if (size > s->limits.max_field_bytes) {
    s->status = s->Bad(s->RecordStart(), "a field longer than " + std::to_string(s->limits.max_field_bytes) + " bytes");
    return;
  }
  s->record_bytes += size;
  if (s->record_bytes > s->limits.max_record_bytes) {
    s->status =
        s->Bad(s->RecordStart(), "a record longer than " + std::to_string(s->limits.max_record_bytes) + " bytes");
    return;
  }
  s->record_newlines += Newlines(data, size);
  s->fields.emplace_back(static_cast<const char*>(data), size);
}

void OnRecord(int /*terminator*/, void* user) {
  auto* s = static_cast<CsvState*>(user);
  if (s->status.ok()) s->status = s->on_record(s->RecordStart(), s->fields);
  s->fields.clear();
  s->record_bytes = 0;
  s->record_newlines = 0;
}

// Why libcsv stopped, at the line where the current field starts.
Status ParserError(csv_parser& parser, const CsvState& s, bool at_end) {
  const int64_t field_start = s.line - Newlines(parser.entry_buf, parser.entry_pos);
  switch (csv_error(&parser)) {
    case CSV_EPARSE:
      if (at_end) {
        return s.Bad(field_start, "a quoted field starts here and is never closed (the file ends inside the quotes)");
      }
      return s.Bad(s.line, "malformed quoting: a field containing '\"' must be quoted as a whole, with each '\"' "
                           "inside it doubled (\"\")");
    case CSV_ENOMEM:
    case CSV_ETOOBIG:
      if (parser.entry_pos > s.limits.max_field_bytes) {
        return s.Bad(field_start, "a field longer than " + std::to_string(s.limits.max_field_bytes) +
                                      " bytes starts here" + (parser.quoted ? " (an unclosed quote?)" : ""));
      }
      return Status::Internal(s.name + ":" + std::to_string(s.line) + ": out of memory");
    default:
      return s.Bad(s.line, "unreadable CSV");
  }
}

// Calls feed(segment, ends_line) for each piece of the file up to and
// including each LF, after a UTF-8 byte order mark at the start.
template <typename Feed>
Status ForEachLineSegment(std::istream& in, const std::string& name, Feed feed) {
  std::vector<char> block(kBlockBytes);
  bool first = true;
  while (in) {
    in.read(block.data(), static_cast<std::streamsize>(block.size()));
    const size_t n = static_cast<size_t>(in.gcount());
    if (n == 0) break;
    const char* data = block.data();
    const char* end = data + n;
    if (first && n >= 3 && std::memcmp(data, "\xEF\xBB\xBF", 3) == 0) data += 3;
    first = false;
    while (data < end) {
      const char* lf = static_cast<const char*>(std::memchr(data, '\n', static_cast<size_t>(end - data)));
      const char* stop = lf != nullptr ? lf + 1 : end;
      RETURN_IF_ERROR(feed(data, static_cast<size_t>(stop - data), lf != nullptr));
      data = stop;
    }
  }
  if (in.bad()) return Status::IoError("cannot read '" + name + "'");
  return Status::Ok();
}

}  // namespace

Status ReadCsvRecords(std::istream& in, const std::string& name, const TextLimits& limits,
                      const CsvRecordHandler& on_record) {
  csv_parser parser;
  if (csv_init(&parser, CSV_STRICT | CSV_STRICT_FINI) != 0) return Status::Internal("cannot start the CSV parser");
  struct Free {
    csv_parser* p;
    ~Free() { csv_free(p); }
  } free_parser{&parser};
  t_field_limit = limits.max_field_bytes + 2;  // a field one byte over the limit still reaches OnField
  csv_set_realloc_func(&parser, BoundedRealloc);
  CsvState state{name, limits, on_record, {}, 0, 0, 1, Status::Ok()};
  RETURN_IF_ERROR(ForEachLineSegment(in, name, [&](const char* data, size_t size, bool ends_line) -> Status {
    if (csv_parse(&parser, data, size, OnField, OnRecord, &state) != size) {
      return state.status.ok() ? ParserError(parser, state, false) : state.status;
    }
    RETURN_IF_ERROR(state.status);
    if (ends_line) ++state.line;
    return Status::Ok();
  }));
  if (csv_fini(&parser, OnField, OnRecord, &state) != 0) return ParserError(parser, state, true);
  return state.status;
}

Status ReadLines(std::istream& in, const std::string& name, const TextLimits& limits, const LineHandler& on_line) {
  std::string line;
  int64_t number = 1;
  auto too_long = [&] {
    return Status::InvalidArgument(name + ":" + std::to_string(number) + ": a line longer than " +
                                   std::to_string(limits.max_field_bytes) + " bytes");
  };
  auto finish = [&]() -> Status {
    if (!line.empty() && line.back() == '\r') line.pop_back();
    if (line.size() > limits.max_field_bytes) return too_long();
    RETURN_IF_ERROR(on_line(number, line));
    line.clear();
    ++number;
    return Status::Ok();
  };
  RETURN_IF_ERROR(ForEachLineSegment(in, name, [&](const char* data, size_t size, bool ends_line) -> Status {
    line.append(data, ends_line ? size - 1 : size);
    if (line.size() > limits.max_field_bytes + 1) return too_long();  // + 1: a CR before the LF
    return ends_line ? finish() : Status::Ok();
  }));
  return line.empty() ? Status::Ok() : finish();
}

std::string QuoteForMessage(std::string_view text) {
  constexpr size_t kMax = 40;
  std::string out = "'";
  for (size_t i = 0; i < text.size() && i < kMax; ++i) {
    const auto c = static_cast<unsigned char>(text[i]);
    if (c >= 0x20 && c < 0x7f) {
      out.push_back(static_cast<char>(c));
    } else {
      char hex[8];
      std::snprintf(hex, sizeof hex, "\\x%02X", c);
      out += hex;
    }
  }
  if (text.size() > kMax) out += "...";
  return out + "'";
}

}  // namespace crm::pipeline
