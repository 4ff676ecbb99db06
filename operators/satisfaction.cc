#include "operators/satisfaction.h"

#include <algorithm>
#include <cmath>

namespace crm::operators {
namespace {

bool HasSignals(const CustomerState& state) { return state.satisfaction_weight > 0; }

double PenaltyFor(const SatisfactionConfig& config, int severity) {
  const int index = std::clamp(severity, 1, 5) - 1;
  return static_cast<size_t>(index) < config.complaint_penalty.size()
             ? config.complaint_penalty[static_cast<size_t>(index)]
             : 100.0;
}

}  // namespace

double CsatToSignal(int rating) { return (std::clamp(rating, 1, 5) - 1) * 25.0; }

void RecordSatisfactionSignal(const SatisfactionConfig& config, double signal, EventTime at,
                              CustomerState& state) {
  signal = std::clamp(signal, 0.0, 100.0);
  if (!HasSignals(state)) {
    state.satisfaction = config.prior;
    state.satisfaction_weight = config.prior_weight;
    state.satisfaction_at = at;
  }
  // Decay what is known towards nothing as time passes; a late signal (older
  // than the last one) is taken at full weight rather than rewinding time.
  if (at > state.satisfaction_at && config.half_life.ms > 0) {
    const double halves = static_cast<double>((at - state.satisfaction_at).ms) /
                          static_cast<double>(config.half_life.ms);
    state.satisfaction_weight *= std::exp2(-halves);
    state.satisfaction_at = at;
  }
  state.satisfaction = (state.satisfaction * state.satisfaction_weight + signal) /
                       (state.satisfaction_weight + 1.0);
  state.satisfaction_weight += 1.0;
}

double CurrentSatisfaction(const SatisfactionConfig& config, const CustomerState& state) {
  return HasSignals(state) ? state.satisfaction : config.prior;
}

void ApplyComplaint(const SatisfactionConfig& config, const Complaint& complaint, EventTime at,
                    CustomerState& state) {
  auto open = std::find_if(state.open_complaints.begin(), state.open_complaints.end(),
                           [&](const OpenComplaint& c) { return c.complaint_id == complaint.complaint_id; });
  if (complaint.status == ComplaintStatus::kOpened) {
    const double penalty = PenaltyFor(config, complaint.severity);
    RecordSatisfactionSignal(config, 100.0 - penalty, at, state);
    if (open == state.open_complaints.end()) {
      state.open_complaints.push_back({complaint.complaint_id, complaint.severity});
      if (state.open_complaints.size() > config.max_open_complaints) {
        state.open_complaints.erase(state.open_complaints.begin());
      }
    }
    return;
  }
  if (open == state.open_complaints.end()) return;  // unknown or already resolved
  const double penalty = PenaltyFor(config, open->severity);
  state.open_complaints.erase(open);
  RecordSatisfactionSignal(config, 100.0 - penalty + config.resolution_recovery * penalty, at, state);
}

void ApplyServiceInteraction(const SatisfactionConfig& config, const ServiceInteraction& service,
                             EventTime at, CustomerState& state) {
  if (service.rating) RecordSatisfactionSignal(config, CsatToSignal(*service.rating), at, state);
}

}  // namespace crm::operators
