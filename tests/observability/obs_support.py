"""Helpers for the observability tests (tests/observability/README.md).

Starts crmstream's embedded broker, the service and Prometheus as child
processes on free loopback ports, produces input with kcat, scrapes
/metrics and queries Prometheus's HTTP API. Every wait polls a condition
until a deadline; nothing waits a fixed time. Standard library only.
"""

import json
import os
import re
import select
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request

POLL_PAUSE_S = 0.2  # between two looks at a condition


class TestFailure(Exception):
    pass


def fail(message):
    raise TestFailure(message)


def check(condition, message):
    if not condition:
        fail(message)


def run_test(main):
    """Runs main(), prints the outcome, exits 0 on success, 1 on failure."""
    try:
        main()
    except TestFailure as e:
        print(f"FAILED: {e}", file=sys.stderr)
        sys.exit(1)
    print("PASSED")


def tool(name):
    """The path of a tool on PATH, or a failure naming the package."""
    path = shutil.which(name)
    check(path is not None, f"{name} not found: install Debian package 'prometheus' "
                            "(bash deploy/setup.sh test does)")
    return path


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def poll(condition, deadline_s, what):
    """Calls condition() until it returns something truthy; returns that."""
    end = time.monotonic() + deadline_s
    while True:
        value = condition()
        if value:
            return value
        if time.monotonic() >= end:
            fail(f"timed out after {deadline_s} s waiting for {what}")
        time.sleep(POLL_PAUSE_S)


class Child:
    """A child process whose stderr goes to a log file (shown on failure)."""

    def __init__(self, argv, log_path, stdin=None, stdout=subprocess.DEVNULL):
        self.argv = argv
        self.log_path = log_path
        self._log = open(log_path, "wb")
        self.process = subprocess.Popen(argv, stdin=stdin, stdout=stdout, stderr=self._log)

    def read_line(self, deadline_s):
        """One line of stdout (stdout=PIPE), or None at EOF or deadline."""
        end = time.monotonic() + deadline_s
        line = b""
        fd = self.process.stdout.fileno()
        while not line.endswith(b"\n"):
            left = end - time.monotonic()
            if left <= 0 or not select.select([fd], [], [], left)[0]:
                return None
            byte = os.read(fd, 1)
            if not byte:
                return None
            line += byte
        return line.decode().rstrip("\n")

    def alive(self):
        return self.process.poll() is None

    def log_tail(self, lines=30):
        if not self._log.closed:
            self._log.flush()
        with open(self.log_path, "rb") as f:
            return "\n".join(f.read().decode(errors="replace").splitlines()[-lines:])

    def stop(self, deadline_s=30):
        """SIGTERM, then the exit code (killed after the deadline: None);
        again on a stopped child, the same exit code."""
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(deadline_s)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
                return None
        self._log.close()
        return self.process.returncode


def start_broker(binary, tmp, partitions=2):
    """`crmstream broker` on a free port; returns (child, bootstrap servers)."""
    broker = Child([binary, "broker", "--port", "0", "--partitions", str(partitions)],
                   os.path.join(tmp, "broker.log"), stdin=subprocess.PIPE, stdout=subprocess.PIPE)
    line = broker.read_line(30)
    prefix = "bootstrap.servers="
    check(line is not None and line.startswith(prefix), f"broker did not print its address: {line!r}")
    return broker, line[len(prefix):]


def write_service_config(tmp, bootstrap, http_port, extra=""):
    path = os.path.join(tmp, "crmstream.toml")
    with open(path, "w") as f:
        f.write(f'[kafka]\n"bootstrap.servers" = "{bootstrap}"\n"session.timeout.ms" = "6000"\n\n'
                f'[state]\ndir = "{tmp}/state"\nmemory_budget_bytes = 33554432\n\n'
                f'[http]\nport = {http_port}\n\n'
                f'[runtime]\ncommit_interval_ms = 200\n{extra}')
    return path


def http_get(url, timeout_s=2):
    """The body of a 200 answer, or None (not listening yet, other status)."""
    try:
        with urllib.request.urlopen(url, timeout=timeout_s) as response:
            return response.read().decode() if response.status == 200 else None
    except (urllib.error.URLError, ConnectionError, socket.timeout):
        return None


_SAMPLE = re.compile(r'^([a-zA-Z_:][a-zA-Z0-9_:]*)(\{(.*)\})?\s+(\S+)')
_LABEL = re.compile(r'([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"')


def parse_metrics(text):
    """Prometheus text format -> {(name, frozenset of (label, value)): value}."""
    samples = {}
    for line in text.splitlines():
        if not line or line.startswith("#"):
            continue
        m = _SAMPLE.match(line)
        if m:
            labels = frozenset(_LABEL.findall(m.group(3) or ""))
            samples[(m.group(1), labels)] = float(m.group(4))
    return samples


