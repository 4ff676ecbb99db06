#!/usr/bin/python3
"""Reads crmstream's output topics as a Python consumer would: kafka-python
(Debian's python3-kafka 2.0.2) and python3-jsonschema against the JSON Schemas
in docs/contracts. Prints one JSON line per record (bytes in base64) for the
caller to compare with what librdkafka read; exits 1 naming every record that
breaks a contract.

kafka-python before 2.1 knows nothing of transactions: it returns the
brokers' commit markers as records (and reads uncommitted data). Every
crmstream output carries headers and a marker never does, so records without
headers are counted as markers and skipped — the rule docs/contracts/README.md
gives such consumers.

  read_outputs.py --bootstrap HOST:PORT --mode structured|binary
                  --topic alerts=crm.churn-alerts:N ... [--timeout-ms 60000]
"""
import argparse
import base64
import json
import pathlib
import sys
import time

import jsonschema
from kafka import KafkaConsumer, TopicPartition

CONTRACTS = pathlib.Path(__file__).resolve().parent.parent.parent / "docs" / "contracts"


def validators():
    schemas = {p.name: json.loads(p.read_text()) for p in CONTRACTS.glob("*.schema.json")}
    store = {s["$id"]: s for s in schemas.values() if "$id" in s}
    checker = jsonschema.FormatChecker()

    def validate(name, document):
        if name not in schemas:
            return [f"no schema {name}"]
        schema = schemas[name]
        resolver = jsonschema.RefResolver.from_schema(schema, store=store)
        v = jsonschema.Draft202012Validator(schema, resolver=resolver, format_checker=checker)
        return [f"{name}: {'/'.join(map(str, e.absolute_path))} {e.message}" for e in v.iter_errors(document)]

    return validate


def check(role, record, mode, validate):
    headers = {k: v.decode("utf-8") for k, v in record.headers}
    if role == "deadletter":
        return validate("deadletter-headers.schema.json", headers)
    value = json.loads(record.value)
    # Each output topic carries two CloudEvents types: pick the schema by type.
    ce_type = headers.get("ce_type") or (value.get("type") if isinstance(value, dict) else None)
    if role == "alerts":
        kind = "win-back" if ce_type == "com.crmstream.win-back.v1" else "churn-alert"
    elif role == "segments" and ce_type == "com.crmstream.ladder-change.v1":
        kind = "ladder-change"
    else:
        kind = {"segments": "segment-change", "rewards": "reward"}[role]
    key = record.key.decode("utf-8")
    problems = []
    if mode == "structured":
        if not headers.get("content-type", "").startswith("application/cloudevents+json"):
            problems.append("no structured-mode content-type header")
        problems += validate(f"{kind}.schema.json", value)
        subject, data = value.get("subject"), value.get("data", {})
    else:
        if headers.get("ce_specversion") != "1.0":
            problems.append("no ce_specversion header")
        problems += validate(f"{kind}.data.schema.json", value)
        subject, data = headers.get("ce_subject"), value
    if subject != key or data.get("customer_id") != key:
        problems.append(f"subject {subject!r} / customer_id {data.get('customer_id')!r} is not the key {key!r}")
    return problems


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--bootstrap", required=True)
    parser.add_argument("--mode", choices=["structured", "binary"], required=True)
    parser.add_argument("--topic", action="append", default=[])
    parser.add_argument("--timeout-ms", type=int, default=60000)
    args = parser.parse_args()
    topics = {}
    for spec in args.topic:
        role, rest = spec.split("=", 1)
        name, expected = rest.rsplit(":", 1)
        topics[name] = (role, int(expected))

    validate = validators()
    consumer = KafkaConsumer(bootstrap_servers=args.bootstrap, enable_auto_commit=False,
                             client_id="crmstream-kafka-python-check")
    partitions = [TopicPartition(t, p) for t in topics for p in sorted(consumer.partitions_for_topic(t) or [])]
    consumer.assign(partitions)
    consumer.seek_to_beginning(*partitions)
    seen = {t: 0 for t in topics}
    markers = 0
    problems = []
    deadline = time.monotonic() + args.timeout_ms / 1000
    while any(seen[t] < topics[t][1] for t in topics) and time.monotonic() < deadline:
        for tp, records in consumer.poll(timeout_ms=500).items():
            for r in records:
                if not r.headers:
                    markers += 1
                    continue
                seen[r.topic] += 1
                role = topics[r.topic][0]
                problems += [f"{r.topic}/{r.partition}/{r.offset}: {p}" for p in check(role, r, args.mode, validate)]
                b64 = lambda b: None if b is None else base64.b64encode(b).decode()
                print(json.dumps({"topic": r.topic, "partition": r.partition, "offset": r.offset, "key": b64(r.key),
                                  "value": b64(r.value), "headers": {k: b64(v) for k, v in r.headers}}))
    consumer.close()
    for t, (role, expected) in topics.items():
        if seen[t] != expected:
            problems.append(f"{t}: read {seen[t]} records, expected {expected}")
    print(json.dumps({"markers_skipped": markers}))
    for p in problems:
        print(f"contract broken: {p}", file=sys.stderr)
    return 0 if not problems else 1


if __name__ == "__main__":
    sys.exit(main())
