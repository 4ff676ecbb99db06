// libFuzzer target for the config loader (config/config.h: ParseConfig,
// KeysSetBy; tests/fuzz/README.md), run for a bounded time by CTest
// (fuzz.config).
//
// An input is TOML text, optionally followed by a line "#--env--" and
// environment overrides, one NAME=VALUE a line (NAME gets the CRMSTREAM_
// prefix unless it has it). Checks that the loader never throws, that an
// error is an InvalidArgument "config error: ..." naming a key ('key'), the
// parse position (fuzz.toml:line:column) or the environment variable (CRMSTREAM_...), that
// the answer is repeatable, and that an accepted config passes the
// cross-field rules and sets only known keys.
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <exception>
#include <set>
#include <string>
#include <string_view>

#include "config/config.h"
#include "config/config_fields.h"
#include "config/config_keys.h"

namespace {

using crm::StatusCode;
using crm::config::Environment;

constexpr std::string_view kOrigin = "fuzz.toml";
constexpr std::string_view kEnvMarker = "\n#--env--\n";

void Check(bool ok, const char* what) {
  if (!ok) {
    std::fprintf(stderr, "invariant violated: %s\n", what);
    std::abort();
  }
}

bool Contains(const std::string& s, std::string_view part) { return s.find(part) != std::string::npos; }

void CheckError(const crm::Status& status) {
  Check(status.code() == StatusCode::kInvalidArgument, "config errors are InvalidArgument");
  const std::string& m = status.message();
  if (m.rfind("config error: ", 0) != 0 ||
      !(Contains(m, "'") || Contains(m, std::string(kOrigin) + ":") || Contains(m, "CRMSTREAM_"))) {
    std::fprintf(stderr, "message: %s\n", m.c_str());
  }
  Check(m.rfind("config error: ", 0) == 0, "config errors start with 'config error: '");
  Check(Contains(m, "'") || Contains(m, std::string(kOrigin) + ":") || Contains(m, "CRMSTREAM_"),
        "a config error names a key, the parse position or the environment variable");
}

void Run(const std::string& toml, const Environment& env) {
  auto config = crm::config::ParseConfig(toml, std::string(kOrigin), env);
  if (!config.ok()) {
    CheckError(config.status());
  } else {
    Check(!crm::config::CheckCrossFieldRules(*config), "an accepted config passes the cross-field rules");
  }

  auto keys = crm::config::KeysSetBy(toml, std::string(kOrigin));
  if (env.empty()) Check(keys.ok() || !config.ok(), "KeysSetBy accepts what ParseConfig accepts");
  if (!keys.ok()) {
    CheckError(keys.status());
    return;
  }
  std::set<std::string> known;
  for (const auto& field : crm::config::ConfigFields()) known.insert(field.key);
  for (const std::string& key : *keys) Check(known.count(key) == 1, "KeysSetBy returns known keys only");
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view input(reinterpret_cast<const char*>(data), size);
  const size_t marker = input.find(kEnvMarker);
  const std::string toml(input.substr(0, marker));
  Environment env;
  if (marker != std::string_view::npos) {
    std::string_view rest = input.substr(marker + kEnvMarker.size());
    while (!rest.empty()) {
      const size_t end = rest.find('\n');
      const std::string_view line = rest.substr(0, end);
      rest = end == std::string_view::npos ? std::string_view() : rest.substr(end + 1);
      const size_t eq = line.find('=');
      if (eq == std::string_view::npos) continue;
      std::string name(line.substr(0, eq));
      if (name.rfind("CRMSTREAM_", 0) != 0) name = "CRMSTREAM_" + name;
      env[name] = std::string(line.substr(eq + 1));
    }
  }
  try {
    Run(toml, env);
  } catch (const std::exception& e) {
    std::fprintf(stderr, "exception: %s\n", e.what());
    Check(false, "the config loader never throws");
  } catch (...) {
    Check(false, "the config loader never throws");
  }
  return 0;
}
