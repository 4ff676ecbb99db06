#include "operators/segment_chain.h"

#include <algorithm>
#include <set>

namespace crm::operators {

SegmentChain BuildSegmentChain(const SegmentFlows& flows, const MarkovConfig& config,
                               const std::vector<std::string>& order) {
  SegmentChain chain;
  std::set<std::string> seen;
  for (const auto& [name, n] : flows.sizes) seen.insert(name);
  for (const auto& [pair, n] : flows.transitions) {
    seen.insert(pair.first);
    seen.insert(pair.second);
  }
  for (const auto& [name, amount] : flows.spend) seen.insert(name);
  seen.erase("");
  for (const std::string& name : order) {
    if (seen.erase(name) > 0) chain.states.push_back(name);
  }
  chain.states.insert(chain.states.end(), seen.begin(), seen.end());

  const size_t n = chain.states.size();
  auto index = [&chain](const std::string& name) {
    return static_cast<size_t>(std::find(chain.states.begin(), chain.states.end(), name) - chain.states.begin());
  };
  chain.sizes.assign(n, 0);
  for (const auto& [name, count] : flows.sizes) chain.sizes[index(name)] = count;
  chain.counts.assign(n, std::vector<int64_t>(n, 0));
  chain.left.assign(n, 0);
  chain.joined.assign(n, 0);
  for (const auto& [pair, count] : flows.transitions) {
    if (pair.first.empty()) {
      chain.joined[index(pair.second)] += count;
    } else if (pair.second.empty()) {
      chain.left[index(pair.first)] += count;
    } else {
      chain.counts[index(pair.first)][index(pair.second)] += count;
    }
  }
  chain.transition = RowStochastic(chain.counts);
  chain.customer_periods.assign(n, 0);
  chain.observed.assign(n, false);
  chain.spend_per_period.assign(n, 0);
  chain.reward.assign(n, 0);
  Matrix kept = chain.transition;
  for (size_t i = 0; i < n; ++i) {
    int64_t stayed = 0;
    for (int64_t c : chain.counts[i]) stayed += std::max<int64_t>(c, 0);
    chain.observed[i] = stayed > 0;
    chain.customer_periods[i] = stayed + std::max<int64_t>(chain.left[i], 0);
    if (chain.customer_periods[i] > 0) {
      auto spent = flows.spend.find(chain.states[i]);
      if (spent != flows.spend.end()) {
        chain.spend_per_period[i] = spent->second / static_cast<double>(chain.customer_periods[i]);
      }
      const double share_stayed = static_cast<double>(stayed) / static_cast<double>(chain.customer_periods[i]);
      for (double& p : kept[i]) p *= share_stayed;
    }
    chain.reward[i] = config.margin * chain.spend_per_period[i];
  }
  std::vector<double> start(chain.sizes.begin(), chain.sizes.end());
  chain.steady = SteadyStateFrom(chain.transition, start);
  Result<std::vector<double>> value = DiscountedValue(kept, chain.reward, config.discount_rate);
  if (value.ok()) chain.value = std::move(value).value();
  return chain;
}

}  // namespace crm::operators
