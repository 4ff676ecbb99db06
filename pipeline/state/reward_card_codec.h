// pipeline/state/reward_card_codec.h
//
// The reward card's fields in the customer state encoding (state_codec.h):
// written last, when the presence bit kRewardCard says the card differs from
// its default, so states written before the programme existed decode
// unchanged (with an empty card). Layout: varint flags (enrolled, threshold
// reached, and which of the following are present), zigzag programme year,
// 8-byte accumulated amount, zigzag (programme year - voucher year).
// Canonical like the rest: absent means default, present means not
// default. Stateless functions.
#pragma once

#include "operators/reward_card.h"
#include "pipeline/state/byte_codec.h"

namespace crm::pipeline {

// Appends the card's fields; `card` must not be the default.
void EncodeRewardCard(const operators::RewardCard& card, ByteWriter& w);

// Reads the card's fields; false on malformed or non-canonical bytes.
bool DecodeRewardCard(ByteReader& r, operators::RewardCard& card);

}  // namespace crm::pipeline
