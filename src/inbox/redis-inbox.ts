// A runner's view of the listener when replies travel through Redis Streams (runner mode:
// APICHAT_REDIS_URL set, no listener of its own). One blocking XREAD on a dedicated connection
// covers every open conversation of this process, so waiting stays event-driven: Redis answers
// the read the moment the listener adds a reply. Opening a conversation wakes the read through
// a private wake-up stream, which is race-free where CLIENT UNBLOCK is not (an unblock that
// reaches Redis before the read does is lost; a stream entry is not).
import { randomBytes } from 'node:crypto';
import type { BotMessage } from '../protocol/index.ts';
import type { ApiChatError } from '../base/errors.ts';
import type { ConversationFeed, Inbox } from './inbox.ts';
import { clockOffset, connectRedis, KEYS, listenerPresence, lost, safeRedisUrl, STREAM_TTL_S, type RedisClient } from './redis.ts';
import type { Rejection, RejectionSummary } from './store.ts';

export interface RedisRunInfo {
  url: string;
  /** The listener's delivery counter when the run started (to tell "nothing arrived for this run"). */
  deliveriesAtStart: number;
}

interface Feed {
  key: string;
  /** The last stream entry handed over; a new stream is read from its start. */
  lastId: string;
  onMessage: (m: BotMessage) => void;
  onError?: (e: Error) => void;
}

interface Connection {
  cmd: RedisClient;
  reader: RedisClient;
  offsetMs: number;
  wakeKey: string;
  wakeId: string;
}

export const NO_DELIVERY_NOTICE =
  'no delivery has reached Redis for this run: is `apichat-bdd listen` running with the same APICHAT_REDIS_URL?';

export class RedisInbox implements Inbox {
  private readonly feeds = new Map<string, Feed>();
  private connection: Promise<Connection> | undefined;
  private current: Connection | undefined;
  private received = 0;
  private closed = false;

  constructor(private readonly run: RedisRunInfo) {}

  async open(senderId: string, onMessage: (m: BotMessage) => void, onError?: (e: Error) => void): Promise<ConversationFeed> {
    const c = await this.connect();
    const key = KEYS.conversation(senderId);
    this.feeds.set(key, { key, lastId: '0', onMessage, onError });
    // Wake the blocked read so that it includes this stream; the reply to the first message
    // cannot arrive before this resolves, as the message is sent after it.
    try {
      await c.cmd.xAdd(c.wakeKey, '*', { open: senderId }, { TRIM: { strategy: 'MAXLEN', threshold: 1 } });
    } catch (e) {
      this.feeds.delete(key);
      throw this.fail(e as Error, c);
    }
    return {
      senderId,
      close: async () => {
        // Later replies stay in the stream until it expires; the read drops the key next time round.
        this.feeds.delete(key);
      },
    };
  }

  async rejections(): Promise<RejectionSummary> {
    const c = await this.connect();
    let stats: Record<string, string>;
    let last: string[];
    try {
      [stats, last] = await Promise.all([c.cmd.hGetAll(KEYS.stats), c.cmd.lRange(KEYS.rejections, 0, -1)]);
    } catch (e) {
      throw this.fail(e as Error, c); // Redis went away between two reads: the same one-line error
    }
    const byReason: Record<string, number> = {};
    for (const [field, n] of Object.entries(stats)) if (field.startsWith('r:')) byReason[field.slice(2)] = Number(n);
    return { count: Number(stats.rejected ?? 0), byReason, last: last.map((l) => JSON.parse(l) as Rejection).reverse() };
  }

