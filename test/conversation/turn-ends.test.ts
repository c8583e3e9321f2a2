// Simulated mode (Timing.turnEnds): the simulator's word that a turn's replies are all filed
// ends the turn, not a window of silence. A loaded CI machine once kept a turn's private note
// 20+ ms behind its text, longer than the learned window: `says nothing more` passed, the
// scenario ended, and the note was missing from the report. Here the second delivery of a turn
// comes well after every window, and only the simulator's word (store.turnDone) ends the turn.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { MemoryStore } from '../../src/inbox/index.ts';
import type { Timing } from '../../src/conversation/index.ts';
import { SENDER, harness, rejectsWith, type FakeBot } from './harness.ts';

/** Windows of a few ms, as a run learns them against the simulator; the reply timeout is the only long wait. */
const SIMULATED: Partial<Timing> = { replyTimeoutMs: 5_000, quietMs: 5, settleMs: 5, turnEnds: true };
const LATE_MS = 60;

/** The simulator's word on `turn` with `replies` deliveries, after the last of them. */
function turnDone(store: MemoryStore, turn: number, replies: number): void {
  store.turnDone({ senderId: SENDER, turn, replies, at: 0 });
}

/** A turn whose second delivery comes LATE_MS after its first, and the simulator's word after that. */
function textThenLate(bot: FakeBot, store: MemoryStore, turn: number, first: unknown, late: unknown): void {
  bot.onNextSend((_a, b) => {
    b.deliver(first);
    b.deliverAfter(LATE_MS, late);
    setTimeout(() => turnDone(store, turn, 2), LATE_MS + 5);
  });
}

describe('simulated mode: a turn ends when the simulator says so', { timeout: 4_000 }, () => {
  it('"says nothing more" waits for the word, so a late private note is in the transcript', async (t) => {
    const { c, bot, r, store } = await harness(t, SIMULATED);
    textThenLate(bot, store, 1, r.text('Your booking reference is BK-12345.'), r.note('New booking BK-12345 (agent note).'));
    await c.say('yes');
    await c.expect({ kind: 'text', mode: 'exact', value: 'Your booking reference is BK-12345.' }, 'Then the bot replies …');
    await c.expectNothingMore();
    const notes = c.transcript.events.filter((e) => e.type === 'bot' && e.message.private);
    assert.equal(notes.length, 1, 'the note is in the transcript');
  });

  it('"says nothing more" fails on a late reply the windows alone would have missed', async (t) => {
    const { c, bot, r, store } = await harness(t, SIMULATED);
    textThenLate(bot, store, 1, r.text('Hello!'), r.text('And one more thing.'));
    await c.say('hi');
    await c.expect({ kind: 'text', mode: 'exact', value: 'Hello!' }, 'Then the bot replies "Hello!"');
    const e = await rejectsWith(c.expectNothingMore(), 'APICHAT_UNEXPECTED_REPLY');
    assert.match(e.message, /expected: no further reply in this turn \(waited until the simulator had delivered all of its replies\)/);
    assert.match(e.message, /And one more thing\./);
  });

  it('without the word (live mode) the same late reply passes the window: what turnEnds is for', async (t) => {
    const { c, bot, r, store } = await harness(t, { ...SIMULATED, turnEnds: false });
    textThenLate(bot, store, 1, r.text('Hello!'), r.text('And one more thing.'));
    await c.say('hi');
    await c.expect({ kind: 'text', mode: 'exact', value: 'Hello!' }, 'Then the bot replies "Hello!"');
    await c.expectNothingMore();
  });

  it("the next action waits for the word: a late reply stays in its own turn", async (t) => {
    const { c, bot, r, store } = await harness(t, SIMULATED);
    textThenLate(bot, store, 1, r.text('Hello!'), r.text('What would you like to do?'));
    await c.say('hi');
    bot.onNextSend((_a, b) => {
      b.deliver(r.text('You can say rooms.'));
      turnDone(store, 2, 1);
    });
    await c.say('help');
    const turns = c.transcript.events.flatMap((e) => (e.type === 'bot' && 'text' in e.message ? [[e.turn, e.message.text]] : []));
    assert.deepEqual(turns, [
      [1, 'Hello!'],
      [1, 'What would you like to do?'],
      [2, 'You can say rooms.'],
    ]);
    assert.ok(bot.sent[1]!.at >= bot.deliveries[1]!.filedAt, 'the second message went out after the late reply');
  });

  it('a tap looks for its button until the word, not only for a window after the first reply', async (t) => {
    const { c, bot, r, store } = await harness(t, SIMULATED);
    textThenLate(bot, store, 1, r.text('Hello!'), r.buttons('Menu', [{ title: 'Rooms', payload: 'ROOMS' }]));
    await c.say('hi');
    bot.onNextSend((_a, b) => turnDone(store, 2, 0));
    await c.tap('Rooms');
    assert.deepEqual(bot.sent[1]!.action, { kind: 'postback', title: 'Rooms', payload: 'ROOMS' });
  });

  it("a turn's answer (simulated users, judged steps) is all of its replies, and a silent turn is known at the word", async (t) => {
    const { c, bot, r, store } = await harness(t, SIMULATED);
    textThenLate(bot, store, 1, r.text('Hello!'), r.buttons('Menu', [{ title: 'Rooms', payload: 'ROOMS' }]));
    await c.say('hi');
    const answer = await c.awaitAnswer('an answer');
    assert.deepEqual(answer.map((m) => m.kind), ['text', 'buttons']);
    bot.onNextSend(() => turnDone(store, 2, 0));
    await c.say('silence');
    // The reply timeout is 5 s and the test's own timeout would end a wait that long.
    assert.deepEqual(await c.awaitAnswer('an answer', [], { silentOk: true }), []);
    const e = await rejectsWith(c.awaitAnswer("a reply to the simulated user's action"), 'APICHAT_REPLY_TIMEOUT');
    assert.match(e.message, /the simulator had delivered all 0 replies of this turn: no need to wait the 5000 ms reply timeout/);
  });

  it('a silent turn passes "says nothing more" as soon as the word comes', async (t) => {
    const { c, bot, store } = await harness(t, { ...SIMULATED, quietMs: 5_000 });
    bot.onNextSend(() => turnDone(store, 1, 0));
    await c.say('nothing to say');
    // The learned quiet-before window starts at 5 s, above the suite's timeout: passing means the word ended the wait.
    await c.expectNothingMore();
  });
});
