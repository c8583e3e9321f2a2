// Live timing shared by --parallel workers (issue 21): two workers' models linked through the
// real worker channel (control server with the run's RunTiming, token, SSE push). A pause one
// worker sees widens the other's windows; the coordinator holds every worker's turns, so the
// run writes one file.
import assert from 'node:assert/strict';
import { describe, it, type TestContext } from 'node:test';
import { request } from 'undici';
import { TimingModel, MARGIN_MS, pathKey, SAFETY_FACTOR, type Timing } from '../../src/conversation/index.ts';
import { CONTROL_PREFIX, MemoryStore, startControlServer, type RunningControl } from '../../src/inbox/index.ts';
import { runTiming } from '../../src/run/run.ts';
import { RunTiming, workerTiming } from '../../src/run/timing-hub.ts';

const LIVE: Timing = runTiming({ replyTimeoutMs: 10_000, quietMs: undefined, settleMs: undefined });
const justified = (ms: number): number => Math.ceil(SAFETY_FACTOR * ms + MARGIN_MS);

/** Resolves once the coordinator's model meets `done` (checked after every report it takes in). */
function until(run: RunTiming, done: (m: TimingModel) => boolean): Promise<void> {
  return new Promise((resolve) => {
    if (done(run.model)) return resolve();
    const off = run.subscribe(() => {
      if (!done(run.model)) return;
      off();
      resolve();
    });
  });
}

/** Resolves once a worker's model meets `done`, re-checked on every push it takes in. */
async function workerUntil(model: TimingModel, done: (m: TimingModel) => boolean): Promise<void> {
  const deadline = Date.now() + 5_000;
  // adopt() has no event of its own; wrap it once to get one (no polling loop).
  const original = model.adopt.bind(model);
  await new Promise<void>((resolve, reject) => {
    if (done(model)) return resolve();
    const timer = setTimeout(() => reject(new Error('the worker was never pushed the shared state')), deadline - Date.now());
    model.adopt = (s) => {
      original(s);
      if (done(model)) {
        clearTimeout(timer);
        model.adopt = original;
        resolve();
      }
    };
  });
}

/** The run's timing behind a real control server, and two workers linked to it; all closed after the test. */
async function twoWorkers(t: TestContext): Promise<{ run: RunTiming; control: RunningControl; a: ReturnType<typeof workerTiming>; b: ReturnType<typeof workerTiming> }> {
  const run = new RunTiming(LIVE);
  const control = await startControlServer(new MemoryStore(), { timing: run });
  t.after(() => control.close());
  const shared = { timing: LIVE, inboxUrl: control.url, inboxToken: control.token };
  const a = workerTiming(shared);
  const b = workerTiming(shared);
  t.after(async () => {
    await a.link?.close();
    await b.link?.close();
  });
  return { run, control, a, b };
}

describe('timing shared by --parallel workers through the worker channel', () => {
  it('a pause one worker sees widens every worker\'s windows; the coordinator holds all turns', async (t) => {
    const { run, a, b } = await twoWorkers(t);
    assert.ok(a.link && b.link, 'a worker channel in the description: linked');

    // Worker A: fast turns, which halve the start windows for everyone.
    for (let i = 0; i < 3; i++) {
      a.model.observeFirstReply(8);
      a.model.observeGap(1);
      a.model.observeTurnEnd();
    }
    await workerUntil(b.model, (m) => m.settleWindowMs() === 25);
    assert.equal(b.model.settleWindowMs(), 25, 'B never saw a turn, and its window halved with A\'s three agreeing turns');

    // Worker B sees a long pause: A's windows widen at once.
    b.model.observeFirstReply(8);
    b.model.observeGap(150);
    await workerUntil(a.model, (m) => m.longestPauseMs === 150);
    assert.equal(a.model.settleWindowMs(), justified(150));
    assert.equal(a.model.quietWindowMs(true), justified(150));
    b.model.observeTurnEnd();

    await until(run, (m) => m.state().turns === 4);
    const state = run.model.state();
    assert.equal(state.turns, 4, 'every worker\'s turns, once: the run writes one file from this');
    assert.equal(state.maxGapMs, 150);
    assert.equal(run.model.settleWindowMs(), justified(150));
  });

  it('a reply count one worker learned reaches the others; a path one worker distrusts is distrusted by all', async (t) => {
    const { run, control, a, b } = await twoWorkers(t);
    const key = pathKey('', { kind: 'text', text: 'hi' });
    a.model.observePath(key, 2, 200);
    a.model.observePath(key, 2, 100);
    await workerUntil(b.model, (m) => m.expectedReplies(key) === 2);
    assert.equal(run.model.expectedReplies(key), 2, 'the coordinator holds it (the timing file keeps it)');
    b.model.observeMixed(key);
    await workerUntil(a.model, (m) => m.pathMixed(key));
    assert.equal(a.model.expectedReplies(key), undefined);
    const bad = await request(`${control.url}${CONTROL_PREFIX}/timing/observations`, { method: 'POST', headers: { authorization: `Bearer ${control.token}`, 'content-type': 'application/json' }, body: '[{"kind":"path","key":"../x","replies":1,"windowMs":1}]' });
    await bad.body.dump();
    assert.equal(bad.statusCode, 400, 'a path key is 16 hex digits');
  });

  it('a worker\'s own pause is kept when an older push arrives; a report that is not observations is refused', async (t) => {
    const run = new RunTiming(LIVE);
    const control = await startControlServer(new MemoryStore(), { timing: run });
    t.after(() => control.close());
    const w = workerTiming({ timing: LIVE, inboxUrl: control.url, inboxToken: control.token });
    t.after(() => w.link?.close());
    w.model.observeGap(90);
    w.model.adopt(new TimingModel(LIVE).state()); // a push from before the coordinator heard of it
    assert.equal(w.model.longestPauseMs, 90);
    for (const body of ['{"kind":"gap"}', '[{"kind":"gap","ms":-1}]', '[{"kind":"nap","ms":1}]']) {
      const res = await request(`${control.url}${CONTROL_PREFIX}/timing/observations`, { method: 'POST', headers: { authorization: `Bearer ${control.token}`, 'content-type': 'application/json' }, body });
      await res.body.dump();
      assert.equal(res.statusCode, 400, body);
    }
    const noToken = await request(`${control.url}${CONTROL_PREFIX}/timing/events`);
    await noToken.body.dump();
    assert.equal(noToken.statusCode, 401, 'the timing routes need the run token like every other');
    assert.equal(workerTiming({ timing: LIVE, inboxUrl: '', inboxToken: '' }).link, undefined, 'no worker channel: the worker learns on its own');
  });
});
