#include "pipeline/embedded/traffic_generator.h"

#include <nlohmann/json.hpp>

#include <cmath>
#include <cstdio>
#include <queue>
#include <random>
#include <vector>

#include "pipeline/wire/output_encoder.h"

namespace crm::pipeline {
namespace {

constexpr int64_t kDayMs = 86'400'000;

enum class Archetype { kLoyal, kOccasional, kDrifting, kHousehold, kProspect };

struct SimCustomer {
  int64_t index = 0;
  Archetype type = Archetype::kLoyal;
  double gap_days = 10;
  int purchases = 0;
  int drift_after = 0;  // purchases before a drifting customer starts to drift
  int drift_step = 0;
  int interactions_left = 0;  // a prospect's inquiries, visits and quotes still to come
  bool converts = false;      // a prospect who buys after them
};

struct Due {
  int64_t at_ms;
  int64_t index;
  bool operator>(const Due& o) const { return at_ms != o.at_ms ? at_ms > o.at_ms : index > o.index; }
};

}  // namespace

std::string GeneratedCustomerId(int64_t index) {
  char buf[24];
  std::snprintf(buf, sizeof buf, "c%07lld", static_cast<long long>(index));
  return buf;
}

struct TrafficGenerator::Impl {
  GeneratorOptions options;
  std::mt19937_64 rng;
  std::vector<SimCustomer> customers;  // by index
  std::priority_queue<Due, std::vector<Due>, std::greater<Due>> due;
  int64_t generated = 0;

  double Uniform() { return std::uniform_real_distribution<double>(0, 1)(rng); }
  double Exponential(double mean) { return std::exponential_distribution<double>(1.0 / mean)(rng); }
  int UniformInt(int lo, int hi) { return std::uniform_int_distribution<int>(lo, hi)(rng); }

  void Join(int64_t at_ms) {
    SimCustomer c;
    c.index = static_cast<int64_t>(customers.size());
    // Drawn only when prospects are on, so that traffic without them stays
    // what it was for a seed.
    if (options.prospect_share > 0 && Uniform() < options.prospect_share) {
      c.type = Archetype::kProspect;
      c.interactions_left = UniformInt(1, 3);
      c.converts = Uniform() < options.prospect_conversion;
      customers.push_back(c);
      due.push({at_ms, c.index});
      return;
    }
    double pick = Uniform();
    if (pick < options.loyal_share) {
      c.type = Archetype::kLoyal;
      c.gap_days = 5 + 20 * Uniform();
    } else if (pick < options.loyal_share + options.drifting_share) {
      c.type = Archetype::kDrifting;
      c.gap_days = 5 + 15 * Uniform();
      c.drift_after = UniformInt(3, 10);
    } else if (pick < options.loyal_share + options.drifting_share + options.household_share) {
      c.type = Archetype::kHousehold;
      c.gap_days = 6 + 3 * Uniform();
    } else {
      c.type = Archetype::kOccasional;
      c.gap_days = 30 + 60 * Uniform();
    }
    customers.push_back(c);
    due.push({at_ms, c.index});
  }

  nlohmann::ordered_json Base(const SimCustomer& c, int64_t at_ms, bool epoch_form) {
    nlohmann::ordered_json j;
    j["event_id"] = std::to_string(options.seed) + "-" + std::to_string(generated);
    j["customer_id"] = GeneratedCustomerId(c.index);
    if (epoch_form) {
      j["ts"] = at_ms;
    } else {
      j["ts"] = FormatRfc3339(at_ms);
    }
    return j;
  }

  GeneratedEvent Purchase(SimCustomer& c, int64_t at_ms, double mean_amount) {
    auto j = Base(c, at_ms, false);
    double amount = std::round(mean_amount * std::exp(0.5 * (Uniform() - 0.5)) * 100) / 100;
    j["amount"] = amount;
    j["currency"] = "EUR";
    j["quantity"] = UniformInt(1, 3);
    j["channel"] = Uniform() < 0.6 ? "web" : "store";
    j["order_id"] = "o" + std::to_string(generated);
    ++c.purchases;
    return {InputKind::kPurchase, GeneratedCustomerId(c.index), j.dump(), at_ms};
  }

  GeneratedEvent Service(SimCustomer& c, int64_t at_ms, int rating) {
    auto j = Base(c, at_ms, true);
    static constexpr const char* kChannels[] = {"call", "chat", "email", "store"};
    j["channel"] = kChannels[UniformInt(0, 3)];
    j["rating"] = rating;
    j["resolved"] = rating >= 3;
    j["wait_seconds"] = UniformInt(5, 900);
    return {InputKind::kService, GeneratedCustomerId(c.index), j.dump(), at_ms};
  }

  GeneratedEvent Complaint(SimCustomer& c, int64_t at_ms, int severity) {
    auto j = Base(c, at_ms, false);
    j["complaint_id"] = "k" + std::to_string(generated);
    j["status"] = "opened";
    j["severity"] = severity;
    j["category"] = Uniform() < 0.5 ? "delivery" : "billing";
    return {InputKind::kComplaint, GeneratedCustomerId(c.index), j.dump(), at_ms};
  }

  GeneratedEvent Interaction(SimCustomer& c, int64_t at_ms, const char* kind, int rating) {
    auto j = Base(c, at_ms, false);
    j["kind"] = kind;
    if (rating > 0) j["rating"] = rating;
    j["channel"] = Uniform() < 0.5 ? "web" : "store";
    return {InputKind::kInteraction, GeneratedCustomerId(c.index), j.dump(), at_ms};
  }

