// The run's timing model, alone (observations injected, no clock), then driving conversations
// that share it: the "typing" bot whose later replies come after long pauses, and the note a
// failure carries when a late reply of the previous turn landed in the current one.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { AGREE_SHARE, DECAY_TURNS, lateReplyNote, SLOW_SHRINK, longestStepMs, LIVE_SETTLE_FLOOR_MS, MARGIN_MS, SAFETY_FACTOR, TimingModel, type Expectation, type Timing } from '../../src/conversation/index.ts';
import { longestScriptedPauseMs, runTiming } from '../../src/run/run.ts';
import type { BotDefinition } from '../../src/simulator/index.ts';
import { harness, rejectsWith, type Harness, type OnSend, type Replies } from './harness.ts';

const LIVE: Timing = runTiming({ replyTimeoutMs: 10_000, quietMs: undefined, settleMs: undefined });
const exact = (value: string): Expectation => ({ kind: 'text', mode: 'exact', value });

/** A model that has watched `turns` turns of a bot pausing at most `gap` ms and first replying within `latency` ms. */
function seen(timing: Timing, turns: number, gap: number, latency: number): TimingModel {
  const m = new TimingModel(timing);
  for (let i = 0; i < turns; i++) {
    m.observeFirstReply(latency);
    m.observeGap(gap);
    m.observeTurnEnd();
  }
  return m;
}

