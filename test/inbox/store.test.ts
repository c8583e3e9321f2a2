// MemoryStore: filing by sender_id, orphans, subscriptions, event-driven waiters, rejection log.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { MemoryStore, describeRejections, REJECTION_FIXES } from '../../src/inbox/index.ts';
import { isApiChatError } from '../../src/base/errors.ts';
import type { BotMessage } from '../../src/protocol/index.ts';
import { activeTimers, emitterOf, textMsg, textOfMsg } from './helpers.ts';

const texts = (ms: readonly BotMessage[]) => ms.map(textOfMsg);

describe('MemoryStore filing', () => {
  it('files replies under their sender_id in arrival order, conversations kept apart', () => {
    const store = new MemoryStore();
    store.register('ann');
    store.register('bob');
    store.add(textMsg('ann', 'a1'));
    store.add(textMsg('bob', 'b1'));
    store.add(textMsg('ann', 'a2'));
    store.add(textMsg('ann', 'a3'));
    store.add(textMsg('bob', 'b2'));
    assert.deepEqual(texts(store.messages('ann')), ['a1', 'a2', 'a3']);
    assert.deepEqual(texts(store.messages('bob')), ['b1', 'b2']);
    assert.deepEqual(store.orphans(), []);
  });

  it('register is idempotent: registering again keeps what was filed', () => {
    const store = new MemoryStore();
    store.register('ann');
    store.add(textMsg('ann', 'a1'));
    store.register('ann');
    assert.deepEqual(texts(store.messages('ann')), ['a1']);
  });

  it('a reply for an unregistered sender is an orphan, not filed', () => {
    const store = new MemoryStore();
    store.register('ann');
    const stray = textMsg('zed', 'who am I');
    store.add(stray);
    assert.equal(store.isRegistered('zed'), false);
    assert.deepEqual(store.messages('zed'), []);
    assert.deepEqual(store.messages('ann'), []);
    assert.equal(store.orphans().length, 1);
    assert.equal(store.orphans()[0], stray);
  });

  it('a reply with sender_id null is an orphan', () => {
    const store = new MemoryStore();
    store.register('null');
    const m = textMsg(null, 'no address');
    assert.equal(m.sender_id, null);
    store.add(m);
    assert.deepEqual(store.messages('null'), [], 'null must not be filed under the string "null"');
    assert.deepEqual(store.orphans(), [m]);
  });

  it('unregister makes later replies orphans; earlier ones are forgotten with the conversation', () => {
    const store = new MemoryStore();
    store.register('ann');
    store.add(textMsg('ann', 'before'));
    assert.equal(store.isRegistered('ann'), true);
    store.unregister('ann');
    assert.equal(store.isRegistered('ann'), false);
    store.add(textMsg('ann', 'late'));
    assert.deepEqual(store.messages('ann'), []);
    assert.deepEqual(texts(store.orphans()), ['late']);
  });

  it('the orphan log keeps the newest 1000', () => {
    const store = new MemoryStore();
    for (let i = 0; i < 1005; i++) store.add(textMsg('nobody', `o${i}`));
    const o = store.orphans();
    assert.equal(o.length, 1000);
    assert.equal(textOfMsg(o[0]!), 'o5');
    assert.equal(textOfMsg(o[999]!), 'o1004');
  });
});

