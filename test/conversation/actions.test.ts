// User actions: the exact incoming JSON of say / sendAttachment / tap (pinned against the
// protocol fixtures, key order included), turn bookkeeping, and settling before each action.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import type { Expectation } from '../../src/conversation/index.ts';
import type { AttachmentKind } from '../../src/protocol/index.ts';
import { CONV_ID, FAST, NAME, SENDER, claimedTurn, harness, nextMacrotask, replyThenLate } from './harness.ts';
import { nowMs } from '../../src/protocol/index.ts';

const exact = (value: string): Expectation => ({ kind: 'text', mode: 'exact', value });

/** A protocol fixture with its placeholders filled, parsed (key order kept). */
function fixture(name: string, fill: Record<string, string>): unknown {
  let text = readFileSync(new URL(`../fixtures/protocol/${name}`, import.meta.url), 'utf8');
  for (const [k, v] of Object.entries({ 'UNIQUE BOT USER ID': SENDER, 'BOT USER NAME': NAME, ...fill })) text = text.split(`{{${k}}}`).join(v);
  const parsed = JSON.parse(text) as { conversation_id: number };
  parsed.conversation_id = CONV_ID;
  return parsed;
}

describe('user actions build the exact incoming JSON', () => {
  it('say(): message_created with content, sender id and name, conversation_id', async (t) => {
    const { c, bot } = await harness(t);
    await c.say('Hello "bot" — ünïcode');
    assert.equal(bot.sent.length, 1);
    const expected = fixture('incoming-text.json', { 'TEXT MESSAGE': 'Hello \\"bot\\" — ünïcode' });
    assert.equal(JSON.stringify(bot.sent[0]!.message), JSON.stringify(expected));
    assert.deepEqual(bot.sent[0]!.message, {
      content: 'Hello "bot" — ünïcode',
      message_type: 'incoming',
      sender: { id: SENDER, name: NAME, email: '', phone_number: '', type: 'contact' },
      conversation_id: CONV_ID,
      event: 'message_created',
    });
  });

  for (const [kind, url] of [
    ['image', 'https://cdn.test/cat.png'],
    ['audio', 'https://cdn.test/hello.mp3'],
    ['video', 'https://cdn.test/clip.mp4'],
    ['file', 'https://cdn.test/invoice.pdf'],
  ] as const) {
    it(`sendAttachment('${kind}'): empty content and one attachment { file_type, data_url }`, async (t) => {
      const { c, bot } = await harness(t);
      await c.sendAttachment(kind as AttachmentKind, url);
      const placeholder = `${kind.toUpperCase()} URL`;
      const expected = fixture(`incoming-${kind}.json`, { [placeholder]: url });
      assert.equal(JSON.stringify(bot.sent[0]!.message), JSON.stringify(expected));
      assert.deepEqual((bot.sent[0]!.message as { attachments?: unknown }).attachments, [{ file_type: kind, data_url: url }]);
      assert.equal(bot.sent[0]!.message.content, '');
    });
  }

  it('tap(): the postback matches the fixture byte for byte', async (t) => {
    const { c, bot, r } = await harness(t);
    bot.onNextSend((_a, b) => b.deliver(r.buttons('Continue?', [{ title: 'Yes please', payload: 'YES_PAYLOAD' }])));
    await c.say('start');
    await c.tap('Yes please');
    const expected = fixture('incoming-postback.json', { 'BUTTON TITLE': 'Yes please', 'BUTTON PAYLOAD': 'YES_PAYLOAD' });
    assert.equal(JSON.stringify(bot.sent[1]!.message), JSON.stringify(expected));
  });

  it('every action starts a turn and is recorded in the transcript', async (t) => {
    const { c, bot, r } = await harness(t);
    bot.onNextSend((_a, b) => b.deliver(r.buttons('Pick', [{ title: 'Go', payload: 'GO' }])));
    assert.equal(c.currentTurn, 0);
    await c.say('hi');
    await c.tap('Go');
    await c.sendAttachment('image', 'https://cdn.test/a.png');
    assert.equal(c.currentTurn, 3);
    const users = c.transcript.events.filter((e) => e.type === 'user');
    assert.deepEqual(
      users.map((e) => e.type === 'user' && [e.turn, e.action]),
      [
        [1, { kind: 'text', text: 'hi' }],
        [2, { kind: 'postback', title: 'Go', payload: 'GO' }],
        [3, { kind: 'image', url: 'https://cdn.test/a.png' }],
      ],
    );
    assert.deepEqual(c.transcript.events.map((e) => e.type), ['user', 'bot', 'user', 'user']);
  });
});

