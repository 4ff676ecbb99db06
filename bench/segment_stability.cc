// Segment stability: how often customers change segment, how many of those
// changes are reversed within 60 days (flip-flops marketing cannot act on),
// and how soon a customer who really stops buying leaves the active segments.
//
// In process, no broker: generated traffic (pipeline/traffic_generator, the
// demo's generator and seed) decoded and fed to the operators directly, as
// the service does: customers hash-partitioned over the demo's 4 partitions,
// each with its RFM population; before each event every overdue check due by
// the partition's watermark (max event time - allowed lateness, 1 h) fires
// with FireTimer, and every ProcessEvent/FireTimer re-arms the customer's
// one check. Deterministic for a seed.
//
// Reports, over the run's customer-years (first purchase to the end of the
// run or the state's deletion):
//   - segment changes per customer-year (a customer's first segment is not
//     a change);
//   - flip-flops (A -> B followed by B -> A within 60 days) per
//     customer-year, and the pairs that flip-flop most;
//   - churners: the generator's drifting customers (the only ones who file
//     a complaint, after their last purchase; then they go silent). For
//     those who stopped in an active segment (Champions, Loyal, Potential
//     Loyalist, New, Promising) at least 240 days before the end, the delay
//     from their last purchase to their first move into an at-risk or
//     sleeping segment (At Risk, Can't Lose Them, About to Sleep,
//     Hibernating, Lost): median and 90th percentile in days.
//
//   crm_bench_segments [customers=5000] [years=3.2] [seed=1] [key=value]...
//   keys: recency_scoring=breakpoints|rhythm|quantiles
//         recency_days=a,b,c,d   recency_gaps=a,b,c,d   quantile_margin=x
#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <map>
#include <queue>
#include <set>
#include <sstream>
#include <string>
#include <unordered_map>
#include <vector>

#include "operators/customer_processor.h"
#include "pipeline/embedded/traffic_generator.h"
#include "pipeline/wire/event_decoder.h"

namespace {

using crm::operators::CustomerState;
using crm::operators::Effects;
using crm::operators::EventTime;
using crm::operators::ModelConfig;
using crm::operators::SegmentChange;

constexpr int64_t kDayMs = 86'400'000;
constexpr int kPartitions = 4;                 // the demo's
constexpr int64_t kLatenessMs = 3'600'000;     // time.allowed_lateness_ms default
constexpr int64_t kFlipWindowMs = 60 * kDayMs;
constexpr int64_t kChurnerMarginMs = 240 * kDayMs;

const std::set<std::string> kActive = {"Champions", "Loyal", "Potential Loyalist", "New", "Promising"};
const std::set<std::string> kSleeping = {"At Risk", "Can't Lose Them", "About to Sleep", "Hibernating", "Lost"};

struct Change {
  int64_t at_ms;
  std::string from, to;
};

struct Tracked {
  CustomerState state;
  int64_t first_purchase_ms = -1;
  int64_t gone_ms = -1;  // state deleted (retention)
  std::vector<Change> changes;
  bool churner = false;
  int64_t stop_ms = -1;            // last purchase before the complaint
  std::string segment_at_stop;
};

struct Timer {
  int64_t due_ms;
  std::string customer;
  bool operator>(const Timer& o) const { return due_ms != o.due_ms ? due_ms > o.due_ms : customer > o.customer; }
};

struct Partition {
  crm::operators::RfmPopulation population;
  std::priority_queue<Timer, std::vector<Timer>, std::greater<Timer>> timers;
  int64_t max_event_ms = INT64_MIN;
};

std::vector<double> ParseList(const std::string& s) {
  std::vector<double> out;
  std::stringstream in(s);
  std::string item;
  while (std::getline(in, item, ',')) out.push_back(std::atof(item.c_str()));
  return out;
}

void Configure(ModelConfig& config, const std::string& key, const std::string& value) {
  using crm::operators::RfmScoring;
  if (key == "recency_scoring") {
    config.rfm.recency = value == "quantiles" ? RfmScoring::kQuantiles
                         : value == "rhythm"  ? RfmScoring::kRhythm
                                              : RfmScoring::kBreakpoints;
  } else if (key == "recency_gaps") {
    config.rfm.recency_gaps = ParseList(value);
  } else if (key == "quantile_margin") {
    config.rfm.quantile_margin = std::atof(value.c_str());
  } else if (key == "recency_days") {
    config.rfm.recency_days = ParseList(value);
  } else {
    std::fprintf(stderr, "unknown key %s\n", key.c_str());
    std::exit(2);
  }
}

double Percentile(std::vector<double> v, double q) {
  if (v.empty()) return NAN;
  std::sort(v.begin(), v.end());
  return v[static_cast<size_t>(q * static_cast<double>(v.size() - 1) + 0.5)];
}

}  // namespace

