// bench/bare_clients.h
//
// The end-to-end benchmarks' references, plain librdkafka with none of
// crmstream's work, read the same input log in the same run as crmstream:
// - BareConsume: a consumer-group member reads a topic to its end.
// - BarePipe: the same, and it also produces what crmstream produced for
//   that log (the same number of records per topic, spread evenly over the
//   input, replaying each topic's sample so that sizes and compression
//   match) with crmstream's producer settings, in Kafka transactions
//   committed at crmstream's commit interval (or every
//   max_uncommitted_events records), the consumer's offsets committed after
//   each transaction as crmstream does for lag tools.
// Both time from the first record received (after the group join) to the
// end of the log, the pipe's including its last transaction.
#pragma once

#include <cstdint>
#include <map>
#include <string>

#include "bench/observed_sink.h"
#include "config/config.h"

namespace crm::bench {

struct BareRun {
  int64_t records = 0;    // input records read
  int64_t produced = 0;   // records produced (the pipe)
  int64_t transactions = 0;
  double seconds = 0;     // first record to the end
  double rate() const { return seconds > 0 ? static_cast<double>(records) / seconds : 0; }
};

BareRun BareConsume(const std::string& bootstrap, const std::string& topic, const std::string& group_id);

// `config` is crmstream's (kafka properties, codecs, commit interval);
// `produced` what crmstream produced for `input_records` input records.
Result<BareRun> BarePipe(const config::Config& config, const std::string& group_id,
                         const std::map<std::string, TopicTally>& produced, int64_t input_records);

}  // namespace crm::bench
