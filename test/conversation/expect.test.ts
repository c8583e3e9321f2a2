// Conversation.expect() for text replies: exact / containing / regex, claiming the first
// unclaimed matching reply of the current turn, order independence, event-driven waiting,
// timeouts and what their failure says, earlier turns, private notes, unknown deliveries.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { Expectation } from '../../src/conversation/index.ts';
import { textOf, type BotMessage } from '../../src/protocol/index.ts';
import { harness, nextMacrotask, permutations, rejectsWith, shuffled } from './harness.ts';

const exact = (value: string): Expectation => ({ kind: 'text', mode: 'exact', value });
const containing = (value: string): Expectation => ({ kind: 'text', mode: 'containing', value });
const regex = (value: string, re?: RegExp): Expectation => ({ kind: 'text', mode: 'regex', value, ...(re ? { regex: re } : {}) });
const text = (m: BotMessage): string | null => textOf(m);

describe('expect(): text matching', () => {
  it('exact compares trimmed text, both sides', async (t) => {
    const { c, bot, r } = await harness(t);
    bot.onNextSend((_a, b) => b.deliver(r.text('  Hello there \n'), r.text('Hello')));
    await c.say('hi');
    const got = await c.expect(exact(' Hello there'), 'Then the bot replies "Hello there"');
    assert.equal(text(got.message), '  Hello there \n');
    assert.deepEqual(got.captured, {});
    // "Hello" is not "Hello there": exact does not mean "starts with"
    const second = await c.expect(exact('Hello'), 'Then the bot replies "Hello"');
    assert.equal(text(second.message), 'Hello');
  });

  it('exact does not match a longer or differently-cased text', async (t) => {
    const { c, bot, r } = await harness(t);
    bot.onNextSend((_a, b) => b.deliver(r.text('Hello there!')));
    await c.say('hi');
    await rejectsWith(c.expect(exact('hello there!'), 'x'), 'APICHAT_REPLY_TIMEOUT');
    await rejectsWith(c.expect(exact('Hello there'), 'y'), 'APICHAT_REPLY_TIMEOUT');
  });

  it('containing matches a case-sensitive substring of any message text (text, buttons, carousel)', async (t) => {
    const { c, bot, r } = await harness(t);
    bot.onNextSend((_a, b) =>
      b.deliver(
        r.media('image', 'https://cdn.example/order-status.png'),
        r.buttons('Your order status: shipped', ['Track']),
        r.carousel('Order status cards', [{ title: 'Card' }]),
      ),
    );
    await c.say('status');
    const first = await c.expect(containing('status'), 's1');
    assert.equal(first.message.kind, 'buttons', 'the image URL contains "status" but media has no text');
    const second = await c.expect(containing('status'), 's2');
    assert.equal(second.message.kind, 'carousel');
    await rejectsWith(c.expect(containing('STATUS'), 's3'), 'APICHAT_REPLY_TIMEOUT');
  });

  it('regex honours flags and returns named groups as captures (only the groups that took part)', async (t) => {
    const { c, bot, r } = await harness(t);
    bot.onNextSend((_a, b) => b.deliver(r.text('HELLO Ann, your reference is AB-123.')));
    await c.say('hi');
    const got = await c.expect(regex('/^hello (?<name>\\w+), your reference is (?<ref>[A-Z]+-\\d+)(?<missing>!)?/i'), 'm');
    assert.deepEqual(got.captured, { name: 'Ann', ref: 'AB-123' });
  });

  it('regex without the i flag is case-sensitive', async (t) => {
    const { c, bot, r } = await harness(t);
    bot.onNextSend((_a, b) => b.deliver(r.text('HELLO Ann')));
    await c.say('hi');
    await rejectsWith(c.expect(regex('/^hello/'), 'm'), 'APICHAT_REPLY_TIMEOUT');
  });

  it('a given RegExp object (with g/y) is used as is, without lastIndex leaking between replies', async (t) => {
    const { c, bot, r } = await harness(t);
    bot.onNextSend((_a, b) => b.deliver(r.text('code 11'), r.text('code 22')));
    await c.say('codes');
    const re = /code (?<n>\d+)/g;
    const a = await c.expect(regex(String(re), re), 'first');
    const b = await c.expect(regex(String(re), re), 'second');
    assert.deepEqual([a.captured, b.captured], [{ n: '11' }, { n: '22' }]);
  });
});

