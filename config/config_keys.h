// config/config_keys.h
//
// The names of the config schema without toml++ types: the dotted keys, the
// environment variable of each, and which keys a TOML text sets. For tests
// and tools that check the documented default file and the override names.
// Internal to crm_config; stateless, so any thread may call it.
#pragma once

#include <string>
#include <vector>

#include "operators/status.h"

namespace crm::config {

// Every dotted key of the schema ("runtime.commit_interval_ms", ...), in
// schema order; kafka.* properties are free-form and not listed.
std::vector<std::string> ConfigKeys();

// "runtime.commit_interval_ms" -> "CRMSTREAM_RUNTIME_COMMIT_INTERVAL_MS".
std::string EnvVarName(const std::string& key);

// The schema keys that `toml_text` sets (validated as ParseConfig does, but
// without the environment or the rules spanning several keys).
Result<std::vector<std::string>> KeysSetBy(const std::string& toml_text, const std::string& origin);

}  // namespace crm::config
