#include "tests/integration/harness.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <librdkafka/rdkafka.h>

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <stdexcept>
#include <thread>

#include <nlohmann/json.hpp>

#include "config/config.h"
#include "pipeline/embedded/traffic_generator.h"
#include "pipeline/kafka/kafka_sink.h"
#include "pipeline/wire/output_encoder.h"

extern char** environ;

namespace crm::testing {
namespace {

using Clock = std::chrono::steady_clock;

[[noreturn]] void Fail(const std::string& what) { throw std::runtime_error(what); }

}  // namespace

std::string CrmstreamBinary() { return CRM_BINARY; }

ChildProcess::ChildProcess(const std::vector<std::string>& argv,
                           const std::map<std::string, std::string>& env_overrides,
                           bool capture_stderr) {
  int pipe_fds[2], stdin_fds[2];
  if (pipe(pipe_fds) != 0 || pipe(stdin_fds) != 0) Fail("pipe");
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_adddup2(&actions, pipe_fds[1], STDOUT_FILENO);
  if (capture_stderr) posix_spawn_file_actions_adddup2(&actions, pipe_fds[1], STDERR_FILENO);
  posix_spawn_file_actions_addclose(&actions, pipe_fds[0]);
  posix_spawn_file_actions_adddup2(&actions, stdin_fds[0], STDIN_FILENO);
  posix_spawn_file_actions_addclose(&actions, stdin_fds[1]);
  std::vector<std::string> env_strings;
  for (char** e = environ; *e != nullptr; ++e) {
    std::string entry(*e);
    std::string name = entry.substr(0, entry.find('='));
    if (!env_overrides.count(name)) env_strings.push_back(entry);
  }
  for (const auto& [k, v] : env_overrides) env_strings.push_back(k + "=" + v);
  std::vector<char*> envp, args;
  for (auto& s : env_strings) envp.push_back(s.data());
  envp.push_back(nullptr);
  std::vector<std::string> argv_copy = argv;
  for (auto& s : argv_copy) args.push_back(s.data());
  args.push_back(nullptr);
  // Children must not inherit a blocked SIGTERM/SIGINT from the test.
  posix_spawnattr_t attr;
  posix_spawnattr_init(&attr);
  sigset_t empty;
  sigemptyset(&empty);
  posix_spawnattr_setsigmask(&attr, &empty);
  posix_spawnattr_setflags(&attr, POSIX_SPAWN_SETSIGMASK);
  int rc = posix_spawn(&pid_, args[0], &actions, &attr, args.data(), envp.data());
  posix_spawn_file_actions_destroy(&actions);
  posix_spawnattr_destroy(&attr);
  close(pipe_fds[1]);
  close(stdin_fds[0]);
  if (rc != 0) Fail("spawn " + argv[0]);
  stdout_fd_ = pipe_fds[0];
  stdin_fd_ = stdin_fds[1];
  fcntl(stdin_fd_, F_SETFD, FD_CLOEXEC);
  fcntl(stdout_fd_, F_SETFD, FD_CLOEXEC);
}

ChildProcess::~ChildProcess() {
  if (!exited_ && pid_ > 0) {
    kill(pid_, SIGTERM);
    if (!Wait(std::chrono::seconds(15))) kill(pid_, SIGKILL);
  }
  if (stdout_fd_ >= 0) close(stdout_fd_);
  if (stdin_fd_ >= 0) close(stdin_fd_);
}

void ChildProcess::WriteLine(const std::string& line) {
  std::string data = line + "\n";
  if (write(stdin_fd_, data.data(), data.size()) != static_cast<ssize_t>(data.size())) Fail("write to child");
}

std::optional<std::string> ChildProcess::ReadLine(std::chrono::milliseconds deadline) {
  auto until = Clock::now() + deadline;
  for (;;) {
    auto nl = buffered_.find('\n');
    if (nl != std::string::npos) {
      std::string line = buffered_.substr(0, nl);
      buffered_.erase(0, nl + 1);
      return line;
    }
    auto left = std::chrono::duration_cast<std::chrono::milliseconds>(until - Clock::now()).count();
    if (left <= 0) return std::nullopt;
    pollfd pfd{stdout_fd_, POLLIN, 0};
    if (poll(&pfd, 1, static_cast<int>(left)) <= 0) return std::nullopt;
    char buf[4096];
    ssize_t n = read(stdout_fd_, buf, sizeof buf);
    if (n <= 0) return std::nullopt;
    buffered_.append(buf, static_cast<size_t>(n));
  }
}

bool ChildProcess::WaitForLine(const std::string& text, std::chrono::milliseconds deadline) {
  auto until = Clock::now() + deadline;
  for (;;) {
    auto left = std::chrono::duration_cast<std::chrono::milliseconds>(until - Clock::now());
    if (left.count() <= 0) return false;
    auto line = ReadLine(left);
    if (!line) return false;
    if (line->find(text) != std::string::npos) return true;
  }
}

std::string ChildProcess::ReadAll() {
  std::string out = std::move(buffered_);
  buffered_.clear();
  char buf[65536];
  ssize_t n;
  while ((n = read(stdout_fd_, buf, sizeof buf)) > 0) out.append(buf, static_cast<size_t>(n));
  return out;
}

std::optional<int> ChildProcess::Wait(std::chrono::milliseconds deadline) {
  if (exited_) return std::nullopt;
  auto until = Clock::now() + deadline;
  for (;;) {
    int status = 0;
    pid_t r = waitpid(pid_, &status, WNOHANG);
    if (r == pid_) {
      exited_ = true;
      if (WIFEXITED(status)) return WEXITSTATUS(status);
      return 128 + WTERMSIG(status);
    }
    if (Clock::now() >= until) {
      kill(pid_, SIGKILL);
      waitpid(pid_, &status, 0);
      exited_ = true;
      return std::nullopt;
    }
    // A pidfd becomes readable when the child exits: a real wait on the
    // condition, bounded by the deadline.
    int pidfd = static_cast<int>(syscall(SYS_pidfd_open, pid_, 0));
    if (pidfd < 0) Fail("pidfd_open");
    auto left = std::chrono::duration_cast<std::chrono::milliseconds>(until - Clock::now()).count();
    pollfd pfd{pidfd, POLLIN, 0};
    poll(&pfd, 1, static_cast<int>(std::max<int64_t>(left, 1)));
    close(pidfd);
  }
}

void ChildProcess::Signal(int sig) {
  if (!exited_) kill(pid_, sig);
}

BrokerProcess::BrokerProcess(int partitions)
    : process_({CrmstreamBinary(), "broker", "--port", "0", "--partitions",
                std::to_string(partitions)}) {
  auto line = process_.ReadLine(std::chrono::seconds(30));
  const std::string prefix = "bootstrap.servers=";
  if (!line || line->rfind(prefix, 0) != 0) Fail("broker did not print its address");
  bootstrap_ = line->substr(prefix.size());
}

bool BrokerProcess::Command(const std::string& line) {
  process_.WriteLine(line);
  auto reply = process_.ReadLine(std::chrono::seconds(10));
  return reply && *reply == "ok " + line;
}

TempDir::TempDir() {
  std::string tmpl = (std::filesystem::temp_directory_path() / "crmstream-test-XXXXXX").string();
  if (mkdtemp(tmpl.data()) == nullptr) Fail("mkdtemp");
  path_ = tmpl;
}

TempDir::~TempDir() {
  std::error_code ignored;
  std::filesystem::remove_all(path_, ignored);
}

std::vector<ConsumedRecord> ReadTopic(const std::string& bootstrap, const std::string& topic) {
  char err[512];
  rd_kafka_conf_t* conf = rd_kafka_conf_new();
  rd_kafka_conf_set(conf, "bootstrap.servers", bootstrap.c_str(), err, sizeof err);
  rd_kafka_conf_set(conf, "group.id", "crmstream-test-reader", err, sizeof err);
  rd_kafka_conf_set(conf, "enable.partition.eof", "true", err, sizeof err);
  rd_kafka_conf_set(conf, "enable.auto.commit", "false", err, sizeof err);
  rd_kafka_t* rk = rd_kafka_new(RD_KAFKA_CONSUMER, conf, err, sizeof err);
  if (rk == nullptr) Fail(err);
  const rd_kafka_metadata_t* md = nullptr;
  rd_kafka_topic_t* rkt = rd_kafka_topic_new(rk, topic.c_str(), nullptr);
  if (rd_kafka_metadata(rk, 0, rkt, &md, 10000) != RD_KAFKA_RESP_ERR_NO_ERROR || md->topic_cnt != 1) {
    Fail("metadata for " + topic);
  }
  int partitions = md->topics[0].partition_cnt;
  rd_kafka_metadata_destroy(md);
  rd_kafka_topic_destroy(rkt);
  rd_kafka_topic_partition_list_t* list = rd_kafka_topic_partition_list_new(partitions);
  for (int p = 0; p < partitions; ++p) {
    rd_kafka_topic_partition_list_add(list, topic.c_str(), p)->offset = RD_KAFKA_OFFSET_BEGINNING;
  }
  rd_kafka_assign(rk, list);
  rd_kafka_topic_partition_list_destroy(list);
  std::vector<ConsumedRecord> records;
  int at_end = 0;
  auto until = Clock::now() + std::chrono::seconds(60);
  while (at_end < partitions) {
    if (Clock::now() > until) Fail("timed out reading " + topic);
    rd_kafka_message_t* m = rd_kafka_consumer_poll(rk, 200);
    if (m == nullptr) continue;
    if (m->err == RD_KAFKA_RESP_ERR__PARTITION_EOF) {
      ++at_end;
    } else if (m->err == RD_KAFKA_RESP_ERR_NO_ERROR) {
      ConsumedRecord r;
      r.partition = m->partition;
      r.offset = m->offset;
      if (m->key) r.key.assign(static_cast<const char*>(m->key), m->key_len);
      if (m->payload) r.value.assign(static_cast<const char*>(m->payload), m->len);
      r.null_key = m->key == nullptr;
      r.null_value = m->payload == nullptr;
      rd_kafka_headers_t* headers = nullptr;
      if (rd_kafka_message_headers(m, &headers) == RD_KAFKA_RESP_ERR_NO_ERROR) {
        const char* name;
        const void* value;
        size_t size;
        for (size_t i = 0; rd_kafka_header_get_all(headers, i, &name, &value, &size) ==
                           RD_KAFKA_RESP_ERR_NO_ERROR; ++i) {
          r.headers[name] = std::string(static_cast<const char*>(value), size);
        }
      }
      records.push_back(std::move(r));
    }
    rd_kafka_message_destroy(m);
  }
  rd_kafka_consumer_close(rk);
  rd_kafka_destroy(rk);
  std::sort(records.begin(), records.end(), [](const auto& a, const auto& b) {
    return a.partition != b.partition ? a.partition < b.partition : a.offset < b.offset;
  });
  return records;
}

std::string WithoutCloudEventSource(std::string value) {
  static const std::string kSource = "\"source\":\"crmstream/";
  const size_t at = value.find(kSource);
  if (at == std::string::npos) return value;
  const size_t end = value.find('"', at + kSource.size());
  if (end != std::string::npos) value.erase(at, end - at + 2);  // with the comma after it
  return value;
}

// GET http://127.0.0.1:port/path: the whole response (status line, headers,
// body), or nullopt when nothing answers.
std::optional<std::string> HttpGet(int port, const std::string& path) {
  int fd = socket(AF_INET, SOCK_STREAM, 0);
  timeval timeout{5, 0};
  setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, sizeof timeout);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(static_cast<uint16_t>(port));
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0) {
    close(fd);
    return std::nullopt;
  }
  const std::string request = "GET " + path + " HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n";
  if (write(fd, request.data(), request.size()) != static_cast<ssize_t>(request.size())) {
    close(fd);
    return std::nullopt;
  }
  std::string response;
  char buffer[4096];
  for (ssize_t n; (n = read(fd, buffer, sizeof buffer)) > 0;) response.append(buffer, static_cast<size_t>(n));
  close(fd);
  if (response.empty()) return std::nullopt;
  return response;
}


