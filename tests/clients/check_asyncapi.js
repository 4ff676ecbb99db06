#!/usr/bin/env node
// Checks docs/asyncapi.yaml with the AsyncAPI parser (@asyncapi/parser 3.6.6):
//  - the document parses and validates: every diagnostic of severity error is
//    printed and fails the check (warnings are printed too);
//  - it lists every topic of config/crmstream.toml's [topics] table;
//  - the relative file $refs to docs/contracts/*.json resolved: each output
//    message's payload (and the dead-letter headers) carries the properties of
//    its schema file;
//  - every schema in the document compiles with Ajv2020 (strict), and every
//    message example validates against its message's payload and headers.
//    The parser resolves payloads with schemaFormat
//    "application/schema+json;version=2020-12" but does not validate them (it
//    has no 2020-12 schema parser and reports nothing), so this script does.
//
// Usage: node tests/clients/check_asyncapi.js [path/to/asyncapi.yaml]
// Exit status 0 when everything holds, 1 otherwise.
'use strict';

const fs = require('fs');
const path = require('path');
const { Parser, DiagnosticSeverity } = require('@asyncapi/parser');
const Ajv2020 = require('ajv/dist/2020');
const addFormats = require('ajv-formats');

const repo = path.resolve(__dirname, '..', '..');
const docPath = path.resolve(process.argv[2] || path.join(repo, 'docs', 'asyncapi.yaml'));
const contractsDir = path.join(repo, 'docs', 'contracts');
const configPath = path.join(repo, 'config', 'crmstream.toml');

const failures = [];
function fail(message) {
  failures.push(message);
  console.error(`FAIL: ${message}`);
}

// The [topics] table of the default config: key = "value" lines only.
function configTopics() {
  const topics = {};
  let inTopics = false;
  for (const raw of fs.readFileSync(configPath, 'utf8').split('\n')) {
    const line = raw.replace(/#.*$/, '').trim();
    if (line.startsWith('[')) {
      inTopics = line === '[topics]';
      continue;
    }
    const m = inTopics && line.match(/^([A-Za-z0-9_]+)\s*=\s*"([^"]*)"$/);
    if (m) topics[m[1]] = m[2];
  }
  return topics;
}

function readContract(file) {
  return JSON.parse(fs.readFileSync(path.join(contractsDir, file), 'utf8'));
}

// The output messages: message id -> [payload schema file, headers schema file or null].
const outputMessages = {
  churnAlert: ['churn-alert.schema.json', null],
  churnAlertBinary: ['churn-alert.data.schema.json', null],
  segmentChange: ['segment-change.schema.json', null],
  segmentChangeBinary: ['segment-change.data.schema.json', null],
  reward: ['reward.schema.json', null],
  rewardBinary: ['reward.data.schema.json', null],
  ladderChange: ['ladder-change.schema.json', null],
  ladderChangeBinary: ['ladder-change.data.schema.json', null],
  winBack: ['win-back.schema.json', null],
  winBackBinary: ['win-back.data.schema.json', null],
  deadLetter: [null, 'deadletter-headers.schema.json'],
};
const inputMessages = {
  purchase: 'purchase.schema.json',
  complaint: 'complaint.schema.json',
  serviceInteraction: 'service-interaction.schema.json',
  interaction: 'interaction.schema.json',
  action: 'action.schema.json',
};

// The raw JSON of a parsed schema, without the parser's x-parser-* annotations
// and unwrapped from a Multi Format Schema Object ({schemaFormat, schema}),
// which is what the parser keeps for a format it has no parser for.
function plain(schema) {
  let json = schema.json();
  if (json && json.schemaFormat !== undefined && json.schema !== undefined) json = json.schema;
  return JSON.parse(JSON.stringify(json, (key, value) => (key.startsWith('x-parser-') ? undefined : value)));
}

// The properties (name -> JSON) of a parsed schema.
function propertiesOf(schema) {
  const props = schema && schema.properties();
  if (!props) return {};
  return Object.fromEntries(Object.entries(props).map(([name, s]) => [name, plain(s)]));
}

// The resolved schema must carry the file's properties, as the file writes them
// (nested $refs resolved, so compare the names and a few leaf keywords).
function assertResolvesTo(what, schema, file) {
  const expected = readContract(file);
  const got = propertiesOf(schema);
  const wantNames = Object.keys(expected.properties).sort();
  const gotNames = Object.keys(got).sort();
  if (JSON.stringify(wantNames) !== JSON.stringify(gotNames)) {
    fail(`${what}: properties ${JSON.stringify(gotNames)} are not those of ${file} ${JSON.stringify(wantNames)}`);
    return;
  }
  for (const [name, want] of Object.entries(expected.properties)) {
    for (const keyword of ['const', 'enum', 'pattern', 'maximum', 'description']) {
      if (want[keyword] !== undefined && JSON.stringify(got[name][keyword]) !== JSON.stringify(want[keyword])) {
        fail(`${what}: property ${name} has ${keyword} ${JSON.stringify(got[name][keyword])}, ${file} says ${JSON.stringify(want[keyword])}`);
      }
    }
  }
  const raw = plain(schema);
  if (raw.$id !== expected.$id) fail(`${what}: $id ${raw.$id} is not ${file}'s ${expected.$id}`);
  console.log(`ok: ${what} resolves to ${file}`);
}

