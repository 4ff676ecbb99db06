#include "pipeline/changelog/restore_wait.h"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <thread>

namespace crm::pipeline {

bool IsTransientKafkaError(rd_kafka_resp_err_t err) {
  switch (err) {
    case RD_KAFKA_RESP_ERR__TRANSPORT:
    case RD_KAFKA_RESP_ERR__ALL_BROKERS_DOWN:
    case RD_KAFKA_RESP_ERR__TIMED_OUT:
    case RD_KAFKA_RESP_ERR__TIMED_OUT_QUEUE:
    case RD_KAFKA_RESP_ERR__RESOLVE:
    case RD_KAFKA_RESP_ERR__WAIT_COORD:
    case RD_KAFKA_RESP_ERR__NODE_UPDATE:
    case RD_KAFKA_RESP_ERR_REQUEST_TIMED_OUT:
    case RD_KAFKA_RESP_ERR_LEADER_NOT_AVAILABLE:
    case RD_KAFKA_RESP_ERR_NOT_LEADER_FOR_PARTITION:
    case RD_KAFKA_RESP_ERR_BROKER_NOT_AVAILABLE:
    case RD_KAFKA_RESP_ERR_REPLICA_NOT_AVAILABLE:
    case RD_KAFKA_RESP_ERR_NETWORK_EXCEPTION:
    case RD_KAFKA_RESP_ERR_COORDINATOR_LOAD_IN_PROGRESS:
    case RD_KAFKA_RESP_ERR_COORDINATOR_NOT_AVAILABLE:
    case RD_KAFKA_RESP_ERR_NOT_COORDINATOR:
    case RD_KAFKA_RESP_ERR_KAFKA_STORAGE_ERROR:
    case RD_KAFKA_RESP_ERR_FENCED_LEADER_EPOCH:
    case RD_KAFKA_RESP_ERR_UNKNOWN_LEADER_EPOCH:
    case RD_KAFKA_RESP_ERR_OFFSET_NOT_AVAILABLE:
    case RD_KAFKA_RESP_ERR_NOT_ENOUGH_REPLICAS:
      return true;
    default:
      return false;
  }
}

bool BrokerWait::Wait(const Status& why) {
  const auto until = clock_.Steady() + delay_;
  Note(why);
  for (;;) {
    if (Interrupted()) return false;
    const auto left = until - clock_.Steady();
    if (left <= Clock::SteadyTime::duration::zero()) return true;
    std::this_thread::sleep_for(std::min<Clock::SteadyTime::duration>(left, kRestoreCheckEvery));
  }
}

void BrokerWait::Answered() {
  if (since_) {
    const double waited = std::chrono::duration<double>(clock_.Steady() - *since_).count();
    result_.unavailable_seconds += waited;
    spdlog::info("changelog reachable again after {:.1f} s", waited);
  }
  since_.reset();
  next_report_.reset();
  delay_ = options_.first_backoff;
}

void BrokerWait::Note(const Status& why) {
  const auto now = clock_.Steady();
  if (!since_) since_ = now;
  ++result_.unavailable_waits;
  if (options_.on_unavailable) {
    options_.on_unavailable(why, result_.unavailable_waits,
                            std::chrono::duration_cast<std::chrono::milliseconds>(now - *since_));
  }
  delay_ = std::min(delay_ * 2, options_.max_backoff);
}

}  // namespace crm::pipeline
