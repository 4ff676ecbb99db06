// The long chaos run (tests/integration/chaos_runner.h): many more SIGKILLs
// and a larger log than the CI test, then the same verification. Prints the
// kills survived, events and outputs verified and the repeated copies.
//
//   crm_bench_chaos [kills=50] [events=100000] [customers=5000] [partitions=8] [seed=1]
#include <cstdio>
#include <cstdlib>

#include "tests/integration/chaos_runner.h"

int main(int argc, char** argv) {
  crm::testing::ChaosOptions options;
  options.kills = argc > 1 ? std::atoi(argv[1]) : 50;
  options.events = argc > 2 ? std::atoll(argv[2]) : 100'000;
  options.customers = argc > 3 ? std::atoll(argv[3]) : 5'000;
  options.partitions = argc > 4 ? std::atoi(argv[4]) : 8;
  options.seed = argc > 5 ? std::strtoull(argv[5], nullptr, 10) : 1;
  options.env = {{"CRMSTREAM_RUNTIME_COMMIT_INTERVAL_MS", "20"}, {"CRMSTREAM_RUNTIME_MAX_UNCOMMITTED_EVENTS", "50"}};
  const crm::testing::ChaosResult r = crm::testing::RunChaos(options);
  if (!r.failure.empty()) {
    std::printf("ERROR: %s\n", r.failure.c_str());
    return 1;
  }
  std::printf("chaos: %d kills in %d runs; SIGTERM %s; %zu input events; %zu outputs verified; %zu repeated copies\n"
              "state %s; outputs %s%s\n",
              r.kills, r.runs, r.sigterm_clean ? "clean" : "NOT CLEAN", r.events, r.verified, r.copies,
              r.state_equal ? "byte-identical" : "DIFFERENT", r.outputs_equal ? "identical" : "DIFFERENT",
              r.differences.empty() ? "" : (" (" + r.differences + ")").c_str());
  return r.state_equal && r.outputs_equal && r.sigterm_clean ? 0 : 1;
}
