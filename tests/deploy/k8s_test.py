"""Renders deploy/k8s (the base and every overlay) with `kubectl kustomize`
and checks what a deployment depends on: probes, non-root security
context, the state volume claim, a distinct instance id per pod, the PDB,
the scrape annotations, the SASL_SSL overlay. Then yamllint and the
Kubernetes schemas (validate_k8s.js) judge the rendered manifests, and the
crmstream binary judges the rendered config and pod environment.

usage: k8s_test.py KUBECTL SOURCE_DIR CRMSTREAM_BINARY  ($CRM_KUBECTL overrides KUBECTL)
"""
import base64
import os
import sys
import tomllib

import yaml

from deploy_check import Checks, config_accepted, require_node_modules, run

# CRM_KUBECTL in the environment picks another kubectl (e.g. Debian's 1.20).
kubectl, source, binary = sys.argv[1:4]
kubectl = os.environ.get("CRM_KUBECTL") or kubectl
here = os.path.dirname(os.path.abspath(__file__))
k8s = os.path.join(source, "deploy", "k8s")
c = Checks("k8s")
require_node_modules(c, here)

code, out, err = run([kubectl, "version", "--client"])
print(f"kubectl: {kubectl}: {(out or err).strip().splitlines()[0] if (out or err).strip() else code}")


def render(path):
    code, out, err = run([kubectl, "kustomize", path])
    c.check(code == 0, f"kubectl kustomize {path}: {err.strip()}")
    docs = [d for d in yaml.safe_load_all(out) if d] if code == 0 else []
    return out, docs


def one(docs, kind, where):
    found = [d for d in docs if d.get("kind") == kind]
    c.check(len(found) == 1, f"{where}: one {kind} (found {len(found)})")
    return found[0] if found else {}


def quantity_bytes(q):
    units = {"Ki": 2**10, "Mi": 2**20, "Gi": 2**30, "Ti": 2**40, "k": 10**3, "M": 10**6, "G": 10**9}
    for unit, factor in units.items():
        if str(q).endswith(unit):
            return float(str(q)[: -len(unit)]) * factor
    return float(q)


def check_lints(text, where):
    code, out, err = run(["yamllint", "-c", os.path.join(here, "yamllint.yml"), "-"], input=text)
    c.check(code == 0, f"{where}: yamllint: {out.strip()} {err.strip()}")
    code, out, err = run(["node", os.path.join(here, "validate_k8s.js")], input=text)
    print(out.strip())
    c.check(code == 0, f"{where}: Kubernetes schemas: {out.strip()} {err.strip()}")


def pod_env(sts, secret):
    """The CRMSTREAM_* environment of pod 0, as Kubernetes would build it."""
    container = sts["spec"]["template"]["spec"]["containers"][0]
    env = {}
    for src in container.get("envFrom", []):
        if src.get("secretRef", {}).get("name") == secret.get("metadata", {}).get("name"):
            env.update({k: base64.b64decode(v).decode() for k, v in secret.get("data", {}).items()})
    for e in container.get("env", []):
        if "value" in e:
            env[e["name"]] = e["value"]
        elif e.get("valueFrom", {}).get("fieldRef", {}).get("fieldPath") == "metadata.name":
            env[e["name"]] = sts["metadata"]["name"] + "-0"
    return env