int main(int argc, char** argv) {
  int64_t customers = 5000;
  double years = 3.2;
  uint64_t seed = 1;
  ModelConfig config;
  int positional = 0;
  for (int i = 1; i < argc; ++i) {
    const std::string arg = argv[i];
    if (auto eq = arg.find('='); eq != std::string::npos) {
      Configure(config, arg.substr(0, eq), arg.substr(eq + 1));
    } else if (positional == 0) {
      customers = std::atoll(argv[i]), ++positional;
    } else if (positional == 1) {
      years = std::atof(argv[i]), ++positional;
    } else {
      seed = std::strtoull(argv[i], nullptr, 10), ++positional;
    }
  }

  crm::pipeline::GeneratorOptions gen;
  gen.customers = customers;
  gen.seed = seed;
  crm::pipeline::TrafficGenerator generator(gen);
  crm::pipeline::EventDecoder decoder(crm::pipeline::DecoderLimits{});
  const int64_t end_ms = gen.start_epoch_ms + static_cast<int64_t>(years * 365.25 * kDayMs);

  std::unordered_map<std::string, Tracked> tracked;
  std::vector<Partition> partitions(kPartitions);
  int64_t events = 0, timers_fired = 0;

  auto record = [&](Tracked& t, const Effects& effects, Partition& p, const std::string& id) {
    for (const auto& out : effects.outputs) {
      if (const auto* change = std::get_if<SegmentChange>(&out.payload)) {
        if (!change->from.empty()) t.changes.push_back({out.time.epoch_ms, change->from, change->to});
      }
    }
    if (effects.timer && effects.timer->due.epoch_ms != 0) p.timers.push({effects.timer->due.epoch_ms, id});
  };

  auto fire_due = [&](Partition& p, int64_t watermark_ms) {
    while (!p.timers.empty() && p.timers.top().due_ms <= watermark_ms) {
      const Timer timer = p.timers.top();
      p.timers.pop();
      auto it = tracked.find(timer.customer);
      if (it == tracked.end() || it->second.gone_ms >= 0) continue;
      Tracked& t = it->second;
      const crm::operators::ModelContext context{nullptr, &p.population};
      Effects effects = crm::operators::FireTimer(config, context, timer.customer, EventTime{timer.due_ms},
                                                  EventTime{watermark_ms}, t.state);
      ++timers_fired;
      if (effects.expired) {
        t.gone_ms = watermark_ms;
        continue;
      }
      record(t, effects, p, timer.customer);
    }
  };

  for (;;) {
    crm::pipeline::GeneratedEvent generated = generator.Next();
    if (generated.event_time_ms >= end_ms) break;
    auto decoded = decoder.Decode(generated.kind, generated.json);
    if (!std::holds_alternative<crm::operators::Event>(decoded)) continue;  // malformed: dead letter
    const auto& event = std::get<crm::operators::Event>(decoded);
    Partition& p = partitions[crm::operators::StableHash64(event.customer_id) % kPartitions];
    p.max_event_ms = std::max(p.max_event_ms, event.ts.epoch_ms);
    fire_due(p, p.max_event_ms - kLatenessMs);

    Tracked& t = tracked[event.customer_id];
    if (t.gone_ms >= 0) continue;  // ids are never reused by the generator
    const crm::operators::ModelContext context{nullptr, &p.population};
    Effects effects = crm::operators::ProcessEvent(config, context, event, t.state);
    ++events;
    if (t.first_purchase_ms < 0 && t.state.purchase_count > 0) t.first_purchase_ms = event.ts.epoch_ms;
    record(t, effects, p, event.customer_id);
    if (generated.kind == crm::pipeline::InputKind::kComplaint && !t.churner && t.state.purchase_count > 0) {
      t.churner = true;
      t.stop_ms = t.state.last_purchase.epoch_ms;
      // The segment the customer held right after their last purchase.
      t.segment_at_stop = "";
      std::string segment = t.state.segment;
      for (auto it = t.changes.rbegin(); it != t.changes.rend(); ++it) {
        if (it->at_ms <= t.stop_ms) break;
        segment = it->from;
      }
      t.segment_at_stop = segment;
    }
  }
  for (auto& p : partitions) fire_due(p, end_ms);

  double customer_years = 0;
  int64_t changes = 0, flips = 0;
  std::map<std::pair<std::string, std::string>, int64_t> flip_pairs;
  std::vector<double> delays;
  int64_t churners_eligible = 0, churners_never = 0;
  for (const auto& [id, t] : tracked) {
    if (t.first_purchase_ms < 0) continue;
    const int64_t until = t.gone_ms >= 0 ? t.gone_ms : end_ms;
    customer_years += static_cast<double>(until - t.first_purchase_ms) / kDayMs / 365.25;
    changes += static_cast<int64_t>(t.changes.size());
    for (size_t i = 1; i < t.changes.size(); ++i) {
      const Change& a = t.changes[i - 1];
      const Change& b = t.changes[i];
      if (b.from == a.to && b.to == a.from && b.at_ms - a.at_ms <= kFlipWindowMs) {
        ++flips;
        ++flip_pairs[{a.from, a.to}];
      }
    }
    if (t.churner && kActive.count(t.segment_at_stop) && t.stop_ms <= end_ms - kChurnerMarginMs) {
      ++churners_eligible;
      bool moved = false;
      for (const Change& c : t.changes) {
        if (c.at_ms > t.stop_ms && kSleeping.count(c.to)) {
          delays.push_back(static_cast<double>(c.at_ms - t.stop_ms) / kDayMs);
          moved = true;
          break;
        }
      }
      if (!moved) ++churners_never;
    }
  }

  std::printf("segment stability: %lld customers, %.2f years, seed %llu, %lld events, %lld timers fired\n",
              static_cast<long long>(customers), years, static_cast<unsigned long long>(seed),
              static_cast<long long>(events), static_cast<long long>(timers_fired));
  std::printf("customer-years:                   %.0f\n", customer_years);
  std::printf("segment changes:                  %lld  (%.2f per customer-year)\n", static_cast<long long>(changes),
              static_cast<double>(changes) / customer_years);
  std::printf("flip-flops (A->B->A in 60 days):  %lld  (%.3f per customer-year, %.1f%% of changes reversed)\n",
              static_cast<long long>(flips), static_cast<double>(flips) / customer_years,
              changes ? 100.0 * static_cast<double>(flips) / static_cast<double>(changes) : 0.0);
  std::vector<std::pair<int64_t, std::pair<std::string, std::string>>> top;
  for (const auto& [pair, n] : flip_pairs) top.push_back({n, pair});
  std::sort(top.begin(), top.end(), [](const auto& a, const auto& b) { return a.first != b.first ? a.first > b.first : a.second < b.second; });
  for (size_t i = 0; i < std::min<size_t>(5, top.size()); ++i) {
    std::printf("  %-20s -> %-20s -> back: %lld\n", top[i].second.first.c_str(), top[i].second.second.c_str(),
                static_cast<long long>(top[i].first));
  }
  std::printf("churners (stopped active, >= 240 days before the end): %lld, never moved to at-risk/sleeping: %lld\n",
              static_cast<long long>(churners_eligible), static_cast<long long>(churners_never));
  std::printf("  delay from last purchase to at-risk/sleeping: median %.1f days, p90 %.1f days\n",
              Percentile(delays, 0.5), Percentile(delays, 0.9));
  return 0;
}
