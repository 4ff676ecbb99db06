#include "pipeline/state/journey_codec.h"

#include <cstdint>

namespace crm::pipeline {
namespace {

using operators::JourneyState;

enum Bit : uint32_t {
  kFirstInteraction,
  kInteractions,
  kReferrals,
  kGoodReviews,
  kLastAdvocacy,
  kRung,
  kBitCount,
};

constexpr uint64_t Mask(Bit b) { return uint64_t{1} << b; }
constexpr uint64_t kKnownBits = (uint64_t{1} << kBitCount) - 1;

uint64_t Presence(const JourneyState& j) {
  uint64_t presence = 0;
  auto set_if = [&presence](bool cond, Bit b) { presence |= cond ? Mask(b) : 0; };
  set_if(j.first_interaction.epoch_ms != 0, kFirstInteraction);
  set_if(j.interactions != 0, kInteractions);
  set_if(j.referrals != 0, kReferrals);
  set_if(j.good_reviews != 0, kGoodReviews);
  set_if(j.last_advocacy.epoch_ms != 0, kLastAdvocacy);
  set_if(j.rung != operators::Rung::kNone, kRung);
  return presence;
}

}  // namespace

bool JourneyIsDefault(const JourneyState& journey) { return Presence(journey) == 0; }

void EncodeJourney(const JourneyState& j, ByteWriter& w) {
  const uint64_t presence = Presence(j);
  w.Varint(presence);
  if (presence & Mask(kFirstInteraction)) w.Signed(j.first_interaction.epoch_ms);
  if (presence & Mask(kInteractions)) w.Signed(j.interactions);
  if (presence & Mask(kReferrals)) w.Signed(j.referrals);
  if (presence & Mask(kGoodReviews)) w.Signed(j.good_reviews);
  if (presence & Mask(kLastAdvocacy)) w.Signed(j.last_advocacy.epoch_ms);
  if (presence & Mask(kRung)) w.Varint(static_cast<uint64_t>(j.rung));
}

bool DecodeJourney(ByteReader& r, JourneyState& j) {
  uint64_t presence;
  if (!r.Varint(presence) || presence == 0 || (presence & ~kKnownBits) != 0) return false;
  auto has = [presence](Bit b) { return (presence & Mask(b)) != 0; };
  // Reads a present value; a present field is never its default 0.
  auto read = [&](Bit b, int64_t& v) { return !has(b) || (r.Signed(v) && v != 0); };
  if (!read(kFirstInteraction, j.first_interaction.epoch_ms)) return false;
  if (!read(kInteractions, j.interactions)) return false;
  if (!read(kReferrals, j.referrals)) return false;
  if (!read(kGoodReviews, j.good_reviews)) return false;
  if (!read(kLastAdvocacy, j.last_advocacy.epoch_ms)) return false;
  if (has(kRung)) {
    uint64_t rung;
    if (!r.Varint(rung) || rung == 0 || rung > operators::kHighestRung) return false;
    j.rung = static_cast<operators::Rung>(rung);
  }
  return true;
}

}  // namespace crm::pipeline
