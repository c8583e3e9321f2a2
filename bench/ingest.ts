// Signed webhooks per second into our listener versus a bare node:http + crypto server doing
// the same verification, measured in the same run, alternating rounds to share the noise.
// Usage: npm run bench:ingest [-- --seconds 3 --rounds 3 --connections 32]
import { fork, type ChildProcess } from 'node:child_process';
import { cpus } from 'node:os';
import { parseArgs } from 'node:util';
import { Pool } from 'undici';
import { buildButtonReply, buildTextReply, sign } from '../src/protocol/index.ts';

const { values } = parseArgs({
  options: { seconds: { type: 'string', default: '1.5' }, rounds: { type: 'string', default: '10' }, connections: { type: 'string', default: '32' }, pipelining: { type: 'string', default: '1' } },
});
const SECONDS = Number(values.seconds);
const ROUNDS = Number(values.rounds);
const CONNECTIONS = Number(values.connections);
const PIPELINING = Number(values.pipelining);
const SECRET = 'bench-secret';

const bodies = Array.from({ length: 200 }, (_, i) => {
  const to = { sender_id: `user-${i % 100}`, conv_id: 1000 + (i % 100) };
  const payload = i % 2 ? buildTextReply(to, `Reply number ${i} with some text in it.`) : buildButtonReply(to, 'Pick one', [{ title: 'A' }, { title: 'B' }, { title: 'C' }]);
  const raw = JSON.stringify(payload);
  return { raw, signature: sign(raw, SECRET) };
});

async function start(kind: string): Promise<{ child: ChildProcess; port: number }> {
  const child = fork(new URL('./ingest-server.ts', import.meta.url), [kind], {
    execArgv: ['--import', 'tsx'],
    env: { ...process.env, BENCH_SECRET: SECRET },
  });
  const port = await new Promise<number>((resolve, reject) => {
    child.once('message', (m: { port: number }) => resolve(m.port));
    child.once('exit', (code) => reject(new Error(`${kind} server exited with ${code}`)));
  });
  return { child, port };
}

interface Stats {
  handled: number;
  cpu: NodeJS.CpuUsage;
}
function stats(child: ChildProcess): Promise<Stats> {
  return new Promise((resolve) => {
    child.once('message', (m: Stats) => resolve(m));
    child.send('stats');
  });
}

/** Requests per second seen by the load source, and the server's own CPU µs per request. */
async function round(server: { child: ChildProcess; port: number }, seconds: number): Promise<{ rate: number; cpuUs: number }> {
  const before = await stats(server.child);
  const rate = await load(server.port, seconds);
  const after = await stats(server.child);
  const cpu = after.cpu.user + after.cpu.system - before.cpu.user - before.cpu.system;
  return { rate, cpuUs: cpu / (after.handled - before.handled) };
}

async function load(port: number, seconds: number): Promise<number> {
  const pool = new Pool(`http://127.0.0.1:${port}`, { connections: CONNECTIONS, pipelining: PIPELINING });
  const end = performance.now() + seconds * 1000;
  let ok = 0;
  let failed = 0;
  let i = 0;
  const worker = async (): Promise<void> => {
    while (performance.now() < end) {
      const b = bodies[i++ % bodies.length]!;
      const res = await pool.request({
        method: 'POST',
        path: '/webhook',
        headers: { 'content-type': 'application/json', 'x-hub-signature-256': b.signature },
        body: b.raw,
      });
      await res.body.dump();
      if (res.statusCode === 200) ok++;
      else failed++;
    }
  };
  const started = performance.now();
  await Promise.all(Array.from({ length: CONNECTIONS * PIPELINING }, worker));
  const elapsed = (performance.now() - started) / 1000;
  await pool.close();
  if (failed) throw new Error(`${failed} requests failed`);
  return ok / elapsed;
}

const servers = { bare: await start('bare'), fastify: await start('fastify'), listener: await start('listener') };
try {
  // Warm up both (JIT, connection pools).
  for (const s of Object.values(servers)) await load(s.port, 1);
  type Kind = keyof typeof servers;
  const rates: Record<Kind, number[]> = { bare: [], fastify: [], listener: [] };
  const cpu: Record<Kind, number[]> = { bare: [], fastify: [], listener: [] };
  for (let r = 0; r < ROUNDS; r++) {
    const order: Kind[] = ['bare', 'fastify', 'listener'];
    for (const kind of r % 2 ? order.reverse() : order) {
      const res = await round(servers[kind], SECONDS);
      rates[kind].push(res.rate);
      cpu[kind].push(res.cpuUs);
    }
  }
  const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
  const list = (xs: number[], d = 0): string => xs.map((x) => x.toFixed(d)).join(', ');
  // The host's speed drifts over seconds on these shared machines: compare each round's
  // listener with the bare server measured right next to it, then take the median ratio.
  const capacity = median(cpu.bare.map((b, i) => b / cpu.listener[i]!));
  const fastifyShare = median(cpu.bare.map((b, i) => b / cpu.fastify[i]!));
  const throughput = median(rates.listener) / median(rates.bare);
  console.log(`machine: ${cpus().length} × ${cpus()[0]?.model ?? 'cpu'}, node ${process.version}`);
  console.log(`load: ${CONNECTIONS} connections × pipelining ${PIPELINING}, ${ROUNDS} rounds × ${SECONDS} s each, alternating; signed bodies of ${bodies[1]!.raw.length} and ${bodies[0]!.raw.length} bytes`);
  console.log(`bare node:http + crypto: ${median(cpu.bare).toFixed(1)} µs CPU/request (rounds ${list(cpu.bare, 1)}); ${median(rates.bare).toFixed(0)} req/s seen (rounds ${list(rates.bare)})`);
  console.log(`fastify + verify only:   ${median(cpu.fastify).toFixed(1)} µs CPU/request (rounds ${list(cpu.fastify, 1)}); ${median(rates.fastify).toFixed(0)} req/s seen (rounds ${list(rates.fastify)})`);
  console.log(`apichat-bdd listener:    ${median(cpu.listener).toFixed(1)} µs CPU/request (rounds ${list(cpu.listener, 1)}); ${median(rates.listener).toFixed(0)} req/s seen (rounds ${list(rates.listener)})`);
  console.log(`capacity ratio, median over rounds of bare CPU/request ÷ listener CPU/request: ${(capacity * 100).toFixed(1)}% (target >= 70%)`);
  console.log(`  (fastify + verify alone reaches ${(fastifyShare * 100).toFixed(1)}% of the bare server)`);
  console.log(`throughput ratio as seen by the load source (bounded by the load source on 2 cores): ${(throughput * 100).toFixed(1)}%`);
  process.exitCode = capacity >= 0.7 ? 0 : 1;
} finally {
  for (const s of Object.values(servers)) s.child.kill();
}