bool WaitUntilReady(int port, std::chrono::milliseconds deadline) {
  const auto until = Clock::now() + deadline;
  while (Clock::now() < until) {
    std::optional<std::string> ready = HttpGet(port, "/readyz");
    if (ready && ready->rfind("HTTP/1.1 200", 0) == 0) return true;
    // Nothing to wait on but the service's own progress: a short pause
    // between polls keeps the loop from spinning.
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  return false;
}

std::string Base64(const std::string& bytes) {
  static constexpr char kAlphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  std::string out;
  out.reserve((bytes.size() + 2) / 3 * 4);
  size_t i = 0;
  for (; i + 2 < bytes.size(); i += 3) {
    const uint32_t n = (uint32_t(uint8_t(bytes[i])) << 16) | (uint32_t(uint8_t(bytes[i + 1])) << 8) | uint8_t(bytes[i + 2]);
    for (int shift = 18; shift >= 0; shift -= 6) out.push_back(kAlphabet[(n >> shift) & 63]);
  }
  if (i < bytes.size()) {
    uint32_t n = uint32_t(uint8_t(bytes[i])) << 16;
    if (i + 1 < bytes.size()) n |= uint32_t(uint8_t(bytes[i + 1])) << 8;
    out.push_back(kAlphabet[(n >> 18) & 63]);
    out.push_back(kAlphabet[(n >> 12) & 63]);
    out.push_back(i + 1 < bytes.size() ? kAlphabet[(n >> 6) & 63] : '=');
    out.push_back('=');
  }
  return out;
}

int FreePort() {
  int fd = socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr);
  socklen_t len = sizeof addr;
  getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len);
  close(fd);
  return ntohs(addr.sin_port);
}