describe('MemoryStore subscribe / onAny', () => {
  it('replays from an index, then delivers live messages with their indexes', () => {
    const store = new MemoryStore();
    store.register('ann');
    for (const t of ['m0', 'm1', 'm2', 'm3']) store.add(textMsg('ann', t));
    const seen: Array<[string, number]> = [];
    const off = store.subscribe('ann', (m, i) => seen.push([textOfMsg(m), i]), 2);
    assert.deepEqual(seen, [['m2', 2], ['m3', 3]], 'replay is synchronous and starts at `from`');
    store.add(textMsg('bob', 'not mine'));
    store.add(textMsg('ann', 'm4'));
    assert.deepEqual(seen, [['m2', 2], ['m3', 3], ['m4', 4]]);
    off();
    store.add(textMsg('ann', 'm5'));
    assert.equal(seen.length, 3, 'no delivery after unsubscribe');
    assert.equal(emitterOf(store).listenerCount('m:ann'), 0);
  });

  it('replays everything by default', () => {
    const store = new MemoryStore();
    store.register('ann');
    store.add(textMsg('ann', 'x'));
    store.add(textMsg('ann', 'y'));
    const seen: number[] = [];
    const off = store.subscribe('ann', (_m, i) => seen.push(i));
    off();
    assert.deepEqual(seen, [0, 1]);
  });

  it('a `from` past the end replays nothing but still delivers live ones', () => {
    const store = new MemoryStore();
    store.register('ann');
    store.add(textMsg('ann', 'x'));
    const seen: string[] = [];
    const off = store.subscribe('ann', (m) => seen.push(textOfMsg(m)), 5);
    store.add(textMsg('ann', 'y'));
    off();
    assert.deepEqual(seen, ['y']);
  });

  it('onAny sees filed and orphaned deliveries alike, until unsubscribed', () => {
    const store = new MemoryStore();
    store.register('ann');
    const seen: string[] = [];
    const off = store.onAny((m) => seen.push(`${m.sender_id}:${m.kind === 'text' ? m.text : m.kind}`));
    store.add(textMsg('ann', 'filed'));
    store.add(textMsg('zed', 'orphan'));
    store.add(textMsg(null, 'nobody'));
    off();
    store.add(textMsg('ann', 'after'));
    assert.deepEqual(seen, ['ann:filed', 'zed:orphan', 'null:unknown']);
    assert.equal(emitterOf(store).listenerCount('any'), 0);
  });
});