function newAjv() {
  const ajv = new Ajv2020({ strict: true, allErrors: true, allowUnionTypes: true });
  addFormats(ajv);
  return ajv;
}

// Compiles a resolved schema from the document with Ajv2020; its $id is
// dropped (a resolved copy is not the file) and AsyncAPI-only keywords are
// ignored.
function compile(what, json) {
  const copy = JSON.parse(JSON.stringify(json));
  (function strip(node) {
    if (node && typeof node === 'object') {
      delete node.$id;
      delete node.$schema;
      Object.values(node).forEach(strip);
    }
  })(copy);
  try {
    return newAjv().compile(copy);
  } catch (e) {
    fail(`${what}: does not compile with Ajv2020 (strict): ${e.message}`);
    return null;
  }
}

async function main() {
  const text = fs.readFileSync(docPath, 'utf8');
  const parser = new Parser();
  // `source` must be the document's absolute path: relative file $refs
  // ("./contracts/x.schema.json") resolve against it.
  const { document, diagnostics } = await parser.parse(text, { source: docPath });
  const names = ['error', 'warning', 'information', 'hint'];
  for (const d of diagnostics) {
    const where = `${d.source || docPath}:${d.range ? d.range.start.line + 1 : '?'} ${JSON.stringify(d.path)}`;
    const line = `${names[d.severity] || d.severity} ${d.code}: ${d.message} at ${where}`;
    if (d.severity === DiagnosticSeverity.Error) {
      fail(line);
    } else {
      console.log(line);
    }
  }
  if (!document) {
    fail(`${docPath} is not a valid AsyncAPI document`);
    return;
  }
  console.log(`ok: ${docPath} parses as AsyncAPI ${document.version()}`);

  const addresses = new Set(document.channels().all().map(c => c.address()));
  for (const [key, topic] of Object.entries(configTopics())) {
    if (addresses.has(topic)) {
      console.log(`ok: [topics] ${key} = ${topic} has a channel`);
    } else {
      fail(`[topics] ${key} = ${topic} has no channel in ${docPath}`);
    }
  }
  if (Object.keys(configTopics()).length < 7) fail(`expected 7 topics in ${configPath}'s [topics]`);

  const messages = Object.fromEntries(document.messages().all().map(m => [m.id(), m]));
  for (const [id, [payloadFile, headersFile]] of Object.entries(outputMessages)) {
    const m = messages[id];
    if (!m) {
      fail(`output message ${id} is missing`);
      continue;
    }
    if (payloadFile) assertResolvesTo(`message ${id} payload`, m.payload(), payloadFile);
    if (headersFile) assertResolvesTo(`message ${id} headers`, m.headers(), headersFile);
  }
  for (const [id, file] of Object.entries(inputMessages)) {
    if (!messages[id]) fail(`input message ${id} is missing`);
    else assertResolvesTo(`message ${id} payload`, messages[id].payload(), file);
  }
  // The data of each structured envelope is the binary mode's value.
  for (const [id, dataFile] of [['churnAlert', 'churn-alert.data.schema.json'], ['segmentChange', 'segment-change.data.schema.json'],
                                 ['ladderChange', 'ladder-change.data.schema.json']]) {
    const data = messages[id] && messages[id].payload().properties().data;
    if (data) assertResolvesTo(`message ${id} payload.data`, data, dataFile);
  }

  // Every message: key schema present; schemas compile; examples validate.
  for (const m of document.messages().all()) {
    const kafka = m.bindings().get('kafka');
    if (!kafka || !kafka.value().key) fail(`message ${m.id()} has no Kafka key schema`);
    const validators = {
      payload: m.hasPayload() ? compile(`message ${m.id()} payload`, plain(m.payload())) : null,
      headers: m.hasHeaders() ? compile(`message ${m.id()} headers`, plain(m.headers())) : null,
    };
    for (const example of m.examples().all()) {
      for (const part of ['payload', 'headers']) {
        const value = part === 'payload' ? example.payload() : example.headers();
        if (value === undefined || !validators[part]) continue;
        if (validators[part](value)) {
          console.log(`ok: message ${m.id()} example "${example.name()}" ${part} is valid`);
        } else {
          fail(`message ${m.id()} example "${example.name()}" ${part}: ${newAjv().errorsText(validators[part].errors)}`);
        }
      }
    }
  }
}

main()
  .catch(e => fail(`exception: ${e.stack || e}`))
  .finally(() => {
    if (failures.length) {
      console.error(`${failures.length} failure(s)`);
      process.exit(1);
    }
    console.log('all AsyncAPI checks passed');
  });
