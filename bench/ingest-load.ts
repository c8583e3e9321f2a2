// The load side of the ingest benchmarks (bench/ingest.ts, bench/redis.ts): signed deliveries
// from an undici Pool against a server in its own process (bench/ingest-server.ts), and that
// server's own CPU time per handled request around each round.
import { fork, type ChildProcess } from 'node:child_process';
import { Pool } from 'undici';
import { buildButtonReply, buildTextReply, sign } from '../src/protocol/index.ts';

export const SECRET = 'bench-secret';

export const bodies = Array.from({ length: 200 }, (_, i) => {
  const to = { sender_id: `user-${i % 100}`, conv_id: 1000 + (i % 100) };
  const payload = i % 2 ? buildTextReply(to, `Reply number ${i} with some text in it.`) : buildButtonReply(to, 'Pick one', [{ title: 'A' }, { title: 'B' }, { title: 'C' }]);
  const raw = JSON.stringify(payload);
  return { raw, signature: sign(raw, SECRET) };
});

export interface Server {
  child: ChildProcess;
  port: number;
}

export async function startServer(kind: string, env: Record<string, string> = {}): Promise<Server> {
  const child = fork(new URL('./ingest-server.ts', import.meta.url), [kind], {
    execArgv: ['--import', 'tsx'],
    env: { ...process.env, BENCH_SECRET: SECRET, ...env },
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

export interface LoadShape {
  connections: number;
  pipelining: number;
}

/** Requests per second seen by the load source, and the server's own CPU µs per request. */
export async function round(server: Server, seconds: number, shape: LoadShape): Promise<{ rate: number; cpuUs: number }> {
  const before = await stats(server.child);
  const rate = await load(server.port, seconds, shape);
  const after = await stats(server.child);
  const cpu = after.cpu.user + after.cpu.system - before.cpu.user - before.cpu.system;
  return { rate, cpuUs: cpu / (after.handled - before.handled) };
}

export async function load(port: number, seconds: number, { connections, pipelining }: LoadShape): Promise<number> {
  const pool = new Pool(`http://127.0.0.1:${port}`, { connections, pipelining });
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
  await Promise.all(Array.from({ length: connections * pipelining }, worker));
  const elapsed = (performance.now() - started) / 1000;
  await pool.close();
  if (failed) throw new Error(`${failed} requests failed`);
  return ok / elapsed;
}

export const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
export const list = (xs: number[], d = 0): string => xs.map((x) => x.toFixed(d)).join(', ');