describe('TimingModel', () => {
  it('live mode starts at the former fixed defaults: settle 200 ms, quiet 1000 ms', () => {
    const m = new TimingModel(LIVE);
    assert.deepEqual(LIVE, { replyTimeoutMs: 10_000, quietMs: 1000, settleMs: 200, learnSettle: true, learnQuiet: true, learnReplies: true, settleFloorMs: LIVE_SETTLE_FLOOR_MS });
    assert.equal(m.settleWindowMs(), 200);
    assert.equal(m.quietWindowMs(true), 1000);
    assert.equal(m.quietWindowMs(false), 1000);
  });

  it('a fast bot: the start windows halve after every turn whose replies all came within a quarter of them', () => {
    const m = seen(LIVE, 1, 1, 5);
    assert.equal(m.settleWindowMs(), 100);
    assert.equal(m.quietWindowMs(true), 500);
    assert.equal(m.quietWindowMs(false), 500);
    const few = seen(LIVE, 5, 1, 5);
    assert.equal(few.settleWindowMs(), LIVE_SETTLE_FLOOR_MS, 'five agreeing turns: 200 → 6.25, so the floor');
    assert.equal(few.quietWindowMs(false), Math.ceil(1000 / 32));
    const many = seen(LIVE, 40, 1, 5);
    assert.equal(many.quietWindowMs(true), LIVE_SETTLE_FLOOR_MS, 'after a reply, at least the settle window');
    assert.equal(many.quietWindowMs(false), Math.ceil(SAFETY_FACTOR * 5 + MARGIN_MS), 'before any reply: the slowest first reply justifies it');
  });

  it('a turn that does not agree shrinks the start by a sixth only, and never below 1.5 × what was seen + 5 ms', () => {
    // 60 ms pauses: more than a quarter of 200 ms, so the settle window is not halved.
    const m = seen(LIVE, 1, 60, 5);
    assert.equal(m.settleWindowMs(), Math.ceil(200 * SLOW_SHRINK));
    const more = seen(LIVE, 8, 60, 5);
    assert.equal(more.settleWindowMs(), Math.ceil(SAFETY_FACTOR * 60 + MARGIN_MS), 'down to what the pauses justify, not below');
    // A window that agrees with a pause halves only while the pause fits in a quarter of it.
    const edge = new TimingModel(LIVE);
    edge.observeGap(AGREE_SHARE * 200);
    edge.observeTurnEnd();
    assert.equal(edge.settleWindowMs(), Math.ceil(Math.max(100, SAFETY_FACTOR * 50 + MARGIN_MS)));
  });

  it('never goes below what the observations justify, however many turns it has seen', () => {
    const m = seen(LIVE, 200, 40, 300);
    assert.equal(m.settleWindowMs(), Math.ceil(SAFETY_FACTOR * 40 + MARGIN_MS));
    assert.equal(m.quietWindowMs(true), Math.ceil(SAFETY_FACTOR * 40 + MARGIN_MS));
    assert.equal(m.quietWindowMs(false), Math.ceil(SAFETY_FACTOR * 300 + MARGIN_MS));
  });

  it('widens at once on a longer pause, and keeps the longest one', () => {
    const m = seen(LIVE, 200, 2, 5);
    assert.equal(m.settleWindowMs(), LIVE_SETTLE_FLOOR_MS);
    m.observeGap(150);
    assert.equal(m.settleWindowMs(), Math.ceil(SAFETY_FACTOR * 150 + MARGIN_MS));
    m.observeGap(3);
    assert.equal(m.longestPauseMs, 150);
    assert.equal(m.settleWindowMs(), Math.ceil(SAFETY_FACTOR * 150 + MARGIN_MS));
  });

  it('is capped at the reply timeout (a pause longer than that fails the step anyway)', () => {
    const m = seen({ ...LIVE, replyTimeoutMs: 1000 }, 1, 5_000, 9_000);
    assert.equal(m.settleWindowMs(), 1000);
    assert.equal(m.quietWindowMs(false), 1000);
  });

  it('explicit APICHAT_SETTLE_MS / APICHAT_QUIET_MS fix the windows whatever it observes', () => {
    const fixed = runTiming({ replyTimeoutMs: 10_000, quietMs: 750, settleMs: 30 });
    assert.equal(fixed.learnSettle, false);
    assert.equal(fixed.learnQuiet, false);
    const m = seen(fixed, 100, 400, 900);
    assert.equal(m.settleWindowMs(), 30);
    assert.equal(m.quietWindowMs(true), 750);
    assert.equal(m.quietDeadline(1_000, 0, 500), 1_750, 'a fixed quiet window counts from the step');
    assert.equal(m.describeQuiet(true), '750 ms (APICHAT_QUIET_MS)');
    const onlySettle = seen(runTiming({ replyTimeoutMs: 10_000, quietMs: undefined, settleMs: 0 }), 100, 40, 5);
    assert.equal(onlySettle.settleWindowMs(), 0);
    assert.equal(onlySettle.quietWindowMs(true), Math.ceil(SAFETY_FACTOR * 40 + MARGIN_MS));
  });

  it('a learned quiet window counts from the turn’s latest delivery, or from the action before any', () => {
    const m = seen(LIVE, 200, 40, 300);
    assert.equal(m.quietDeadline(5_000, 1_000, 1_400), 1_400 + 65);
    assert.equal(m.quietDeadline(5_000, 1_000, undefined), 1_000 + 455);
    assert.match(m.describeQuiet(true), /^65 ms \(the quiet window learned in this run, after the latest reply; APICHAT_QUIET_MS fixes it\)$/);
  });

  it('simulated mode: settling starts at, and never goes below, the delivery spread + 10 ms', () => {
    const sim = runTiming({ replyTimeoutMs: 10_000, quietMs: undefined, settleMs: undefined }, 10);
    assert.equal(sim.settleMs, 20);
    assert.equal(sim.quietMs, 300);
    assert.equal(new TimingModel(sim).settleWindowMs(), 20);
    assert.equal(seen(sim, 200, 1, 1).settleWindowMs(), 20);
  });

  it('longestStepMs: what Cucumber\'s step timeout must exceed (learned windows are capped at the reply timeout)', () => {
    assert.equal(longestStepMs(LIVE), 10_000 + 2 * 10_000 + 10_000);
    assert.equal(longestStepMs(runTiming({ replyTimeoutMs: 2_000, quietMs: 300, settleMs: 50 })), 2_000 + 600 + 50);
  });

  it('simulated mode knows the bot file: its longest scripted pause after a first reply is part of the floor', () => {
    const bot = {
      fallback: [{ text: 'a', delay_ms: 900 }],
      rules: [
        { match: { text: 'x' }, replies: [{ text: 'slow start', delay_ms: 300 }] },
        { match: { text: 'typing' }, replies: [{ text: 'one' }, { text: 'two', delay_ms: 150 }, { text: 'three', delay_ms: 120 }] },
      ],
    } as BotDefinition;
    assert.equal(longestScriptedPauseMs(bot), 150, 'a first reply\'s delay is latency, not a pause');
    assert.equal(longestScriptedPauseMs({ rules: [] } as BotDefinition), 0);
  });

  it('ignores observations that are not numbers', () => {
    const m = new TimingModel(LIVE);
    m.observeGap(Number.NaN);
    m.observeFirstReply(Number.POSITIVE_INFINITY);
    assert.deepEqual([m.snapshot().gaps, m.snapshot().firstReplies], [0, 0]);
  });
});

