// Reads crmstream's output topics as a Node consumer would: kafkajs (group
// consumer, read_committed), the CloudEvents SDK's Kafka binding for alerts,
// segment changes and rewards, ajv for the JSON Schemas in docs/contracts. Prints one
// JSON line per record (bytes in base64) for the caller to compare with what
// librdkafka read, and exits 1 naming every record that breaks a contract.
//
//   node read_outputs.js --bootstrap HOST:PORT --mode structured|binary
//        --topic alerts=crm.churn-alerts:N --topic segments=...:N --topic deadletter=...:N
//        [--http-port P --customer ID ...] [--timeout-ms 60000]
'use strict';
const path = require('path');
const fs = require('fs');
const { Kafka, logLevel, Partitioners } = require('kafkajs');
const { Kafka: CloudEventsKafka } = require('cloudevents');
const Ajv2020 = require('ajv/dist/2020');
const addFormats = require('ajv-formats');

const CONTRACTS = path.join(__dirname, '..', '..', 'docs', 'contracts');

function parseArgs(argv) {
  const args = { topics: [], customers: [], timeoutMs: 60000 };
  for (let i = 0; i < argv.length; i += 2) {
    const [flag, value] = [argv[i], argv[i + 1]];
    if (flag === '--bootstrap') args.bootstrap = value;
    else if (flag === '--mode') args.mode = value;
    else if (flag === '--http-port') args.httpPort = Number(value);
    else if (flag === '--customer') args.customers.push(value);
    else if (flag === '--timeout-ms') args.timeoutMs = Number(value);
    else if (flag === '--topic') {
      const [role, rest] = value.split('=');
      const at = rest.lastIndexOf(':');
      args.topics.push({ role, name: rest.slice(0, at), expected: Number(rest.slice(at + 1)) });
    } else throw new Error(`unknown argument ${flag}`);
  }
  if (!args.bootstrap || !['structured', 'binary'].includes(args.mode)) throw new Error('need --bootstrap and --mode');
  return args;
}

function loadValidators() {
  const ajv = new Ajv2020({ strict: true, allErrors: true });
  addFormats(ajv);
  for (const file of fs.readdirSync(CONTRACTS).filter((f) => f.endsWith('.schema.json'))) {
    ajv.addSchema(JSON.parse(fs.readFileSync(path.join(CONTRACTS, file), 'utf8')), file);
  }
  return (file, document) => {
    const validate = ajv.getSchema(file);
    if (!validate) return [`no schema ${file}`];
    return validate(document) ? [] : validate.errors.map((e) => `${file}: ${e.instancePath} ${e.message}`);
  };
}

const headerText = (headers) =>
  Object.fromEntries(Object.entries(headers || {}).map(([k, v]) => [k, Buffer.from(v).toString('utf8')]));

// The contract problems of one record (empty when it keeps the contract).
function check(role, message, mode, validate) {
  const headers = headerText(message.headers);
  if (role === 'deadletter') return validate('deadletter-headers.schema.json', headers);
  // Each output topic carries two CloudEvents types: pick the schema by type.
  const type = String(headers.ce_type || JSON.parse(message.value.toString('utf8')).type || '');
  const kind = role === 'alerts' ? (type === 'com.crmstream.win-back.v1' ? 'win-back' : 'churn-alert')
    : role === 'segments' && type === 'com.crmstream.ladder-change.v1' ? 'ladder-change'
    : { segments: 'segment-change', rewards: 'reward' }[role];
  const dataSchema = `${kind}.data.schema.json`;
  const envelopeSchema = `${kind}.schema.json`;
  let event;
  try {
    event = CloudEventsKafka.toEvent({ key: message.key.toString('utf8'), value: message.value.toString('utf8'),
                                       headers, timestamp: message.timestamp });
  } catch (e) {
    return [`the CloudEvents Kafka binding rejects it: ${e.message}`];
  }
  const problems = [];
  const value = JSON.parse(message.value.toString('utf8'));
  if (mode === 'structured') {
    if (!String(headers['content-type']).startsWith('application/cloudevents+json')) problems.push('not structured');
    problems.push(...validate(envelopeSchema, value));
  } else {
    if (headers.ce_specversion !== '1.0') problems.push('not binary mode');
    problems.push(...validate(dataSchema, value));
  }
  problems.push(...validate(dataSchema, event.data));
  if (event.subject !== message.key.toString('utf8')) problems.push(`subject ${event.subject} is not the key`);
  if (event.data.customer_id !== event.subject) problems.push('data.customer_id is not the subject');
  return problems;
}

