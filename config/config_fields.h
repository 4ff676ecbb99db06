// config/config_fields.h
//
// The schema of the config file: every scalar or array key with its dotted
// name and a setter that checks type and range. The TOML file and the
// environment overrides both go through these setters, so a value is
// validated the same way wherever it comes from. Internal to crm_config;
// immutable after first use, so any thread may read it.
#pragma once

#include <toml++/toml.h>

#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "config/config.h"

namespace crm::config {

struct FieldSpec {
  std::string key;  // dotted, e.g. "runtime.commit_interval_ms"
  // String keys take an environment value verbatim; the others read it as a
  // TOML value (number, boolean, array, inline table).
  bool is_string = false;
  // Sets the field from `node`; returns a problem description (without the
  // key) when the value is of the wrong type or out of range.
  std::function<std::optional<std::string>(const toml::node& node, Config& config)> set;
};

const std::vector<FieldSpec>& ConfigFields();

// "string", "integer", "float", "boolean", "array", "table" or "date/time".
std::string TomlTypeName(const toml::node& node);

// Parses [[model.segments]] (an array of tables with name, r, f, m).
std::optional<std::string> SetSegments(const toml::node& node, Config& config);

// A rule spanning several keys that the loaded config breaks.
struct CrossFieldProblem {
  std::string key;          // the key reported, e.g. "model.alert.rearm_threshold"
  std::string related_key;  // the key it is checked against
  std::string problem;      // e.g. "must be below model.alert.alert_threshold (0.7), got 0.8"
};

// Checks the rules spanning several keys, after the file and the environment.
std::optional<CrossFieldProblem> CheckCrossFieldRules(const Config& config);

}  // namespace crm::config
