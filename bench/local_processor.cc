#include "bench/local_processor.h"

#include <utility>

namespace crm::bench {

Result<std::unique_ptr<LocalProcessor>> LocalProcessor::Open(const config::Config& config) {
  std::unique_ptr<LocalProcessor> local(new LocalProcessor());
  ASSIGN_OR_RETURN(local->store_, pipeline::StateStore::Open({config.state.dir, config::StoreBudgetBytes(config.state), false}));
  local->processor_ =
      std::make_unique<pipeline::RecordProcessor>(config, *local->store_, local->sink_, local->metrics_, local->clock_);
  RETURN_IF_ERROR(local->processor_->Start());
  return local;
}

}  // namespace crm::bench
