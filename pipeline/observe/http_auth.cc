#include "pipeline/observe/http_auth.h"

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>

namespace crm::pipeline {
namespace {

constexpr std::string_view kKey = "http.auth_token_file";
// A token is a line of text, not a file: a bigger file is a wrong path.
constexpr size_t kMaxTokenFileBytes = 4096;

bool IsTokenByte(unsigned char c) { return c > 0x20 && c < 0x7F; }

Status Bad(const std::string& path, const std::string& why) {
  return Status::InvalidArgument("config error: '" + std::string(kKey) + "' = \"" + path + "\": " + why);
}

}  // namespace

Result<std::string> LoadBearerToken(const std::string& path) {
  std::error_code ec;
  if (std::filesystem::exists(path, ec) && !std::filesystem::is_regular_file(path, ec)) {
    return Bad(path, "not a regular file");
  }
  std::ifstream in(path, std::ios::binary);
  if (!in) return Bad(path, std::string("cannot read the file: ") + std::strerror(errno));
  std::string content(kMaxTokenFileBytes + 1, '\0');
  in.read(content.data(), static_cast<std::streamsize>(content.size()));
  if (in.bad()) return Bad(path, std::string("cannot read the file: ") + std::strerror(errno));
  content.resize(static_cast<size_t>(in.gcount()));
  if (content.size() > kMaxTokenFileBytes) {
    return Bad(path, "the file is larger than " + std::to_string(kMaxTokenFileBytes) +
                         " bytes; it should hold one token");
  }
  const size_t begin = content.find_first_not_of(" \t\r\n");
  if (begin == std::string::npos) return Bad(path, "the file is empty; it should hold one token");
  const size_t end = content.find_last_not_of(" \t\r\n") + 1;
  std::string token = content.substr(begin, end - begin);
  for (char c : token) {
    if (!IsTokenByte(static_cast<unsigned char>(c))) {
      return Bad(path, "the token must be one word of printable ASCII (no spaces or control characters)");
    }
  }
  return token;
}

bool BearerTokenMatches(std::string_view authorization, std::string_view token) {
  constexpr std::string_view kScheme = "bearer ";
  if (token.empty() || authorization.size() < kScheme.size()) return false;
  for (size_t i = 0; i < kScheme.size(); ++i) {
    const char c = authorization[i];
    const char lower = (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c;
    if (lower != kScheme[i]) return false;
  }
  std::string_view given = authorization.substr(kScheme.size());
  while (!given.empty() && given.front() == ' ') given.remove_prefix(1);
  while (!given.empty() && (given.back() == ' ' || given.back() == '\t')) given.remove_suffix(1);
  // Runs over the whole expected token whatever `given` holds, so timing
  // reveals neither a matching prefix nor where the first difference is.
  unsigned diff = given.size() == token.size() ? 0u : 1u;
  for (size_t i = 0; i < token.size(); ++i) {
    const auto g = static_cast<unsigned char>(i < given.size() ? given[i] : 0);
    diff |= g ^ static_cast<unsigned char>(token[i]);
  }
  return diff == 0;
}

}  // namespace crm::pipeline
