"""Checks deploy/compose/compose.yaml: `docker-compose config -q` accepts
it (Debian's docker-compose 1.29), and the resolved file wires what the
stack promises: KRaft Kafka, the topics (changelog compacted, partitions
shared with the inputs) before crmstream, instances with distinct ids and
volumes, Prometheus loading the alert rules and scraping every instance
under job "crmstream", Grafana provisioned with the data source and the
dashboards folder. The crmstream binary judges each instance's variables.

usage: compose_test.py SOURCE_DIR CRMSTREAM_BINARY
"""
import os
import sys

import yaml

from deploy_check import Checks, config_accepted, run

source, binary = sys.argv[1:3]
compose_file = os.path.join(source, "deploy", "compose", "compose.yaml")
compose_dir = os.path.dirname(compose_file)
c = Checks("compose")

code, out, err = run(["docker-compose", "version", "--short"])
print(f"docker-compose {out.strip() or err.strip()}")
code, out, err = run(["docker-compose", "-f", compose_file, "config", "-q"])
c.check(code == 0, f"docker-compose config -q: {err.strip()}")
code, out, err = run(["docker-compose", "-f", compose_file, "config"])
c.check(code == 0, f"docker-compose config: {err.strip()}")
if code != 0:
    c.finish()
services = yaml.safe_load(out)["services"]


def mounts(service):
    """{container path: host path} of a service's bind mounts."""
    result = {}
    for v in services.get(service, {}).get("volumes", []):
        if isinstance(v, str):
            parts = v.split(":")
            result[parts[1]] = parts[0]
        else:
            result[v["target"]] = v["source"]
    return result


def host_file(path):
    return os.path.realpath(path if os.path.isabs(path) else os.path.join(compose_dir, path))


# Kafka in KRaft mode; the topics service waits for it.
kafka = services.get("kafka", {})
env = kafka.get("environment", {})
c.check("broker" in str(env.get("KAFKA_PROCESS_ROLES", "")) and "controller" in str(env.get("KAFKA_PROCESS_ROLES")),
        "kafka runs in KRaft mode (broker,controller)")
c.check(str(env.get("KAFKA_TRANSACTION_STATE_LOG_REPLICATION_FACTOR")) == "1",
        "one-broker transaction log (crmstream uses transactions)")
c.check(str(env.get("KAFKA_AUTO_CREATE_TOPICS_ENABLE")) == "false", "no topic auto-creation")
topics = services.get("topics", {})
script = " ".join(topics.get("command", [])) if isinstance(topics.get("command"), list) else str(topics.get("command"))
c.check(topics.get("depends_on", {}).get("kafka", {}).get("condition") == "service_healthy", "topics wait for kafka")
for topic in ("crm.purchases", "crm.complaints", "crm.service", "crm.interactions", "crm.actions", "crm.churn-alerts",
              "crm.segment-changes", "crm.deadletter", "crm.changelog", "crm.rewards"):
    c.check(topic in script, f"topics creates {topic}")
c.check("cleanup.policy=compact" in script, "the changelog is compacted")
c.check(script.count("--partitions") == 1, "every topic gets the same partition count")

# crmstream instances: built from the Dockerfile, distinct ids and volumes.
instances = sorted(s for s in services if s.startswith("crmstream"))
c.check(len(instances) >= 2, "at least two crmstream instances")
ids, volumes, targets = set(), set(), []
for name in instances:
    s = services[name]
    build = s.get("build", {})
    c.check(os.path.isfile(os.path.join(build.get("context", ""), build.get("dockerfile", "Dockerfile"))),
            f"{name} builds from the repository's Dockerfile")
    c.check(s.get("depends_on", {}).get("topics", {}).get("condition") == "service_completed_successfully",
            f"{name} starts after the topics exist")
    e = {k: str(v) for k, v in s.get("environment", {}).items()}
    ids.add(e.get("CRMSTREAM_RUNTIME_INSTANCE_ID"))
    c.check(e.get("CRMSTREAM_HTTP_LISTEN_ADDRESS") == "0.0.0.0", f"{name} listens on 0.0.0.0")
    c.check(e.get("CRMSTREAM_KAFKA_BOOTSTRAP_SERVERS", "").startswith("kafka:"), f"{name} bootstraps from kafka")
    state = [v for v in s.get("volumes", []) if (v.get("target") if isinstance(v, dict) else v.split(":")[1])
             == "/var/lib/crmstream"]
    c.check(len(state) == 1, f"{name} keeps its state on a volume")
    volumes.update(str(v.get("source") if isinstance(v, dict) else v.split(":")[0]) for v in state)
    targets.append(f"{name}:9464")
    with open(os.path.join(source, "config", "crmstream.toml"), encoding="utf-8") as f:
        ok, why = config_accepted(binary, f.read(), e)
    c.check(ok, f"{name}: crmstream accepts its CRMSTREAM_* variables ({why})")
c.check(len(ids) == len(instances) and None not in ids, "every instance has its own runtime.instance_id")
c.check(len(volumes) == len(instances), "every instance has its own state volume")

# Prometheus: the rules file mounted where its config loads it, every
# instance scraped under job "crmstream".
m = mounts("prometheus")
prom_cfg_host = m.get("/etc/prometheus/prometheus.yml")
c.check(prom_cfg_host is not None, "prometheus config mounted")
if prom_cfg_host:
    with open(host_file(prom_cfg_host), encoding="utf-8") as f:
        prom = yaml.safe_load(f)
    rules = os.path.realpath(os.path.join(source, "deploy", "prometheus", "crmstream-rules.yml"))
    for rule_file in prom.get("rule_files", []):
        c.check(rule_file in m and host_file(m[rule_file]) == rules,
                f"prometheus rule file {rule_file} is deploy/prometheus/crmstream-rules.yml")
    c.check(len(prom.get("rule_files", [])) == 1, "prometheus loads the alert rules")
    jobs = {j["job_name"]: j for j in prom.get("scrape_configs", [])}
    scraped = [t for sc in jobs.get("crmstream", {}).get("static_configs", []) for t in sc.get("targets", [])]
    c.check(sorted(scraped) == sorted(targets), f"job crmstream scrapes {targets} (has {scraped})")

# Grafana: provisioning folder and dashboards folder where the provider looks.
m = mounts("grafana")
prov = m.get("/etc/grafana/provisioning")
c.check(prov is not None and host_file(prov) == os.path.realpath(os.path.join(source, "deploy", "grafana",
                                                                              "provisioning")),
        "grafana provisioned from deploy/grafana/provisioning")
dashboards_host = os.path.realpath(os.path.join(source, "deploy", "grafana", "dashboards"))
if prov:
    with open(os.path.join(host_file(prov), "dashboards", "crmstream.yml"), encoding="utf-8") as f:
        provider = yaml.safe_load(f)["providers"][0]
    path = provider["options"]["path"]
    c.check(path in m and host_file(m[path]) == dashboards_host,
            f"dashboard provider path {path} is deploy/grafana/dashboards")
    with open(os.path.join(host_file(prov), "datasources", "prometheus.yml"), encoding="utf-8") as f:
        ds = yaml.safe_load(f)["datasources"][0]
    c.check(ds["type"] == "prometheus" and ds["url"].startswith("http://prometheus:"), "data source is prometheus")
    c.check("prometheus" in services, "the data source's host is a service")

c.finish()
