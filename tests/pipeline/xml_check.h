// tests/pipeline/xml_check.h
//
// A strict little XML well-formedness check for the charts the fit writes:
// one root element, every start tag closed in order, attribute values quoted
// (no '<' in them), names well formed, '&' only as a known entity or a
// character reference, no control characters, nothing after the root but
// white space. Counts the elements by name so tests can check structure.
// Test-only, header-only.
#pragma once

#include <cctype>
#include <map>
#include <string>
#include <string_view>
#include <vector>

namespace crm::testing {

struct XmlCheck {
  std::string error;                  // empty when well formed
  std::map<std::string, int> elements;  // element name -> count
  std::vector<std::string> texts;       // character data, entities unresolved
};

inline XmlCheck CheckXml(std::string_view xml) {
  XmlCheck out;
  std::vector<std::string> open;
  size_t i = 0, roots = 0;
  auto fail = [&](const std::string& why) {
    out.error = why + " at byte " + std::to_string(i);
    return out;
  };
  auto name_char = [](char c) {
    return std::isalnum(static_cast<unsigned char>(c)) || c == '-' || c == '_' || c == ':' || c == '.';
  };
  auto check_text = [&](std::string_view text) -> bool {
    for (size_t k = 0; k < text.size(); ++k) {
      const auto c = static_cast<unsigned char>(text[k]);
      if (c < 0x20 && c != '\n' && c != '\t' && c != '\r') return false;
      if (c == '<') return false;
      if (c == '&') {
        const size_t semi = text.find(';', k);
        if (semi == std::string_view::npos) return false;
        const std::string_view entity = text.substr(k + 1, semi - k - 1);
        if (entity != "amp" && entity != "lt" && entity != "gt" && entity != "quot" && entity != "apos" &&
            !(entity.size() > 1 && entity[0] == '#')) {
          return false;
        }
      }
    }
    return true;
  };
  while (i < xml.size()) {
    if (xml[i] != '<') {
      const size_t next = xml.find('<', i);
      const std::string_view text = xml.substr(i, next - i);
      if (!check_text(text)) return fail("bad character data");
      if (open.empty() && text.find_first_not_of(" \t\r\n") != std::string_view::npos) {
        return fail("text outside the root element");
      }
      if (!open.empty()) out.texts.emplace_back(text);
      i = next == std::string_view::npos ? xml.size() : next;
      continue;
    }
    if (xml.substr(i, 4) == "<!--") {
      const size_t end = xml.find("-->", i);
      if (end == std::string_view::npos) return fail("unclosed comment");
      i = end + 3;
      continue;
    }
    if (xml.substr(i, 2) == "<?") {
      const size_t end = xml.find("?>", i);
      if (end == std::string_view::npos || roots > 0 || !open.empty()) return fail("misplaced declaration");
      i = end + 2;
      continue;
    }
    const bool closing = xml.substr(i, 2) == "</";
    size_t k = i + (closing ? 2 : 1);
    const size_t name_start = k;
    while (k < xml.size() && name_char(xml[k])) ++k;
    const std::string name(xml.substr(name_start, k - name_start));
    if (name.empty() || std::isdigit(static_cast<unsigned char>(name[0]))) return fail("bad element name");
    if (closing) {
      while (k < xml.size() && std::isspace(static_cast<unsigned char>(xml[k]))) ++k;
      if (k >= xml.size() || xml[k] != '>') return fail("bad end tag");
      if (open.empty() || open.back() != name) return fail("</" + name + "> does not close the open element");
      open.pop_back();
      i = k + 1;
      continue;
    }
    // Attributes.
    std::map<std::string, bool> seen;
    for (;;) {
      const size_t before = k;
      while (k < xml.size() && std::isspace(static_cast<unsigned char>(xml[k]))) ++k;
      if (k >= xml.size()) return fail("unterminated start tag");
      if (xml[k] == '>' || xml.substr(k, 2) == "/>") break;
      if (k == before) return fail("no space before an attribute");
      const size_t attr_start = k;
      while (k < xml.size() && name_char(xml[k])) ++k;
      const std::string attr(xml.substr(attr_start, k - attr_start));
      if (attr.empty()) return fail("bad attribute name");
      if (seen[attr]) return fail("attribute " + attr + " twice");
      seen[attr] = true;
      if (k >= xml.size() || xml[k] != '=') return fail("attribute " + attr + " without a value");
      ++k;
      if (k >= xml.size() || (xml[k] != '"' && xml[k] != '\'')) return fail("attribute " + attr + " not quoted");
      const char quote = xml[k];
      const size_t end = xml.find(quote, k + 1);
      if (end == std::string_view::npos) return fail("unterminated attribute value");
      if (!check_text(xml.substr(k + 1, end - k - 1))) return fail("bad attribute value of " + attr);
      k = end + 1;
    }
    if (open.empty() && ++roots > 1) return fail("a second root element");
    ++out.elements[name];
    if (xml[k] == '/') {
      i = k + 2;
    } else {
      open.push_back(name);
      i = k + 1;
    }
  }
  if (!open.empty()) return fail("<" + open.back() + "> never closed");
  if (roots != 1) return fail("no root element");
  return out;
}

}  // namespace crm::testing