  /**
   * Why nothing may be arriving, for a failing step: null once this process has had a reply
   * from Redis, or when the listener is publishing deliveries (then the bot or the feature is
   * to blame, and the failure itself says what arrived).
   */
  async notice(): Promise<string | null> {
    if (this.received > 0) return null;
    try {
      const { cmd } = await this.connect();
      const [deliveries, listener] = await Promise.all([cmd.hGet(KEYS.stats, 'deliveries'), listenerPresence(cmd)]);
      if (!listener) return `${NO_DELIVERY_NOTICE} (no listener is publishing to ${safeRedisUrl(this.run.url)} now)`;
      if (Number(deliveries ?? 0) > this.run.deliveriesAtStart) return null;
      const where = listener.listening ?? 'a listener';
      return `no delivery has reached Redis for this run: ${where} publishes to ${safeRedisUrl(this.run.url)}, but nothing reached it since the run started — check that the workspace webhook points at it (apichat-bdd doctor)`;
    } catch {
      return null;
    }
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.feeds.clear();
    const c = await this.connection?.catch(() => undefined);
    this.connection = undefined;
    if (!c) return;
    c.reader.destroy(); // ends the blocked read
    try {
      await c.cmd.del(c.wakeKey);
      await c.cmd.close();
    } catch {
      c.cmd.destroy();
    }
  }

  /** Connects on first use, and again after Redis went away (a later scenario may find it back). */
  private connect(): Promise<Connection> {
    if (this.closed) return Promise.reject(new Error('the Redis inbox is closed'));
    this.connection ??= (async () => {
      const cmd = await connectRedis(this.run.url, { role: 'runner' });
      let reader: RedisClient;
      try {
        reader = await connectRedis(this.run.url, { role: 'runner' });
        const wakeKey = KEYS.wake(randomBytes(8).toString('hex'));
        const c: Connection = { cmd, reader, offsetMs: await clockOffset(cmd), wakeKey, wakeId: '0' };
        await cmd.xAdd(wakeKey, '*', { start: '1' });
        await cmd.expire(wakeKey, STREAM_TTL_S);
        this.current = c;
        void this.read(c);
        return c;
      } catch (e) {
        cmd.destroy();
        throw e;
      }
    })();
    const attempt = this.connection;
    attempt.catch(() => {
      if (this.connection === attempt) this.connection = undefined;
    });
    return attempt;
  }

  private async read(c: Connection): Promise<void> {
    while (!this.closed) {
      const streams = [{ key: c.wakeKey, id: c.wakeId }, ...[...this.feeds.values()].map((f) => ({ key: f.key, id: f.lastId }))];
      let result: Awaited<ReturnType<RedisClient['xRead']>>;
      try {
        result = await c.reader.xRead(streams, { BLOCK: 0, COUNT: 100 });
      } catch (e) {
        if (!this.closed) this.fail(e as Error, c);
        return;
      }
      for (const stream of (result ?? []) as Array<{ name: string; messages: Array<{ id: string; message: Record<string, string> }> }>) {
        if (stream.name === c.wakeKey) {
          c.wakeId = stream.messages.at(-1)?.id ?? c.wakeId;
          continue;
        }
        const feed = this.feeds.get(stream.name);
        if (!feed) continue;
        for (const entry of stream.messages) {
          feed.lastId = entry.id;
          const m = parseEntry(entry.message);
          if (!m) continue; // not written by `apichat-bdd listen`: never let it stop the read
          this.received++;
          feed.onMessage({ ...m, arrived_at: m.arrived_at - c.offsetMs });
        }
      }
    }
  }

  /** Redis went away: every waiting conversation fails now; the next open() reconnects. */
  private fail(e: Error, c: Connection): ApiChatError {
    const error = lost(this.run.url, e);
    if (c !== this.current) return error; // an earlier connection's last words
    this.current = undefined;
    this.connection = undefined;
    c.reader.destroy();
    c.cmd.destroy();
    for (const feed of this.feeds.values()) feed.onError?.(error);
    this.feeds.clear();
    return error;
  }
}

function parseEntry(fields: Record<string, string>): BotMessage | null {
  try {
    const m = JSON.parse(fields.m ?? 'null') as BotMessage | null;
    return m && typeof m === 'object' && typeof m.arrived_at === 'number' ? m : null;
  } catch {
    return null;
  }
}
