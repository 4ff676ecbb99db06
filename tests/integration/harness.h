// tests/integration/harness.h
//
// What the integration tests need to drive crmstream as a user would: the
// embedded broker as its own process (`crmstream broker`), the service as its
// own process (`crmstream run --stop-at-end`), a plain librdkafka producer for
// inputs and a reader that collects a whole topic. Waiting is always on a
// condition (process exit, end-of-partition) with a deadline, never a sleep.
#pragma once

#include <sys/types.h>

#include <chrono>
#include <cstdint>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <vector>

namespace crm::testing {

// Path of the crmstream binary under test.
std::string CrmstreamBinary();

// A child process with its stdout captured.
class ChildProcess {
 public:
  // Starts `argv` with `env_overrides` added to the environment; with
  // `capture_stderr` its stderr (the service's logs) joins stdout.
  ChildProcess(const std::vector<std::string>& argv,
               const std::map<std::string, std::string>& env_overrides = {},
               bool capture_stderr = false);
  ~ChildProcess();
  ChildProcess(const ChildProcess&) = delete;
  ChildProcess& operator=(const ChildProcess&) = delete;

  // Reads one line of stdout (without '\n'), nullopt on EOF or deadline.
  std::optional<std::string> ReadLine(std::chrono::milliseconds deadline);
  // Reads lines until one contains `text`; false on EOF or deadline.
  bool WaitForLine(const std::string& text, std::chrono::milliseconds deadline);
  // Everything left on stdout until EOF.
  std::string ReadAll();
  // Waits for exit; returns the exit code, or nullopt when the deadline passed
  // (the process is then killed).
  std::optional<int> Wait(std::chrono::milliseconds deadline);
  void Signal(int sig);
  // Writes one line to the child's stdin.
  void WriteLine(const std::string& line);
  pid_t pid() const { return pid_; }

 private:
  pid_t pid_ = -1;
  int stdout_fd_ = -1;
  int stdin_fd_ = -1;
  std::string buffered_;
  bool exited_ = false;
};

// `crmstream broker` on a free port.
class BrokerProcess {
 public:
  explicit BrokerProcess(int partitions);
  const std::string& bootstrap() const { return bootstrap_; }
  // Sends a fault-injection command (pipeline/embedded/broker_control.h); true when
  // the broker applied it.
  bool Command(const std::string& line);

 private:
  ChildProcess process_;
  std::string bootstrap_;
};

// A loopback port nobody listened on a moment ago (the kernel picks it).
int FreePort();

// GET http://127.0.0.1:port/path: the whole response (status line, headers,
// body), or nullopt when nothing answers.
std::optional<std::string> HttpGet(int port, const std::string& path);

// Polls GET /readyz until it answers 200 (true) or the deadline passes.
bool WaitUntilReady(int port, std::chrono::milliseconds deadline);

// Standard base64 (RFC 4648, padded), to compare bytes with what other
// clients print.
std::string Base64(const std::string& bytes);

// A fresh temporary directory, removed on destruction.
class TempDir {
 public:
  TempDir();
  ~TempDir();
  const std::string& path() const { return path_; }

 private:
  std::string path_;
};

struct ConsumedRecord {
  int32_t partition = 0;
  int64_t offset = 0;
  std::string key;
  std::string value;
  std::map<std::string, std::string> headers;
  bool null_key = false;    // the record's key was null (not empty)
  bool null_value = false;  // the record's value was null (not empty)
};

// Every record of `topic` from the beginning to the current end of each
// partition, ordered by (partition, offset).
std::vector<ConsumedRecord> ReadTopic(const std::string& bootstrap, const std::string& topic);

// An output record's JSON with its CloudEvents "source" member taken out:
// the source names the consumer group, and compared runs are separate groups.
std::string WithoutCloudEventSource(std::string value);

// The distinct records of a topic (key, value without the CloudEvents
// source, and headers) and how many records were read in all, to count
// repeated copies.
struct PublishedRecords {
  std::set<std::string> distinct;
  size_t total = 0;
};
PublishedRecords CollectPublished(const std::string& bootstrap, const std::string& topic);

struct InputMessage {
  std::string topic;
  std::string key;
  std::string value;
  int64_t timestamp_ms = 0;
  bool null_key = false;
  bool null_value = false;
};

// Produces and waits for acknowledgement of every message (murmur2 keys).
void ProduceAll(const std::string& bootstrap, const std::vector<InputMessage>& messages);

// Writes a config file for a service run against `bootstrap` with its state
// under `state_dir`; extra TOML text is appended.
std::string WriteServiceConfig(const std::string& dir, const std::string& bootstrap,
                               const std::string& state_dir, const std::string& extra = "");

// A service config for one of several runs against the same broker: state
// under dir/state, consumer group `group_id`, and output topics of its own
// (alerts-<name>, segments-<name>, dead-<name>, changelog-<name>,
// rewards-<name>) so runs can be compared.
// Instances of one group sharing topics need their own `instance_id`.
std::string WriteRunConfig(const TempDir& dir, const std::string& bootstrap, const std::string& group_id,
                           const std::string& name, const std::string& instance_id = "");

// One input-contract message each, keyed by `customer`, at epoch ms `at`:
// a purchase (event id <customer>-p<n>), an opened complaint (<customer>-k1)
// and a rated, resolved service call (<customer>-s1).
InputMessage PurchaseMessage(const std::string& customer, int64_t at, double amount, int n);
InputMessage ComplaintMessage(const std::string& customer, int64_t at, int severity);
InputMessage ServiceMessage(const std::string& customer, int64_t at, int rating);
// An engagement interaction (<customer>-i<n>) of `kind`, rated when rating > 0.
InputMessage InteractionMessage(const std::string& customer, int64_t at, const std::string& kind, int rating,
                                int n);

// An action report (<customer>-a<n>) for the alert `alert_id`.
InputMessage ActionMessage(const std::string& customer, int64_t at, const std::string& alert_id,
                           const std::string& action, int n);

// A deterministic generated event log (TrafficGenerator) as input messages.
std::vector<InputMessage> GeneratedLog(int64_t events, int64_t customers, uint64_t seed);

// Runs `crmstream run --config <config> --stop-at-end`; returns its exit code
// (nullopt on timeout).
std::optional<int> RunServiceToEnd(const std::string& config_path,
                                   const std::map<std::string, std::string>& env = {},
                                   std::chrono::milliseconds deadline = std::chrono::seconds(120));

// `crmstream state dump` output.
std::string DumpState(const std::string& config_path);

}  // namespace crm::testing