describe('lateReplyNote()', () => {
  const model = seen(LIVE, 10, 150, 5);
  it('names a reply that came sooner after the previous turn than the bot’s longest pause', () => {
    const note = lateReplyNote({ rendered: 'text "two"', at: 1_150 }, 2, 1_030, 1_000, 12, model);
    assert.equal(
      note,
      'text "two" may be a late reply of turn 1: it arrived 120 ms after your next message; the bot has paused up to 150 ms between replies in this run (the next message waited for 12 ms of silence). If it belongs to turn 1, assert it there, or set APICHAT_SETTLE_MS above the bot\'s longest pause',
    );
  });
  it('says nothing for a reply later than 1.5 × the longest pause + 5 ms, in turn 1, or after a silent turn', () => {
    assert.ok(lateReplyNote({ rendered: 'x', at: 1_230 }, 2, 1_030, 1_000, 12, model), 'within 1.5 × 150 + 5 ms');
    assert.equal(lateReplyNote({ rendered: 'x', at: 1_231 }, 2, 1_030, 1_000, 12, model), undefined);
    assert.equal(lateReplyNote({ rendered: 'x', at: 1_050 }, 1, 1_030, 1_000, 12, model), undefined);
    assert.equal(lateReplyNote({ rendered: 'x', at: 1_050 }, 2, 1_030, undefined, 12, model), undefined);
  });
});

// The "typing" bot: three replies PAUSE ms apart; the scenario asserts only the first and then
// sends the next message. (PAUSE is scaled down from the 150 ms of the issue to keep this fast.)
const PAUSE = 60;

/** The typing bot's answer to "hi": 'one' at once, 'two' and 'three' PAUSE ms apart. */
function typesThree(r: Replies): OnSend {
  return (_a, b) => {
    b.deliver(r.text('one'));
    b.deliverAfter(PAUSE, r.text('two'));
    b.deliverAfter(2 * PAUSE, r.text('three'));
  };
}

/** "hi" → the typing bot's three replies, only the first asserted; "next" → 'answer', 3 × PAUSE later. */
async function playTyping(h: Harness): Promise<void> {
  h.bot.onNextSend(typesThree(h.r)).onNextSend((_a, b) => b.deliverAfter(3 * PAUSE, h.r.text('answer')));
  await h.c.say('hi');
  await h.c.expect(exact('one'), 'only the first');
  await h.c.say('next');
  await h.c.expect(exact('answer'), 'the answer to "next"');
}

describe('a bot that pauses while "typing", with a shared run model', () => {
  it('the first time (no evidence yet) the conservative start covers the pauses: the late replies stay in turn 1', async (t) => {
    const model = new TimingModel({ replyTimeoutMs: 2_000, quietMs: 150, settleMs: 250, learnSettle: true, learnQuiet: true, settleFloorMs: 2 });
    for (let run = 0; run < 2; run++) {
      const { c, bot, r } = await harnessWith(t, model);
      bot.onNextSend(typesThree(r));
      await c.say('hi');
      await c.expect(exact('one'), 'only the first');
      await c.say('next');
      const turns = c.transcript.events.filter((e) => e.type === 'bot').map((e) => e.turn);
      assert.deepEqual(turns, [1, 1, 1], `conversation ${run + 1}: every reply in turn 1`);
      await c.expectNothingMore();
    }
    assert.ok(model.longestPauseMs >= PAUSE - 1, `the run saw the pauses (${model.longestPauseMs} ms)`);
  });

  it('after the window has shrunk on a fast bot, a first long pause is explained on failure, and the model widens at once', async (t) => {
    const model = seen({ replyTimeoutMs: 2_000, quietMs: 150, settleMs: 100, learnSettle: true, learnQuiet: true, settleFloorMs: 2 }, 100, 1, 1);
    assert.equal(model.settleWindowMs(), Math.ceil(1.5 + MARGIN_MS));
    const first = await harnessWith(t, model);
    await playTyping(first);
    const err = await rejectsWith(first.c.expectNothingMore(), 'APICHAT_UNEXPECTED_REPLY');
    assert.match(err.message, /note: {5}text "two" may be a late reply of turn 1: it arrived \d+ ms after your next message; the bot has paused up to \d+ ms between replies in this run/);
    assert.ok(model.longestPauseMs >= PAUSE - 1, 'the pause between the two late replies widened the model');

    const second = await harnessWith(t, model);
    await playTyping(second);
    assert.deepEqual(second.c.transcript.events.filter((e) => e.type === 'bot').map((e) => e.turn), [1, 1, 1, 2], 'once seen, the pauses are waited for');
    await second.c.expectNothingMore();
  });
});