describe('expect(): claiming', () => {
  it('claims the FIRST unclaimed matching reply, in arrival order, then the next one', async (t) => {
    const { c, bot, r } = await harness(t);
    bot.onNextSend((_a, b) => b.deliver(r.text('Item 1'), r.text('Other'), r.text('Item 2')));
    await c.say('list');
    assert.equal(text((await c.expect(containing('Item'), 'a')).message), 'Item 1');
    assert.equal(text((await c.expect(containing('Item'), 'b')).message), 'Item 2');
    const err = await rejectsWith(c.expect(containing('Item'), 'c'), 'APICHAT_REPLY_TIMEOUT');
    assert.match(err.message, /1 unclaimed reply in this turn:\n {4}- text "Other"/);
    assert.match(err.message, /note: {5}a matching reply was already claimed by "a"/);
  });

  it('a non-matching earlier reply is skipped, not consumed', async (t) => {
    const { c, bot, r } = await harness(t);
    bot.onNextSend((_a, b) => b.deliver(r.text('a'), r.text('b')));
    await c.say('x');
    assert.equal(text((await c.expect(exact('b'), 'b')).message), 'b');
    assert.equal(text((await c.expect(exact('a'), 'a')).message), 'a');
    await c.expectNothingMore();
  });

  it('two identical replies need two steps', async (t) => {
    const { c, bot, r } = await harness(t);
    bot.script = (_a, b) => b.deliver(r.text('Done'), r.text('Done'));
    await c.say('one');
    await c.expect(exact('Done'), 'first');
    const err = await rejectsWith(c.expectNothingMore(), 'APICHAT_UNEXPECTED_REPLY');
    assert.match(err.message, /text "Done"/);
    await c.expect(exact('Done'), 'second');
    await c.expectNothingMore();
    const claims = c.transcript.events.flatMap((e) => (e.type === 'bot' ? [e.claimedBy] : []));
    assert.deepEqual(claims, ['first', 'second']);
  });

  it('order within a turn does not matter: every permutation, delivered sync, in a microtask, next tick and late', async (t) => {
    for (const [i, order] of permutations(['A', 'B', 'C', 'D']).entries()) {
      const { c, bot, r } = await harness(t, { quietMs: 10 });
      const modes = shuffled(['sync', 'micro', 'soon', 'late'] as const, i);
      bot.onNextSend((_a, b) => {
        order.forEach((label, k) => {
          const reply = r.text(`reply ${label}`);
          const mode = modes[k]!;
          if (mode === 'sync') b.deliver(reply);
          else if (mode === 'micro') b.deliverInMicrotask(reply);
          else if (mode === 'soon') b.deliverSoon(reply);
          else b.deliverAfter(3, reply);
        });
      });
      await c.say('go');
      for (const label of ['A', 'B', 'C', 'D']) {
        const got = await c.expect(exact(`reply ${label}`), `step ${label}`);
        assert.equal(text(got.message), `reply ${label}`, `order ${order.join('')}`);
      }
      await c.expectNothingMore();
      bot.cancelPending();
      await c.close();
    }
  });

  it('a reply arriving after the step started waiting resolves it, on arrival (event-driven)', async (t) => {
    const { c, bot, r } = await harness(t, { replyTimeoutMs: 5_000 });
    await c.say('hi');
    let resolved: BotMessage | undefined;
    const current = (): BotMessage | undefined => resolved; // read through a call: no stale narrowing
    const p = c.expect(exact('late hello'), 'Then the bot replies "late hello"').then((x) => (resolved = x.message));
    await nextMacrotask();
    assert.equal(current(), undefined, 'nothing to claim yet');
    const startedWaiting = bot.sent[0]!.at;
    bot.deliver(r.text('late hello'));
    // Resolved by the delivery itself: by the next macrotask, long before any timer could fire.
    await nextMacrotask();
    const got = current();
    assert.ok(got, 'expect() must resolve as soon as the reply is filed');
    assert.equal(text(got), 'late hello');
    assert.ok(got.arrived_at >= startedWaiting);
    await p;
  });

  it('a reply already there resolves the step without waiting for a macrotask', async (t) => {
    const { c, bot, r } = await harness(t, { replyTimeoutMs: 5_000 });
    bot.onNextSend((_a, b) => b.deliver(r.text('ready')));
    await c.say('hi');
    let done = false;
    const p = c.expect(exact('ready'), 's').then(() => (done = true));
    await nextMacrotask();
    assert.equal(done, true);
    await p;
  });
});

