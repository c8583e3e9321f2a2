// The pure parts of the conversation layer: variables, parseRegex, matchers and their
// descriptions, and the plain-text transcript.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import {
  Variables,
  captures,
  describeExpectation,
  matches,
  parseRegex,
  renderTranscript,
  type Expectation,
} from '../../src/conversation/index.ts';
import { normalise } from '../../src/protocol/index.ts';
import { isApiChatError } from '../../src/base/errors.ts';
import { NAME, Replies, SENDER, CONV_ID, harness, rejectsWith } from './harness.ts';

const r = new Replies({ sender_id: SENDER, conv_id: CONV_ID });
const msg = (raw: unknown) => normalise(raw, 1_700_000_000_000);

describe('Variables', () => {
  it('interpolates every {{name}}, with optional inner spaces; text without placeholders is unchanged', () => {
    const v = new Variables();
    v.setAll({ name: 'Ann', ref: 'AB-12' });
    v.set('order.id', '77');
    assert.equal(v.interpolate('Hi {{name}}, ref {{ ref }} / {{name}} #{{order.id}}'), 'Hi Ann, ref AB-12 / Ann #77');
    assert.equal(v.interpolate('no placeholders {here}'), 'no placeholders {here}');
    assert.equal(v.get('ref'), 'AB-12');
    assert.deepEqual(v.entries(), { name: 'Ann', ref: 'AB-12', 'order.id': '77' });
  });

  it('an unknown variable is APICHAT_UNKNOWN_VARIABLE naming it and the known ones', () => {
    const v = new Variables();
    v.setAll({ name: 'Ann', ref: 'AB-12' });
    assert.throws(
      () => v.interpolate('order {{orderId}}'),
      (e: unknown) => {
        assert.ok(isApiChatError(e, 'APICHAT_UNKNOWN_VARIABLE'));
        assert.match(e.message, /^unknown variable \{\{orderId\}\}: known variables are \{\{name\}\}, \{\{ref\}\}/);
        assert.match(e.message, /\(\?<orderId>/);
        return true;
      },
    );
  });

  it('with nothing captured yet, the error says so', () => {
    assert.throws(() => new Variables().interpolate('{{x}}'), (e: unknown) => isApiChatError(e, 'APICHAT_UNKNOWN_VARIABLE') && /no variable has been captured yet/.test(e.message));
  });

  it('regex captures from expect() feed interpolation', async (t) => {
    const { c, bot } = await harness(t);
    bot.onNextSend((_a, b) => b.deliver(r.text('Booked! Reference: XY-789')));
    await c.say('book');
    const v = new Variables();
    const { captured } = await c.expect({ kind: 'text', mode: 'regex', value: '/Reference: (?<ref>[A-Z]+-\\d+)/' }, 'm');
    v.setAll(captured);
    bot.onNextSend((_a, b) => b.deliver(r.text('Booking XY-789 is confirmed')));
    await c.say(v.interpolate('status of {{ref}}'));
    assert.equal(bot.sent[1]!.message.content, 'status of XY-789');
    await c.expect({ kind: 'text', mode: 'containing', value: v.interpolate('{{ref}} is confirmed') }, 'c');
  });
});

describe('parseRegex', () => {
  it('/a\\/b/i: slash inside, flags kept', () => {
    const re = parseRegex('/a\\/b/i');
    assert.equal(re.flags, 'i');
    assert.ok(re.test('A/B'));
    assert.ok(!re.test('ab'));
  });

  it('drops g and y (a step tests one message), keeps s/m/u; trims around the slashes', () => {
    const re = parseRegex('  /^x.y$/gmsy ');
    assert.equal(re.flags, 'ms');
    assert.ok(re.test('a\nx\ny'));
  });

  it('named groups survive; a bare pattern (no slashes) is taken as is', () => {
    assert.deepEqual({ ...parseRegex('/(?<n>\\d+)/').exec('abc 42')?.groups }, { n: '42' });
    const bare = parseRegex('total: \\d+');
    assert.equal(bare.source, 'total: \\d+');
    assert.ok(bare.test('total: 9'));
  });

  it('an invalid pattern is an APICHAT_BAD_REGEX error naming the pattern', () => {
    assert.throws(() => parseRegex('/(unclosed/'), (e: unknown) => isApiChatError(e, 'APICHAT_BAD_REGEX') && e.message.startsWith('invalid regular expression /(unclosed/: '));
    assert.throws(() => parseRegex('/x/ii'), (e: unknown) => isApiChatError(e, 'APICHAT_BAD_REGEX') && e.message.includes('/x/ii'));
  });
});

describe('matches / captures / describeExpectation', () => {
  it('private notes and unknown deliveries never match a text expectation', () => {
    const any: Expectation = { kind: 'text', mode: 'containing', value: '' };
    assert.equal(matches(any, msg(r.text('x'))), true);
    assert.equal(matches(any, msg(r.note('x'))), false);
    assert.equal(matches(any, msg(r.unknown())), false);
    assert.equal(matches(any, msg(r.media('image', 'https://x'))), false);
  });

  it('captures is empty for non-regex expectations and drops groups that did not take part', () => {
    const m = msg(r.text('id 5'));
    assert.deepEqual(captures({ kind: 'text', mode: 'containing', value: 'id' }, m), {});
    assert.deepEqual(captures({ kind: 'text', mode: 'regex', value: '/id (?<n>\\d)(?<x>z)?/' }, m), { n: '5' });
  });

  it('describes every expectation kind for failure messages', () => {
    assert.equal(describeExpectation({ kind: 'text', mode: 'exact', value: 'Hi' }), 'a reply with the text "Hi"');
    assert.equal(describeExpectation({ kind: 'text', mode: 'containing', value: 'Hi' }), 'a reply containing "Hi"');
    assert.equal(describeExpectation({ kind: 'text', mode: 'regex', value: '/h/i', regex: /h/i }), 'a reply matching /h/i');
    assert.equal(describeExpectation({ kind: 'buttons', titles: ['A', 'B'] }), 'buttons "A", "B" (exactly these, in this order)');
    assert.equal(describeExpectation({ kind: 'carousel', count: 1 }), 'a carousel with 1 card');
    assert.equal(
      describeExpectation({ kind: 'carousel', rows: [{ title: 'X', subtitle: 's', buttons: ['Go'] }] }),
      'a carousel with cards "X" subtitle "s" buttons ["Go"]',
    );
    assert.equal(describeExpectation({ kind: 'media', media: 'image', urlPart: '.png' }), 'an image whose URL contains ".png"');
    assert.equal(describeExpectation({ kind: 'media', media: 'file' }), 'a file');
  });
});

describe('renderTranscript', () => {
  it('shows user actions, replies with +ms, claims (✓ step), private notes and failed checks', async (t) => {
    const { c, bot } = await harness(t, { replyTimeoutMs: 20 });
    bot
      .onNextSend((_a, b) => b.deliver(r.note('routed to sales'), r.buttons('Pick one', [{ title: 'A', payload: 'PA' }, 'B'])))
      .onNextSend((_a, b) => b.deliver(r.media('image', 'https://cdn.test/a.png')));
    await c.say('hi');
    await c.expect({ kind: 'text', mode: 'exact', value: 'Pick one' }, 'Then the bot replies "Pick one"');
    c.recordCheck('Then the bot replies "Pick one"', true);
    await c.tap('A');
    const err = await rejectsWith(c.expect({ kind: 'text', mode: 'exact', value: 'Thanks' }, 'Then the bot replies "Thanks"'), 'APICHAT_REPLY_TIMEOUT');
    c.recordCheck('Then the bot replies "Thanks"', false, err.message);

    const text = renderTranscript(c.transcript);
    const lines = text.split('\n');
    assert.equal(lines[0], `Conversation ${SENDER} (${NAME}), conversation_id ${CONV_ID}`);
    assert.equal(lines[1], 'turn 1  user says "hi"');
    assert.match(lines[2]!, /^ {8}bot {2}text "routed to sales" \(private note\) {2}\(\+\d+ ms\)$/);
    assert.match(lines[3]!, /^ {8}bot {2}buttons "Pick one" \["A", "B"\] {2}\(\+\d+ ms\) {2}✓ Then the bot replies "Pick one"$/);
    assert.equal(lines[4], 'turn 2  user taps "A" (payload "PA")');
    assert.match(lines[5]!, /^ {8}bot {2}image https:\/\/cdn\.test\/a\.png {2}\(\+\d+ ms\)$/);
    assert.match(lines[6]!, /^ {8}✗ Then the bot replies "Thanks": Timed out after \d+ ms waiting for a reply with the text "Thanks"\.$/);
    assert.equal(lines.length, 7, text);

    const checks = c.transcript.events.filter((e) => e.type === 'check');
    assert.deepEqual(
      checks.map((e) => e.type === 'check' && [e.turn, e.step, e.ok]),
      [
        [1, 'Then the bot replies "Pick one"', true],
        [2, 'Then the bot replies "Thanks"', false],
      ],
    );
  });

  it('renders attachments with their article', () => {
    const text = renderTranscript({
      senderId: 's',
      name: 'n',
      conversationId: 1,
      startedAt: 0,
      events: [
        { type: 'user', turn: 1, at: 10, action: { kind: 'audio', url: 'https://a.test/x.mp3' } },
        { type: 'user', turn: 2, at: 20, action: { kind: 'image', url: 'https://a.test/y.png' } },
        { type: 'bot', turn: 2, at: 32.4, index: 0, message: msg(r.text('ok')) },
      ],
    });
    assert.deepEqual(text.split('\n').slice(1), ['turn 1  user sends an audio https://a.test/x.mp3', 'turn 2  user sends an image https://a.test/y.png', '        bot  text "ok"  (+12 ms)']);
  });
});