def check_workload(docs, where):
    sts = one(docs, "StatefulSet", where)
    svc = one(docs, "Service", where)
    pdb = one(docs, "PodDisruptionBudget", where)
    cm = one(docs, "ConfigMap", where)
    secret = one(docs, "Secret", where)
    if not (sts and svc and pdb and cm):
        return None, None
    pod = sts["spec"]["template"]
    spec = pod["spec"]
    container = spec["containers"][0]
    labels = pod["metadata"].get("labels", {})
    toml_text = cm.get("data", {}).get("crmstream.toml", "")
    config = tomllib.loads(toml_text)
    http = config.get("http", {})
    port = http.get("port", 9464)
    state_dir = config.get("state", {}).get("dir", "/var/lib/crmstream")
    env = {e["name"]: e for e in container.get("env", [])}

    image = container.get("image", "")
    c.check(":" in image and not image.endswith(":latest"), f"{where}: image {image!r} has a fixed tag")

    # Reachable: listen on the pod's address, probes on the named port.
    c.check(http.get("listen_address") == "0.0.0.0", f"{where}: config listens on 0.0.0.0")
    ports = {p.get("name"): p.get("containerPort") for p in container.get("ports", [])}
    for probe, path in (("livenessProbe", "/healthz"), ("readinessProbe", "/readyz"), ("startupProbe", "/healthz")):
        get = container.get(probe, {}).get("httpGet", {})
        c.check(get.get("path") == path, f"{where}: {probe} GETs {path}")
        c.check(ports.get(get.get("port"), get.get("port")) == port, f"{where}: {probe} uses http.port {port}")
    c.check(spec.get("enableServiceLinks") is False,
            f"{where}: enableServiceLinks false (CRMSTREAM_SERVICE_* would be unknown keys)")

    # One identity per pod: instance id (and static member id) = pod name.
    for name in ("CRMSTREAM_RUNTIME_INSTANCE_ID", "CRMSTREAM_KAFKA_GROUP_INSTANCE_ID"):
        ref = env.get(name, {}).get("valueFrom", {}).get("fieldRef", {}).get("fieldPath")
        c.check(ref == "metadata.name", f"{where}: {name} is the pod name")
    c.check(config.get("runtime", {}).get("instance_id") is None, f"{where}: no instance_id in the shared config")

    # Not root, nothing to escalate, read-only root file system.
    psc, csc = spec.get("securityContext", {}), container.get("securityContext", {})
    c.check(psc.get("runAsNonRoot") is True and psc.get("runAsUser", 0) != 0, f"{where}: pod runs as non-root")
    c.check(psc.get("fsGroup") == psc.get("runAsGroup"), f"{where}: fsGroup makes the state volume writable")
    c.check(csc.get("allowPrivilegeEscalation") is False, f"{where}: no privilege escalation")
    c.check(csc.get("readOnlyRootFilesystem") is True, f"{where}: read-only root file system")
    c.check("ALL" in csc.get("capabilities", {}).get("drop", []), f"{where}: all capabilities dropped")

    # State on a claim per pod, at state.dir; config from the ConfigMap.
    mounts = {m["mountPath"]: m["name"] for m in container.get("volumeMounts", [])}
    claims = [t["metadata"]["name"] for t in sts["spec"].get("volumeClaimTemplates", [])]
    c.check(mounts.get(state_dir) in claims, f"{where}: {state_dir} mounted from a volumeClaimTemplate")
    volumes = {v["name"]: v for v in spec.get("volumes", [])}
    config_path = env.get("CRMSTREAM_CONFIG", {}).get("value", "")
    config_volume = volumes.get(mounts.get(os.path.dirname(config_path)), {})
    c.check(config_volume.get("configMap", {}).get("name") == cm["metadata"]["name"],
            f"{where}: CRMSTREAM_CONFIG {config_path} is the rendered ConfigMap's file")
    secret_refs = [s.get("secretRef", {}).get("name") for s in container.get("envFrom", [])]
    c.check(secret and secret["metadata"]["name"] in secret_refs, f"{where}: Kafka Secret read as environment")

    # Memory: the RocksDB budget fits well inside the limit.
    budget = config.get("state", {}).get("memory_budget_bytes", 268435456)
    limit = container.get("resources", {}).get("limits", {}).get("memory")
    c.check(limit is not None and quantity_bytes(limit) >= 2 * budget,
            f"{where}: memory limit {limit} at least twice state.memory_budget_bytes")

    # Scraped, disrupted one at a time, addressed by a headless Service.
    annotations = pod["metadata"].get("annotations", {})
    c.check(annotations.get("prometheus.io/scrape") == "true", f"{where}: pod has prometheus.io/scrape")
    c.check(annotations.get("prometheus.io/port") == str(port), f"{where}: scrape port is http.port")
    c.check(svc["spec"].get("clusterIP") == "None", f"{where}: Service is headless")
    c.check(sts["spec"].get("serviceName") == svc["metadata"]["name"], f"{where}: StatefulSet names its Service")
    c.check(sts["spec"].get("replicas", 1) >= 2, f"{where}: at least two replicas")
    selector = pdb["spec"].get("selector", {}).get("matchLabels", {})
    c.check(selector and all(labels.get(k) == v for k, v in selector.items()), f"{where}: PDB selects the pods")
    c.check(pdb["spec"].get("maxUnavailable") == 1, f"{where}: PDB lets one pod go at a time")

    env_values = pod_env(sts, secret)
    ok, why = config_accepted(binary, toml_text, env_values)
    c.check(ok, f"{where}: crmstream accepts the ConfigMap and the pod's CRMSTREAM_* variables ({why})")
    return sts, env_values


