"""Every alert rule has a `promtool test rules` case where it fires and one
where it is evaluated and stays quiet; the test file names no alert that
does not exist.

usage: rules_coverage.py RULES_YML RULES_TEST_YML
"""

import sys

import yaml

import obs_support as obs


def main():
    rules_path, tests_path = sys.argv[1:3]
    with open(rules_path) as f:
        rules = yaml.safe_load(f)
    with open(tests_path) as f:
        tests = yaml.safe_load(f)
    alerts = {rule["alert"] for group in rules["groups"] for rule in group["rules"] if "alert" in rule}
    obs.check(alerts, f"no alert rules in {rules_path}")
    fires, quiet = set(), set()
    for case in tests["tests"]:
        for check in case.get("alert_rule_test", []):
            name = check["alertname"]
            obs.check(name in alerts, f"test '{case['name']}' checks unknown alert {name}")
            (fires if check.get("exp_alerts") else quiet).add(name)
    missing = [f"{a}: no case where it fires" for a in sorted(alerts - fires)]
    missing += [f"{a}: no case where it stays quiet" for a in sorted(alerts - quiet)]
    obs.check(not missing, "\n".join(missing))
    print(f"{len(alerts)} alerts, each shown to fire and to stay quiet")


if __name__ == "__main__":
    obs.run_test(main)
