// config/config_fields.h
//
// The schema of the config file: every scalar or array key with its dotted
// name and a setter that checks type and range. The TOML file and the
// environment overrides both go through these setters, so a value is
// validated the same way wherever it comes from. Internal to crm_config.
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
  bool is_string = false;
  // Sets the field from `node`; returns a problem description (without the
  // key) when the value is of the wrong type or out of range.
  std::function<std::optional<std::string>(const toml::node& node, Config& config)> set;
};

const std::vector<FieldSpec>& ConfigFields();

// Parses [[model.segments]] (an array of tables with name, r, f, m).
std::optional<std::string> SetSegments(const toml::node& node, Config& config);

// Checks rules spanning several keys; returns "key: problem".
std::optional<std::string> CheckCrossFieldRules(const Config& config);

}  // namespace crm::config