# The base.
text, docs = render(os.path.join(k8s, "base"))
check_lints(text, "base")
check_workload(docs, "base")

# SASL_SSL: librdkafka security properties, credentials from the Secret,
# the CA certificate from a Secret volume.
text, docs = render(os.path.join(k8s, "overlays", "sasl-ssl"))
check_lints(text, "sasl-ssl")
sts, env = check_workload(docs, "sasl-ssl")
if sts:
    c.check(env.get("CRMSTREAM_KAFKA_SECURITY_PROTOCOL") == "SASL_SSL", "sasl-ssl: security.protocol=SASL_SSL")
    c.check(env.get("CRMSTREAM_KAFKA_SASL_MECHANISM", "").startswith(("SCRAM-", "PLAIN")), "sasl-ssl: sasl.mechanism")
    for key in ("CRMSTREAM_KAFKA_SASL_USERNAME", "CRMSTREAM_KAFKA_SASL_PASSWORD", "CRMSTREAM_KAFKA_BOOTSTRAP_SERVERS"):
        c.check(env.get(key), f"sasl-ssl: {key} from the Secret")
    container = sts["spec"]["template"]["spec"]["containers"][0]
    literal = {e["name"] for e in container.get("env", []) if "value" in e}
    c.check("CRMSTREAM_KAFKA_SASL_PASSWORD" not in literal, "sasl-ssl: password not written into the StatefulSet")
    ca = env.get("CRMSTREAM_KAFKA_SSL_CA_LOCATION", "")
    volumes = {v["name"]: v for v in sts["spec"]["template"]["spec"].get("volumes", [])}
    mount = next((m for m in container.get("volumeMounts", []) if ca.startswith(m["mountPath"] + "/")), None)
    secret_volume = volumes.get(mount["name"], {}).get("secret", {}) if mount else {}
    c.check(bool(secret_volume), f"sasl-ssl: ssl.ca.location {ca!r} lies in a Secret volume")
    items = {i["path"] for i in secret_volume.get("items", [])} or None
    c.check(items is None or os.path.basename(ca) in items, "sasl-ssl: the CA file is one of the Secret's items")
    c.check(mount is not None and mount["mountPath"] != "/etc/crmstream" and not mount["mountPath"].startswith("/etc/crmstream/"),
            "sasl-ssl: CA mounted outside the read-only config volume")

# Prometheus Operator: a ServiceMonitor on the Service's port, job crmstream.
text, docs = render(os.path.join(k8s, "overlays", "prometheus-operator"))
check_lints(text, "prometheus-operator")
svc, mon = one(docs, "Service", "prometheus-operator"), one(docs, "ServiceMonitor", "prometheus-operator")
if svc and mon:
    labels = svc["metadata"].get("labels", {})
    sel = mon["spec"]["selector"]["matchLabels"]
    c.check(all(labels.get(k) == v for k, v in sel.items()), "prometheus-operator: ServiceMonitor selects the Service")
    names = {p.get("name") for p in svc["spec"]["ports"]}
    c.check(all(e.get("port") in names for e in mon["spec"]["endpoints"]), "prometheus-operator: endpoint port exists")
    c.check(labels.get(mon["spec"].get("jobLabel")) == "crmstream", "prometheus-operator: job label is crmstream")

c.finish()
