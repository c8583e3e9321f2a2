// Live mode's reply counts per conversation path (issue 21): the model remembers how many replies
// each path of user actions gave after a full settle window; once one count has been seen
// PATH_EVIDENCE times, the next action goes out as soon as that many replies are in. A count
// that differs, or a late reply after such a shortcut, ends the trust in the path for good.
import { describe, it, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { MAX_PATHS, PATH_EVIDENCE, pathKey, TimingModel, type Expectation, type Timing } from '../../src/conversation/index.ts';
import { runTiming } from '../../src/run/run.ts';
import { TimingStateSchema } from '../../src/run/timing-file.ts';
import { harness, nextMacrotask, type Harness } from './harness.ts';

const LIVE: Timing = runTiming({ replyTimeoutMs: 10_000, quietMs: undefined, settleMs: undefined });
const K = pathKey('', { kind: 'text', text: 'hi' });
const exact = (value: string): Expectation => ({ kind: 'text', mode: 'exact', value });

describe('TimingModel: reply counts per path', () => {
  it('a count is trusted after PATH_EVIDENCE agreeing observations, and only in live mode with a learned settle window', () => {
    const m = new TimingModel(LIVE);
    assert.equal(LIVE.learnReplies, true);
    m.observePath(K, 2, 200);
    assert.equal(m.expectedReplies(K), undefined, 'one observation is not enough');
    for (let i = 1; i < PATH_EVIDENCE; i++) m.observePath(K, 2, 100);
    assert.equal(m.expectedReplies(K), 2);
    assert.equal(m.expectedReplies(pathKey(K, { kind: 'postback', title: 'Rooms', payload: 'ROOMS' })), undefined, 'another path knows nothing');

    const fixed = new TimingModel(runTiming({ replyTimeoutMs: 10_000, quietMs: undefined, settleMs: 50 }));
    const simulated = new TimingModel(runTiming({ replyTimeoutMs: 10_000, quietMs: undefined, settleMs: undefined }, 3));
    for (const other of [fixed, simulated]) {
      for (let i = 0; i < 3; i++) other.observePath(K, 2, 100);
      assert.equal(other.expectedReplies(K), undefined, 'APICHAT_SETTLE_MS, or simulated mode: no shortcut');
    }
  });

  it('another count, or a mixed observation, ends the trust in a path for good', () => {
    const m = new TimingModel(LIVE);
    m.observePath(K, 2, 100);
    m.observePath(K, 3, 100);
    for (let i = 0; i < 5; i++) m.observePath(K, 2, 100);
    assert.equal(m.expectedReplies(K), undefined);
    assert.equal(m.pathMixed(K), true);
    const n = new TimingModel(LIVE);
    n.observePath(K, 1, 100);
    n.observePath(K, 1, 100);
    n.observeMixed(K);
    assert.equal(n.expectedReplies(K), undefined);
    assert.equal(new TimingModel({ ...LIVE, state: n.state() }).pathMixed(K), true, 'kept in the state the timing file holds');
  });

  it('counts seen under a window that a longer pause has since outgrown are not trusted until seen again', () => {
    const m = new TimingModel(LIVE);
    m.observePath(K, 1, 12);
    m.observePath(K, 1, 12);
    assert.equal(m.expectedReplies(K), 1);
    m.observeGap(150); // the bot paused 150 ms somewhere: 12 ms windows may have cut turns short
    assert.equal(m.expectedReplies(K), undefined);
    m.observePath(K, 1, m.settleWindowMs());
    assert.equal(m.expectedReplies(K), 1, 'an agreeing count under a window that covers the pause renews it');
  });

  it('keeps at most MAX_PATHS paths, the least recently seen going first; the state parses as the timing file\'s', () => {
    const m = new TimingModel(LIVE);
    let key = '';
    const keys: string[] = [];
    for (let i = 0; i <= MAX_PATHS; i++) keys.push((key = pathKey(key, { kind: 'text', text: String(i) })));
    for (const k of keys) m.observePath(k, 1, 100);
    const paths = m.state().paths!;
    assert.equal(Object.keys(paths).length, MAX_PATHS);
    assert.equal(paths[keys[0]!], undefined, 'the oldest is gone');
    assert.ok(paths[keys.at(-1)!]);
    assert.ok(TimingStateSchema.safeParse(m.state()).success);
    assert.equal(TimingStateSchema.safeParse({ ...m.state(), paths: { 'not-a-key': { replies: 1, seen: 1, windowMs: 1 } } }).success, false);
  });

  it('adopt: the run\'s counts reach a worker, and a path mixed on either side stays mixed', () => {
    const run = new TimingModel(LIVE);
    run.observePath(K, 2, 100);
    run.observePath(K, 2, 100);
    const worker = new TimingModel(LIVE);
    worker.adopt(run.state());
    assert.equal(worker.expectedReplies(K), 2);
    worker.observeMixed(K);
    worker.adopt(run.state()); // a push from before the run heard of it
    assert.equal(worker.pathMixed(K), true);
  });
});

describe('Conversation: the next action goes out once the known count is in', () => {
  // A settle window far longer than any stall of a loaded machine: what waits, waits visibly.
  const SLOW_SETTLE: Partial<Timing> = { ...LIVE, replyTimeoutMs: 2_000, settleMs: 400, settleFloorMs: 400, quietMs: 50, learnQuiet: false };

  /** One greeting: "hi" is answered by `replies` texts at once; the test claims the first. */
  async function greet(h: Harness, replies: string[]): Promise<void> {
    h.bot.onNextSend((_a, b) => b.deliver(...replies.map((t) => h.r.text(t))));
    await h.c.say('hi');
    await h.c.expect(exact(replies[0]!), 'first');
  }

  /** A conversation on a model that has seen "hi" give `replies` replies twice (after `gapMs`, a pause seen). */
  async function known(t: TestContext, replies: number, gapMs?: number): Promise<{ model: TimingModel; h: Harness }> {
    const model = new TimingModel({ ...LIVE, ...SLOW_SETTLE });
    if (gapMs !== undefined) model.observeGap(gapMs);
    model.observePath(K, replies, 400);
    model.observePath(K, replies, 400);
    return { model, h: await harness(t, SLOW_SETTLE, model) };
  }

  /** Resolves whether settle() finished without waiting on a timer. */
  async function settlesAtOnce(h: Harness): Promise<boolean> {
    let done = false;
    const p = h.c.settle().then(() => (done = true));
    await nextMacrotask();
    const atOnce = done;
    await p;
    return atOnce;
  }

  it('the first conversations wait for silence; once the path has given 2 replies twice, the next does not', async (t) => {
    const model = new TimingModel({ ...LIVE, ...SLOW_SETTLE });
    for (let i = 0; i < PATH_EVIDENCE; i++) {
      const h = await harness(t, SLOW_SETTLE, model);
      await greet(h, ['Hello', 'Menu']);
      assert.equal(await settlesAtOnce(h), false, `conversation ${i + 1} waits for silence`);
      h.bot.onNextSend(() => {});
      await h.c.say('bye'); // ends the turn: its count is recorded
    }
    assert.equal(model.expectedReplies(K), 2);
    const h = await harness(t, SLOW_SETTLE, model);
    await greet(h, ['Hello', 'Menu']);
    assert.equal(await settlesAtOnce(h), true, 'both replies are in: no settle wait');
  });

  it('while the known count is not in, the action waits for it, and goes out when the last one lands', async (t) => {
    const { h } = await known(t, 2);
    h.bot.onNextSend((_a, b) => {
      b.deliver(h.r.text('Hello'));
      b.deliverAfter(30, h.r.text('Menu'));
    });
    await h.c.say('hi');
    await h.c.expect(exact('Hello'), 'first');
    h.bot.onNextSend(() => {});
    await h.c.say('bye');
    const sentAfter = h.bot.sent[1]!.at - h.bot.lastDeliveryAt();
    assert.ok(sentAfter < 400, `sent ${sentAfter.toFixed(1)} ms after the second reply, not after the 400 ms window`);
    const menu = h.c.transcript.events.find((e) => e.type === 'bot' && e.message.kind === 'text' && e.message.text === 'Menu');
    assert.equal(menu?.turn, 1, 'the awaited reply is filed in its own turn');
  });

  it('more replies than the path has shown: trust ends, and the action waits for silence', async (t) => {
    const { model, h } = await known(t, 1);
    await greet(h, ['Hello', 'New reply']);
    assert.equal(await settlesAtOnce(h), false);
    assert.equal(model.pathMixed(K), true);
  });

  it('a late reply after a shortcut: the failure says so, and the path is not trusted again', async (t) => {
    const { model, h } = await known(t, 1, 20); // the bot has paused 20 ms between replies before
    // The bot was changed: "hi" now gives a second reply 10 ms after the first.
    h.bot.onNextSend((_a, b) => {
      b.deliver(h.r.text('Hello'));
      b.deliverAfter(10, h.r.text('New reply'));
    });
    await h.c.say('hi');
    await h.c.expect(exact('Hello'), 'first');
    h.bot.onNextSend((_a, b) => b.deliverAfter(50, h.r.text('Bye')));
    await h.c.say('bye'); // goes out at once: the one known reply is in
    await h.c.expect(exact('Bye'), 'bye');
    const failure = await h.c.expectNothingMore().then(
      () => undefined,
      (e: Error) => e.message,
    );
    assert.ok(failure?.includes('may be a late reply of turn 1'), failure);
    assert.ok(failure?.includes('went out once the 1 reply this path had always given were in'), failure);
    assert.equal(model.pathMixed(K), true);
  });
});
