// The widget's half of the protocol contract (the Rust half: app/tests/widget_protocol.rs).
// The samples are what the Rust types serialise; the widget's own reader must read every one
// of them, and its builders must write exactly the commands the server reads.
// Run with `node --test end2end/unit/` (the README's test command does).
'use strict';
const test = require('node:test');
const assert = require('node:assert/strict');
const path = require('node:path');

const widget = path.join(__dirname, '..', '..', 'public', 'widget');
const samples = require(path.join(widget, 'protocol.samples.json'));
const protocol = require(path.join(widget, 'protocol.js'));

test('every server message in the samples is read, with the fields the page shows', () => {
  const read = Object.fromEntries(
    Object.entries(samples.server).map(([name, msg]) => [name, protocol.read(msg)]),
  );
  assert.deepEqual(
    Object.values(read).filter((m) => m.type === 'unknown'),
    [],
    'no sample is a message the widget does not know',
  );
  assert.equal(read.line_from_customer.kind, 'customer');
  assert.equal(read.line_from_customer.text, 'My parcel is late 📦');
  assert.equal(read.line_from_customer.client_id, 'k1');
  assert.equal(read.line_from_customer.seq, 2);
  assert.equal(read.line_from_agent.kind, 'agent');
  assert.equal(read.line_from_agent.who, 'Alex', 'the alias, never the name');
  assert.equal(read.line_joined.kind, 'system');
  assert.equal(read.line_joined.joined, 'Alex');
  assert.equal(read.line_joined.text, 'Alex has joined the chat.');
  assert.equal(read.line_ended.text, 'The customer ended the chat.');
  assert.equal(read.synced.seq, 5);
  assert.equal(read.typing.active, true);
  assert.equal(read.ended.type, 'ended');
  assert.deepEqual(read.queue, { type: 'queue', position: 3, usual_wait_secs: 150 });
  assert.deepEqual(read.queue_first, { type: 'queue', position: 1, usual_wait_secs: null });
  assert.equal(read.rejected_message.client_id, 'k9');
  assert.match(read.rejected_message.message, /1000 messages/);
  assert.equal(read.rejected_command.client_id, null);
  assert.equal(read.rejected_field.client_id, 'k2');
  assert.match(read.rejected_field.message, /at most 1500 characters \(1501 given\)/);
});

test('a line the page cannot read holds its place as a notice; other broken messages are refused', () => {
  const broken = structuredClone(samples.server.line_from_agent);
  delete broken.line.body.author.alias;
  const read = protocol.read(broken);
  assert.equal(read.seq, broken.line.seq, 'the cursor moves past it: later lines are not held back');
  assert.equal(read.kind, 'system', 'never shown as an agent without a name');
  assert.equal(read.text, broken.text);
  assert.match(read.unreadable, /alias/);
  const newer = structuredClone(samples.server.line_joined);
  newer.line.body = { type: 'poll', options: ['yes', 'no'] };
  assert.equal(protocol.read(newer).seq, newer.line.seq);
  const noSeq = structuredClone(samples.server.line_from_agent);
  delete noSeq.line.seq;
  assert.throws(() => protocol.read(noSeq), /seq/);
  const renamed = structuredClone(samples.server.rejected_message);
  renamed.reason = renamed.message;
  delete renamed.message;
  assert.throws(() => protocol.read(renamed), /message/);
});

test('the widget says the protocol version the server speaks', () => {
  assert.equal(typeof protocol.version, 'number');
  assert.equal(protocol.version, samples.version, 'public/widget/protocol.js `version`');
  assert.equal(protocol.otherVersionCloseCode, samples.other_version_close_code);
});

test('the commands the widget writes are the samples the server reads', () => {
  const c = protocol.commands;
  assert.deepEqual(c.hello(12), samples.commands.hello);
  assert.deepEqual(c.send('k1', 'Hello'), samples.commands.send);
  assert.deepEqual(c.typing(false), samples.commands.typing);
  assert.deepEqual(c.end(), samples.commands.end);
  assert.deepEqual(
    protocol.prechat('Zoé Martin', 'zoe@example.com', '', 1, [
      { field: 3, value: 'A-1234' },
      { field: 4, value: 'Lyon' },
    ]),
    samples.prechat,
  );
  const message = 'Please call me back about my order.';
  assert.deepEqual(protocol.leftMessage(samples.prechat, message, 'k7'), samples.left_message);
  assert.deepEqual(protocol.leftMessage(null, message, 'k8'), samples.left_message_after_wait);
});

test('refusals are read with their sentence and each field at fault', () => {
  const invalid = protocol.readRefusal(samples.refusals.invalid);
  assert.deepEqual(invalid.errors.map((e) => e.field), ['name', 'email', 'answer-3']);
  assert.equal(invalid.errors[2].message, 'Order number: required');
  assert.match(invalid.errors[1].message, /zoe@/);
  const full = protocol.readRefusal(samples.refusals.queue_full);
  assert.match(full.message, /queue is full/);
  assert.deepEqual(full.errors, []);
  assert.equal(full.code, 'queue_full');
  assert.equal(protocol.readRefusal(samples.refusals.no_agent).code, 'no_agent', 'K-4: the page offers to leave a message');
  assert.equal(full.opens_at_ms, null);
  const closed = protocol.readRefusal(samples.refusals.closed);
  assert.equal(closed.code, 'closed', 'issue 17: outside business hours');
  assert.equal(closed.opens_at_ms, 1796720400000, 'when the queue opens again');
});

test('the configuration is read with its limit and wording', () => {
  const cfg = protocol.readConfig(samples.config);
  assert.equal(cfg.limits.message_chars, 1500);
  assert.equal(cfg.limits.answer_chars, 200);
  assert.match(cfg.limits.message_too_long, /1500 characters/);
  assert.equal(cfg.limits.left_message_chars, 5000);
  assert.equal(cfg.leave_message, true);
  assert.deepEqual(cfg.problems, [
    { id: 1, label: 'Billing question', open: true, opens_at_ms: null },
    { id: 2, label: 'Returns', open: false, opens_at_ms: 1796720400000 },
  ]);
  assert.deepEqual(cfg.fields, [
    { id: 3, label: 'Order number', kind: 'text', required: true, choices: [] },
    { id: 4, label: 'Store', kind: 'choice', required: false, choices: ['Paris', 'Lyon'] },
  ]);
});

test('issue 17 (K-4): a file to send with a message is checked against the limits the server gives', () => {
  const limits = protocol.readConfig(samples.config).limits;
  assert.deepEqual([limits.files, limits.file_bytes, limits.files_bytes], [10, 10485760, 20971520]);
  const file = (name, size) => ({ name, size });
  assert.equal(protocol.fileRefusal([], file('a.pdf', 10485760), limits), null, 'exactly 10 MB is taken');
  assert.deepEqual(protocol.fileRefusal([], file('big.pdf', 10485761), limits), {
    key: 'leave.file_too_large', vars: { name: 'big.pdf', max: 10485760, given: 10485761 },
  });
  const two = [file('a.pdf', 10485760), file('b.pdf', 10485760)];
  assert.deepEqual(protocol.fileRefusal(two, file('c.txt', 1), limits), {
    key: 'leave.files_too_large', vars: { name: 'c.txt', max: 20971520, given: 20971521 },
  });
  const ten = Array.from({ length: 10 }, (_, i) => file(`f${i}.txt`, 1));
  assert.deepEqual(protocol.fileRefusal(ten, file('eleven.txt', 1), limits), {
    key: 'leave.too_many_files', vars: { name: 'eleven.txt', count: 10 },
  });
});