PublishedRecords CollectPublished(const std::string& bootstrap, const std::string& topic) {
  PublishedRecords p;
  for (const auto& r : ReadTopic(bootstrap, topic)) {
    std::string identity = r.key + "\n" + WithoutCloudEventSource(r.value);
    for (const auto& [k, v] : r.headers) identity += "\n" + k + "=" + v;
    p.distinct.insert(identity);
    ++p.total;
  }
  return p;
}

void ProduceAll(const std::string& bootstrap, const std::vector<InputMessage>& messages) {
  auto sink = pipeline::KafkaSink::Create({{"bootstrap.servers", bootstrap}});
  if (!sink.ok()) Fail(sink.status().message());
  for (const auto& m : messages) {
    pipeline::OutputRecord record{m.topic, m.key, m.value, {}, m.timestamp_ms};
    record.null_key = m.null_key;
    record.tombstone = m.null_value;
    Status s = (*sink)->Produce(record);
    if (!s.ok()) Fail(s.message());
  }
  Status s = (*sink)->Flush(60000);
  if (!s.ok()) Fail(s.message());
}

std::string WriteServiceConfig(const std::string& dir, const std::string& bootstrap,
                               const std::string& state_dir, const std::string& extra) {
  std::string path = dir + "/crmstream.toml";
  std::ofstream out(path);
  out << "[kafka]\n\"bootstrap.servers\" = \"" << bootstrap << "\"\n"
      << "\"session.timeout.ms\" = \"6000\"\n\n"
      << "[state]\ndir = \"" << state_dir << "\"\n"
      << "memory_budget_bytes = 33554432\n\n"
      << "[http]\nport = 0\n\n"
      << "[runtime]\ncommit_interval_ms = 200\n"
      << extra;
  return path;
}

