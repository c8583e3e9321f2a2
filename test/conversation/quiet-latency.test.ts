// expectNothingMore() (the quiet window) and expectReplyWithin() (latency of the first reply).
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { Expectation } from '../../src/conversation/index.ts';
import { nowMs } from '../../src/protocol/index.ts';
import { claimedTurn, harness, nextMacrotask, rejectsWith, replyThenLate } from './harness.ts';

const exact = (value: string): Expectation => ({ kind: 'text', mode: 'exact', value });

describe('expectNothingMore()', () => {
  it('passes when no reply comes within quietMs, having listened for the whole window', async (t) => {
    const h = await harness(t, { quietMs: 40 });
    const { c } = h;
    await claimedTurn(h, 'bye', 'Bye');
    const started = nowMs();
    await c.expectNothingMore();
    const listened = nowMs() - started;
    assert.ok(listened >= 40, `listened ${listened.toFixed(1)} ms, at least the quiet window`);
  });

  it('passes for a turn with no reply at all, and before any user action', async (t) => {
    const { c } = await harness(t, { quietMs: 10 });
    await c.expectNothingMore();
    await c.say('hello?');
    await c.expectNothingMore();
  });

  it('fails immediately (no waiting) with APICHAT_UNEXPECTED_REPLY when an unclaimed reply exists', async (t) => {
    const { c, bot, r } = await harness(t, { quietMs: 60_000 });
    bot.onNextSend((_a, b) => b.deliver(r.text('Hello'), r.buttons('Anything else?', ['Yes', 'No'])));
    await c.say('hi');
    await c.expect(exact('Hello'), 's');
    let err: unknown;
    const p = c.expectNothingMore().catch((e: unknown) => (err = e));
    await nextMacrotask();
    assert.ok(err, 'rejected before any timer could fire');
    await p;
    const e = await rejectsWith(Promise.reject(err), 'APICHAT_UNEXPECTED_REPLY');
    assert.match(e.message, /^The bot said more\.\n {2}expected: no further reply within 60000 ms \(APICHAT_QUIET_MS\)/);
    assert.match(e.message, /1 unclaimed reply in this turn:\n {4}- buttons "Anything else\?" \["Yes", "No"\]/);
  });

  it('fails when a reply arrives during the window, on its arrival', async (t) => {
    const { c, bot, r } = await harness(t, { quietMs: 5_000 });
    bot.onNextSend(replyThenLate(r.text('Done'), 15, r.text('P.S. one more thing')));
    await c.say('go');
    await c.expect(exact('Done'), 's');
    const err = await rejectsWith(c.expectNothingMore(), 'APICHAT_UNEXPECTED_REPLY');
    assert.match(err.message, /- text "P\.S\. one more thing"/);
    assert.match(err.message, /waited: {3}\d+ ms in turn 1/);
  });

  it('replies of earlier turns and private notes do not count', async (t) => {
    const { c, bot, r } = await harness(t, { quietMs: 20 });
    bot.onNextSend((_a, b) => b.deliver(r.text('unclaimed in turn 1'))).onNextSend(replyThenLate(r.note('agent note'), 5, r.note('another note, during the window')));
    await c.say('one');
    await c.say('two');
    await c.expectNothingMore();
    assert.equal(bot.deliveries.length, 3, 'the late note did arrive during the window');
  });
});

describe('expectReplyWithin()', () => {
  it('passes with a quick reply and returns its latency from the user action; claims nothing', async (t) => {
    const { c, bot, r } = await harness(t);
    bot.onNextSend((_a, b) => b.deliverSoon(r.text('Quick')));
    await c.say('hi');
    const latency = await c.expectReplyWithin(2_000);
    assert.equal(typeof latency, 'number');
    assert.ok(latency >= 0 && latency <= 2_000, `latency ${latency}`);
    await c.expect(exact('Quick'), 'still claimable');
  });

  it('fails with APICHAT_TOO_SLOW when no reply comes within the limit (reply delivered late)', async (t) => {
    const { c, bot, r } = await harness(t);
    bot.onNextSend((_a, b) => b.deliverAfter(60, r.text('Slow')));
    await c.say('hi');
    const err = await rejectsWith(c.expectReplyWithin(20), 'APICHAT_TOO_SLOW');
    assert.match(err.message, /^No reply within 20 ms\.\n {2}expected: a reply within 20 ms of the user's action/);
  });

  it('fails with APICHAT_TOO_SLOW, saying how long it took, when the reply is there but was late', async (t) => {
    const { c, bot, r } = await harness(t);
    bot.onNextSend((_a, b) => b.deliverAfter(40, r.text('Slow')));
    await c.say('hi');
    await c.expect(exact('Slow'), 'waits for it');
    const err = await rejectsWith(c.expectReplyWithin(20), 'APICHAT_TOO_SLOW');
    const took = /^The first reply took (\d+) ms\./.exec(err.message);
    assert.ok(took, err.message);
    assert.ok(Number(took[1]) > 20);
  });

  it('a private note is not a reply for latency', async (t) => {
    const { c, bot, r } = await harness(t);
    bot.onNextSend((_a, b) => b.deliver(r.note('typing…')));
    await c.say('hi');
    await rejectsWith(c.expectReplyWithin(20), 'APICHAT_TOO_SLOW');
  });
});
