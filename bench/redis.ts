// Replies through Redis Streams against the in-memory path, in the same run, on a real
// redis-server started here on loopback:
// 1. Then-resolution latency: from a delivery reaching the listener (its own arrival stamp) to
//    the Then step resolving in the runner (RedisInbox → Conversation.expect), against the same
//    through the in-memory store (LocalInbox). Target: p99 ≤ 5 ms through Redis.
// 2. Listener ingest: CPU per signed delivery of `apichat-bdd listen` publishing to Redis against
//    the same listener keeping memory only, alternating rounds. Target: ≥ 50 % of its in-memory rate.
// Usage: npm run bench:redis [-- --turns 1000 --rounds 8 --seconds 1.5]
import { fork } from 'node:child_process';
import { cpus } from 'node:os';
import { parseArgs } from 'node:util';
import { Pool } from 'undici';
import { Conversation } from '../src/conversation/index.ts';
import { LocalInbox, MemoryStore, RedisInbox, RedisPublisher, RedisStore, startListener, type Inbox, type InboxStore } from '../src/inbox/index.ts';
import { buildTextReply, nowMs, sign, type BotMessage, type Incoming } from '../src/protocol/index.ts';
import { startRedisServer } from '../test/support/redis-server.ts';
import { list, load, median, round, startServer } from './ingest-load.ts';

const { values } = parseArgs({
  options: { turns: { type: 'string', default: '1000' }, rounds: { type: 'string', default: '8' }, seconds: { type: 'string', default: '1.5' }, connections: { type: 'string', default: '32' } },
});
const TURNS = Number(values.turns);
const BLOCK = 50;
const SHAPE = { connections: Number(values.connections), pipelining: 1 };
const SECRET = 'bench-redis-secret';

const redis = await startRedisServer();
try {
  const latency = await thenLatency();
  const apart = await thenLatencyApart();
  const ingest = await ingestRatio();
  const pct = (xs: number[], p: number): number => [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor((xs.length * p) / 100))]!;
  const row = (xs: number[]): string => `p50 ${pct(xs, 50).toFixed(2)} ms, p99 ${pct(xs, 99).toFixed(2)} ms, max ${Math.max(...xs).toFixed(2)} ms (${xs.length} turns)`;
  console.log(`machine: ${cpus().length} × ${cpus()[0]?.model ?? 'cpu'}, node ${process.version}, ${redis.version}`);
  console.log(`1. Then resolved after the delivery reached the listener, alternating blocks of ${BLOCK} turns:`);
  console.log(`   in memory (LocalInbox):      ${row(latency.memory)}`);
  console.log(`   through Redis (RedisInbox):  ${row(latency.redis)}   target p99 <= 5 ms`);
  console.log(`   through Redis, listener in its own process (as deployed): ${row(apart)}`);
  console.log(`2. listener ingest, ${ingest.rounds} alternating rounds × ${values.seconds} s, ${SHAPE.connections} connections:`);
  console.log(`   memory only:        ${median(ingest.cpu.memory).toFixed(1)} µs CPU/request (rounds ${list(ingest.cpu.memory, 1)}); ${median(ingest.rates.memory).toFixed(0)} req/s seen`);
  console.log(`   publishing to Redis: ${median(ingest.cpu.redis).toFixed(1)} µs CPU/request (rounds ${list(ingest.cpu.redis, 1)}); ${median(ingest.rates.redis).toFixed(0)} req/s seen`);
  console.log(`   capacity kept, median over rounds of memory CPU/request ÷ Redis CPU/request: ${(ingest.capacity * 100).toFixed(1)}% (target >= 50%)`);
  console.log(`   throughput kept as seen by the load source (redis-server and the load share the 2 cores): ${(ingest.throughput * 100).toFixed(1)}%`);
  process.exitCode = Math.min(pct(latency.redis, 99), pct(apart, 99)) <= 5 && ingest.capacity >= 0.5 ? 0 : 1;
} finally {
  await redis.stop();
}

