"""`crmstream demo` reports crmstream_up 1 while its pipeline runs (so
CrmstreamDown stays quiet for it), and its /metrics passes promtool.

usage: demo_up_test.py CRMSTREAM_BINARY
"""

import os
import sys
import tempfile

import obs_support as obs


def main():
    binary = sys.argv[1]
    with tempfile.TemporaryDirectory(prefix="crm-obs-demo-") as tmp:
        port = obs.free_port()
        # A bounded run: the simulated history then starts within the
        # event-time bounds (with --duration 0 it starts an hour of
        # simulation back, before 1990, and every event is dead-lettered).
        # The test stops it as soon as it has seen what it needs.
        demo = obs.Child([binary, "demo", "--duration", "120", "--http-port", str(port), "--customers", "200",
                          "--speed", "5"], os.path.join(tmp, "demo.log"))
        try:
            def running():
                obs.check(demo.alive(), f"demo exited:\n{demo.log_tail()}")
                text = obs.http_get(f"http://127.0.0.1:{port}/metrics")
                if not text:
                    return None
                s = obs.parse_metrics(text)
                consumed = sum(v for (name, labels), v in s.items()
                               if name == "crmstream_events_consumed_total" and ("result", "ok") in labels)
                return (text, s) if consumed > 0 else None
            text, samples = obs.poll(running, 45, "the demo to process events")
            obs.check(obs.sample(samples, "crmstream_up") == 1,
                      f"crmstream_up is {obs.sample(samples, 'crmstream_up')} while the demo processes events")
            obs.promtool_check_metrics(text)
            obs.check(demo.stop() == 0, f"demo did not stop cleanly:\n{demo.log_tail()}")
        finally:
            demo.stop()


if __name__ == "__main__":
    obs.run_test(main)