describe('MemoryStore waitFor', () => {
  const isText = (t: string) => (m: BotMessage) => m.kind === 'text' && m.text === t;

  it('resolves at once from a message already stored (first match)', async () => {
    const store = new MemoryStore();
    store.register('ann');
    const first = textMsg('ann', 'hello');
    store.add(textMsg('ann', 'other'));
    store.add(first);
    store.add(textMsg('ann', 'hello'));
    const timers = activeTimers();
    const got = await store.waitFor('ann', isText('hello'), { timeoutMs: 60_000 });
    assert.equal(got, first);
    assert.equal(activeTimers(), timers, 'no timer is started when the message is already there');
    assert.equal(emitterOf(store).listenerCount('m:ann'), 0);
  });

  it('is resolved by the arriving message itself (same tick chain, no timer), ignoring non-matching ones', async () => {
    const store = new MemoryStore();
    store.register('ann');
    const timersBefore = activeTimers();
    let got: BotMessage | undefined;
    const p = store.waitFor('ann', isText('yes'), { timeoutMs: 60_000 });
    void p.then((m) => {
      got = m;
    });
    assert.equal(activeTimers(), timersBefore + 1, 'one timeout timer while waiting');
    assert.equal(emitterOf(store).listenerCount('m:ann'), 1);

    store.add(textMsg('ann', 'no'));
    store.add(textMsg('bob', 'yes')); // another conversation: orphan, must not resolve ann's waiter
    await null;
    await null;
    assert.equal(got, undefined, 'non-matching / foreign messages do not resolve');

    const yes = textMsg('ann', 'yes');
    store.add(yes);
    await null; // one microtask turn: no timer, no I/O
    assert.equal(got, yes);
    assert.equal(await p, yes);
    assert.equal(activeTimers(), timersBefore, 'the timeout timer is cleared');
    assert.equal(emitterOf(store).listenerCount('m:ann'), 0, 'the waiter is removed');
  });

  it('rejects with APICHAT_WAIT_TIMEOUT after timeoutMs and leaves nothing behind', async () => {
    const store = new MemoryStore();
    store.register('ann');
    const timersBefore = activeTimers();
    const started = performance.now();
    await assert.rejects(store.waitFor('ann', isText('never'), { timeoutMs: 30 }), (e: unknown) => {
      assert.ok(isApiChatError(e, 'APICHAT_WAIT_TIMEOUT'), String(e));
      assert.match((e as Error).message, /ann/);
      assert.match((e as Error).message, /30 ms/);
      return true;
    });
    assert.ok(performance.now() - started >= 25, 'did not give up early');
    assert.equal(emitterOf(store).listenerCount('m:ann'), 0);
    assert.equal(activeTimers(), timersBefore);
    // A later message is simply filed; nothing stale reacts to it.
    store.add(textMsg('ann', 'never'));
    assert.equal(store.messages('ann').length, 1);
  });

  it('rejects with the abort reason when the signal aborts, and leaves nothing behind', async () => {
    const store = new MemoryStore();
    store.register('ann');
    const timersBefore = activeTimers();
    const ac = new AbortController();
    const p = store.waitFor('ann', isText('x'), { timeoutMs: 60_000, signal: ac.signal });
    const reason = new Error('scenario ended');
    ac.abort(reason);
    await assert.rejects(p, (e) => e === reason);
    assert.equal(emitterOf(store).listenerCount('m:ann'), 0);
    assert.equal(activeTimers(), timersBefore, 'the timeout timer is cleared on abort');
  });

  it('rejects at once when the signal is already aborted (no 60 s wait)', async () => {
    const store = new MemoryStore();
    store.register('ann');
    const timersBefore = activeTimers();
    const reason = new Error('already over');
    const p = store.waitFor('ann', isText('x'), { timeoutMs: 60_000, signal: AbortSignal.abort(reason) });
    let settled: unknown = 'pending';
    p.then(
      () => (settled = 'resolved'),
      (e) => (settled = e),
    );
    await null;
    await null;
    assert.equal(settled, reason);
    assert.equal(emitterOf(store).listenerCount('m:ann'), 0);
    assert.equal(activeTimers(), timersBefore);
  });

  it('removes its abort listener from the signal once resolved or timed out', async () => {
    const store = new MemoryStore();
    store.register('ann');
    const ac = new AbortController();
    let added = 0;
    let removed = 0;
    const signal = ac.signal;
    const add = signal.addEventListener.bind(signal);
    const remove = signal.removeEventListener.bind(signal);
    signal.addEventListener = ((...a: Parameters<AbortSignal['addEventListener']>) => {
      added++;
      add(...a);
    }) as AbortSignal['addEventListener'];
    signal.removeEventListener = ((...a: Parameters<AbortSignal['removeEventListener']>) => {
      removed++;
      remove(...a);
    }) as AbortSignal['removeEventListener'];
    const p1 = store.waitFor('ann', isText('a'), { timeoutMs: 60_000, signal });
    store.add(textMsg('ann', 'a'));
    await p1;
    await assert.rejects(store.waitFor('ann', isText('b'), { timeoutMs: 5, signal }), (e) => isApiChatError(e, 'APICHAT_WAIT_TIMEOUT'));
    assert.equal(added, 2);
    assert.equal(removed, 2);
    ac.abort(); // a late abort touches nothing
  });

  it('many concurrent waiters on one conversation each get their own match; none left behind', async () => {
    const store = new MemoryStore();
    store.register('ann');
    const waits = Array.from({ length: 50 }, (_, i) => store.waitFor('ann', isText(`t${i}`), { timeoutMs: 60_000 }));
    assert.equal(emitterOf(store).listenerCount('m:ann'), 50);
    for (let i = 49; i >= 0; i--) store.add(textMsg('ann', `t${i}`));
    const got = await Promise.all(waits);
    assert.deepEqual(got.map(textOfMsg), Array.from({ length: 50 }, (_, i) => `t${i}`));
    assert.equal(emitterOf(store).listenerCount('m:ann'), 0);
  });

  it('a waiter for an unregistered sender is not resolved by its orphans (times out)', async () => {
    const store = new MemoryStore();
    const p = store.waitFor('ghost', isText('x'), { timeoutMs: 20 });
    store.add(textMsg('ghost', 'x'));
    await assert.rejects(p, (e) => isApiChatError(e, 'APICHAT_WAIT_TIMEOUT'));
    assert.equal(store.orphans().length, 1);
  });
});