describe('a closed conversation keeps teaching the run model', () => {
  it('replies that arrive after the scenario ended still count as pauses (only while learning)', { timeout: 5_000 }, async (t) => {
    const model = seen({ replyTimeoutMs: 2_000, quietMs: 400, settleMs: 100, learnSettle: true, learnQuiet: true, settleFloorMs: 2 }, 100, 1, 1);
    assert.equal(model.watchAfterCloseMs(), 400);
    const h = await harnessWith(t, model);
    h.bot.onNextSend(typesThree(h.r));
    await h.c.say('hi');
    await h.c.expect(exact('one'), 'only the first');
    const third = new Promise<void>((resolve) => h.store.subscribe(h.c.senderId, (_m, i) => i === 2 && resolve()));
    await h.c.close(); // the scenario ends here
    await third;
    assert.ok(model.longestPauseMs >= PAUSE - 1, `learned ${model.longestPauseMs} ms after the close`);
    assert.equal(h.c.transcript.events.filter((e) => e.type === 'bot').length, 1, 'the transcript ends with the scenario');
    assert.equal(new TimingModel({ replyTimeoutMs: 1, quietMs: 9, settleMs: 9 }).watchAfterCloseMs(), 0, 'fixed windows: nothing to learn, closed at once');
  });
});

/** A fresh conversation that uses the given run model. */
function harnessWith(t: Parameters<typeof harness>[0], model: TimingModel) {
  return harness(t, model.timing, model);
}

describe('kept between runs: the second run starts where the first ended (issue 21)', () => {
  const timing: Timing = { replyTimeoutMs: 2_000, quietMs: 400, settleMs: 200, learnSettle: true, learnQuiet: true, settleFloorMs: 2 };

  /** A conversation with the typing bot: "hi" → three replies PAUSE ms apart; only the first is asserted before "next". */
  async function typing(t: Parameters<typeof harness>[0], model: TimingModel): Promise<number[]> {
    const h = await harnessWith(t, model);
    await playTyping(h);
    const turns = h.c.transcript.events.flatMap((e) => (e.type === 'bot' ? [e.turn] : []));
    await h.c.close();
    return turns;
  }

  /** A fast conversation: one reply per message, at once. */
  async function fast(t: Parameters<typeof harness>[0], model: TimingModel): Promise<void> {
    const h = await harnessWith(t, model);
    h.bot.onNextSend((_a, b) => b.deliver(h.r.text('a'))).onNextSend((_a, b) => b.deliver(h.r.text('b')));
    await h.c.say('ping');
    await h.c.expect(exact('a'), 'a');
    await h.c.say('ping');
    await h.c.expect(exact('b'), 'b');
    await h.c.close();
  }

  it('a first run shrinks its window on fast turns in a few turns; the second run, from its state, keeps the typing bot\'s replies in turn 1', async (t) => {
    const first = new TimingModel(timing);
    for (let i = 0; i < 4; i++) await fast(t, first);
    assert.ok(first.settleWindowMs() < PAUSE / 2, `four fast conversations: the window is down to ${first.settleWindowMs()} ms`);
    // The first long pause after a shrunk window may land late replies in turn 2 (the limit of a
    // first run; not asserted: it depends on timers); either way the pause is learned.
    await typing(t, first);
    assert.ok(first.longestPauseMs >= PAUSE - 1, 'the pause was learned');

    const second = new TimingModel({ ...timing, state: first.state() });
    assert.ok(second.settleWindowMs() >= Math.ceil(SAFETY_FACTOR * (PAUSE - 1) + MARGIN_MS), `the second run starts at ${second.settleWindowMs()} ms`);
    for (let i = 0; i < 4; i++) await fast(t, second);
    assert.deepEqual(await typing(t, second), [1, 1, 1, 2], 'fast turns do not make the second run forget the pause');
  });
});
