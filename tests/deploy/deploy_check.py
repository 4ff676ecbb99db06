"""Shared helpers of the deploy tests (tests/deploy/README.md): running a
tool, collecting failed checks, and asking the crmstream binary whether a
config file and a set of CRMSTREAM_* variables would start it."""
import os
import subprocess
import sys
import tempfile


class Checks:
    """Collects failed assertions so that one run reports all of them."""

    def __init__(self, name):
        self.name = name
        self.failures = []
        self.passed = 0

    def check(self, condition, what):
        if condition:
            self.passed += 1
        else:
            self.failures.append(what)
            print(f"FAIL {self.name}: {what}")
        return condition

    def finish(self):
        print(f"{self.name}: {self.passed} passed, {len(self.failures)} failed")
        sys.exit(1 if self.failures else 0)


def run(cmd, **kwargs):
    """Runs cmd; returns (exit code, stdout, stderr) as text; a missing
    tool is exit code 127 with advice, so the check fails rather than skips."""
    try:
        p = subprocess.run(cmd, capture_output=True, text=True, **kwargs)
    except FileNotFoundError:
        return 127, "", f"{cmd[0]}: not installed (bash deploy/setup.sh test installs it)"
    return p.returncode, p.stdout, p.stderr


def config_accepted(binary, toml_text, env):
    """True if `crmstream state dump` gets past the config: exit code 2 is
    a config or usage error (README "Using it"); anything else means the
    file and the variables were accepted. The state directory is pointed at
    an empty temporary one, so nothing outside it is touched."""
    with tempfile.TemporaryDirectory() as tmp:
        path = os.path.join(tmp, "crmstream.toml")
        with open(path, "w", encoding="utf-8") as f:
            f.write(toml_text)
        clean = {k: v for k, v in os.environ.items() if not k.startswith("CRMSTREAM_")}
        clean.update(env)
        clean["CRMSTREAM_STATE_DIR"] = os.path.join(tmp, "state")
        code, out, err = run([binary, "state", "dump", "--config", path], env=clean, timeout=60)
        return code != 2, f"exit {code}: {err.strip()[-400:]}"


def require_node_modules(checks, here):
    """The npm linters come from `npm ci` in tests/deploy (deploy/setup.sh
    test runs it); without them the run fails with that advice."""
    if not os.path.isdir(os.path.join(here, "node_modules")):
        checks.check(False, f"no {here}/node_modules: run `npm ci` there (bash deploy/setup.sh test does)")
        checks.finish()