describe('MemoryStore rejections', () => {
  it('starts empty and describeRejections says nothing', () => {
    const store = new MemoryStore();
    assert.deepEqual(store.rejections(), { count: 0, byReason: {}, last: [] });
    assert.equal(describeRejections(store.rejections()), null);
  });

  it('counts by reason and keeps the newest 20', () => {
    const store = new MemoryStore();
    for (let i = 0; i < 25; i++) store.reject({ at: i, status: 401, reason: 'bad signature', excerpt: `#${i}` });
    store.reject({ at: 99, status: 400, reason: 'malformed JSON' });
    const s = store.rejections();
    assert.equal(s.count, 26);
    assert.deepEqual(s.byReason, { 'bad signature': 25, 'malformed JSON': 1 });
    assert.equal(s.last.length, 20);
    assert.equal(s.last[0]!.excerpt, '#6');
    assert.equal(s.last.at(-1)!.reason, 'malformed JSON');
  });

  it('the summary is a snapshot: later rejections do not change it', () => {
    const store = new MemoryStore();
    store.reject({ at: 1, status: 401, reason: 'bad signature' });
    const s = store.rejections();
    store.reject({ at: 2, status: 401, reason: 'bad signature' });
    assert.equal(s.count, 1);
    assert.deepEqual(s.byReason, { 'bad signature': 1 });
    assert.equal(s.last.length, 1);
  });

  it('onReject sees each rejection as it happens, until unsubscribed', () => {
    const store = new MemoryStore();
    const seen: string[] = [];
    const off = store.onReject((r) => seen.push(`${r.status} ${r.reason}`));
    store.reject({ at: 1, status: 401, reason: 'bad signature' });
    store.reject({ at: 2, status: 413, reason: 'body too large' });
    off();
    store.reject({ at: 3, status: 404, reason: 'wrong path' });
    assert.deepEqual(seen, ['401 bad signature', '413 body too large']);
    assert.equal(store.rejections().count, 3);
    assert.equal(emitterOf(store).listenerCount('reject'), 0);
  });

  it('describes three bad signatures with the fix', () => {
    const store = new MemoryStore();
    for (let i = 0; i < 3; i++) store.reject({ at: i, status: 401, reason: 'bad signature' });
    const text = describeRejections(store.rejections());
    assert.equal(text, `3 deliveries were rejected: 3× bad signature — ${REJECTION_FIXES['bad signature']}`);
    assert.ok(text!.startsWith('3 deliveries were rejected: 3× bad signature — check APICHAT_WEBHOOK_SECRET'));
  });

  it('one rejection is singular; several reasons are listed most frequent first; unknown reasons get a generic fix', () => {
    const one = new MemoryStore();
    one.reject({ at: 0, status: 403, reason: 'wrong handshake token' });
    assert.equal(describeRejections(one.rejections()), `1 delivery was rejected: 1× wrong handshake token — ${REJECTION_FIXES['wrong handshake token']}`);

    const many = new MemoryStore();
    many.reject({ at: 0, status: 400, reason: 'malformed JSON' });
    for (let i = 0; i < 2; i++) many.reject({ at: 0, status: 404, reason: 'wrong path' });
    many.reject({ at: 0, status: 500, reason: 'something new' });
    const text = describeRejections(many.rejections())!;
    assert.ok(text.startsWith('4 deliveries were rejected: 2× wrong path — '), text);
    assert.ok(text.indexOf('2× wrong path') < text.indexOf('1× malformed JSON'));
    assert.match(text, /1× something new — see the listener log/);
  });
});
