// The Redis Streams transport against a real redis-server this file starts on a free port:
// the listener's publisher and a runner's inbox, trimming, rejections, the "nothing reaches
// Redis" notice, and Redis going away. Skipped (with the reason) without redis-server, except
// under CI=true, where that is a failure.
import { after, before, describe, it, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { buildTextReply, normalise, nowMs, type BotMessage } from '../../src/protocol/index.ts';
import {
  clockOffset,
  connectRedis,
  KEYS,
  listenerPresence,
  NO_DELIVERY_NOTICE,
  RedisInbox,
  RedisPublisher,
  RedisStore,
  safeRedisUrl,
  STREAM_MAXLEN,
  STREAM_TTL_S,
  type RedisClient,
} from '../../src/inbox/index.ts';
import { Conversation } from '../../src/conversation/index.ts';
import { addInboxNotice } from '../../src/conversation/notes.ts';
import { isApiChatError } from '../../src/base/errors.ts';
import { closedPort } from '../client/helpers.ts';
import { skipWithoutRedis, startRedisServer, type RedisServer } from '../support/redis-server.ts';
import { closeAfter } from '../support/close-after.ts';

const skip = skipWithoutRedis();
let n = 0;
const sender = (): string => `bdd-redis-${process.pid}-${++n}`;
const reply = (senderId: string, text: string): BotMessage => normalise(buildTextReply({ sender_id: senderId, conv_id: 7 }, text), nowMs());

/** Opens a conversation for a fresh sender id with a collector behind it. */
async function watched(inbox: RedisInbox) {
  const id = sender();
  const c = collector();
  const feed = await inbox.open(id, (m) => c.push(m));
  return { id, c, feed };
}

/** Collects a feed's messages; `next(k)` resolves once k have arrived (event-driven). */
function collector() {
  const got: BotMessage[] = [];
  const waiters: Array<{ k: number; resolve: () => void }> = [];
  return {
    got,
    push(m: BotMessage) {
      got.push(m);
      for (const w of waiters.filter((x) => got.length >= x.k)) w.resolve();
    },
    next(k: number): Promise<void> {
      if (got.length >= k) return Promise.resolve();
      return new Promise((resolve) => waiters.push({ k, resolve }));
    },
  };
}

describe('Redis Streams transport', { skip, timeout: 30_000 }, () => {
  let server: RedisServer;
  let admin: RedisClient;
  let publisher: RedisPublisher;

  before(async () => {
    server = await startRedisServer();
    admin = await connectRedis(server.url, { role: 'runner' });
    publisher = await RedisPublisher.connect(server.url, { describe: 'the test listener' });
  });
  after(async () => {
    await publisher?.close();
    admin?.destroy();
    await server?.stop();
  });

  /** A runner's inbox on this server (deliveries counted from `deliveriesAtStart`); closed after test `t`. */
  const runnerInbox = (t: TestContext, deliveriesAtStart = 0): RedisInbox => {
    const inbox = new RedisInbox({ url: server.url, deliveriesAtStart });
    closeAfter(t, inbox);
    return inbox;
  };

  it('delivers each conversation its own replies, in order, with the arrival time on this clock', async (t) => {
    const inbox = runnerInbox(t);
    const { id: a, c: ca } = await watched(inbox);
    const { id: b, c: cb } = await watched(inbox); // opened while the read for `a` is blocked: the wake-up stream adds it
    const sent = [reply(a, 'a1'), reply(b, 'b1'), reply(a, 'a2'), reply(a, 'a3')];
    for (const m of sent) publisher.publish(m);
    await Promise.all([ca.next(3), cb.next(1)]);
    assert.deepEqual(ca.got.map((m) => m.kind === 'text' && m.text), ['a1', 'a2', 'a3']);
    assert.deepEqual(cb.got.map((m) => m.kind === 'text' && m.text), ['b1']);
    assert.equal(ca.got[0]!.sender_id, a);
    // Same machine: Redis time out and back again lands within a few ms of the original stamp.
    assert.ok(Math.abs(ca.got[0]!.arrived_at - sent[0]!.arrived_at) < 5, `${ca.got[0]!.arrived_at} vs ${sent[0]!.arrived_at}`);
  });

  it('replays replies published before the conversation was opened, and stops after close', async (t) => {
    const inbox = runnerInbox(t);
    const id = sender();
    publisher.publish(reply(id, 'early'));
    await readUntil(server.url, KEYS.conversation(id), (e) => e.length >= 1);
    const c = collector();
    const feed = await inbox.open(id, (m) => c.push(m));
    await c.next(1);
    await feed.close();
    await watched(inbox); // a later open wakes the read, which drops the closed key
    publisher.publish(reply(id, 'late'));
    await readUntil(server.url, KEYS.conversation(id), (e) => e.length >= 2);
    assert.deepEqual(c.got.map((m) => m.kind === 'text' && m.text), ['early']);
  });

  it('skips a stream entry it did not write and keeps reading', async (t) => {
    const inbox = runnerInbox(t);
    const { id, c } = await watched(inbox);
    await admin.xAdd(KEYS.conversation(id), '*', { m: 'not json' });
    await admin.xAdd(KEYS.conversation(id), '*', { other: 'field' });
    publisher.publish(reply(id, 'after the foreign entries'));
    await c.next(1);
    assert.deepEqual(c.got.map((m) => m.kind === 'text' && m.text), ['after the foreign entries']);
  });

  it('trims each conversation stream (MAXLEN ~) and lets it expire', async () => {
    const id = sender();
    for (let i = 0; i < STREAM_MAXLEN * 3; i++) publisher.publish(reply(id, `m${i}`));
    const lastText = `m${STREAM_MAXLEN * 3 - 1}`;
    await readUntil(server.url, KEYS.conversation(id), (e) => e.some((x) => (JSON.parse(x.message.m!) as { text?: string }).text === lastText));
    const length = await admin.xLen(KEYS.conversation(id));
    assert.ok(length >= STREAM_MAXLEN && length < STREAM_MAXLEN * 1.2, `length ${length}`);
    const ttl = await admin.ttl(KEYS.conversation(id));
    assert.ok(ttl > 0 && ttl <= STREAM_TTL_S, `ttl ${ttl}`);
  });

  it('publishes rejection counts that a runner reads as its summary', async (t) => {
    const inbox = runnerInbox(t);
    const before = await inbox.rejections();
    const store = new RedisStore(publisher);
    store.reject({ at: Date.now(), status: 401, reason: 'bad signature', excerpt: '{"x":1}' });
    store.reject({ at: Date.now(), status: 401, reason: 'bad signature' });
    store.reject({ at: Date.now(), status: 403, reason: 'wrong handshake token' });
    let after = await inbox.rejections();
    while (after.count < before.count + 3) after = await inbox.rejections(); // each read is a round trip behind the publisher's pipeline
    assert.equal(after.count - before.count, 3);
    assert.equal((after.byReason['bad signature'] ?? 0) - (before.byReason['bad signature'] ?? 0), 2);
    assert.equal(after.last.at(-1)!.reason, 'wrong handshake token');
    assert.equal(store.rejections().count, 3, 'the listener keeps its own in-memory summary too');
  });

  it('says on a waiting failure that no delivery reached Redis, and whether any listener publishes', async (t) => {
    const stats = await admin.hGet(KEYS.stats, 'deliveries');
    const inbox = runnerInbox(t, Number(stats ?? 0));
    await inbox.open(sender(), () => {});
    const withListener = await inbox.notice();
    assert.match(withListener ?? '', /^no delivery has reached Redis for this run: the test listener publishes to redis:\/\/127\.0\.0\.1:\d+, but nothing reached it/);
    await admin.del(KEYS.listener); // as if no `apichat-bdd listen` were running
    const error = { code: 'APICHAT_REPLY_TIMEOUT', message: 'Timed out after 10 ms waiting for a reply.' };
    assert.equal(await addInboxNotice(error, inbox), true);
    assert.ok(error.message.includes(NO_DELIVERY_NOTICE), error.message);
    const other = { code: 'APICHAT_BOT_AUTH', message: 'the bot URL refused the flow key' };
    assert.equal(await addInboxNotice(other, inbox), false, 'only failures of a missing reply get the note');
  });

  it('counts a listener only while its named connection is open: a killed one leaves its key, not its connection', async () => {
    const own = await startRedisServer();
    const probe = await connectRedis(own.url, { role: 'runner' });
    try {
      const p = await RedisPublisher.connect(own.url, { describe: 'a fresh listener' });
      assert.equal((await listenerPresence(probe))?.listening, 'a fresh listener');
      const left = JSON.stringify({ listening: 'a killed listener' });
      await p.close();
      assert.equal(await probe.get(KEYS.listener), null, 'a listener that closes takes its key away');
      await probe.set(KEYS.listener, left); // what a SIGKILLed listener leaves behind
      assert.equal(await listenerPresence(probe), null);
    } finally {
      probe.destroy();
      await own.stop();
    }
  });

  it('has no notice once a reply for this runner came through Redis', async (t) => {
    const inbox = runnerInbox(t);
    const { id, c } = await watched(inbox);
    publisher.publish(reply(id, 'hello'));
    await c.next(1);
    assert.equal(await inbox.notice(), null);
  });
});

describe('Redis going away and bad URLs', { skip, timeout: 30_000 }, () => {
  it('fails a waiting step at once with APICHAT_REDIS_LOST when Redis dies, and reconnects later', async () => {
    const server = await startRedisServer();
    const inbox = new RedisInbox({ url: server.url, deliveriesAtStart: 0 });
    try {
      const conversation = await Conversation.open({
        inbox,
        bot: { send: async () => undefined },
        senderId: sender(),
        name: 'Ann',
        conversationId: 1,
        // A minute: a hang would outlast the test's own timeout; the failure must come from Redis going away.
        timing: { replyTimeoutMs: 60_000, quietMs: 60_000, settleMs: 0 },
      });
      await conversation.say('hi');
      const waiting = conversation.expect({ kind: 'text', mode: 'exact', value: 'hello' }, 'Then the bot replies "hello"');
      // The handler is attached before Redis dies: the step fails as soon as the connection drops.
      const failed = assert.rejects(waiting, (e: unknown) => {
        assert.ok(isApiChatError(e, 'APICHAT_REDIS_LOST'), String(e));
        assert.equal(e.variable, 'APICHAT_REDIS_URL');
        assert.match(e.message, /lost the connection to Redis at redis:\/\/127\.0\.0\.1:\d+ \(APICHAT_REDIS_URL\)/);
        return true;
      });
      await server.kill();
      await failed;
      await assert.rejects(conversation.say('again'), (e: unknown) => isApiChatError(e, 'APICHAT_REDIS_LOST'));
      await assert.rejects(inbox.open(sender(), () => {}), (e: unknown) => isApiChatError(e, 'APICHAT_REDIS_UNREACHABLE'), 'the next scenario fails fast too');
    } finally {
      await inbox.close();
      await server.stop();
    }
  });

  it('the listener rides out a Redis restart: what arrived meanwhile is published once Redis is back', async () => {
    let server = await startRedisServer();
    const lines: string[] = [];
    const waiters: Array<{ pred: (l: string) => boolean; resolve: () => void }> = [];
    const log = (l: string): void => {
      lines.push(l);
      for (const w of waiters) if (w.pred(l)) w.resolve();
    };
    const logged = (pred: (l: string) => boolean): Promise<void> =>
      lines.some(pred) ? Promise.resolve() : new Promise((resolve) => waiters.push({ pred, resolve }));
    const publisher = await RedisPublisher.connect(server.url, { log });
    try {
      await server.kill();
      await logged((l) => l.startsWith('apichat-bdd: cannot publish to Redis'));
      const id = sender();
      publisher.publish(reply(id, 'during the outage'));
      server = await startRedisServer(server.port);
      await logged((l) => l === 'apichat-bdd: publishing to Redis again');
      await readUntil(server.url, KEYS.conversation(id), (e) => e.length === 1);
    } finally {
      await publisher.close();
      await server.stop();
    }
  });

  it('a wrong password is the same one-line error, naming the cause, without the password', async () => {
    const server = await startRedisServer({ password: 'right-pass' });
    try {
      const ok = await connectRedis(server.url, { role: 'runner' });
      ok.destroy();
      await assert.rejects(connectRedis(`redis://:wrong-pass@127.0.0.1:${server.port}`, { role: 'runner' }), (e: unknown) => {
        assert.ok(isApiChatError(e, 'APICHAT_REDIS_UNREACHABLE'));
        assert.match(e.message, /WRONGPASS|invalid password|AUTH/i);
        assert.ok(!e.message.includes('wrong-pass'), e.message);
        return true;
      });
    } finally {
      await server.stop();
    }
  });

  it('names APICHAT_REDIS_URL, never its password, when Redis cannot be reached', async () => {
    const port = await closedPort();
    await assert.rejects(connectRedis(`redis://:s3cret-pass@127.0.0.1:${port}`, { role: 'runner', connectTimeoutMs: 2000 }), (e: unknown) => {
      assert.ok(isApiChatError(e, 'APICHAT_REDIS_UNREACHABLE'));
      assert.equal(e.variable, 'APICHAT_REDIS_URL');
      assert.match(e.message, new RegExp(`^APICHAT_REDIS_URL: cannot connect to Redis at redis://127\\.0\\.0\\.1:${port} \\(.*ECONNREFUSED`));
      assert.ok(!e.message.includes('s3cret'), e.message);
      assert.ok(!e.message.includes('\n'));
      return true;
    });
  });
});

describe('clockOffset', () => {
  it("estimates Redis's clock minus ours from the quickest TIME round trip", async () => {
    // A Redis whose clock is 5 s ahead. The quick sample answers mid-way through its round trip;
    // the slow ones answer at its start (an asymmetric delay), which would skew the estimate.
    const delays = [40, 0, 30, 25, 35];
    let call = 0;
    const client = {
      async time(): Promise<[string, string]> {
        const delay = delays[call++ % delays.length]!;
        const start = nowMs();
        await new Promise((r) => setTimeout(r, delay));
        const t = (delay === 0 ? (start + nowMs()) / 2 : start) + 5000;
        return [String(Math.floor(t / 1000)), String(Math.round((t % 1000) * 1000))];
      },
    } as unknown as RedisClient;
    const offset = await clockOffset(client);
    // Within the quick sample's bound (half its round trip: a 0 ms timer takes about 1 ms), taken at its edge nearer 0.
    assert.ok(offset <= 5000 && offset > 4998, `offset ${offset}`);
  });
});

describe('safeRedisUrl', () => {
  it('drops the user name and password, keeps host, port, database and TLS', () => {
    assert.equal(safeRedisUrl('rediss://default:pw@redis.example.com:6380/2'), 'rediss://redis.example.com:6380/2');
    assert.equal(safeRedisUrl('redis://:pw@localhost:6379'), 'redis://localhost:6379');
    assert.equal(safeRedisUrl('not a url :pw@x'), 'not a url :pw@x');
  });
});

type Entries = Array<{ id: string; message: Record<string, string> }>;

/** Reads a stream with blocking reads (no polling loop of our own) until `done` holds for the entries so far. */
async function readUntil(url: string, key: string, done: (entries: Entries) => boolean): Promise<void> {
  const reader = await connectRedis(url, { role: 'runner' });
  try {
    const all: Entries = [];
    let last = '0';
    while (!done(all)) {
      const r = (await reader.xRead([{ key, id: last }], { BLOCK: 5000, COUNT: 5000 })) as Array<{ messages: Entries }> | null;
      if (!r) throw new Error(`${key}: nothing more within 5 s after ${all.length} entries`);
      all.push(...r[0]!.messages);
      last = all.at(-1)!.id;
    }
  } finally {
    reader.destroy();
  }
}
