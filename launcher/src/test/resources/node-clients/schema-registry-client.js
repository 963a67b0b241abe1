// Drives onepipe serve with clients onepipe did not write: Confluent's Schema Registry client for Node
// (@kafkajs/confluent-schema-registry) and kafkajs. Prints one JSON object per step on stdout; ServeCommandIT checks them.
//
//   node schema-registry-client.js register <registry-url> <subject> <schema.avsc> [user:password]
//   node schema-registry-client.js produce  <registry-url> <bootstrap> <topic> <subject> <records.json> [user:password]
//   node schema-registry-client.js consume  <registry-url> <bootstrap> <topic> <count> [user:password]
'use strict';
const fs = require('fs');
const { SchemaRegistry, SchemaType } = require('@kafkajs/confluent-schema-registry');
const { Kafka, logLevel } = require('kafkajs');

function registry(url, credentials) {
  const options = { host: url, retry: { retries: 0 } };
  if (credentials) {
    const [username, password] = credentials.split(':');
    options.auth = { username, password };
  }
  return new SchemaRegistry(options);
}

function print(step, fields) {
  process.stdout.write(JSON.stringify({ step, ...fields }) + '\n');
}

async function register([url, subject, schemaFile, credentials]) {
  const client = registry(url, credentials);
  const schema = fs.readFileSync(schemaFile, 'utf8');
  try {
    const { id } = await client.register({ type: SchemaType.AVRO, schema }, { subject });
    const latest = await client.getLatestSchemaId(subject);
    const encoded = await client.encode(id, JSON.parse(fs.readFileSync(schemaFile + '.sample.json', 'utf8')));
    const decoded = await client.decode(encoded);
    print('register', { id, latest, encodedHeader: Array.from(encoded.subarray(0, 5)), decoded });
  } catch (error) {
    print('register', { status: error.status || null, message: error.message });
  }
}

async function produce([url, bootstrap, topic, subject, recordsFile, credentials]) {
  const client = registry(url, credentials);
  const id = await client.getLatestSchemaId(subject);
  const records = JSON.parse(fs.readFileSync(recordsFile, 'utf8'));
  const kafka = new Kafka({ clientId: 'onepipe-it-node', brokers: [bootstrap], logLevel: logLevel.NOTHING });
  const producer = kafka.producer({ idempotent: true, maxInFlightRequests: 1 });
  await producer.connect();
  const messages = [];
  for (const record of records) {
    messages.push({ key: record.key, value: await client.encode(id, record.value) });
  }
  const sent = await producer.send({ topic, acks: -1, messages });
  await producer.disconnect();
  print('produce', { id, sent: sent.length, count: messages.length });
}

async function consume([url, bootstrap, topic, countText, credentials]) {
  const client = registry(url, credentials);
  const count = Number(countText);
  const kafka = new Kafka({ clientId: 'onepipe-it-node', brokers: [bootstrap], logLevel: logLevel.NOTHING });
  const consumer = kafka.consumer({ groupId: 'onepipe-it-node-' + process.pid });
  await consumer.connect();
  await consumer.subscribe({ topic, fromBeginning: true });
  const decoded = [];
  await new Promise((resolve, reject) => {
    consumer.run({
      eachMessage: async ({ partition, message }) => {
        try {
          const value = await client.decode(message.value);
          decoded.push({ partition, offset: message.offset, key: message.key.toString('utf8'), schemaId: message.value.readInt32BE(1), value });
          if (decoded.length >= count) {
            resolve();
          }
        } catch (error) {
          reject(error);
        }
      },
    }).catch(reject);
  });
  await consumer.disconnect();
  print('consume', { records: decoded });
}

const [command, ...args] = process.argv.slice(2);
const steps = { register, produce, consume };
steps[command](args).then(() => process.exit(0), (error) => {
  process.stderr.write(String(error && error.stack || error) + '\n');
  process.exit(1);
});
