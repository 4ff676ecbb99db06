#include "tests/integration/chaos_runner.h"

#include <signal.h>

#include <random>
#include <thread>

#include "tests/integration/harness.h"

namespace crm::testing {

ChaosResult RunChaos(const ChaosOptions& options) {
  ChaosResult result;
  BrokerProcess broker(options.partitions);
  const auto log = GeneratedLog(options.events, options.customers, options.seed);
  result.events = log.size();
  ProduceAll(broker.bootstrap(), log);

  // Changelogs with as many partitions as the inputs (the embedded broker
  // auto-creates topics with its own default count).
  for (const char* changelog : {"changelog-reference", "changelog-killed"}) {
    if (!broker.Command("topic " + std::string(changelog) + " " + std::to_string(options.partitions))) {
      return result.failure = "the broker did not create the changelog topics", result;
    }
  }
  TempDir reference_dir, chaos_dir;
  const std::string reference = WriteRunConfig(reference_dir, broker.bootstrap(), "chaos-reference", "reference");
  const std::string chaos = WriteRunConfig(chaos_dir, broker.bootstrap(), "chaos-killed", "killed");
  // The uninterrupted run, timed from its partition assignment to its exit,
  // so that the kills below can land inside the processing.
  {
    ChildProcess service({CrmstreamBinary(), "run", "--config", reference, "--stop-at-end"}, options.env, true);
    if (!service.WaitForLine("assigned", std::chrono::seconds(60))) return result.failure = "reference run got no partitions", result;
    const auto assigned = std::chrono::steady_clock::now();
    const auto code = service.Wait(std::chrono::seconds(600));
    if (code != 0) {
      const std::string output = service.ReadAll();
      const size_t tail = output.size() > 2000 ? output.size() - 2000 : 0;
      return result.failure = "reference run failed (exit " + (code ? std::to_string(*code) : "timeout") +
                              "): " + output.substr(tail), result;
    }
    result.processing_ms =
        std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - assigned).count();
  }

  // Kill instants spread over the first 1/(kills + 2) of the processing time
  // after each restart: every run makes some progress, and all the kills
  // together take on average under half the log, so they do not run out of
  // log on a machine whose speed varies between the reference run and the
  // killed ones (with a sixth each, ten kills took 83 % on average and a
  // loaded machine finished the log after eight).
  std::mt19937 rng(static_cast<uint32_t>(options.seed * 7919 + 20261124));
  std::uniform_int_distribution<int64_t> delay_ms(
      0, std::max<int64_t>(result.processing_ms / (options.kills + 2), 1));
  bool finished = false, terminated = false;
  while (!finished && result.runs < options.kills * 4 + 10) {
    ++result.runs;
    ChildProcess service({CrmstreamBinary(), "run", "--config", chaos, "--stop-at-end"}, options.env, true);
    if (!service.WaitForLine("assigned", std::chrono::seconds(60))) {
      return result.failure = "no partitions in run " + std::to_string(result.runs), result;
    }
    if (result.kills < options.kills) {
      // The chaos itself: a random instant after the partitions are assigned.
      std::this_thread::sleep_for(std::chrono::milliseconds(delay_ms(rng)));
      service.Signal(SIGKILL);
      const auto code = service.Wait(std::chrono::seconds(30));
      if (!code) return result.failure = "a killed service did not exit", result;
      if (*code == 128 + SIGKILL) {
        ++result.kills;
      } else if (*code == 0) {
        finished = true;  // it had already finished: the kill came too late
      } else {
        return result.failure = "run " + std::to_string(result.runs) + " exited with " + std::to_string(*code), result;
      }
    } else if (!terminated) {
      // A graceful stop in the middle: finish the commit, exit 0, promptly.
      std::this_thread::sleep_for(std::chrono::milliseconds(delay_ms(rng)));
      service.Signal(SIGTERM);
      result.sigterm_clean = service.Wait(std::chrono::seconds(15)) == 0;
      terminated = true;
    } else {
      if (service.Wait(std::chrono::seconds(600)) != 0) return result.failure = "the last run failed", result;
      finished = true;
    }
  }
  if (!finished) return result.failure = "the log was never consumed", result;

  result.state_equal = DumpState(chaos) == DumpState(reference);
  if (!result.state_equal) result.differences += "state differs from the uninterrupted run; ";
  result.outputs_equal = true;
  for (const std::string kind : {"alerts-", "segments-", "dead-"}) {
    const PublishedRecords expected = CollectPublished(broker.bootstrap(), kind + "reference");
    const PublishedRecords got = CollectPublished(broker.bootstrap(), kind + "killed");
    result.reference_repeats += expected.total - expected.distinct.size();
    if (got.distinct != expected.distinct) {
      result.outputs_equal = false;
      result.differences += kind + ": " + std::to_string(got.distinct.size()) + " distinct records vs " +
                            std::to_string(expected.distinct.size()) + "; ";
    }
    result.copies += got.total - got.distinct.size();
    result.verified += expected.distinct.size();
  }
  return result;
}

}  // namespace crm::testing