std::string WriteRunConfig(const TempDir& dir, const std::string& bootstrap, const std::string& group_id,
                           const std::string& name, const std::string& instance_id) {
  return WriteServiceConfig(dir.path(), bootstrap, dir.path() + "/state",
                            "group_id = \"" + group_id + "\"\n" +
                            (instance_id.empty() ? "" : "instance_id = \"" + instance_id + "\"\n") +
                            "\n[topics]\n"
                            "churn_alerts = \"alerts-" + name + "\"\n"
                            "segment_changes = \"segments-" + name + "\"\n"
                            "deadletter = \"dead-" + name + "\"\n"
                            "changelog = \"changelog-" + name + "\"\n"
                            "rewards = \"rewards-" + name + "\"\n"
                            // Runs are compared with each other: a wall-clock
                            // advance of an idle partition is, by nature, not
                            // the same in two different runs.
                            "\n[time]\nidle_timeout_ms = 3600000\n");
}

// Input-contract messages, keyed by customer, with event ids made of the
// customer and a number.
InputMessage PurchaseMessage(const std::string& customer, int64_t at, double amount, int n) {
  nlohmann::json j{{"event_id", customer + "-p" + std::to_string(n)},
                   {"customer_id", customer},
                   {"ts", pipeline::FormatRfc3339(at)},
                   {"amount", amount},
                   {"currency", "EUR"}};
  return {"crm.purchases", customer, j.dump(), at};
}

