// Reading the TOML file (toml++) and the CRMSTREAM_* environment into a
// Config. toml++ throws on syntax errors; they are caught here and become
// InvalidArgument statuses, so no exception leaves the library.
#include "config/config.h"

#include <toml++/toml.h>

#include <algorithm>
#include <fstream>
#include <set>
#include <sstream>

#include "config/config_fields.h"
#include "config/config_keys.h"

namespace crm::config {
namespace {

const std::string kEnvPrefix = "CRMSTREAM_";
const std::string kEnvKafkaPrefix = "CRMSTREAM_KAFKA_";
const std::string kEnvConfigFile = "CRMSTREAM_CONFIG";  // read by main, not a key
const std::string kDefaultsOrigin = "built-in defaults";
constexpr size_t kMaxSuggestionDistance = 2;

// A Config being loaded, with where each key got its value: a rule spanning
// two keys is only checked at the end, and its message must still say which
// file or variable to fix.
struct Loading {
  Config config;
  std::map<std::string, std::string> origins;  // dotted key -> origin
};

const FieldSpec* FindField(const std::string& key) {
  for (const FieldSpec& f : ConfigFields()) {
    if (f.key == key) return &f;
  }
  return nullptr;
}

bool IsKnownPrefix(const std::string& key) {
  return std::any_of(ConfigFields().begin(), ConfigFields().end(),
                     [&](const FieldSpec& f) { return f.key.rfind(key + ".", 0) == 0; });
}

size_t EditDistance(const std::string& a, const std::string& b) {
  std::vector<size_t> row(b.size() + 1);
  for (size_t j = 0; j <= b.size(); ++j) row[j] = j;
  for (size_t i = 1; i <= a.size(); ++i) {
    size_t diagonal = row[0];
    row[0] = i;
    for (size_t j = 1; j <= b.size(); ++j) {
      size_t above = row[j];
      row[j] = std::min({row[j] + 1, row[j - 1] + 1, diagonal + (a[i - 1] == b[j - 1] ? 0 : 1)});
      diagonal = above;
    }
  }
  return row[b.size()];
}

// "; did you mean 'x'?" for the closest of `candidates`, when it is close.
std::string Suggestion(const std::string& wrong, const std::vector<std::string>& candidates) {
  const std::string* best = nullptr;
  size_t best_distance = kMaxSuggestionDistance + 1;
  for (const std::string& c : candidates) {
    size_t d = EditDistance(wrong, c);
    if (d < best_distance) {
      best = &c;
      best_distance = d;
    }
  }
  return best == nullptr ? "" : "; did you mean " + *best + "?";
}

std::vector<std::string> EnvVarNames() {
  std::vector<std::string> names;
  for (const std::string& key : ConfigKeys()) names.push_back(EnvVarName(key));
  return names;
}

std::vector<std::string> QuotedKeys() {
  std::vector<std::string> keys;
  for (const std::string& key : ConfigKeys()) keys.push_back("'" + key + "'");
  return keys;
}

Status Problem(const std::string& key, const std::string& problem, const std::string& origin) {
  return Status::InvalidArgument("config error: '" + key + "' " + problem + " (in " + origin + ")");
}

Status UnknownKey(const std::string& key, const std::string& origin) {
  return Status::InvalidArgument("config error: unknown key '" + key + "' (in " + origin + ")" +
                                 Suggestion("'" + key + "'", QuotedKeys()));
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

// [kafka] holds librdkafka properties. An unquoted `bootstrap.servers = ...`
// is a nested table in TOML, so nested tables are flattened back into the
// dotted property name.
Status ApplyKafka(const toml::table& table, const std::string& prefix, const std::string& origin,
                  std::set<std::string>& seen, Loading& loading) {
  for (const auto& [k, node] : table) {
    const std::string property = prefix.empty() ? std::string(k.str()) : prefix + "." + std::string(k.str());
    const std::string key = "kafka." + property;
    if (const toml::table* nested = node.as_table()) {
      RETURN_IF_ERROR(ApplyKafka(*nested, property, origin, seen, loading));
      continue;
    }
    auto text = KafkaValue(node);
    if (!text) return Problem(key, "must be a string, number or boolean, got " + TomlTypeName(node), origin);
    if (!seen.insert(property).second) return Problem(key, "is given twice", origin);
    loading.config.kafka[property] = *text;
    loading.origins[key] = origin;
  }
  return Status::Ok();
}

// Applies every key of `table` (at `prefix`) to the config.
Status ApplyTable(const toml::table& table, const std::string& prefix, const std::string& origin,
                  Loading& loading) {
  for (const auto& [k, node] : table) {
    const std::string key = prefix.empty() ? std::string(k.str()) : prefix + "." + std::string(k.str());
    if (key == "kafka") {
      const toml::table* kafka = node.as_table();
      if (kafka == nullptr) return Problem(key, "must be a table, got " + TomlTypeName(node), origin);
      std::set<std::string> seen;
      RETURN_IF_ERROR(ApplyKafka(*kafka, "", origin, seen, loading));
      continue;
    }
    if (const FieldSpec* field = FindField(key)) {
      if (auto problem = field->set(node, loading.config)) return Problem(key, *problem, origin);
      loading.origins[key] = origin;
      continue;
    }
    if (!IsKnownPrefix(key)) return UnknownKey(key, origin);
    const toml::table* nested = node.as_table();
    if (nested == nullptr) return Problem(key, "must be a table, got " + TomlTypeName(node), origin);
    RETURN_IF_ERROR(ApplyTable(*nested, key, origin, loading));
  }
  return Status::Ok();
}

Status ApplyText(const std::string& toml_text, const std::string& origin, Loading& loading) {
  try {
    toml::table table = toml::parse(toml_text, origin);
    return ApplyTable(table, "", origin, loading);
  } catch (const toml::parse_error& e) {
    const auto& where = e.source().begin;
    return Status::InvalidArgument("config error: " + origin + ":" + std::to_string(where.line) + ":" +
                                   std::to_string(where.column) + ": " + std::string(e.description()));
  }
}

// CRMSTREAM_KAFKA_SASL_MECHANISMS=v sets librdkafka's "sasl.mechanisms".
Status ApplyKafkaVariable(const std::string& name, const std::string& value, Loading& loading) {
  std::string property = name.substr(kEnvKafkaPrefix.size());
  if (property.empty()) return Status::InvalidArgument("config error: " + name + " names no kafka property");
  std::transform(property.begin(), property.end(), property.begin(), [](unsigned char c) {
    return c == '_' ? '.' : static_cast<char>(std::tolower(c));
  });
  loading.config.kafka[property] = value;
  loading.origins["kafka." + property] = "environment variable " + name;
  return Status::Ok();
}

// A non-string key reads its value as a TOML value, so numbers, booleans and
// arrays work; text that is not exactly one TOML value is offered as a
// string, which the setter then rejects with "got string".
std::optional<std::string> SetFromText(const FieldSpec& field, const std::string& value, Config& config) {
  if (field.is_string) return field.set(toml::value<std::string>(value), config);
  try {
    toml::table parsed = toml::parse("v = " + value);
    if (parsed.size() == 1 && parsed.contains("v")) return field.set(*parsed.get("v"), config);
  } catch (const toml::parse_error&) {
    // Not a TOML value: fall through to the string.
  }
  return field.set(toml::value<std::string>(value), config);
}

// Kubernetes gives every pod variables for each Service of its namespace; a
// Service named "crmstream" brings CRMSTREAM_PORT, CRMSTREAM_PORT_9464_TCP...,
// CRMSTREAM_SERVICE_HOST and CRMSTREAM_SERVICE_PORT.... No config key has
// these names (there is no [port] or [service] table), so they are not ours.
bool IsKubernetesServiceLink(const std::string& name) {
  return name == "CRMSTREAM_PORT" || name.rfind("CRMSTREAM_PORT_", 0) == 0 ||
         name.rfind("CRMSTREAM_SERVICE_", 0) == 0;
}

Status ApplyEnvironment(const Environment& env, Loading& loading) {
  for (const auto& [name, value] : env) {
    if (name.rfind(kEnvPrefix, 0) != 0 || name == kEnvConfigFile || IsKubernetesServiceLink(name)) continue;
    if (name.rfind(kEnvKafkaPrefix, 0) == 0) {
      RETURN_IF_ERROR(ApplyKafkaVariable(name, value, loading));
      continue;
    }
    const FieldSpec* field = nullptr;
    for (const FieldSpec& f : ConfigFields()) {
      if (EnvVarName(f.key) == name) field = &f;
    }
    if (field == nullptr) {
      return Status::InvalidArgument("config error: unknown environment variable " + name +
                                     " (no config key of that name)" + Suggestion(name, EnvVarNames()));
    }
    const std::string origin = "environment variable " + name;
    if (auto problem = SetFromText(*field, value, loading.config)) return Problem(field->key, *problem, origin);
    loading.origins[field->key] = origin;
  }
  return Status::Ok();
}

// "(in a.toml)" or "(in a.toml and environment variable X)": where the keys
// of a broken rule were set. Defaults are named only when nothing else is.
std::string OriginsOf(const Loading& loading, const std::vector<std::string>& keys) {
  std::vector<std::string> origins;
  for (const std::string& key : keys) {
    auto it = loading.origins.find(key);
    if (it == loading.origins.end()) continue;
    if (std::find(origins.begin(), origins.end(), it->second) == origins.end()) origins.push_back(it->second);
  }
  if (origins.empty()) origins.push_back(kDefaultsOrigin);
  std::string text;
  for (const std::string& origin : origins) text += (text.empty() ? "" : " and ") + origin;
  return "(in " + text + ")";
}

}  // namespace

std::string EnvVarName(const std::string& key) {
  std::string name = kEnvPrefix;
  for (char c : key) name.push_back(c == '.' ? '_' : static_cast<char>(std::toupper(static_cast<unsigned char>(c))));
  return name;
}

Result<std::vector<std::string>> KeysSetBy(const std::string& toml_text, const std::string& origin) {
  Loading loading;
  RETURN_IF_ERROR(ApplyText(toml_text, origin, loading));
  std::vector<std::string> keys;
  for (const auto& [key, unused_origin] : loading.origins) {
    if (key.rfind("kafka.", 0) != 0) keys.push_back(key);
  }
  return keys;
}

Result<Config> ParseConfig(const std::string& toml_text, const std::string& origin, const Environment& env) {
  Loading loading;
  RETURN_IF_ERROR(ApplyText(toml_text, origin, loading));
  RETURN_IF_ERROR(ApplyEnvironment(env, loading));
  if (auto broken = CheckCrossFieldRules(loading.config)) {
    return Status::InvalidArgument("config error: '" + broken->key + "' " + broken->problem + " " +
                                   OriginsOf(loading, {broken->key, broken->related_key}));
  }
  return std::move(loading.config);
}

Result<Config> LoadConfig(const std::string& path, const Environment& env) {
  if (path.empty()) return ParseConfig("", kDefaultsOrigin, env);
  std::ifstream in(path);
  if (!in) return Status::InvalidArgument("config error: cannot read config file '" + path + "'");
  std::stringstream text;
  text << in.rdbuf();
  return ParseConfig(text.str(), path, env);
}

}  // namespace crm::config
