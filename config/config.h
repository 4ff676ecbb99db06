// config/config.h
//
// The service configuration: one TOML file (config/crmstream.toml documents
// every key and its default), each value overridable by an environment
// variable. Loading is all-or-nothing: any unknown key, wrong type or
// out-of-range value is an error whose message names the key, and no partial
// Config is returned.
#pragma once

#include <array>
#include <cstdint>
#include <map>
#include <string>

#include "operators/markov_period.h"
#include "operators/model_config.h"
#include "operators/status.h"

namespace crm::config {

struct TopicsConfig {
  std::string purchases = "crm.purchases";
  std::string complaints = "crm.complaints";
  std::string service = "crm.service";
  std::string interactions = "crm.interactions";  // engagement: inquiry, visit, quote, referral, review
  std::string actions = "crm.actions";  // what call centers and marketing did for an alert
  std::string churn_alerts = "crm.churn-alerts";
  std::string segment_changes = "crm.segment-changes";
  std::string deadletter = "crm.deadletter";
  // State changelog (compacted, as many partitions as the inputs): how a
  // partition's state moves between instances.
  std::string changelog = "crm.changelog";
  // Output: the reward programme's enrolments, thresholds and vouchers.
  std::string rewards = "crm.rewards";
};

// The input topics in the order of pipeline::InputKind: purchases,
// complaints, service, interactions, actions.
inline std::array<std::string, 5> InputTopics(const TopicsConfig& t) {
  return {t.purchases, t.complaints, t.service, t.interactions, t.actions};
}

struct RuntimeConfig {
  std::string instance_id = "crmstream-1";  // client.id, transactional.id suffix
  std::string group_id = "crmstream";       // consumer group
  int64_t commit_interval_ms = 1000;        // how often state+offsets commit
  int64_t max_uncommitted_events = 100000;  // commit earlier past this many events + fired checks
  int64_t max_event_bytes = 65536;          // larger messages are dead-lettered
  // A purchase amount above this is dead-lettered (out_of_range): bounds every
  // sum of money, whatever the input.
  double max_amount = 1e9;
  int64_t shutdown_deadline_ms = 10000;     // SIGTERM: finish within this
  // A partition task waits this long for an input partition (same number in
  // the other input topics) that has neither data nor has reached its end,
  // before processing the others without it. Waiting keeps the merge order of
  // the four inputs deterministic.
  int64_t max_task_idle_ms = 5000;
  // Bytes buffered per input partition (and topic) beyond which fetching it
  // pauses; it resumes below a quarter of this. Bounds memory by size, not
  // by message count, whatever the messages weigh.
  int64_t partition_buffer_bytes = 16LL << 20;
  // Publish each commit's outputs in one Kafka transaction (transactional.id
  // "<group_id>-<instance_id>", so every instance needs its own instance_id).
  // read_committed consumers of a real cluster then never see the copies a
  // crash can cause.
  bool transactions = true;
};

struct StateConfig {
  std::string dir = "/var/lib/crmstream";
  // The state's memory: cache_share of it for the hot customer cache, the
  // rest for RocksDB's block cache with its write buffers charged to it.
  int64_t memory_budget_bytes = 256LL << 20;
  double cache_share = 0.25;            // 0.05..0.5
  int64_t cache_customers = 1'000'000;  // hot customer states kept in memory at most
  bool changelog = true;                // write topics.changelog; restore from it on assignment
  int64_t restore_threads = 2;          // changelog partitions restored at the same time
};

// The customer cache's part of the memory budget, and RocksDB's (the rest).
inline int64_t CustomerCacheBytes(const StateConfig& s) {
  return static_cast<int64_t>(static_cast<double>(s.memory_budget_bytes) * s.cache_share);
}
inline int64_t StoreBudgetBytes(const StateConfig& s) { return s.memory_budget_bytes - CustomerCacheBytes(s); }

struct HttpConfig {
  std::string listen_address = "127.0.0.1";  // "0.0.0.0" for every interface (pods)
  int64_t port = 9464;  // 0 disables the HTTP server
  // Open connections at most; more are refused (closed when accepted).
  int64_t max_connections = 4096;
  // Total time for a request's header to arrive (not reset by each byte).
  int64_t request_timeout_ms = 5000;
  // A file holding a bearer token that /customers then requires; "" = open.
  std::string auth_token_file;
};

// How the output topics (alerts, segment changes, dead letters) are written,
// for the consumers' sake: every mainstream Kafka client reads gzip
// (kafkajs and kafka-python read no other codec without plug-ins), and the
// CloudEvents Kafka protocol binding reads both modes.
enum class CloudEventsMode {
  kStructured,  // value = the JSON envelope; content-type: application/cloudevents+json
  kBinary,      // value = data; ce_* headers; content-type: application/json
};
struct OutputConfig {
  std::string compression = "gzip";  // gzip | snappy | lz4 | zstd | none
  // The codec's level. -1: 1 for gzip (still about ninefold on CloudEvents
  // JSON, for a third of the CPU of zlib's default 6, which the producer's
  // thread spends on every batch), the codec's own default for the others.
  int64_t compression_level = -1;
  CloudEventsMode cloudevents_mode = CloudEventsMode::kStructured;
};

// Event time (DESIGN.md "Inactivity"). Per input partition, the watermark is
// the largest event time seen minus the allowed lateness; a partition that
// receives nothing for idle_timeout_ms advances it by wall clock instead.
struct TimeConfig {
  int64_t allowed_lateness_ms = 3'600'000;
  int64_t idle_timeout_ms = 60'000;
  // An event stamped more than this after its Kafka record's timestamp is
  // dead-lettered (future_event): a deterministic test, unlike wall clock.
  int64_t max_future_skew_ms = 86'400'000;
  // Events before this (epoch ms) are dead-lettered (past_event): 1990-01-01,
  // so that epoch seconds sent as milliseconds (1970-01-21) are caught.
  int64_t earliest_event_ms = 631'152'000'000;
};

struct Config {
  // Passed through to librdkafka unchanged (both consumer and producer),
  // e.g. {"bootstrap.servers", "127.0.0.1:9092"}.
  std::map<std::string, std::string> kafka = {{"bootstrap.servers", "127.0.0.1:9092"}};
  TopicsConfig topics;
  OutputConfig output;
  RuntimeConfig runtime;
  StateConfig state;
  HttpConfig http;
  TimeConfig time;
  operators::ModelConfig model;
  // The Markov view of the customer base (GET /segments, docs/segments.md).
  operators::MarkovConfig markov;
  // Fitted BG/NBD and Gamma-Gamma parameters (`crmstream fit --output`),
  // loaded at start and on SIGHUP; empty: the fallback models.
  std::string model_params_file;
};

// Environment given as name -> value (main passes the process environment;
// tests pass their own). Overrides are named CRMSTREAM_<TABLE>_<KEY>, upper
// case, e.g. CRMSTREAM_RUNTIME_COMMIT_INTERVAL_MS; model keys nest with
// underscores (CRMSTREAM_MODEL_ALERT_ALERT_THRESHOLD); librdkafka properties
// are CRMSTREAM_KAFKA_<PROPERTY> with dots as underscores
// (CRMSTREAM_KAFKA_BOOTSTRAP_SERVERS).
using Environment = std::map<std::string, std::string>;

// Loads `path` (empty: defaults only) and applies `env`.
Result<Config> LoadConfig(const std::string& path, const Environment& env);

// Parses TOML text (for tests and for LoadConfig); `origin` names the source
// in error messages.
Result<Config> ParseConfig(const std::string& toml_text, const std::string& origin,
                           const Environment& env);

}  // namespace crm::config