InputMessage ComplaintMessage(const std::string& customer, int64_t at, int severity) {
  nlohmann::json j{{"event_id", customer + "-k1"}, {"customer_id", customer}, {"ts", at},
                   {"complaint_id", "K-" + customer}, {"status", "opened"}, {"severity", severity}};
  return {"crm.complaints", customer, j.dump(), at};
}

InputMessage ServiceMessage(const std::string& customer, int64_t at, int rating) {
  nlohmann::json j{{"event_id", customer + "-s1"}, {"customer_id", customer}, {"ts", at},
                   {"channel", "call"}, {"rating", rating}, {"resolved", true}};
  return {"crm.service", customer, j.dump(), at};
}

InputMessage InteractionMessage(const std::string& customer, int64_t at, const std::string& kind, int rating,
                                int n) {
  nlohmann::json j{{"event_id", customer + "-i" + std::to_string(n)}, {"customer_id", customer},
                   {"ts", pipeline::FormatRfc3339(at)}, {"kind", kind}};
  if (rating > 0) j["rating"] = rating;
  return {"crm.interactions", customer, j.dump(), at};
}

InputMessage ActionMessage(const std::string& customer, int64_t at, const std::string& alert_id,
                           const std::string& action, int n) {
  nlohmann::json j{{"event_id", customer + "-a" + std::to_string(n)}, {"customer_id", customer},
                   {"ts", pipeline::FormatRfc3339(at)}, {"alert_id", alert_id}, {"action", action}};
  return {"crm.actions", customer, j.dump(), at};
}

std::vector<InputMessage> GeneratedLog(int64_t events, int64_t customers, uint64_t seed) {
  pipeline::GeneratorOptions options;
  options.customers = customers;
  options.seed = seed;
  options.malformed_share = 0.01;
  pipeline::TrafficGenerator generator(options);
  std::vector<InputMessage> log;
  log.reserve(static_cast<size_t>(events));
  for (int64_t i = 0; i < events; ++i) {
    auto e = generator.Next();
    const std::string topic = config::InputTopics(config::TopicsConfig{})[static_cast<size_t>(e.kind)];
    log.push_back({topic, e.customer_id, e.json, e.event_time_ms});
  }
  return log;
}

std::optional<int> RunServiceToEnd(const std::string& config_path,
                                   const std::map<std::string, std::string>& env,
                                   std::chrono::milliseconds deadline) {
  ChildProcess service({CrmstreamBinary(), "run", "--config", config_path, "--stop-at-end"}, env);
  return service.Wait(deadline);
}

std::string DumpState(const std::string& config_path) {
  ChildProcess dump({CrmstreamBinary(), "state", "dump", "--config", config_path});
  std::string out = dump.ReadAll();
  auto code = dump.Wait(std::chrono::seconds(60));
  if (!code || *code != 0) Fail("state dump failed");
  return out;
}

}  // namespace crm::testing
