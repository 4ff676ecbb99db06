// tests/integration/chaos_runner.h
//
// The crash-safety experiment, shared by the CI test (tests/integration/
// chaos_test.cc, 10 kills) and the long runner (bench/chaos_long.cc): a
// known event log on the embedded broker (its own process), an uninterrupted
// reference run, then the service killed with SIGKILL at random instants
// after each restart (and stopped once with SIGTERM), until the log is
// consumed; finally the state dumps and the published outputs of both are
// compared. Waiting is on conditions; the only sleeps are the random kill
// instants themselves.
#pragma once

#include <cstdint>
#include <map>
#include <string>

namespace crm::testing {

struct ChaosOptions {
  int kills = 10;
  int64_t events = 40000;
  int64_t customers = 1500;
  int partitions = 4;
  uint64_t seed = 11;
  // Extra environment for the service runs (e.g. small commits).
  std::map<std::string, std::string> env;
};

struct ChaosResult {
  std::string failure;  // empty when the experiment itself ran as planned
  int kills = 0;
  int runs = 0;
  bool sigterm_clean = false;
  int64_t processing_ms = 0;  // the reference run, from assignment to exit
  bool state_equal = false;
  bool outputs_equal = false;  // every output kind: same distinct records
  size_t reference_repeats = 0;  // copies within the uninterrupted run (expected 0)
  size_t events = 0;
  size_t verified = 0;  // distinct outputs of the reference run
  size_t copies = 0;    // repeated copies after the kills
  std::string differences;  // what differed, for the report
};

ChaosResult RunChaos(const ChaosOptions& options);

}  // namespace crm::testing
