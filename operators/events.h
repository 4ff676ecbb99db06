// operators/events.h
//
// Typed input events, as the pipeline's decoder produces them from the input
// contract (DESIGN.md "Input contract"). Values only; validation happened in
// the decoder, so operators may rely on the documented ranges.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <variant>

#include "operators/time.h"

namespace crm::operators {

struct Purchase {
  double amount = 0;  // >= 0, in the event's currency
  int32_t quantity = 1;  // >= 1
  std::string currency;
  std::string channel;
  std::string order_id;
};

enum class ComplaintStatus { kOpened, kResolved };

struct Complaint {
  std::string complaint_id;
  ComplaintStatus status = ComplaintStatus::kOpened;
  int32_t severity = 3;  // 1..5
  std::string category;
};

struct ServiceInteraction {
  std::string channel;         // call, chat, email, store, ...
  std::optional<int32_t> rating;  // CSAT 1..5
  bool resolved = false;
  double wait_seconds = 0;
};

// Engagement before and beside purchases (crm.interactions, docs/journey.md).
enum class InteractionKind { kInquiry, kVisit, kQuote, kReferral, kReview };

struct Interaction {
  InteractionKind kind = InteractionKind::kInquiry;
  std::optional<int32_t> rating;  // 1..5; always present for a review
  std::string channel;
};

// What a call center or marketing system did for a churn alert
// (crm.actions, docs/outcomes.md).
struct AlertAction {
  std::string alert_id;  // CloudEvents id of the alert, 1..256 bytes
  std::string action;    // one of kAlertActionNames
};

// The actions crm.actions accepts; "none" reports that nothing was done.
inline constexpr const char* kAlertActionNames[] = {"call", "email", "sms", "offer", "visit", "none"};

// Where an event came from: the runtime fills it in; operators use it only
// to name the cause of an output and to derive deterministic output ids.
struct EventOrigin {
  std::string topic;
  int32_t partition = 0;
  int64_t offset = 0;
};

// The origin of outputs a timer causes: topic "timer", the partition, and
// the timer's due time (epoch ms) as offset.
inline constexpr const char* kTimerOriginTopic = "timer";

struct Event {
  std::string event_id;
  std::string customer_id;  // 1..64 chars
  EventTime ts;
  std::variant<Purchase, Complaint, ServiceInteraction, Interaction, AlertAction> body;
  EventOrigin origin;
};

}  // namespace crm::operators