/** One listener per transport, a Conversation whose "bot" answers each message at once by posting a signed reply. */
async function thenLatency(): Promise<{ memory: number[]; redis: number[] }> {
  const stamps = new Map<string, number>();
  // The listener's own arrival stamp of each reply, by its (unique) text.
  const record = (store: InboxStore): InboxStore => (store.onAny((m: BotMessage) => m.kind === 'text' && stamps.set(m.text, m.arrived_at)), store);
  const memoryStore = record(new MemoryStore());
  const publisher = await RedisPublisher.connect(redis.url);
  const redisStore = record(new RedisStore(publisher));
  const transports = {
    memory: { store: memoryStore, inbox: new LocalInbox(memoryStore as MemoryStore) as Inbox },
    redis: { store: redisStore, inbox: new RedisInbox({ url: redis.url, deliveriesAtStart: 0 }) as Inbox },
  };
  const samples: { memory: number[]; redis: number[] } = { memory: [], redis: [] };
  try {
    let n = 0;
    const blocks = Math.ceil(TURNS / BLOCK);
    for (let b = -2; b < blocks; b++) {
      // Two warm-up blocks (JIT, connections), then alternate which transport goes first.
      for (const kind of b % 2 ? (['memory', 'redis'] as const) : (['redis', 'memory'] as const)) {
        const t = transports[kind];
        const listener = await startListener({ secret: SECRET, store: t.store, host: '127.0.0.1', port: 0 });
        const pool = new Pool(listener.origin, { connections: 4 });
        const senderId = `bench-${kind}-${++n}`;
        const bot = {
          async send(message: Incoming): Promise<void> {
            const body = JSON.stringify(buildTextReply({ sender_id: senderId, conv_id: 1 }, `echo ${message.content} ${senderId}`));
            const res = await pool.request({ method: 'POST', path: '/webhook', headers: { 'content-type': 'application/json', 'x-hub-signature-256': sign(body, SECRET) }, body });
            await res.body.dump();
          },
        };
        const c = await Conversation.open({ inbox: t.inbox, bot, senderId, name: 'Bench', conversationId: 1, timing: { replyTimeoutMs: 5000, quietMs: 1000, settleMs: 0 } });
        for (let i = 0; i < BLOCK; i++) {
          const text = `echo turn-${i} ${senderId}`;
          await c.say(`turn-${i}`);
          await c.expect({ kind: 'text', mode: 'exact', value: text }, 'Then the bot replies');
          const resolved = nowMs();
          if (b >= 0) samples[kind].push(resolved - stamps.get(text)!);
          stamps.delete(text);
        }
        await c.close();
        await pool.close();
        await listener.close();
      }
    }
  } finally {
    await transports.redis.inbox.close();
    await publisher.close();
  }
  return samples;
}

/** The same through Redis with the listener in its own process; its arrival stamps come over IPC (same machine, same clock). */
async function thenLatencyApart(): Promise<number[]> {
  const child = fork(new URL('./redis-listener.ts', import.meta.url), [], { execArgv: ['--import', 'tsx'], env: { ...process.env, BENCH_REDIS_URL: redis.url, BENCH_SECRET: SECRET } });
  const stamps = new Map<string, number>();
  const stamped = new Map<string, (at: number) => void>();
  const origin = await new Promise<string>((resolve) =>
    child.on('message', (m: { origin?: string; text?: string; at?: number }) => {
      if (m.origin) resolve(m.origin);
      else if (m.text !== undefined) (stamped.get(m.text) ?? ((at: number) => stamps.set(m.text!, at)))(m.at!);
    }),
  );
  const stampOf = (text: string): Promise<number> =>
    stamps.has(text) ? Promise.resolve(stamps.get(text)!) : new Promise((resolve) => stamped.set(text, resolve));
  const inbox = new RedisInbox({ url: redis.url, deliveriesAtStart: 0 });
  const pool = new Pool(origin, { connections: 4 });
  const samples: number[] = [];
  try {
    const blocks = Math.ceil(TURNS / BLOCK);
    for (let b = -2; b < blocks; b++) {
      const senderId = `bench-apart-${b}`;
      const bot = {
        async send(message: Incoming): Promise<void> {
          const body = JSON.stringify(buildTextReply({ sender_id: senderId, conv_id: 1 }, `echo ${message.content} ${senderId}`));
          const res = await pool.request({ method: 'POST', path: '/webhook', headers: { 'content-type': 'application/json', 'x-hub-signature-256': sign(body, SECRET) }, body });
          await res.body.dump();
        },
      };
      const c = await Conversation.open({ inbox, bot, senderId, name: 'Bench', conversationId: 1, timing: { replyTimeoutMs: 5000, quietMs: 1000, settleMs: 0 } });
      for (let i = 0; i < BLOCK; i++) {
        const text = `echo turn-${i} ${senderId}`;
        await c.say(`turn-${i}`);
        await c.expect({ kind: 'text', mode: 'exact', value: text }, 'Then the bot replies');
        const resolved = nowMs();
        const at = await stampOf(text);
        if (b >= 0) samples.push(resolved - at);
      }
      await c.close();
    }
  } finally {
    await pool.close();
    await inbox.close();
    child.kill();
  }
  return samples;
}

async function ingestRatio() {
  const servers = { memory: await startServer('listener'), redis: await startServer('listener-redis', { BENCH_REDIS_URL: redis.url }) };
  try {
    for (const s of Object.values(servers)) await load(s.port, 1, SHAPE);
    const rates = { memory: [] as number[], redis: [] as number[] };
    const cpu = { memory: [] as number[], redis: [] as number[] };
    const rounds = Number(values.rounds);
    for (let r = 0; r < rounds; r++) {
      for (const kind of r % 2 ? (['redis', 'memory'] as const) : (['memory', 'redis'] as const)) {
        const res = await round(servers[kind], Number(values.seconds), SHAPE);
        rates[kind].push(res.rate);
        cpu[kind].push(res.cpuUs);
      }
    }
    return {
      rounds,
      rates,
      cpu,
      capacity: median(cpu.memory.map((m, i) => m / cpu.redis[i]!)),
      throughput: median(rates.redis) / median(rates.memory),
    };
  } finally {
    for (const s of Object.values(servers)) s.child.kill();
  }
}
