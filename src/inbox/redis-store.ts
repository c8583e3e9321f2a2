// The listener's side of Redis Streams: `apichat-bdd listen` with APICHAT_REDIS_URL files every
// verified delivery in memory as before (for its stdout log) and publishes it to the stream of
// its conversation, with the rejection counts next to it (runners quote them in failures).
// Commands are not awaited: node-redis pipelines the commands of one tick into one write, so
// the listener answers the platform at once and Redis sees batches.
import { hostname } from 'node:os';
import type { BotMessage } from '../protocol/index.ts';
import {
  clockOffset,
  connectRedis,
  KEEP_REJECTIONS,
  KEYS,
  LISTENER_TTL_MS,
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
  private heartbeat: NodeJS.Timeout | undefined;
  private failing = false;
  private closed = false;

  private constructor(
    private readonly client: RedisClient,
    /** Redis clock minus ours: arrivals are published in Redis time. */
    private readonly offsetMs: number,
    private readonly o: PublisherOptions,
  ) {}

  static async connect(url: string, o: PublisherOptions = {}): Promise<RedisPublisher> {
    let publisher: RedisPublisher | undefined;
    const client = await connectRedis(url, { role: 'listener', onError: (e) => publisher?.failed(e) });
    const p = new RedisPublisher(client, await clockOffset(client), o);
    publisher = p;
    client.on('ready', () => p.recovered());
    await p.beat();
    p.heartbeat = setInterval(() => void p.beat().catch((e: Error) => p.failed(e)), LISTENER_TTL_MS / 3);
    p.heartbeat.unref();
    return p;
  }

  publish(m: BotMessage): void {
    const key = m.sender_id === null ? KEYS.orphans : KEYS.conversation(m.sender_id);
    const body = JSON.stringify({ ...m, arrived_at: m.arrived_at + this.offsetMs });
    this.send(this.client.xAdd(key, '*', { m: body }, { TRIM: { strategy: 'MAXLEN', strategyModifier: '~', threshold: STREAM_MAXLEN } }));
    this.send(this.client.hIncrBy(KEYS.stats, 'deliveries', 1));
    this.expireNow(key, STREAM_TTL_S);
    this.expireNow(KEYS.stats, STATS_TTL_S);
  }

  reject(r: Rejection): void {
    this.send(this.client.hIncrBy(KEYS.stats, 'rejected', 1));
    this.send(this.client.hIncrBy(KEYS.stats, `r:${r.reason}`, 1));
    this.send(this.client.lPush(KEYS.rejections, JSON.stringify(r)));
    this.send(this.client.lTrim(KEYS.rejections, 0, KEEP_REJECTIONS - 1));
    this.send(this.client.expire(KEYS.rejections, STATS_TTL_S));
    this.send(this.client.expire(KEYS.stats, STATS_TTL_S));
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    clearInterval(this.heartbeat);
    try {
      await this.client.del(KEYS.listener);
      await this.client.close();
    } catch {
      this.client.destroy();
    }
  }

  private async beat(): Promise<void> {
    const value = JSON.stringify({ host: hostname(), pid: process.pid, ...(this.o.describe ? { listening: this.o.describe } : {}) });
    await this.client.set(KEYS.listener, value, { expiration: { type: 'PX', value: LISTENER_TTL_MS } });
  }

  private expireNow(key: string, seconds: number): void {
    const now = Date.now();
    const last = this.expiredAt.get(key);
    if (last !== undefined && now - last < EXPIRE_EVERY_MS) return;
    if (this.expiredAt.size >= REMEMBER_EXPIRIES) this.expiredAt.clear();
    this.expiredAt.set(key, now);
    this.send(this.client.expire(key, seconds));
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