def sample(samples, name, **labels):
    """The value of the series `name` with exactly `labels`, or None."""
    return samples.get((name, frozenset(labels.items())))


def promtool_check_metrics(text):
    """Runs `promtool check metrics` on a scrape; fails with its findings."""
    result = subprocess.run([tool("promtool"), "check", "metrics"], input=text.encode(),
                            capture_output=True, timeout=60)
    out = (result.stdout + result.stderr).decode()
    check(result.returncode == 0 and not out.strip(), f"promtool check metrics: exit {result.returncode}\n{out}")


def kcat_produce(bootstrap, topic, records):
    """Produces (key, value) pairs, one per line, and waits for their acks."""
    payload = "".join(f"{key}\t{value}\n" for key, value in records)
    result = subprocess.run([shutil.which("kcat") or "kcat", "-P", "-b", bootstrap, "-t", topic, "-K", "\t"],
                            input=payload.encode(), capture_output=True, timeout=60)
    check(result.returncode == 0, f"kcat -P {topic}: {result.stderr.decode()}")


def rfc3339(epoch_s):
    return time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(epoch_s))


def input_events(customers, now_s, batch):
    """Input-contract events for `customers` customers over the past months,
    plus records that are dead-lettered (invalid JSON, a key that is not the
    customer). {topic: [(key, value)]}; `batch` keeps event ids apart."""
    day = 86400
    out = {"crm.purchases": [], "crm.complaints": [], "crm.service": []}
    for c in range(customers):
        cid = f"c{c:05d}"
        for n in range(3):
            ts = now_s - (200 - 60 * n - batch - c % 7) * day
            out["crm.purchases"].append((cid, json.dumps(
                {"event_id": f"{cid}-b{batch}-p{n}", "customer_id": cid, "ts": rfc3339(ts),
                 "amount": 20.0 + 35 * ((c + n) % 9), "currency": "EUR"})))
        if c % 4 == 0:
            out["crm.complaints"].append((cid, json.dumps(
                {"event_id": f"{cid}-b{batch}-k1", "customer_id": cid, "ts": rfc3339(now_s - (30 - batch) * day),
                 "complaint_id": f"K-{cid}-{batch}", "status": "opened", "severity": 3})))
        if c % 3 == 0:
            out["crm.service"].append((cid, json.dumps(
                {"event_id": f"{cid}-b{batch}-s1", "customer_id": cid, "ts": rfc3339(now_s - (20 - batch) * day),
                 "channel": "call", "rating": 1 + c % 5, "resolved": True})))
    out["crm.purchases"].append(("c00001", "not json"))
    out["crm.purchases"].append(("someone-else", json.dumps(
        {"event_id": f"x-b{batch}", "customer_id": "c00002", "ts": rfc3339(now_s - day), "amount": 5.0,
         "currency": "EUR"})))
    return out


class Prometheus:
    """The Prometheus server (Debian package) scraping `target` every second,
    with `rule_files` loaded, its data in `tmp`."""

    def __init__(self, tmp, target, rule_files=()):
        self.port = free_port()
        config = os.path.join(tmp, "prometheus.yml")
        with open(config, "w") as f:
            f.write("global:\n  scrape_interval: 1s\n  evaluation_interval: 1s\n")
            if rule_files:
                f.write("rule_files:\n" + "".join(f"  - {path}\n" for path in rule_files))
            f.write(f"scrape_configs:\n  - job_name: crmstream\n    static_configs:\n"
                    f"      - targets: ['{target}']\n")
        self.child = Child([tool("prometheus"), f"--config.file={config}",
                            f"--storage.tsdb.path={os.path.join(tmp, 'tsdb')}",
                            f"--web.listen-address=127.0.0.1:{self.port}", "--log.level=warn"],
                           os.path.join(tmp, "prometheus.log"))
        poll(lambda: not self.child.alive() or http_get(self.url("/-/ready")) is not None, 30,
             "Prometheus to be ready")
        check(self.child.alive(), f"prometheus exited:\n{self.child.log_tail()}")

    def url(self, path):
        return f"http://127.0.0.1:{self.port}{path}"

    def query(self, expr):
        """The result vector of an instant query (a list, maybe empty)."""
        body = http_get(self.url("/api/v1/query?" + urllib.parse.urlencode({"query": expr})), timeout_s=5)
        check(body is not None, f"query failed: {expr}\n{self.child.log_tail()}")
        answer = json.loads(body)
        check(answer.get("status") == "success", f"query {expr}: {answer}")
        return answer["data"]["result"]

    def stop(self):
        return self.child.stop()
