"""A running `crmstream run` exports every series the alert rules and the
dashboard read from start-up, at 0, in a format promtool accepts; labelled
series that traffic touches are the ones that were there from the start.

usage: live_metrics_test.py CRMSTREAM_BINARY
"""

import os
import subprocess
import sys
import tempfile
import time

import obs_support as obs

REASONS = ["too_large", "invalid_json", "missing_field", "wrong_type", "out_of_range", "key_mismatch",
           "past_event", "future_event"]
INPUTS = ["crm.purchases", "crm.complaints", "crm.service", "crm.interactions"]
# (metric, labels) that must exist at 0 before anything happened.
ZERO_AT_START = ([("crmstream_commits_total", {"result": r}) for r in ("failed", "fenced")] +
                 [("crmstream_model_params_loads_total", {"result": "rejected"}),
                  ("crmstream_rebalances_total", {"event": "lost"}),
                  ("crmstream_aborted_transactions_total", {}),
                  ("crmstream_conversions_total", {})] +
                 [("crmstream_deadletter_total", {"reason": r}) for r in REASONS] +
                 [("crmstream_churn_alerts_total", {"priority": p}) for p in ("low", "medium", "high")] +
                 [("crmstream_events_consumed_total", {"topic": t, "result": r})
                  for t in INPUTS for r in ("deadletter", "duplicate")])


def scrape(port):
    return obs.http_get(f"http://127.0.0.1:{port}/metrics")


def main():
    binary = sys.argv[1]
    with tempfile.TemporaryDirectory(prefix="crm-obs-live-") as tmp:
        broker, bootstrap = obs.start_broker(binary, tmp)
        port = obs.free_port()
        config = obs.write_service_config(tmp, bootstrap, port)
        service = obs.Child([binary, "run", "--config", config], os.path.join(tmp, "service.log"))
        started_s = time.time()
        try:
            def up():
                text = scrape(port)
                check_alive(service)
                return text if text and obs.sample(obs.parse_metrics(text), "crmstream_up") == 1 else None
            text = obs.poll(up, 30, "crmstream_up 1 on /metrics")
            obs.promtool_check_metrics(text)
            samples = obs.parse_metrics(text)
            for name, labels in ZERO_AT_START:
                obs.check(obs.sample(samples, name, **labels) == 0, f"{name}{labels} is not 0 at start-up")
            info = [labels for (name, labels) in samples if name == "crmstream_build_info"]
            obs.check(len(info) == 1 and dict(info[0]).get("version"), f"one crmstream_build_info: {info}")
            obs.check(samples[("crmstream_build_info", info[0])] == 1, "crmstream_build_info is 1")
            start = obs.sample(samples, "crmstream_start_time_seconds")
            obs.check(start is not None and abs(start - started_s) < 60, f"start time {start} vs {started_s}")

            now_s = int(time.time())
            for topic, records in obs.input_events(40, now_s, batch=0).items():
                obs.kcat_produce(bootstrap, topic, records)

            def processed():
                text = scrape(port)
                check_alive(service)
                if not text:
                    return None
                s = obs.parse_metrics(text)
                done = (obs.sample(s, "crmstream_deadletter_total", reason="invalid_json") == 1 and
                        obs.sample(s, "crmstream_deadletter_total", reason="key_mismatch") == 1 and
                        (obs.sample(s, "crmstream_events_consumed_total", topic="crm.service", result="ok") or 0) > 0 and
                        (obs.sample(s, "crmstream_commits_total", result="ok") or 0) > 0)
                return text if done else None
            text = obs.poll(processed, 45, "the inputs to be processed and committed")
            obs.promtool_check_metrics(text)
            samples = obs.parse_metrics(text)
            obs.check((obs.sample(samples, "crmstream_rebalances_total", event="assigned") or 0) >= 1,
                      "an assignment was counted")
            reasons = {dict(labels)["reason"] for (name, labels) in samples if name == "crmstream_deadletter_total"}
            obs.check(reasons == set(REASONS), f"dead-letter reasons {sorted(reasons)} are not the start-up set")
            code = service.stop()
            obs.check(code == 0, f"service did not stop cleanly (exit {code}):\n{service.log_tail()}")
        finally:
            service.stop()
            broker.stop()


def check_alive(child):
    obs.check(child.alive(), f"{child.argv[1]} exited:\n{child.log_tail()}")


if __name__ == "__main__":
    obs.run_test(main)
