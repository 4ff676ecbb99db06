#!/usr/bin/env node
// Compiles every docs/contracts/*.json with Ajv 8 (draft 2020-12, strict mode,
// ajv-formats) and validates the example documents in
// tests/clients/examples/: <stem>.valid.<case>.json must pass and
// <stem>.invalid.<case>.json must fail against docs/contracts/<stem>.schema.json.
// check_schemas.py does the same with python3-jsonschema; both must agree.
//
// Also checks that each schema has the $id https://crmstream.example/contracts/<file>
// (relative $refs resolve against it), a title and a description, and that
// each schema has at least one valid and one invalid example.
//
// Usage: node tests/clients/check_schemas.js [contracts dir] [examples dir]
// Exit status 0 when everything holds, 1 otherwise.
'use strict';

const fs = require('fs');
const path = require('path');
const Ajv2020 = require('ajv/dist/2020');
const addFormats = require('ajv-formats');

const repo = path.resolve(__dirname, '..', '..');
const contractsDir = path.resolve(process.argv[2] || path.join(repo, 'docs', 'contracts'));
const examplesDir = path.resolve(process.argv[3] || path.join(__dirname, 'examples'));
const ID_BASE = 'https://crmstream.example/contracts/';
const EXAMPLE = /^(.+)\.(valid|invalid)\.([A-Za-z0-9_-]+)\.json$/;

const failures = [];
function fail(message) {
  failures.push(message);
  console.error(`FAIL: ${message}`);
}

function readJson(file) {
  return JSON.parse(fs.readFileSync(file, 'utf8'));
}

// strict: unknown keywords, ignored keywords and union types without
// allowUnionTypes are errors, not warnings.
const ajv = new Ajv2020({ strict: true, allErrors: true, allowUnionTypes: true });
addFormats(ajv);

const schemaFiles = fs.readdirSync(contractsDir).filter(f => f.endsWith('.json')).sort();
if (schemaFiles.length === 0) fail(`no schemas in ${contractsDir}`);
const schemas = {};
for (const file of schemaFiles) {
  let schema;
  try {
    schema = readJson(path.join(contractsDir, file));
  } catch (e) {
    fail(`${file}: not JSON: ${e.message}`);
    continue;
  }
  if (schema.$schema !== 'https://json-schema.org/draft/2020-12/schema') fail(`${file}: $schema is not draft 2020-12`);
  if (schema.$id !== ID_BASE + file) fail(`${file}: $id must be ${ID_BASE + file}, is ${schema.$id}`);
  if (!schema.title || !schema.description) fail(`${file}: needs a title and a description`);
  schemas[file] = schema;
  ajv.addSchema(schema);  // by $id, so that relative $refs between files resolve
}
const validators = {};
for (const [file, schema] of Object.entries(schemas)) {
  try {
    validators[file] = ajv.getSchema(schema.$id);
    console.log(`ok: ${file} compiles`);
  } catch (e) {
    fail(`${file}: does not compile: ${e.message}`);
  }
}

const counts = {};
const exampleFiles = fs.existsSync(examplesDir) ? fs.readdirSync(examplesDir).sort() : [];
for (const name of exampleFiles) {
  const m = name.match(EXAMPLE);
  if (!m) {
    fail(`${name}: not named <stem>.valid|invalid.<case>.json`);
    continue;
  }
  const [, stem, expect] = m;
  const schemaFile = `${stem}.schema.json`;
  if (!(schemaFile in schemas)) {
    fail(`${name}: no schema ${schemaFile}`);
    continue;
  }
  counts[schemaFile] = counts[schemaFile] || { valid: 0, invalid: 0 };
  counts[schemaFile][expect] += 1;
  const validate = validators[schemaFile];
  if (!validate) continue;
  let doc;
  try {
    doc = readJson(path.join(examplesDir, name));
  } catch (e) {
    fail(`${name}: not JSON: ${e.message}`);
    continue;
  }
  const valid = validate(doc);
  const result = valid ? 'valid' : 'invalid';
  if (result === expect) {
    console.log(`ok: ${name} is ${result}${valid ? '' : ` (${ajv.errorsText(validate.errors)})`}`);
  } else {
    fail(`${name}: expected ${expect}, got ${result}${valid ? '' : `: ${ajv.errorsText(validate.errors)}`}`);
  }
}
for (const file of Object.keys(schemas)) {
  const c = counts[file] || { valid: 0, invalid: 0 };
  if (c.valid === 0 || c.invalid === 0) fail(`${file}: needs at least one valid and one invalid example (has ${c.valid} and ${c.invalid})`);
}

if (failures.length) {
  console.error(`${failures.length} failure(s)`);
  process.exit(1);
}
console.log(`all ${schemaFiles.length} schemas and ${exampleFiles.length} examples checked with ajv`);