describe('expect(): timeouts and failure messages', () => {
  it('times out with APICHAT_REPLY_TIMEOUT, listing the unclaimed replies (kind, text, buttons) and the wait', async (t) => {
    const { c, bot, r } = await harness(t, { replyTimeoutMs: 120 });
    bot.onNextSend((_a, b) => b.deliver(r.text('Hi!'), r.buttons('Pick one', ['A', 'B']), r.media('image', 'https://x.test/cat.png'), r.unknown()));
    await c.say('hello');
    const err = await rejectsWith(c.expect(exact('Bye'), 'Then the bot replies "Bye"'), 'APICHAT_REPLY_TIMEOUT');
    const head = /^Timed out after (\d+) ms waiting for a reply with the text "Bye"\./.exec(err.message);
    assert.ok(head, err.message);
    assert.ok(Number(head[1]) >= 120, `waited ${head[1]} ms, at least the reply timeout`);
    assert.match(err.message, /\n {2}expected: a reply with the text "Bye"\n/);
    assert.match(err.message, /\n {2}waited: {3}\d+ ms in turn 1 \(after the user says "hello"\)\n/);
    assert.match(err.message, /received: 4 unclaimed replies in this turn:/);
    assert.match(err.message, /- text "Hi!" {2}\(\+\d+ ms\)/);
    assert.match(err.message, /- buttons "Pick one" \["A", "B"\] {2}\(\+\d+ ms\)/);
    assert.match(err.message, /- image https:\/\/x\.test\/cat\.png/);
    assert.match(err.message, /- unknown \(unrecognised shape: type "sticker"\)/);
    assert.match(err.message, /transcript: /);
    assert.equal(err.name, 'ConversationError');
  });

  it('the timeout failure says when nothing at all came in this turn', async (t) => {
    const { c } = await harness(t, { replyTimeoutMs: 30 });
    await c.say('anyone?');
    const err = await rejectsWith(c.expect(containing('x'), 's'), 'APICHAT_REPLY_TIMEOUT');
    assert.match(err.message, /received: no unclaimed reply in this turn/);
  });

  it('a reply of an EARLIER turn never satisfies a later turn, and the failure says so', async (t) => {
    const { c, bot, r } = await harness(t);
    bot.onNextSend((_a, b) => b.deliver(r.text('Welcome!'))).onNextSend((_a, b) => b.deliver(r.text('Sorry?')));
    await c.say('hi');
    await c.say('what?');
    assert.equal(c.currentTurn, 2);
    const err = await rejectsWith(c.expect(exact('Welcome!'), 'Then the bot replies "Welcome!"'), 'APICHAT_REPLY_TIMEOUT');
    assert.match(err.message, /note: {5}a reply of turn 1 matches \(text "Welcome!"\), but replies of earlier turns never satisfy a later turn's assertions/);
    assert.match(err.message, /1 unclaimed reply in this turn:\n {4}- text "Sorry\?"/);
    assert.doesNotMatch(err.message, /- text "Welcome!"/, 'earlier turns are not listed as unclaimed');
    // the turn-2 reply is still claimable
    await c.expect(exact('Sorry?'), 'ok');
  });

  it('rejected deliveries since the conversation opened are reported in the failure', async (t) => {
    const { c, store } = await harness(t, { replyTimeoutMs: 20 });
    store.reject({ at: Date.now(), status: 401, reason: 'bad signature' });
    await c.say('hi');
    const err = await rejectsWith(c.expect(exact('x'), 's'), 'APICHAT_REPLY_TIMEOUT');
    assert.match(err.message, /warning: {2}1 delivery was rejected: 1× bad signature — check APICHAT_WEBHOOK_SECRET/);
  });
});

describe('expect(): private notes and unknown deliveries', () => {
  it('private notes are never claimed nor listed as unclaimed, but are in the transcript', async (t) => {
    const { c, bot, r } = await harness(t, { replyTimeoutMs: 40 });
    bot.onNextSend((_a, b) => b.deliver(r.note('internal: routed to sales'), r.text('One moment')));
    await c.say('buy');
    const err = await rejectsWith(c.expect(containing('routed'), 'Then the bot replies containing "routed"'), 'APICHAT_REPLY_TIMEOUT');
    assert.match(err.message, /1 unclaimed reply in this turn:\n {4}- text "One moment"/);
    assert.doesNotMatch(err.message, /private note/);
    await c.expect(exact('One moment'), 's');
    await c.expectNothingMore();
    const notes = c.transcript.events.filter((e) => e.type === 'bot' && e.message.private);
    assert.equal(notes.length, 1);
    const note = notes[0]!;
    assert.ok(note.type === 'bot' && note.claimedBy === undefined && note.turn === 1);
  });

  it('unknown deliveries are kept and listed as unclaimed; they make "nothing more" fail', async (t) => {
    const { c, bot, r } = await harness(t);
    bot.onNextSend((_a, b) => b.deliver(r.unknown({ sticker_id: 'wave' })));
    await c.say('hi');
    const err = await rejectsWith(c.expectNothingMore(), 'APICHAT_UNEXPECTED_REPLY');
    assert.match(err.message, /1 unclaimed reply in this turn:\n {4}- unknown \(unrecognised shape: type "sticker"\) \{.*"sticker_id":"wave"/);
    // no text expectation can claim it
    await rejectsWith(c.expect(containing(''), 's'), 'APICHAT_REPLY_TIMEOUT');
  });
});
