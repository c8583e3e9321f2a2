// What the listener (publisher) and the runners (readers) agree on when replies travel through
// Redis Streams: the key layout, how to connect with one-line errors, and a shared clock.
//
// Key layout: ONE STREAM PER CONVERSATION (`apichat:conv:<sender_id>`). The listener knows
// nothing about runs (a run is just whoever chose a sender id), and a runner reads exactly its
// own conversations, so nothing is filtered or read twice, and a stream's length is one
// conversation's replies. Each stream is capped (XADD MAXLEN ~) and expires an hour after its
// last reply, so Redis never grows without bound, also when a runner dies mid-scenario.
import type { RedisClientType } from 'redis';
import { ApiChatError } from '../base/errors.ts';
import { nowMs } from '../protocol/index.ts';
import { offsetFrom } from './clock.ts';

export const REDIS_VARIABLE = 'APICHAT_REDIS_URL';
export const REDIS_UNREACHABLE = 'APICHAT_REDIS_UNREACHABLE';
export const REDIS_LOST = 'APICHAT_REDIS_LOST';

export const KEYS = {
  conversation: (senderId: string): string => `apichat:conv:${senderId}`,
  /** Deliveries without a sender_id (shapes the platform may add); nobody reads them but the report of `listen`. */
  orphans: 'apichat:orphans',
  /** Hash: `deliveries` (every verified delivery), `rejected`, `r:<reason>` counts. */
  stats: 'apichat:stats',
  /** List: the last rejections as JSON, newest first. */
  rejections: 'apichat:rejections',
  /** Where a running `apichat-bdd listen` publishes from (its connection, named LISTENER_CLIENT_NAME, says it is alive). */
  listener: 'apichat:listener',
  /** A runner process's private wake-up stream (see RedisInbox). */
  wake: (id: string): string => `apichat:wake:${id}`,
} as const;

/** Entries kept per conversation stream (approximate trim: MAXLEN ~ lets Redis trim whole nodes). */
export const STREAM_MAXLEN = 1000;
/** A conversation's stream expires this long after its last reply. */
export const STREAM_TTL_S = 3600;
/** Counters and the rejection log expire a week after their last change. */
export const STATS_TTL_S = 7 * 24 * 3600;
export const KEEP_REJECTIONS = 20;
/**
 * The connection name of `apichat-bdd listen`. Presence is the connection itself: Redis drops it
 * when the process dies (even by SIGKILL), so nothing has to refresh a lease on a timer.
 */
export const LISTENER_CLIENT_NAME = 'apichat-bdd-listener';

export type RedisClient = RedisClientType;

/** The URL as it may be shown: no user name or password. */
export function safeRedisUrl(url: string): string {
  try {
    const u = new URL(url);
    u.username = '';
    u.password = '';
    return u.toString().replace(/\/$/, '');
  } catch {
    return url.replace(/\/\/[^@/]*@/, '//***@');
  }
}

export interface ConnectOptions {
  /** A runner fails fast and reconnects itself; the listener queues while Redis reconnects. */
  role: 'runner' | 'listener';
  connectTimeoutMs?: number;
  onError?: (e: Error) => void;
  /** CLIENT SETNAME, sent again by the client on every reconnect. */
  name?: string;
}

/** A connected client, or an ApiChatError naming APICHAT_REDIS_URL (one line, no secret). */
export async function connectRedis(url: string, { role, connectTimeoutMs = 5000, onError, name }: ConnectOptions): Promise<RedisClient> {
  let wasReady = false;
  // Loaded on first use: only Redis runs need the client, and every other process (each test
  // file, each serial or --parallel run) would otherwise pay for loading it.
  const { createClient } = await import('redis');
  const client = createClient({
    url,
    ...(name ? { name } : {}),
    // A runner must never wait on a queue while Redis is gone: its waiting step fails instead.
    disableOfflineQueue: role === 'runner',
    // The listener keeps at most this many commands while Redis is away, then drops (and says so).
    commandsQueueMaxLength: role === 'listener' ? 100_000 : undefined,
    socket: {
      connectTimeout: connectTimeoutMs,
      // The listener rides out an outage once it has been connected; a first connect fails at once.
      reconnectStrategy: role === 'runner' ? false : (retries: number) => (wasReady ? Math.min(100 * 2 ** retries, 2000) : false),
    },
  });
  client.on('ready', () => (wasReady = true));
  let first: Error | undefined;
  client.on('error', (e: Error) => {
    first ??= e;
    onError?.(e);
  });
  try {
    await client.connect();
  } catch (cause) {
    client.destroy();
    throw unreachable(url, (first ?? cause) as Error);
  }
  return client;
}

/**
 * What the publishing listener said about itself, or null when none is connected now. A key left
 * by a killed listener does not count: its connection is gone. Where CLIENT LIST is not allowed
 * (a restricted ACL user), the key alone decides.
 */
export async function listenerPresence(client: RedisClient): Promise<{ listening?: string } | null> {
  const value = await client.get(KEYS.listener);
  if (value === null) return null;
  try {
    const clients = await client.clientList({ TYPE: 'NORMAL' });
    if (!clients.some((c) => c.name === LISTENER_CLIENT_NAME)) return null;
  } catch {
    // not permitted: trust the key
  }
  try {
    return JSON.parse(value) as { listening?: string };
  } catch {
    return {};
  }
}

export function unreachable(url: string, cause: Error): ApiChatError {
  return new ApiChatError(
    REDIS_UNREACHABLE,
    `${REDIS_VARIABLE}: cannot connect to Redis at ${safeRedisUrl(url)} (${describeCause(cause)}); start Redis or fix the URL (redis://[:password@]host:port[/db], rediss:// for TLS)`,
    { variable: REDIS_VARIABLE, cause },
  );
}

export function lost(url: string, cause: Error): ApiChatError {
  return new ApiChatError(
    REDIS_LOST,
    `lost the connection to Redis at ${safeRedisUrl(url)} (${REDIS_VARIABLE}) while waiting for replies (${describeCause(cause)}); replies cannot be read until it is back: check that Redis is up and reachable from this machine`,
    { variable: REDIS_VARIABLE, cause },
  );
}

function describeCause(e: Error): string {
  const code = (e as NodeJS.ErrnoException).code;
  const text = e.message.replace(/\s+/g, ' ').trim();
  return code && !text.includes(code) ? `${code}: ${text}` : text;
}

/**
 * Redis's clock minus this machine's, in ms. The listener stamps arrivals in Redis time and a
 * runner converts them back to its own clock, so turn attribution (a reply belongs to the turn
 * during which it reached the listener) holds across machines whose clocks differ. The
 * estimate with the shortest round trip wins (error ≤ half of it).
 */
export function clockOffset(client: RedisClient, samples = 5): Promise<number> {
  return offsetFrom(async () => {
    const [seconds, micros] = await client.time();
    return Number(seconds) * 1000 + Number(micros) / 1000;
  }, samples);
}