describe('settle(): the bot must be silent before the next user action', () => {
  it('an action right after a reply waits until settleMs of silence', async (t) => {
    const h = await harness(t, { settleMs: 30 });
    const { c, bot } = h;
    await claimedTurn(h, 'hi', 'Hello');
    await c.say('next');
    const gap = bot.sent[1]!.at - bot.lastDeliveryAt();
    assert.ok(gap >= 30, `sent ${gap.toFixed(2)} ms after the last reply, expected >= 30`);
  });

  it('a reply arriving while settling extends it; that reply belongs to the earlier turn', async (t) => {
    const { c, bot, r } = await harness(t, { settleMs: 30 });
    await c.say('hi');
    // The bot answers now and once more 12 ms later, both right before the next action: the
    // settle window is open when 'Second' lands (its timer expires before the window's).
    const before = nowMs();
    bot.deliver(r.text('First'));
    bot.deliverAfter(12, r.text('Second'));
    await c.expect(exact('First'), 's1');
    const acting = c.say('next'); // settle() measures the silence synchronously, in this call
    const opened = nowMs() - before < 15;
    await acting;
    if (!opened) return t.diagnostic('this process was descheduled for 15+ ms before settling: the window was already closed, nothing to check');
    assert.equal(bot.deliveries.length, 2);
    const [first, second] = bot.deliveries;
    assert.ok(second!.at > first!.at);
    const gap = bot.sent[1]!.at - second!.at;
    assert.ok(gap >= 30, `sent ${gap.toFixed(2)} ms after the later reply, expected >= 30`);
    const secondEvent = c.transcript.events.find((e) => e.type === 'bot' && e.message.kind === 'text' && e.message.text === 'Second');
    assert.equal(secondEvent?.turn, 1);
    await c.expectNothingMore();
  });

  it('nothing waits when the last reply is older than the window (settle resolves without a timer)', async (t) => {
    const h = await harness(t, { settleMs: 30, quietMs: 40 });
    const { c } = h;
    await claimedTurn(h, 'hi', 'Hello');
    await c.expectNothingMore(); // 40 ms of quiet: the reply is now older than the window
    let done = false;
    const p = c.settle().then(() => (done = true));
    await nextMacrotask();
    assert.equal(done, true, 'settle() must not have waited on a timer');
    await p;
  });

  it('nothing waits before any reply, nor with settleMs 0', async (t) => {
    const { c } = await harness(t, { settleMs: 5_000 });
    let done = false;
    void c.settle().then(() => (done = true));
    await nextMacrotask();
    assert.equal(done, true, 'no reply yet: nothing to wait for');

    const z = await harness(t, { settleMs: 0 });
    z.bot.onNextSend((_a, b) => b.deliver(z.r.text('Hello')));
    await z.c.say('hi');
    let zDone = false;
    void z.c.settle().then(() => (zDone = true));
    await nextMacrotask();
    assert.equal(zDone, true);
  });

  it('a trailing reply of turn 1 delivered just before the action counts in turn 1: "nothing more" in turn 2 passes', async (t) => {
    const { c, bot, r } = await harness(t, { settleMs: 30 });
    await c.say('order');
    const before = nowMs();
    bot.deliver(r.text('Your order is placed.'));
    // A trailing reply, still in flight as the user acts: it lands while the action settles.
    bot.deliverInMicrotask(r.text('Anything else?'));
    const acting = c.say('no thanks'); // turn 2: the bot stays silent
    const opened = nowMs() - before < 30;
    await acting;
    const trailing = c.transcript.events.find((e) => e.type === 'bot' && e.message.kind === 'text' && e.message.text === 'Anything else?');
    assert.equal(trailing?.turn, 1);
    await c.expectNothingMore();
    // Only when settling really started within the window (not descheduled for 30+ ms first):
    if (opened) assert.ok(bot.sent[1]!.at - bot.lastDeliveryAt() >= 30, 'the action waited for silence after the trailing reply');
  });

  it('without settling (settleMs 0) a trailing reply landing just after the action is counted in turn 2 — the race settling exists for', async (t) => {
    const { c, bot, r } = await harness(t, { settleMs: 0 });
    bot.onNextSend((_a, b) => b.deliver(r.text('Your order is placed.'))).onNextSend(() => {});
    await c.say('order');
    await c.expect(exact('Your order is placed.'), 's');
    bot.deliverSoon(r.text('Anything else?'));
    await c.say('no thanks');
    await nextMacrotask();
    const trailing = c.transcript.events.find((e) => e.type === 'bot' && e.message.kind === 'text' && e.message.text === 'Anything else?');
    assert.equal(trailing?.turn, 2);
  });

  it('a learned settle window widens to 1.5× the largest gap between replies of one turn, plus 5 ms', async (t) => {
    const { c, bot, r } = await harness(t, { settleMs: 5, learnSettle: true, settleFloorMs: 5 });
    assert.equal(c.settleWindowMs(), 5, 'no gap observed yet');
    bot.onNextSend(replyThenLate(r.text('one'), 40, r.text('two')));
    await c.say('hi');
    await c.expect(exact('one'), 's1');
    await c.expect(exact('two'), 's2');
    // The model measures gaps on the listener's clock (arrived_at), which the harness stamps as `at`.
    const [one, two] = bot.deliveries;
    const gap = two!.at - one!.at;
    assert.ok(gap >= 39, `a 40 ms timer, gap ${gap.toFixed(1)} ms`);
    const window = c.settleWindowMs();
    // Windows are capped at the reply timeout (FAST: 200 ms), which a loaded machine's stall can reach.
    assert.equal(window, Math.min(FAST.replyTimeoutMs, Math.ceil(1.5 * gap + 5)));
    await c.say('next');
    assert.ok(bot.sent[1]!.at - bot.lastDeliveryAt() >= window, 'the action waited the widened window');
  });

  it('a learned settle window ignores gaps across turns', async (t) => {
    const { c, bot, r } = await harness(t, { settleMs: 5, quietMs: 40, learnSettle: true, settleFloorMs: 5 });
    bot.script = (_a, b) => b.deliver(r.text('pong'));
    await c.say('ping');
    await c.expect(exact('pong'), 's1');
    await c.expectNothingMore(); // a 40 ms gap, but between turns
    await c.say('ping');
    await c.expect(exact('pong'), 's2');
    assert.equal(c.settleWindowMs(), 5);
    assert.equal(c.model.snapshot().gaps, 0);
    assert.equal(c.model.snapshot().firstReplies, 2);
  });

  it('a fixed settle window (APICHAT_SETTLE_MS) is settleMs whatever the gaps', async (t) => {
    const { c, bot, r } = await harness(t, { settleMs: 7 });
    bot.onNextSend(replyThenLate(r.text('one'), 30, r.text('two')));
    await c.say('hi');
    await c.expect(exact('two'), 's');
    assert.equal(c.settleWindowMs(), 7);
  });
});
