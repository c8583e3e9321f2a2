// The Inbox contract (LocalInbox in-process, RemoteInbox over the loopback control server's
// server-sent events), plus what only the remote side has: unreachable server, resume after a
// dropped stream, many feeds at once. Every test closes what it opened, so the file exits.
import { describe, it, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { createServer } from 'node:net';
import { request } from 'undici';
import { CONTROL_PREFIX, LocalInbox, MemoryStore, RemoteInbox, buildListener, startControlServer, type Inbox, type RunningControl } from '../../src/inbox/index.ts';
import { isApiChatError } from '../../src/base/errors.ts';
import { buildTextReply, normalise, type BotMessage } from '../../src/protocol/index.ts';
import { deferred, emitterOf, remoteHarness, textMsg, type Harness } from './helpers.ts';
import { closeAfter } from '../support/close-after.ts';

/** Collects a feed's messages; `until(n)` resolves when n have arrived (fails after a generous guard). */
function collector() {
  const got: BotMessage[] = [];
  let want = Infinity;
  let waiting = deferred<void>();
  const onMessage = (m: BotMessage) => {
    got.push(m);
    if (got.length >= want) waiting.resolve();
  };
  const until = async (n: number, guardMs = 10_000): Promise<BotMessage[]> => {
    if (got.length >= n) return got;
    want = n;
    waiting = deferred<void>();
    const guard = setTimeout(() => waiting.reject(new Error(`only ${got.length} of ${n} messages arrived: ${texts(got).join(', ')}`)), guardMs);
    try {
      await waiting.promise;
    } finally {
      clearTimeout(guard);
      want = Infinity;
    }
    return got;
  };
  return { got, onMessage, until };
}

/**
 * Resolves when the store loses `senderId`'s subscription: the server noticed the stream end
 * (resolved by the listener's removal, not by a timer). Call before closing.
 */
function subscriptionRemoved(store: MemoryStore, senderId: string): Promise<void> {
  const emitter = emitterOf(store);
  const gone = deferred<void>();
  const onRemove = (event: string | symbol) => {
    if (event === `m:${senderId}`) gone.resolve();
  };
  emitter.on('removeListener', onRemove);
  return gone.promise.finally(() => emitter.off('removeListener', onRemove));
}

const auth = (c: RunningControl) => ({ authorization: `Bearer ${c.token}` });

const texts = (ms: readonly BotMessage[]) => ms.map((m) => (m.kind === 'text' ? m.text : `<${m.kind}>`));

/** A store behind a LocalInbox; closed after test `t` when given (as remoteHarness). */
async function localHarness(t?: TestContext): Promise<Harness> {
  const store = new MemoryStore();
  const inbox = new LocalInbox(store);
  const close = () => inbox.close();
  t?.after(close);
  return { store, inbox, close };
}

/** Opens `senderId`'s feed with a collector behind it. */
async function collecting(inbox: Inbox, senderId: string) {
  const c = collector();
  return { c, feed: await inbox.open(senderId, c.onMessage) };
}

for (const [name, make] of [
  ['LocalInbox', localHarness],
  ['RemoteInbox', remoteHarness],
] as const) {
  describe(`${name}: the Inbox contract`, () => {
    it('open() registers the sender before it resolves', async (t) => {
      const h = await make(t);
      assert.equal(h.store.isRegistered('ann'), false);
      const feed = await h.inbox.open('ann', () => {});
      assert.equal(feed.senderId, 'ann');
      assert.equal(h.store.isRegistered('ann'), true);
      // A reply added right now is filed, not orphaned.
      h.store.add(textMsg('ann', 'first'));
      assert.equal(h.store.orphans().length, 0);
      assert.equal(h.store.messages('ann').length, 1);
      await feed.close();
    });

    it('messages added to the store arrive through the feed, in order', async (t) => {
      const h = await make(t);
      const { c, feed } = await collecting(h.inbox, 'ann');
      const want = Array.from({ length: 25 }, (_, i) => `m${i}`);
      for (const t of want) h.store.add(textMsg('ann', t));
      await c.until(25);
      assert.deepEqual(texts(c.got), want);
      // Full message survives the trip (raw, conv_id, private). arrived_at is moved onto the
      // receiving process's clock: here the same clock, so by no more than the clock reading's error.
      const stored = h.store.messages('ann');
      const withoutTime = ({ arrived_at: _, ...m }: BotMessage): unknown => JSON.parse(JSON.stringify(m));
      assert.deepEqual(c.got.map(withoutTime), stored.map(withoutTime));
      c.got.forEach((m, i) => assert.ok(Math.abs(m.arrived_at - stored[i]!.arrived_at) < 5, `${m.arrived_at} vs ${stored[i]!.arrived_at}`));
      await feed.close();
    });

    it('messages stored before open (sender already registered) are replayed first', async (t) => {
      const h = await make(t);
      h.store.register('bob');
      h.store.add(textMsg('bob', 'early 1'));
      h.store.add(textMsg('bob', 'early 2'));
      const { c, feed } = await collecting(h.inbox, 'bob');
      h.store.add(textMsg('bob', 'live'));
      await c.until(3);
      assert.deepEqual(texts(c.got), ['early 1', 'early 2', 'live']);
      await feed.close();
    });

    it('close() unregisters: later replies become orphans and are not delivered', async (t) => {
      const h = await make(t);
      const { c, feed } = await collecting(h.inbox, 'cat');
      h.store.add(textMsg('cat', 'before'));
      await c.until(1);
      await feed.close();
      assert.equal(h.store.isRegistered('cat'), false);
      h.store.add(textMsg('cat', 'late'));
      assert.deepEqual(texts(h.store.orphans()), ['late']);
      assert.deepEqual(texts(c.got), ['before']);
    });

    it('rejections() returns the store summary', async (t) => {
      const h = await make(t);
      assert.deepEqual(await h.inbox.rejections(), { count: 0, byReason: {}, last: [] });
      for (let i = 0; i < 3; i++) h.store.reject({ at: 1000 + i, status: 401, reason: 'bad signature', excerpt: `{"n":${i}}` });
      h.store.reject({ at: 2000, status: 400, reason: 'malformed JSON' });
      const got = await h.inbox.rejections();
      assert.deepEqual(got, h.store.rejections());
      assert.equal(got.count, 4);
      assert.deepEqual(got.byReason, { 'bad signature': 3, 'malformed JSON': 1 });
    });

    it('two feeds for different senders each get only their own', async (t) => {
      const h = await make(t);
      const { c: a, feed: fa } = await collecting(h.inbox, 'a');
      const { c: b, feed: fb } = await collecting(h.inbox, 'b');
      h.store.add(textMsg('a', 'a1'));
      h.store.add(textMsg('b', 'b1'));
      h.store.add(textMsg('a', 'a2'));
      await Promise.all([a.until(2), b.until(1)]);
      assert.deepEqual(texts(a.got), ['a1', 'a2']);
      assert.deepEqual(texts(b.got), ['b1']);
      await Promise.all([fa.close(), fb.close()]);
    });
  });
}

describe('RemoteInbox over the control server', () => {
  it('opening against a closed port fails with APICHAT_INBOX_UNREACHABLE naming APICHAT_RUN and the address', async (t) => {
    // Grab a free port, then release it so nothing listens there.
    const probe = createServer();
    await new Promise<void>((r) => probe.listen(0, '127.0.0.1', r));
    const port = (probe.address() as { port: number }).port;
    await new Promise<void>((r) => probe.close(() => r()));
    const inbox = new RemoteInbox(`http://127.0.0.1:${port}`, { token: 't' });
    closeAfter(t, inbox);
    await assert.rejects(inbox.open('ann', () => {}), (e: unknown) => {
      assert.ok(isApiChatError(e, 'APICHAT_INBOX_UNREACHABLE'), String(e));
      assert.equal((e as { variable?: string }).variable, 'APICHAT_RUN');
      assert.match((e as Error).message, new RegExp(`127\\.0\\.0\\.1:${port}`));
      assert.doesNotMatch((e as Error).message, /APICHAT_INBOX_URL/);
      return true;
    });
  });

  it('a server that is not the control server (404) is unreachable too', async (t) => {
    const store = new MemoryStore();
    const app = buildListener({ secret: 's', store });
    await app.listen({ host: '127.0.0.1', port: 0 });
    const inbox = new RemoteInbox(`http://127.0.0.1:${(app.server.address() as { port: number }).port}`, { token: 't' });
    closeAfter(t, inbox, app);
    await assert.rejects(inbox.open('ann', () => {}), (e: unknown) => isApiChatError(e, 'APICHAT_INBOX_UNREACHABLE'));
  });

  it('the SSE endpoint registers, then replays only events after Last-Event-ID, then streams live ones', async (t) => {
    const store = new MemoryStore();
    const control = await startControlServer(store);
    const ac = new AbortController();
    closeAfter(t, control);
    store.register('dan');
    for (let i = 0; i < 5; i++) store.add(textMsg('dan', `d${i}`));
    const res = await request(`${control.url}${CONTROL_PREFIX}/conversations/dan/events`, { headers: { 'last-event-id': '2', authorization: `Bearer ${control.token}` }, signal: ac.signal });
    assert.equal(res.statusCode, 200);
    assert.match(String(res.headers['content-type']), /^text\/event-stream/);
    const events: Array<{ id: number; text: string }> = [];
    let buffer = '';
    const done = deferred<void>();
    const reader = (async () => {
      try {
        for await (const chunk of res.body) {
          buffer += chunk.toString();
          let end: number;
          while ((end = buffer.indexOf('\n\n')) >= 0) {
            const block = buffer.slice(0, end);
            buffer = buffer.slice(end + 2);
            const id = /^id: (\d+)$/m.exec(block);
            const data = /^data: (.*)$/m.exec(block);
            if (id && data) {
              const m = JSON.parse(data[1]!) as BotMessage;
              events.push({ id: Number(id[1]), text: m.kind === 'text' ? m.text : '' });
              if (events.length === 3) done.resolve();
            }
          }
        }
      } catch {
        /* aborted at the end */
      }
    })();
    store.add(textMsg('dan', 'd5'));
    await done.promise;
    assert.deepEqual(events, [
      { id: 3, text: 'd3' },
      { id: 4, text: 'd4' },
      { id: 5, text: 'd5' },
    ]);
    ac.abort();
    await reader;
  });

  it('the SSE subscription ends on the server when the client goes away (no listener left behind)', async (t) => {
    const { store, inbox } = await remoteHarness(t);
    const { c, feed } = await collecting(inbox, 'eve');
    store.add(textMsg('eve', 'e0'));
    await c.until(1);
    assert.equal(emitterOf(store).listenerCount('m:eve'), 1, 'one live subscription while open');
    const gone = subscriptionRemoved(store, 'eve');
    await feed.close();
    await gone;
    assert.equal(emitterOf(store).listenerCount('m:eve'), 0);
  });

  it('a dropped stream is resumed with Last-Event-ID: nothing lost, nothing twice', async (t) => {
    const { store, control, inbox } = await remoteHarness(t);
    const { c, feed } = await collecting(inbox, 'fay');
    for (let i = 0; i < 3; i++) store.add(textMsg('fay', `f${i}`));
    await c.until(3);
    // Drop every connection from the server side; the server keeps listening.
    control.app.server.closeAllConnections();
    // Replies that arrive while the stream is down (or while the server still thinks it is up).
    for (let i = 3; i < 6; i++) store.add(textMsg('fay', `f${i}`));
    await c.until(6);
    for (let i = 6; i < 8; i++) store.add(textMsg('fay', `f${i}`));
    await c.until(8);
    assert.deepEqual(texts(c.got), ['f0', 'f1', 'f2', 'f3', 'f4', 'f5', 'f6', 'f7']);
    await feed.close();
  });

  it('keeps resuming across many drops over a long scenario (more than a handful)', async (t) => {
    const { store, control, inbox } = await remoteHarness(t);
    const { c, feed } = await collecting(inbox, 'gus');
    const want: string[] = [];
    for (let round = 0; round < 8; round++) {
      const t = `g${round}`;
      want.push(t);
      store.add(textMsg('gus', t));
      await c.until(want.length);
      control.app.server.closeAllConnections();
    }
    store.add(textMsg('gus', 'final'));
    want.push('final');
    await c.until(want.length);
    assert.deepEqual(texts(c.got), want);
    await feed.close();
  });

  it('when the control server goes away for good, the feed gives up and close() still resolves', async () => {
    const store = new MemoryStore();
    const control = await startControlServer(store);
    const inbox = new RemoteInbox(control.url, { token: control.token });
    const unhandled: unknown[] = [];
    const onUnhandled = (e: unknown) => unhandled.push(e);
    process.on('unhandledRejection', onUnhandled);
    try {
      const { c, feed } = await collecting(inbox, 'kim');
      store.add(textMsg('kim', 'k0'));
      await c.until(1);
      await control.close();
      await feed.close();
      await inbox.close();
      assert.deepEqual(texts(c.got), ['k0']);
      // Let any stray rejection from the reconnect loop surface before checking.
      await new Promise((r) => setImmediate(r));
      assert.deepEqual(unhandled, []);
    } finally {
      process.off('unhandledRejection', onUnhandled);
    }
  });

  it('large messages with multi-byte characters arrive intact (chunk boundaries inside a character)', async (t) => {
    const { store, inbox } = await remoteHarness(t);
    const { c, feed } = await collecting(inbox, 'hal');
    const want = Array.from({ length: 6 }, (_, i) => `${i}:` + 'é👋ü€'.repeat(20_000 + i * 997));
    for (const t of want) store.add(textMsg('hal', t));
    await c.until(want.length);
    assert.equal(c.got.length, want.length);
    for (let i = 0; i < want.length; i++) {
      const got = texts([c.got[i]!])[0]!;
      assert.equal(got.length, want[i]!.length, `message ${i} length`);
      assert.ok(got === want[i], `message ${i} differs (replacement characters?)`);
    }
    await feed.close();
  });

  it('sender ids that need URL encoding reach the right conversation', async (t) => {
    const { store, inbox } = await remoteHarness(t);
    const id = 'ann smith/42?x=1&y#z ü';
    const { c, feed } = await collecting(inbox, id);
    assert.equal(store.isRegistered(id), true);
    store.add(normalise(buildTextReply({ sender_id: id, conv_id: 1 }, 'encoded ok')));
    await c.until(1);
    assert.deepEqual(texts(c.got), ['encoded ok']);
    await feed.close();
    assert.equal(store.isRegistered(id), false);
  });

  it('20 concurrent feeds each get exactly their own messages, in order', async (t) => {
    const { store, inbox } = await remoteHarness(t);
    const senders = Array.from({ length: 20 }, (_, i) => `par-${i}`);
    const collectors = senders.map(() => collector());
    const feeds = await Promise.all(senders.map((s, i) => inbox.open(s, collectors[i]!.onMessage)));
    for (const s of senders) assert.equal(store.isRegistered(s), true);
    const perSender = 10;
    for (let r = 0; r < perSender; r++) for (const s of senders) store.add(textMsg(s, `${s}#${r}`));
    store.add(textMsg('not-open', 'stray'));
    await Promise.all(collectors.map((c) => c.until(perSender)));
    senders.forEach((s, i) => {
      assert.deepEqual(
        texts(collectors[i]!.got),
        Array.from({ length: perSender }, (_, r) => `${s}#${r}`),
      );
    });
    assert.deepEqual(texts(store.orphans()), ['stray']);
    await Promise.all(feeds.map((f) => f.close()));
    for (const s of senders) assert.equal(store.isRegistered(s), false);
  });

  it('RemoteInbox.close() ends its open streams: the server drops the subscription, nothing more is delivered', async (t) => {
    const store = new MemoryStore();
    const control = await startControlServer(store);
    const inbox = new RemoteInbox(control.url, { token: control.token });
    closeAfter(t, control);
    const { c } = await collecting(inbox, 'ivy');
    const gone = subscriptionRemoved(store, 'ivy');
    await inbox.close();
    await gone;
    store.add(textMsg('ivy', 'after close'));
    assert.deepEqual(c.got, [], 'nothing delivered after close');
  });

  it('the control server answers health, orphans and DELETE', async (t) => {
    const store = new MemoryStore();
    const control = await startControlServer(store);
    closeAfter(t, control);
    assert.match(control.url, /^http:\/\/127\.0\.0\.1:\d+$/);
    const health = await request(`${control.url}${CONTROL_PREFIX}/health`, { headers: auth(control) });
    assert.deepEqual(await health.body.json(), { ok: true });
    store.add(textMsg('nobody', 'lost'));
    const orphans = await request(`${control.url}${CONTROL_PREFIX}/orphans`, { headers: auth(control) });
    const list = (await orphans.body.json()) as BotMessage[];
    assert.deepEqual(texts(list), ['lost']);
    store.register('jo');
    const del = await request(`${control.url}${CONTROL_PREFIX}/conversations/jo`, { method: 'DELETE', headers: auth(control) });
    await del.body.dump();
    assert.equal(del.statusCode, 204);
    assert.equal(store.isRegistered('jo'), false);
  });
});