async function readTopics(args, validate) {
  const kafka = new Kafka({ clientId: 'crmstream-kafkajs-check', brokers: [args.bootstrap], logLevel: logLevel.ERROR });
  const consumer = kafka.consumer({ groupId: `kafkajs-check-${process.pid}-${Date.now()}` });
  const roles = Object.fromEntries(args.topics.map((t) => [t.name, t]));
  const seen = Object.fromEntries(args.topics.map((t) => [t.name, 0]));
  const problems = [];
  let done;
  const finished = new Promise((resolve) => { done = resolve; });
  const complete = () => args.topics.every((t) => seen[t.name] >= t.expected);
  // Keyed records must sit where Java's (and kafkajs') murmur2 partitioner
  // puts their key, so that consumers can co-partition with them.
  const admin = kafka.admin();
  await admin.connect();
  const { topics: metadata } = await admin.fetchTopicMetadata({ topics: args.topics.map((t) => t.name) });
  await admin.disconnect();
  const partitionsOf = Object.fromEntries(metadata.map((m) => [m.name, m.partitions.map((p) => ({ ...p, leader: 0 }))]));
  const javaPartitioner = Partitioners.DefaultPartitioner();
  await consumer.connect();
  for (const t of args.topics) await consumer.subscribe({ topic: t.name, fromBeginning: true });
  await consumer.run({
    eachMessage: async ({ topic, partition, message }) => {
      const role = roles[topic].role;
      seen[topic] += 1;
      const where = `${topic}/${partition}/${message.offset}`;
      for (const p of check(role, message, args.mode, validate)) problems.push(`${where}: ${p}`);
      if (message.key !== null) {
        const java = javaPartitioner({ topic, partitionMetadata: partitionsOf[topic], message: { key: message.key } });
        if (java !== partition) problems.push(`${where}: key ${message.key} belongs in partition ${java}`);
      }
      const b64 = (b) => (b === null ? null : Buffer.from(b).toString('base64'));
      const headers = Object.fromEntries(Object.entries(message.headers || {}).map(([k, v]) => [k, b64(v)]));
      process.stdout.write(JSON.stringify({ topic, partition, offset: Number(message.offset),
                                            key: b64(message.key), value: b64(message.value), headers }) + '\n');
      if (complete()) done();
    },
  });
  if (complete()) done();
  const timer = setTimeout(done, args.timeoutMs);
  await finished;
  clearTimeout(timer);
  await consumer.disconnect();
  for (const t of args.topics) {
    if (seen[t.name] !== t.expected) problems.push(`${t.name}: read ${seen[t.name]} records, expected ${t.expected}`);
  }
  return problems;
}

async function checkProfiles(args, validate) {
  const problems = [];
  for (const id of args.customers) {
    const response = await fetch(`http://127.0.0.1:${args.httpPort}/customers/${encodeURIComponent(id)}`);
    if (response.status !== 200) { problems.push(`/customers/${id}: HTTP ${response.status}`); continue; }
    const profile = await response.json();
    for (const p of validate('customer-profile.schema.json', profile)) problems.push(`/customers/${id}: ${p}`);
    process.stdout.write(JSON.stringify({ profile: id, customer_id: profile.customer_id }) + '\n');
  }
  return problems;
}

(async () => {
  const args = parseArgs(process.argv.slice(2));
  const validate = loadValidators();
  const problems = [...(await readTopics(args, validate)), ...(await checkProfiles(args, validate))];
  for (const p of problems) process.stderr.write(`contract broken: ${p}\n`);
  process.exit(problems.length === 0 ? 0 : 1);
})().catch((e) => { process.stderr.write(`${e.stack}\n`); process.exit(2); });