  // A prospect's next step: inquiries, visits and quotes a few days apart;
  // then a converting prospect becomes a loyal customer with a first
  // purchase, and the others go quiet (a newcomer joins instead).
  GeneratedEvent ProspectStep(SimCustomer& c, int64_t at_ms, int64_t& next_at) {
    if (c.interactions_left == 0) {
      c.type = Archetype::kLoyal;
      c.gap_days = 5 + 20 * Uniform();
      next_at = at_ms + static_cast<int64_t>(Exponential(c.gap_days) * kDayMs) + kDayMs / 2;
      return Purchase(c, at_ms, 60);
    }
    static constexpr const char* kKinds[] = {"inquiry", "visit", "quote"};
    GeneratedEvent event = Interaction(c, at_ms, kKinds[UniformInt(0, 2)], 0);
    if (--c.interactions_left > 0 || c.converts) {
      next_at = at_ms + static_cast<int64_t>(Exponential(4) * kDayMs) + kDayMs / 2;
    } else {
      Join(at_ms + static_cast<int64_t>(Exponential(3) * kDayMs));
    }
    return event;
  }

  // Breaks an event the way real producers do: a truncated message, a
  // negative amount, a missing customer id.
  void Malform(GeneratedEvent& e) {
    e.malformed = true;
    switch (UniformInt(0, 2)) {
      case 0: e.json = e.json.substr(0, e.json.size() / 2); break;
      case 1: e.kind = InputKind::kPurchase; e.json = R"({"event_id":"bad-)" + std::to_string(generated) +
                   R"(","customer_id":")" + e.customer_id + R"(","ts":"2024-01-01T00:00:00Z","amount":-5})"; break;
      default: e.json = R"({"event_id":"bad-)" + std::to_string(generated) + R"(","ts":0})"; break;
    }
  }

  GeneratedEvent Next() {
    Due d = due.top();
    due.pop();
    SimCustomer& c = customers[static_cast<size_t>(d.index)];
    GeneratedEvent event;
    int64_t next_at = -1;
    switch (c.type) {
      case Archetype::kProspect:
        event = ProspectStep(c, d.at_ms, next_at);
        break;
      case Archetype::kLoyal:
        if (options.loyal_advocacy_share > 0 && Uniform() < options.loyal_advocacy_share) {
          // A happy customer tells others: a good review or a referral.
          event = Uniform() < 0.5 ? Interaction(c, d.at_ms, "review", UniformInt(4, 5))
                                  : Interaction(c, d.at_ms, "referral", 0);
        } else {
          event = Uniform() < 0.9 ? Purchase(c, d.at_ms, 60) : Service(c, d.at_ms, UniformInt(4, 5));
        }
        next_at = d.at_ms + static_cast<int64_t>(Exponential(c.gap_days) * kDayMs) + kDayMs / 2;
        break;
      case Archetype::kHousehold:
        event = Uniform() < 0.95 ? Purchase(c, d.at_ms, 160) : Service(c, d.at_ms, UniformInt(4, 5));
        next_at = d.at_ms + static_cast<int64_t>(c.gap_days * (0.8 + 0.4 * Uniform()) * kDayMs);
        break;
      case Archetype::kOccasional:
        event = Uniform() < 0.85 ? Purchase(c, d.at_ms, 35) : Service(c, d.at_ms, UniformInt(3, 5));
        next_at = d.at_ms + static_cast<int64_t>(Exponential(c.gap_days) * kDayMs) + kDayMs;
        break;
      case Archetype::kDrifting:
        if (c.purchases < c.drift_after) {
          event = Purchase(c, d.at_ms, 80);
          next_at = d.at_ms + static_cast<int64_t>(c.gap_days * (0.7 + 0.6 * Uniform()) * kDayMs);
        } else {
          // Drifting: one more hesitant purchase, a poor service contact, a
          // complaint long after the last purchase, then silence.
          switch (c.drift_step++) {
            case 0: event = Purchase(c, d.at_ms, 50); break;
            case 1: event = Service(c, d.at_ms, UniformInt(1, 2)); break;
            default: event = Complaint(c, d.at_ms, UniformInt(3, 5)); break;
          }
          if (c.drift_step < 3) {
            next_at = d.at_ms + static_cast<int64_t>(c.gap_days * (1.5 + c.drift_step) * kDayMs);
          } else {
            Join(d.at_ms + static_cast<int64_t>(Exponential(3) * kDayMs));  // a newcomer
          }
        }
        break;
    }
    if (next_at >= 0) due.push({next_at, c.index});
    if (Uniform() < options.malformed_share) Malform(event);
    ++generated;
    return event;
  }
};

TrafficGenerator::TrafficGenerator(const GeneratorOptions& options) : impl_(std::make_unique<Impl>()) {
  impl_->options = options;
  impl_->rng.seed(options.seed);
  // Customers join over the first 30 days so the stream starts smoothly.
  for (int64_t i = 0; i < options.customers; ++i) {
    impl_->Join(options.start_epoch_ms +
                static_cast<int64_t>(impl_->Uniform() * 30.0 * static_cast<double>(kDayMs)));
  }
}

TrafficGenerator::~TrafficGenerator() = default;

GeneratedEvent TrafficGenerator::Next() { return impl_->Next(); }

}  // namespace crm::pipeline
