#include "pipeline/embedded/broker_control.h"

#include <cstdlib>
#include <map>
#include <sstream>
#include <vector>

namespace crm::pipeline {
namespace {

const std::map<std::string, int16_t>& ApiKeys() {
  static const std::map<std::string, int16_t> keys = {
      {"Produce", 0},         {"Fetch", 1},           {"ListOffsets", 2},      {"Metadata", 3},
      {"OffsetCommit", 8},    {"OffsetFetch", 9},     {"FindCoordinator", 10}, {"JoinGroup", 11},
      {"Heartbeat", 12},      {"LeaveGroup", 13},     {"SyncGroup", 14},       {"InitProducerId", 22},
      {"AddPartitionsToTxn", 24}, {"AddOffsetsToTxn", 25}, {"EndTxn", 26},     {"TxnOffsetCommit", 28}};
  return keys;
}

bool ParseNumber(const std::string& text, long& out) {
  if (text.empty()) return false;
  char* end = nullptr;
  out = std::strtol(text.c_str(), &end, 10);
  return *end == '\0';
}

bool ParseApi(const std::string& text, int16_t& api) {
  long n;
  if (ParseNumber(text, n) && n >= 0 && n < 100) {
    api = static_cast<int16_t>(n);
    return true;
  }
  auto it = ApiKeys().find(text);
  if (it == ApiKeys().end()) return false;
  api = it->second;
  return true;
}

bool ParseError(const std::string& text, rd_kafka_resp_err_t& err) {
  long n;
  if (ParseNumber(text, n)) {
    err = static_cast<rd_kafka_resp_err_t>(n);
    return true;
  }
  // librdkafka names broker errors like its enum without the RD_KAFKA_RESP_ERR_ prefix.
  const rd_kafka_err_desc* descs = nullptr;
  size_t count = 0;
  rd_kafka_get_err_descs(&descs, &count);
  for (size_t i = 0; i < count; ++i) {
    if (descs[i].name != nullptr && text == descs[i].name && descs[i].code > 0) {
      err = descs[i].code;
      return true;
    }
  }
  return false;
}

}  // namespace

Status ApplyBrokerCommand(rd_kafka_mock_cluster_t* cluster, const std::string& line) {
  std::istringstream in(line);
  std::vector<std::string> words;
  for (std::string w; in >> w;) words.push_back(w);
  if (words.empty()) return Status::InvalidArgument("empty command");
  const std::string& verb = words[0];
  long id = 0, n = 0;
  int16_t api = 0;
  rd_kafka_resp_err_t err = RD_KAFKA_RESP_ERR_NO_ERROR;
  rd_kafka_resp_err_t result = RD_KAFKA_RESP_ERR_NO_ERROR;
  if ((verb == "down" || verb == "up") && words.size() == 2 && ParseNumber(words[1], id)) {
    result = verb == "down" ? rd_kafka_mock_broker_set_down(cluster, static_cast<int32_t>(id))
                            : rd_kafka_mock_broker_set_up(cluster, static_cast<int32_t>(id));
  } else if (verb == "rtt" && words.size() == 3 && ParseNumber(words[1], id) && ParseNumber(words[2], n) && n >= 0) {
    result = rd_kafka_mock_broker_set_rtt(cluster, static_cast<int32_t>(id), static_cast<int>(n));
  } else if (verb == "errors" && words.size() == 4 && ParseApi(words[1], api) && ParseNumber(words[2], n) &&
             n > 0 && n <= 100000 && ParseError(words[3], err)) {
    std::vector<rd_kafka_resp_err_t> errors(static_cast<size_t>(n), err);
    rd_kafka_mock_push_request_errors_array(cluster, api, errors.size(), errors.data());
  } else if (verb == "clear" && words.size() == 2 && ParseApi(words[1], api)) {
    rd_kafka_mock_clear_request_errors(cluster, api);
  } else if (verb == "topic" && words.size() == 3 && ParseNumber(words[2], n) && n > 0 && n <= 10000) {
    // The mock has no CreateTopics: topics it auto-creates get its default
    // partition count, which a changelog with more input partitions needs.
    result = rd_kafka_mock_topic_create(cluster, words[1].c_str(), static_cast<int>(n), 1);
  } else {
    return Status::InvalidArgument("unknown or malformed command '" + line +
                                   "' (down ID | up ID | rtt ID MS | errors API COUNT ERROR | clear API | "
                                   "topic NAME PARTITIONS)");
  }
  if (result != RD_KAFKA_RESP_ERR_NO_ERROR) {
    return Status::InvalidArgument(line + ": " + rd_kafka_err2str(result));
  }
  return Status::Ok();
}

}  // namespace crm::pipeline
