#include "operators/engagement.h"

#include <algorithm>
#include <array>
#include <utility>

#include "operators/satisfaction.h"

namespace crm::operators {
namespace {

constexpr std::array<std::pair<InteractionKind, const char*>, 5> kKindNames = {{
    {InteractionKind::kInquiry, "inquiry"},
    {InteractionKind::kVisit, "visit"},
    {InteractionKind::kQuote, "quote"},
    {InteractionKind::kReferral, "referral"},
    {InteractionKind::kReview, "review"},
}};

}  // namespace

const char* InteractionKindName(InteractionKind kind) {
  for (const auto& [k, name] : kKindNames) {
    if (k == kind) return name;
  }
  return "inquiry";
}

std::optional<InteractionKind> InteractionKindFromName(std::string_view name) {
  for (const auto& [k, known] : kKindNames) {
    if (name == known) return k;
  }
  return std::nullopt;
}

bool IsProspect(const CustomerState& state) { return state.purchase_count == 0 && state.journey.interactions > 0; }

void ApplyInteraction(const ModelConfig& config, const Interaction& interaction, EventTime at, CustomerState& state) {
  JourneyState& journey = state.journey;
  if (journey.interactions == 0 || at < journey.first_interaction) journey.first_interaction = at;
  ++journey.interactions;
  bool advocacy = false;
  if (interaction.kind == InteractionKind::kReferral) {
    ++journey.referrals;
    advocacy = true;
  } else if (interaction.kind == InteractionKind::kReview && interaction.rating) {
    RecordSatisfactionSignal(config.satisfaction, CsatToSignal(*interaction.rating), at, state);
    if (*interaction.rating >= config.ladder.good_review_rating) {
      ++journey.good_reviews;
      advocacy = true;
    }
  }
  if (advocacy) journey.last_advocacy = std::max(journey.last_advocacy, at);
}

std::optional<Conversion> ConversionBy(const CustomerState& state, EventTime purchase_at) {
  if (!IsProspect(state)) return std::nullopt;
  const Duration waited = purchase_at - state.journey.first_interaction;
  return Conversion{state.journey.first_interaction, std::max(waited, Duration{})};
}

}  // namespace crm::operators
