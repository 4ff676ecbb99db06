#!/usr/bin/python3
"""Checks docs/contracts/*.json with python3-jsonschema (Debian, 4.10).

Every schema must be a valid draft 2020-12 schema with the $id
https://crmstream.example/contracts/<file>, a title and a description. The
examples in tests/clients/examples/ are validated: <stem>.valid.<case>.json
must pass and <stem>.invalid.<case>.json must fail against
docs/contracts/<stem>.schema.json. check_schemas.js does the same with ajv;
both must agree. Relative $refs between the files resolve against the $ids,
from a local store (nothing is fetched).

Formats are checked with jsonschema's FormatChecker; Debian's jsonschema has
no "date-time" checker unless python3-rfc3339-validator is installed, which
is why every time in the contracts also has a pattern.

Usage: /usr/bin/python3 tests/clients/check_schemas.py [contracts dir] [examples dir]
Exit status 0 when everything holds, 1 otherwise.
"""
import json
import os
import re
import sys

import jsonschema
from jsonschema import Draft202012Validator, FormatChecker, RefResolver

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(os.path.dirname(HERE))
ID_BASE = "https://crmstream.example/contracts/"
EXAMPLE = re.compile(r"^(.+)\.(valid|invalid)\.([A-Za-z0-9_-]+)\.json$")

failures = []


def fail(message):
    failures.append(message)
    print(f"FAIL: {message}", file=sys.stderr)


def reject_constant(name):
    raise ValueError(f"{name} is not JSON")


def read_json(path):
    # Strict JSON, as JavaScript's JSON.parse reads it: no NaN or Infinity.
    with open(path, encoding="utf-8") as f:
        return json.load(f, parse_constant=reject_constant)


def main():
    contracts = os.path.abspath(sys.argv[1] if len(sys.argv) > 1 else os.path.join(REPO, "docs", "contracts"))
    examples = os.path.abspath(sys.argv[2] if len(sys.argv) > 2 else os.path.join(HERE, "examples"))

    schemas = {}
    for name in sorted(os.listdir(contracts)):
        if not name.endswith(".json"):
            continue
        try:
            schema = read_json(os.path.join(contracts, name))
        except ValueError as e:
            fail(f"{name}: not JSON: {e}")
            continue
        if schema.get("$schema") != "https://json-schema.org/draft/2020-12/schema":
            fail(f"{name}: $schema is not draft 2020-12")
        if schema.get("$id") != ID_BASE + name:
            fail(f"{name}: $id must be {ID_BASE + name}, is {schema.get('$id')}")
        if not schema.get("title") or not schema.get("description"):
            fail(f"{name}: needs a title and a description")
        try:
            Draft202012Validator.check_schema(schema)
        except jsonschema.exceptions.SchemaError as e:
            fail(f"{name}: not a valid 2020-12 schema: {e.message}")
            continue
        schemas[name] = schema
        print(f"ok: {name} is a valid 2020-12 schema")
    if not schemas:
        fail(f"no schemas in {contracts}")

    store = {s["$id"]: s for s in schemas.values() if "$id" in s}
    validators = {
        name: Draft202012Validator(schema, resolver=RefResolver.from_schema(schema, store=store),
                                   format_checker=FormatChecker())
        for name, schema in schemas.items()
    }

    counts = {}
    names = sorted(os.listdir(examples)) if os.path.isdir(examples) else []
    for name in names:
        m = EXAMPLE.match(name)
        if not m:
            fail(f"{name}: not named <stem>.valid|invalid.<case>.json")
            continue
        stem, expect = m.group(1), m.group(2)
        schema_name = f"{stem}.schema.json"
        if schema_name not in schemas:
            fail(f"{name}: no schema {schema_name}")
            continue
        counts.setdefault(schema_name, {"valid": 0, "invalid": 0})[expect] += 1
        try:
            doc = read_json(os.path.join(examples, name))
        except ValueError as e:
            fail(f"{name}: not JSON: {e}")
            continue
        try:
            errors = sorted(validators[schema_name].iter_errors(doc), key=lambda e: list(e.path))
        except jsonschema.exceptions.RefResolutionError as e:
            fail(f"{name}: a $ref does not resolve: {e}")
            continue
        result = "invalid" if errors else "valid"
        detail = "; ".join(f"{'/'.join(map(str, e.path)) or '(root)'}: {e.message}" for e in errors[:3])
        if result == expect:
            print(f"ok: {name} is {result}" + (f" ({detail})" if errors else ""))
        else:
            fail(f"{name}: expected {expect}, got {result}" + (f": {detail}" if errors else ""))
    for schema_name in schemas:
        c = counts.get(schema_name, {"valid": 0, "invalid": 0})
        if c["valid"] == 0 or c["invalid"] == 0:
            fail(f"{schema_name}: needs at least one valid and one invalid example (has {c['valid']} and {c['invalid']})")

    if failures:
        print(f"{len(failures)} failure(s)", file=sys.stderr)
        return 1
    print(f"all {len(schemas)} schemas and {len(names)} examples checked with python3-jsonschema")
    return 0


if __name__ == "__main__":
    sys.exit(main())
