#include "pipeline/state/reward_card_codec.h"

#include <cmath>
#include <cstring>
#include <limits>

namespace crm::pipeline {
namespace {

enum Flag : uint64_t {
  kEnrolled = 1,
  kThresholdReached = 2,
  kProgrammeYear = 4,
  kAccumulated = 8,
  kVoucherYear = 16,
};
constexpr uint64_t kKnownFlags = 31;

bool FitsInt32(int64_t v) {
  return v >= std::numeric_limits<int32_t>::min() && v <= std::numeric_limits<int32_t>::max();
}

}  // namespace

void EncodeRewardCard(const operators::RewardCard& card, ByteWriter& w) {
  uint64_t accumulated_bits;
  std::memcpy(&accumulated_bits, &card.accumulated, sizeof accumulated_bits);
  uint64_t flags = 0;
  if (card.enrolled) flags |= kEnrolled;
  if (card.threshold_reached) flags |= kThresholdReached;
  if (card.programme_year != 0) flags |= kProgrammeYear;
  if (accumulated_bits != 0) flags |= kAccumulated;
  if (card.voucher_year != 0) flags |= kVoucherYear;
  w.Varint(flags);
  if (flags & kProgrammeYear) w.Signed(card.programme_year);
  if (flags & kAccumulated) w.Fixed64(accumulated_bits);
  // Usually 0 or 1 year back: one byte.
  if (flags & kVoucherYear) w.Signed(int64_t{card.programme_year} - card.voucher_year);
}

bool DecodeRewardCard(ByteReader& r, operators::RewardCard& card) {
  uint64_t flags;
  if (!r.Varint(flags) || flags == 0 || (flags & ~kKnownFlags) != 0) return false;
  card.enrolled = (flags & kEnrolled) != 0;
  card.threshold_reached = (flags & kThresholdReached) != 0;
  if (flags & kProgrammeYear) {
    if (!r.Int32(card.programme_year) || card.programme_year == 0) return false;
  }
  if (flags & kAccumulated) {
    uint64_t bits;
    if (!r.Fixed64(bits) || bits == 0) return false;
    std::memcpy(&card.accumulated, &bits, sizeof bits);
    // NaN would make the decoded card unequal to itself (the fuzz target's invariant).
    if (!std::isfinite(card.accumulated)) return false;
  }
  if (flags & kVoucherYear) {
    int64_t back;
    if (!r.Signed(back)) return false;
    const int64_t voucher_year = int64_t{card.programme_year} - back;
    if (!FitsInt32(voucher_year) || voucher_year == 0) return false;
    card.voucher_year = static_cast<int32_t>(voucher_year);
  }
  return true;
}

}  // namespace crm::pipeline
