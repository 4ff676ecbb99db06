// `crmstream demo`: the embedded broker, generated traffic and the service in
// one process, with a live feed of what the call center and marketing see.
#include <nlohmann/json.hpp>
#include <spdlog/spdlog.h>

#include <atomic>
#include <chrono>
#include <limits>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <iostream>
#include <map>
#include <queue>
#include <thread>

#include "config/config.h"
#include "pipeline/cli/commands.h"
#include "pipeline/cli/demo_call_center.h"
#include "pipeline/cli/demo_rewards.h"
#include "pipeline/cli/segments_table.h"
#include "pipeline/cli/demo_journey_feed.h"
#include "pipeline/cli/shutdown_signals.h"
#include "pipeline/embedded/mock_broker.h"
#include "pipeline/embedded/traffic_generator.h"
#include "pipeline/io/clock.h"
#include "pipeline/kafka/kafka_client.h"
#include "pipeline/kafka/kafka_sink.h"
#include "pipeline/observe/http_server.h"
#include "pipeline/observe/metrics.h"
#include "pipeline/runtime/segments_view.h"
#include "pipeline/runtime/service.h"

namespace crm::pipeline {
namespace {

constexpr double kDayMs = 86'400'000.0;

struct FeedTotals {
  int64_t alerts = 0;
  std::map<std::string, int64_t> alerts_by_priority;
  int64_t segment_changes = 0;
  int64_t new_customers = 0;
  std::map<std::string, int64_t> transitions;
  int64_t dead_letters = 0;
  RewardFeedTotals rewards;
};

std::string Day(const nlohmann::json& envelope) {
  return envelope.value("time", std::string("?")).substr(0, 10);
}

void PrintAlert(const nlohmann::json& e, FeedTotals& totals) {
  const auto& d = e["data"];
  std::string reasons;
  for (const auto& r : d["reasons"]) {
    if (!reasons.empty()) reasons += "; ";
    reasons += r.value("detail", "");
  }
  std::string priority = d.value("priority", "");
  ++totals.alerts;
  ++totals.alerts_by_priority[priority];
  // Silence (a fired timer) rather than an event of the customer's.
  const bool silent = d.value("cause", "") == "timer";
  std::printf("[%s] ALERT %-6s %s  risk %.2f  value at risk %.2f  (%s)%s\n"
              "             %s\n             -> %s\n",
              Day(e).c_str(), priority.c_str(), d.value("customer_id", "").c_str(),
              d.value("risk", 0.0), d.value("value_at_risk", 0.0), d.value("segment", "").c_str(),
              silent ? "  [silence]" : "", reasons.c_str(), d.value("recommended_action", "").c_str());
  if (d.value("control", false)) std::printf("             [control group: held out, nobody acts]\n");
}

void PrintSegmentChange(const nlohmann::json& e, FeedTotals& totals) {
  const auto& d = e["data"];
  ++totals.segment_changes;
  if (d["from"].is_null()) {
    ++totals.new_customers;  // first segment of a new customer: counted, not printed
    return;
  }
  std::string from = d["from"].get<std::string>();
  std::string to = d.value("to", "");
  ++totals.transitions[from + " -> " + to];
  std::printf("[%s] SEGMENT %s  %s -> %s  (r%d f%d m%d, %s, %s)%s\n", Day(e).c_str(),
              d.value("customer_id", "").c_str(), from.c_str(), to.c_str(),
              d["rfm"].value("r", 0), d["rfm"].value("f", 0), d["rfm"].value("m", 0),
              d.value("loyalty", "").c_str(), d.value("relationship", "").c_str(),
              d.value("cause", "") == "timer" ? "  [silence]" : "");
}

void PrintDeadLetter(const rd_kafka_message_t* m, FeedTotals& totals) {
  ++totals.dead_letters;
  rd_kafka_headers_t* headers = nullptr;
  std::string code = "?", reason = "?";
  if (rd_kafka_message_headers(m, &headers) == RD_KAFKA_RESP_ERR_NO_ERROR) {
    const void* v;
    size_t n;
    if (rd_kafka_header_get_last(headers, "crm.error.code", &v, &n) == RD_KAFKA_RESP_ERR_NO_ERROR)
      code.assign(static_cast<const char*>(v), n);
    if (rd_kafka_header_get_last(headers, "crm.error.reason", &v, &n) == RD_KAFKA_RESP_ERR_NO_ERROR)
      reason.assign(static_cast<const char*>(v), n);
  }
  std::printf("[dead-letter] %s: %s\n", code.c_str(), reason.c_str());
}

// Simulated days of history the demo's timeline covers, ending now.
double SimulatedDays(const DemoCommandOptions& options) {
  constexpr double kMaxUnlimitedHistoryDays = 3650;
  return options.duration_s > 0 ? options.duration_s * options.days_per_second : kMaxUnlimitedHistoryDays;
}

// Produces generated traffic, paced so that `days_per_second` simulated days
// pass per wall-clock second.
void ProduceTraffic(const DemoCommandOptions& options, const Clock& clock, KafkaSink& sink,
                    const config::TopicsConfig& topics, const std::atomic<bool>& stop,
                    std::atomic<int64_t>& produced) {
  GeneratorOptions gen;
  gen.customers = options.customers;
  gen.seed = options.seed;
  // Households doing a big weekly shop: the reward programme's members.
  gen.household_share = 0.1;
  // Prospects, some of whom convert, and loyal customers who review and
  // refer: the journey and the ladder (docs/journey.md).
  gen.prospect_share = 0.1;
  gen.loyal_advocacy_share = 0.05;
  // The simulated timeline ends now: the service dead-letters events more
  // than a day ahead of its clock (future_event) and before 1990
  // (past_event). With a duration, the whole run is simulated history. Until
  // Ctrl-C, at most ten years are (from the start, DAYS_PER_S fast), and once
  // simulated time has caught up with the wall clock it moves as the wall
  // clock does.
  const double simulated_days = SimulatedDays(options);
  const int64_t now_ms = clock.WallMs();
  gen.start_epoch_ms = now_ms - static_cast<int64_t>(simulated_days * kDayMs);
  // Wall-clock seconds until the fast timeline reaches the moving wall clock.
  const double gain_per_s = options.days_per_second - 1.0 / 86400.0;
  const int64_t caught_up_at_ms = gain_per_s > 0
                                      ? now_ms + static_cast<int64_t>(simulated_days / gain_per_s * 1000)
                                      : std::numeric_limits<int64_t>::max();
  TrafficGenerator generator(gen);
  const auto started = clock.Steady();
  while (!stop.load()) {
    GeneratedEvent event = generator.Next();
    const double sim_seconds =
        event.event_time_ms <= caught_up_at_ms
            ? static_cast<double>(event.event_time_ms - gen.start_epoch_ms) / kDayMs / options.days_per_second
            : static_cast<double>(event.event_time_ms - now_ms) / 1000.0;
    auto due = started + std::chrono::microseconds(static_cast<int64_t>(sim_seconds * 1e6));
    while (clock.Steady() < due && !stop.load()) {
      // Serves delivery reports while waiting; an unacknowledged record is
      // acknowledged by a later flush or reported by the final one.
      sink.Flush(0).IgnoreError();
      std::this_thread::sleep_until(std::min(due, clock.Steady() + std::chrono::milliseconds(50)));
    }
    const std::string topic = config::InputTopics(topics)[static_cast<size_t>(event.kind)];
    OutputRecord record{topic, event.customer_id, std::move(event.json), {}, event.event_time_ms};
    if (!sink.Produce(record).ok()) break;
    produced.fetch_add(1);
  }
  if (Status flushed = sink.Flush(5000); !flushed.ok()) {
    spdlog::warn("demo traffic: not every generated event was acknowledged: {}", flushed.message());
  }
}

}  // namespace

int RunDemoCommand(const DemoCommandOptions& options, const CliContext& context) {
  std::atomic<bool> stop{false};
  ShutdownSignals signals(stop);
  config::Config config;
  context.prepare_broker_sockets(0);
  auto broker = MockBroker::Create(MockBrokerOptions{
      1, options.partitions,
      {config.topics.purchases, config.topics.complaints, config.topics.service, config.topics.interactions,
       config.topics.actions, config.topics.churn_alerts, config.topics.segment_changes, config.topics.deadletter,
       config.topics.changelog, config.topics.rewards}});
  if (!broker.ok()) {
    std::cerr << "crmstream: " << broker.status().message() << "\n";
    return kExitFailure;
  }
  char dir_template[] = "/tmp/crmstream-demo-XXXXXX";
  if (mkdtemp(dir_template) == nullptr) {
    std::cerr << "crmstream: cannot create a state directory in /tmp\n";
    return kExitFailure;
  }
  config.kafka["bootstrap.servers"] = (*broker)->bootstrap_servers();
  config.state.dir = dir_template;
  config.state.memory_budget_bytes = 64LL << 20;
  config.runtime.instance_id = "demo";
  config.runtime.commit_interval_ms = 200;
  config.http.port = options.http_port;
  const SystemClock clock;
  // With a duration, a programme year closes three quarters of the way
  // through it, so vouchers are issued while you watch; without one, the
  // ten years of history pass ten year ends of the default calendar year.
  if (options.duration_s > 0) {
    const int64_t now_ms = clock.WallMs();
    config.model.rewards = DemoRewardsYear(config.model.rewards,
                                           now_ms - static_cast<int64_t>(SimulatedDays(options) * kDayMs), now_ms);
  }

  Metrics metrics;
  ServiceHealth health(clock);
  auto service = Service::Create(config, metrics, health, clock);
  if (!service.ok()) {
    std::cerr << "crmstream: " << service.status().message() << "\n";
    return kExitFailure;
  }
  Service* svc = service->get();
  auto http = HttpServer::Start(
      config.http.listen_address, options.http_port, metrics, health,
      [svc](const std::string& id) { return svc->CustomerProfile(id); }, [svc] { return svc->SegmentsReport(); });
  if (!http.ok()) {
    std::cerr << "crmstream: " << http.status().message()
              << " (choose another port with --http-port)\n";
    return kExitFailure;
  }
  std::printf("crmstream demo: embedded broker %s, %lld customers, %.1f simulated days per second\n"
              "metrics: http://127.0.0.1:%d/metrics   profile: http://127.0.0.1:%d/customers/c0000001\n"
              "segments: http://127.0.0.1:%d/segments\n"
              "state:   %s\n"
              "rewards: the programme year starts every %02lld-%02lld; vouchers are issued %lld days before\n\n",
              config.kafka["bootstrap.servers"].c_str(), static_cast<long long>(options.customers),
              options.days_per_second, (*http)->port(), (*http)->port(), (*http)->port(), dir_template,
              static_cast<long long>(config.model.rewards.year_start_month),
              static_cast<long long>(config.model.rewards.year_start_day),
              static_cast<long long>(config.model.rewards.claim_window_days));
  std::fflush(stdout);

  std::atomic<bool> stop_service{false};
  Status service_status;
  std::thread service_thread([&] {
    service_status = (*service)->Run(RunOptions{}, stop_service);
    if (!service_status.ok()) stop.store(true);
  });

  auto producer = KafkaSink::Create({{"bootstrap.servers", config.kafka["bootstrap.servers"]}});
  std::atomic<int64_t> produced{0};
  std::thread traffic_thread;
  if (producer.ok()) {
    traffic_thread = std::thread(
        [&] { ProduceTraffic(options, clock, **producer, config.topics, stop, produced); });
  } else {
    stop.store(true);
  }

  // The simulated call center answers alerts with actions and some
  // customers with a purchase, held until the feed's event time gets there
  // (docs/outcomes.md).
  auto call_center = KafkaSink::Create({{"bootstrap.servers", config.kafka["bootstrap.servers"]}});
  std::priority_queue<DemoReply, std::vector<DemoReply>, std::greater<DemoReply>> replies;
  int64_t feed_time_ms = 0;

  // The feed: what a call-center system and marketing automation would read.
  FeedTotals totals;
  JourneyFeedTotals journey;
  auto feed_conf = MakeKafkaConf({{"bootstrap.servers", config.kafka["bootstrap.servers"]},
                                  {"group.id", "crmstream-demo-feed"},
                                  {"auto.offset.reset", "earliest"}});
  KafkaHandle feed;
  if (feed_conf.ok()) {
    auto made = MakeKafkaClient(RD_KAFKA_CONSUMER, std::move(feed_conf).value());
    if (made.ok()) feed = std::move(made).value();
  }
  if (!feed) {
    std::cerr << "crmstream: cannot create the feed consumer\n";
    stop.store(true);
  } else {
    TopicPartitionList topics(rd_kafka_topic_partition_list_new(4));
    for (const std::string& t : {config.topics.churn_alerts, config.topics.segment_changes,
                                 config.topics.deadletter, config.topics.rewards}) {
      rd_kafka_topic_partition_list_add(topics.get(), t.c_str(), RD_KAFKA_PARTITION_UA);
    }
    rd_kafka_resp_err_t err = rd_kafka_poll_set_consumer(feed.get());
    if (err == RD_KAFKA_RESP_ERR_NO_ERROR) err = rd_kafka_subscribe(feed.get(), topics.get());
    if (err != RD_KAFKA_RESP_ERR_NO_ERROR) {
      std::cerr << "crmstream: the feed consumer cannot subscribe: " << KafkaErrorText(err) << "\n";
      stop.store(true);
    }
  }
  const auto started = clock.Steady();
  while (!stop.load()) {
    if (options.duration_s > 0 &&
        clock.Steady() - started >= std::chrono::duration<double>(options.duration_s)) {
      break;
    }
    rd_kafka_message_t* m = rd_kafka_consumer_poll(feed.get(), 100);
    if (m == nullptr) continue;
    if (m->err == RD_KAFKA_RESP_ERR_NO_ERROR) {
      std::string topic = rd_kafka_topic_name(m->rkt);
      if (topic == config.topics.deadletter) {
        PrintDeadLetter(m, totals);
      } else {
        auto e = nlohmann::json::parse(static_cast<const char*>(m->payload),
                                       static_cast<const char*>(m->payload) + m->len, nullptr, false);
        if (!e.is_discarded() && e.contains("data")) {
          int64_t at = 0;
          if (ParseRfc3339(e.value("time", ""), at)) feed_time_ms = std::max(feed_time_ms, at);
          if (e.value("type", "") == kWinBackType) {
            PrintWinBack(e);
          } else if (topic == config.topics.churn_alerts) {
            PrintAlert(e, totals);
            for (DemoReply& reply : CallCenterReplies(e)) replies.push(std::move(reply));
          } else if (topic == config.topics.rewards) {
            PrintReward(e, totals.rewards);
          } else if (e.value("type", "") == kLadderChangeType) {
            PrintLadderChange(e, journey);
          } else {
            PrintSegmentChange(e, totals);
          }
        }
      }
      std::fflush(stdout);
    }
    rd_kafka_message_destroy(m);
    while (call_center.ok() && !replies.empty() && replies.top().event_time_ms <= feed_time_ms) {
      const DemoReply& reply = replies.top();
      const std::string topic = config::InputTopics(config.topics)[static_cast<size_t>(reply.kind)];
      (*call_center)->Produce({topic, reply.customer_id, reply.json, {}, reply.event_time_ms}).IgnoreError();
      replies.pop();
    }
    if (call_center.ok()) (*call_center)->Flush(0).IgnoreError();
  }
  stop.store(true);
  if (traffic_thread.joinable()) traffic_thread.join();
  stop_service.store(true);
  service_thread.join();
  if (feed) rd_kafka_consumer_close(feed.get());

  std::printf("\nsummary: %lld events produced; %lld churn alerts (high %lld, medium %lld, low %lld); "
              "%lld segment changes (%lld new customers); %lld dead letters\n",
              static_cast<long long>(produced.load()), static_cast<long long>(totals.alerts),
              static_cast<long long>(totals.alerts_by_priority["high"]),
              static_cast<long long>(totals.alerts_by_priority["medium"]),
              static_cast<long long>(totals.alerts_by_priority["low"]),
              static_cast<long long>(totals.segment_changes),
              static_cast<long long>(totals.new_customers), static_cast<long long>(totals.dead_letters));
  PrintRewardSummary(totals.rewards);
  PrintJourneySummary(journey);
  std::vector<std::pair<int64_t, std::string>> top;
  for (const auto& [t, n] : totals.transitions) top.emplace_back(n, t);
  std::sort(top.rbegin(), top.rend());
  for (size_t i = 0; i < top.size() && i < 5; ++i) {
    std::printf("  %6lld x %s\n", static_cast<long long>(top[i].first), top[i].second.c_str());
  }
  // The Markov view of what was committed, over every partition.
  std::vector<int32_t> partitions;
  for (int32_t p = 0; p < options.partitions; ++p) partitions.push_back(p);
  Result<operators::SegmentFlows> flows = ReadSegmentFlows((*service)->store(), partitions);
  if (flows.ok()) {
    std::printf("\n%s", SegmentsTable(SegmentChainOf(*flows, config), *flows, config.markov).c_str());
  } else {
    std::cerr << "crmstream: segment transitions: " << flows.status().message() << "\n";
  }
  PrintOutcomeSummary(metrics);
  std::error_code ignored;
  std::filesystem::remove_all(dir_template, ignored);
  if (!service_status.ok()) {
    std::cerr << "crmstream: service stopped: " << service_status.message() << "\n";
    return kExitFailure;
  }
  return kExitOk;
}

}  // namespace crm::pipeline
