#include "config/config.h"

#include <toml++/toml.h>

#include <algorithm>
#include <fstream>
#include <sstream>

#include "config/config_fields.h"

namespace crm::config {
namespace {

const std::string kEnvPrefix = "CRMSTREAM_";
const std::string kEnvConfigFile = "CRMSTREAM_CONFIG";

const FieldSpec* FindField(const std::string& key) {
  for (const FieldSpec& f : ConfigFields()) {
    if (f.key == key) return &f;
  }
  return nullptr;
}

// "runtime.commit_interval_ms" -> "CRMSTREAM_RUNTIME_COMMIT_INTERVAL_MS".
std::string EnvName(const std::string& key) {
  std::string name = kEnvPrefix;
  for (char c : key) name.push_back(c == '.' ? '_' : static_cast<char>(std::toupper(static_cast<unsigned char>(c))));
  return name;
}

Status Problem(const std::string& key, const std::string& problem, const std::string& origin) {
  return Status::InvalidArgument("config error: '" + key + "' " + problem + " (in " + origin + ")");
}

std::optional<std::string> KafkaValue(const toml::node& n) {
  if (auto s = n.value_exact<std::string>()) return *s;
  if (auto i = n.value_exact<int64_t>()) return std::to_string(*i);
  if (auto b = n.value_exact<bool>()) return *b ? "true" : "false";
  if (auto d = n.value_exact<double>()) {
    std::ostringstream out;
    out << *d;
    return out.str();
  }
  return std::nullopt;
}

// Applies every key of `table` (at `prefix`) to `config`.
Status ApplyTable(const toml::table& table, const std::string& prefix, const std::string& origin,
                  Config& config) {
  for (const auto& [k, node] : table) {
    const std::string key = prefix.empty() ? std::string(k.str()) : prefix + "." + std::string(k.str());
    if (key == "kafka") {
      const toml::table* kafka = node.as_table();
      if (kafka == nullptr) return Problem(key, "must be a table", origin);
      for (const auto& [property, value] : *kafka) {
        auto text = KafkaValue(value);
        if (!text) return Problem("kafka." + std::string(property.str()), "must be a string, number or boolean", origin);
        config.kafka[std::string(property.str())] = *text;
      }
      continue;
    }
    if (const FieldSpec* field = FindField(key)) {
      if (auto problem = field->set(node, config)) return Problem(key, *problem, origin);
      continue;
    }
    if (const toml::table* nested = node.as_table()) {
      bool known_prefix = std::any_of(ConfigFields().begin(), ConfigFields().end(),
                                      [&](const FieldSpec& f) { return f.key.rfind(key + ".", 0) == 0; });
      if (known_prefix) {
        RETURN_IF_ERROR(ApplyTable(*nested, key, origin, config));
        continue;
      }
    }
    return Status::InvalidArgument("config error: unknown key '" + key + "' (in " + origin + ")");
  }
  return Status::Ok();
}

// An environment value as a TOML value: numbers, booleans and arrays parse as
// such; anything that is not a TOML value is taken as a plain string.
Status ApplyEnvironment(const Environment& env, Config& config) {
  for (const auto& [name, value] : env) {
    if (name.rfind(kEnvPrefix, 0) != 0 || name == kEnvConfigFile) continue;
    const std::string origin = "environment variable " + name;
    if (name.rfind(kEnvPrefix + "KAFKA_", 0) == 0) {
      std::string property = name.substr(kEnvPrefix.size() + 6);
      std::transform(property.begin(), property.end(), property.begin(), [](unsigned char c) {
        return c == '_' ? '.' : static_cast<char>(std::tolower(c));
      });
      if (property.empty()) return Status::InvalidArgument("config error: " + name + " names no kafka property");
      config.kafka[property] = value;
      continue;
    }
    const FieldSpec* field = nullptr;
    for (const FieldSpec& f : ConfigFields()) {
      if (EnvName(f.key) == name) field = &f;
    }
    if (field == nullptr) {
      return Status::InvalidArgument("config error: unknown environment variable " + name +
                                     " (no config key of that name)");
    }
    std::optional<std::string> problem;
    if (field->is_string) {
      problem = field->set(toml::value<std::string>(value), config);
    } else {
      try {
        toml::table parsed = toml::parse("v = " + value);
        problem = field->set(*parsed.get("v"), config);
      } catch (const toml::parse_error&) {
        problem = field->set(toml::value<std::string>(value), config);
      }
    }
    if (problem) {
      return Status::InvalidArgument("config error: '" + field->key + "' " + *problem + " (in " + origin + ")");
    }
  }
  return Status::Ok();
}

}  // namespace

Result<Config> ParseConfig(const std::string& toml_text, const std::string& origin, const Environment& env) {
  Config config;
  try {
    toml::table table = toml::parse(toml_text, origin);
    RETURN_IF_ERROR(ApplyTable(table, "", origin, config));
  } catch (const toml::parse_error& e) {
    const auto& where = e.source().begin;
    return Status::InvalidArgument("config error: " + origin + ":" + std::to_string(where.line) + ":" +
                                   std::to_string(where.column) + ": " + std::string(e.description()));
  }
  RETURN_IF_ERROR(ApplyEnvironment(env, config));
  if (auto problem = CheckCrossFieldRules(config)) {
    return Status::InvalidArgument("config error: " + *problem);
  }
  return config;
}

Result<Config> LoadConfig(const std::string& path, const Environment& env) {
  if (path.empty()) return ParseConfig("", "built-in defaults", env);
  std::ifstream in(path);
  if (!in) return Status::InvalidArgument("config error: cannot read config file '" + path + "'");
  std::stringstream text;
  text << in.rdbuf();
  return ParseConfig(text.str(), path, env);
}

}  // namespace crm::config
