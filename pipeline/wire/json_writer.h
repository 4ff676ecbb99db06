// pipeline/wire/json_writer.h
//
// A minimal JSON writer for the hot output path (one CloudEvent per alert or
// segment change): appends to a caller-owned string, escapes strings per RFC
// 8259, prints doubles in their shortest round-trip form. It cannot write a
// number JSON has no text for: a NaN or infinite double is written as null
// (as nlohmann-json does), so a defect upstream shows as a null field, never
// as an unparseable record. Operators keep their outputs finite (money.h);
// this is the last line. It does not check structure; callers write
// well-formed objects. nlohmann-json builds a tree
// per record and was half of the per-event cost (bench/README.md).
#pragma once

#include <charconv>
#include <cmath>
#include <cstdint>
#include <cstring>
#include <string>
#include <string_view>

namespace crm::pipeline {

class JsonWriter {
 public:
  explicit JsonWriter(std::string& out) : out_(out) {}

  JsonWriter& BeginObject() { return Separator(), Raw('{'), first_ = true, *this; }
  JsonWriter& EndObject() { return Raw('}'), first_ = false, *this; }
  JsonWriter& BeginArray() { return Separator(), Raw('['), first_ = true, *this; }
  JsonWriter& EndArray() { return Raw(']'), first_ = false, *this; }

  // Writes `"key":` (with a comma when needed); follow with one value.
  JsonWriter& Key(std::string_view key) {
    Quoted(key, /*comma=*/!first_, /*colon=*/true);
    first_ = true;  // the value that follows needs no comma
    return *this;
  }

  // Appends members already encoded (`"a":1,"b":"x"`, no braces), with a
  // comma when needed: for members that are the same in every record.
  JsonWriter& Members(std::string_view encoded) {
    return Separator(), out_.append(encoded), first_ = false, *this;
  }

  JsonWriter& Value(std::string_view s) { return Quoted(s, !first_, false), first_ = false, *this; }
  JsonWriter& Value(const char* s) { return Value(std::string_view(s)); }
  JsonWriter& Value(int64_t v) { return Separator(), Chars(v), first_ = false, *this; }
  JsonWriter& Value(int v) { return Value(static_cast<int64_t>(v)); }
  // NaN and infinities: null (see above).
  JsonWriter& Value(double v) {
    if (!std::isfinite(v)) return Null();
    return Separator(), Chars(v), first_ = false, *this;
  }
  JsonWriter& Bool(bool b) { return Separator(), out_.append(b ? "true" : "false"), first_ = false, *this; }
  JsonWriter& Null() { return Separator(), out_.append("null"), first_ = false, *this; }

 private:
  void Raw(char c) { out_.push_back(c); }
  void Separator() {
    if (!first_) out_.push_back(',');
  }
  template <typename T>
  void Chars(T v) {
    char buf[32];
    auto result = std::to_chars(buf, buf + sizeof buf, v);
    out_.append(buf, result.ptr);
  }
  // The length of the prefix of s that needs no escape, eight bytes at a
  // time: a word is clean when none of its bytes is below 0x20, '"' or '\\'
  // (the "has a byte less than n / equal to c" bit tricks, exact as a yes or
  // no for the whole word; bytes from 0x80, UTF-8, are clean). The last
  // partial word is checked as the word that ends the string.
  static size_t CleanPrefix(std::string_view s) {
    size_t i = 0;
    for (; i + 8 <= s.size(); i += 8) {
      if (!CleanWord(s.data() + i)) return i + CleanBytes(s.substr(i, 8));
    }
    if (i == s.size()) return i;
    if (s.size() >= 8 && CleanWord(s.data() + s.size() - 8)) return s.size();
    return i + CleanBytes(s.substr(i));
  }
  static bool CleanWord(const char* at) {
    constexpr uint64_t kOnes = 0x0101010101010101ULL;
    constexpr uint64_t kHighs = 0x8080808080808080ULL;
    uint64_t w;
    std::memcpy(&w, at, 8);
    const uint64_t quote = w ^ (kOnes * '"');
    const uint64_t backslash = w ^ (kOnes * '\\');
    const uint64_t dirty = ((w - kOnes * 0x20) & ~w) | ((quote - kOnes) & ~quote) | ((backslash - kOnes) & ~backslash);
    return (dirty & kHighs) == 0;
  }
  static size_t CleanBytes(std::string_view s) {
    size_t i = 0;
    while (i < s.size() && !NeedsEscape(static_cast<unsigned char>(s[i]))) ++i;
    return i;
  }
  static bool NeedsEscape(unsigned char c) { return c < 0x20 || c == '"' || c == '\\'; }

  // Appends [,]"s"[:]: in one append when s needs no escape and is short,
  // as almost every key and value is; escaping as it goes otherwise.
  void Quoted(std::string_view s, bool comma, bool colon) {
    constexpr size_t kShort = 60;
    const size_t clean = CleanPrefix(s);
    if (clean == s.size() && s.size() <= kShort) {
      char buf[kShort + 4];
      size_t n = 0;
      if (comma) buf[n++] = ',';
      buf[n++] = '"';
      std::memcpy(buf + n, s.data(), s.size());
      n += s.size();
      buf[n++] = '"';
      if (colon) buf[n++] = ':';
      out_.append(buf, n);
      return;
    }
    if (comma) out_.push_back(',');
    Escaped(s, clean);
    if (colon) out_.push_back(':');
  }

  // "s", escaped; its first `clean` bytes need no escape.
  void Escaped(std::string_view s, size_t clean) {
    out_.push_back('"');
    out_.append(s.data(), clean);
    size_t run = clean;  // start of the current run of characters needing no escape
    for (size_t i = clean; i < s.size(); ++i) {
      const unsigned char c = static_cast<unsigned char>(s[i]);
      if (!NeedsEscape(c)) continue;
      out_.append(s.data() + run, i - run);
      run = i + 1;
      switch (c) {
        case '"': out_.append("\\\""); break;
        case '\\': out_.append("\\\\"); break;
        case '\n': out_.append("\\n"); break;
        case '\r': out_.append("\\r"); break;
        case '\t': out_.append("\\t"); break;
        default: {
          static constexpr char kHex[] = "0123456789abcdef";
          out_.append("\\u00");
          out_.push_back(kHex[c >> 4]);
          out_.push_back(kHex[c & 0xf]);
        }
      }
    }
    out_.append(s.data() + run, s.size() - run);
    out_.push_back('"');
  }

  std::string& out_;
  bool first_ = true;
};

}  // namespace crm::pipeline
