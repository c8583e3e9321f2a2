// The listener's side of Redis Streams: `apichat-bdd listen` with APICHAT_REDIS_URL files every
// verified delivery in memory as before (for its stdout log) and publishes it to the stream of
// its conversation, with the rejection counts next to it (runners quote them in failures).
// Nothing is awaited: the deliveries of one event-loop turn go out as one pipeline (one write,
// one promise; node-redis costs ~25 µs of CPU per separate command but ~10 per pipelined one),
// so the listener answers the platform at once and keeps most of its in-memory rate (bench/redis.ts).
import { hostname } from 'node:os';
import type { BotMessage } from '../protocol/index.ts';
import {
  clockOffset,
  connectRedis,
  KEEP_REJECTIONS,
  KEYS,
  LISTENER_CLIENT_NAME,
  STATS_TTL_S,
  STREAM_MAXLEN,
  STREAM_TTL_S,
  type RedisClient,
} from './redis.ts';
import { MemoryStore, type Rejection } from './store.ts';

/** Re-arm a stream's expiry at most this often (one EXPIRE per conversation per minute, not per reply). */
const EXPIRE_EVERY_MS = 60_000;
const REMEMBER_EXPIRIES = 10_000;

export interface PublisherOptions {
  /** Told once when publishing starts failing and once when it works again. */
  log?: (line: string) => void;
  /** Where this listener is reachable, shown to runners that wait in vain (no secret). */
  describe?: string;
}

export class RedisPublisher {
  private readonly expiredAt = new Map<string, number>();
  private pending: Array<{ key: string; body: string }> = [];
  private flushing: NodeJS.Immediate | undefined;
  private failing = false;
  private closed = false;

  private constructor(
    private readonly client: RedisClient,
    /** Redis clock minus ours: arrivals are published in Redis time. */
    private offsetMs: number,
    private readonly o: PublisherOptions,
  ) {}

  static async connect(url: string, o: PublisherOptions = {}): Promise<RedisPublisher> {
    let publisher: RedisPublisher | undefined;
    const client = await connectRedis(url, { role: 'listener', name: LISTENER_CLIENT_NAME, onError: (e) => publisher?.failed(e) });
    const p = new RedisPublisher(client, await clockOffset(client), o);
    publisher = p;
    client.on('ready', () => p.recovered());
    await p.announce();
    return p;
  }

  publish(m: BotMessage): void {
    const key = m.sender_id === null ? KEYS.orphans : KEYS.conversation(m.sender_id);
    this.pending.push({ key, body: JSON.stringify({ ...m, arrived_at: m.arrived_at + this.offsetMs }) });
    // setImmediate runs right after the poll phase: every delivery read in this turn joins the batch.
    this.flushing ??= setImmediate(() => this.flush());
  }

  private flush(): void {
    this.flushing = undefined;
    const batch = this.pending;
    this.pending = [];
    if (batch.length === 0) return;
    const pipeline = this.client.multi();
    for (const { key, body } of batch) {
      pipeline.xAdd(key, '*', { m: body }, { TRIM: { strategy: 'MAXLEN', strategyModifier: '~', threshold: STREAM_MAXLEN } });
      if (this.expireDue(key)) pipeline.expire(key, STREAM_TTL_S);
    }
    pipeline.hIncrBy(KEYS.stats, 'deliveries', batch.length);
    if (this.expireDue(KEYS.stats)) pipeline.expire(KEYS.stats, STATS_TTL_S);
    this.send(pipeline.execAsPipeline());
  }

  reject(r: Rejection): void {
    const p = this.client.multi();
    p.hIncrBy(KEYS.stats, 'rejected', 1).hIncrBy(KEYS.stats, `r:${r.reason}`, 1).expire(KEYS.stats, STATS_TTL_S);
    p.lPush(KEYS.rejections, JSON.stringify(r)).lTrim(KEYS.rejections, 0, KEEP_REJECTIONS - 1).expire(KEYS.rejections, STATS_TTL_S);
    this.send(p.execAsPipeline());
  }

  async close(): Promise<void> {
    if (this.closed) return;
    if (this.flushing) clearImmediate(this.flushing);
    this.flush(); // what arrived in this last turn still goes out before the connection closes
    this.closed = true;
    try {
      await this.client.del(KEYS.listener);
      await this.client.close();
    } catch {
      this.client.destroy();
    }
  }

  /** Says where this listener publishes from; that it is alive is its named connection (listenerPresence). */
  private async announce(): Promise<void> {
    const value = JSON.stringify({ host: hostname(), pid: process.pid, ...(this.o.describe ? { listening: this.o.describe } : {}) });
    await this.client.set(KEYS.listener, value);
  }

  /** Whether the key's expiry is to be re-armed now (once a minute per key at most). */
  private expireDue(key: string): boolean {
    const now = Date.now();
    const last = this.expiredAt.get(key);
    if (last !== undefined && now - last < EXPIRE_EVERY_MS) return false;
    if (this.expiredAt.size >= REMEMBER_EXPIRIES) this.expiredAt.clear();
    this.expiredAt.set(key, now);
    return true;
  }

  private send(p: Promise<unknown>): void {
    p.catch((e: Error) => this.failed(e));
  }

  private failed(e: Error): void {
    if (this.failing || this.closed) return;
    this.failing = true;
    this.o.log?.(`apichat-bdd: cannot publish to Redis (${e.message}); retrying, deliveries are queued meanwhile — check APICHAT_REDIS_URL and that Redis is up`);
  }

  private recovered(): void {
    if (!this.failing || this.closed) return;
    this.failing = false;
    // It may be another server now (a failover): measure its clock again.
    void clockOffset(this.client).then((o) => (this.offsetMs = o), () => undefined);
    void this.announce().catch((e: Error) => this.failed(e));
    this.o.log?.('apichat-bdd: publishing to Redis again');
  }
}

/** The listener's store when APICHAT_REDIS_URL is set: memory as before, plus Redis Streams. */
export class RedisStore extends MemoryStore {
  constructor(readonly publisher: RedisPublisher) {
    super();
  }

  override add(message: BotMessage): void {
    super.add(message);
    this.publisher.publish(message);
  }

  override reject(rejection: Rejection): void {
    super.reject(rejection);
    this.publisher.reject(rejection);
  }
}
