// Signed webhooks per second into our listener versus a bare node:http + crypto server doing
// the same verification, measured in the same run, alternating rounds to share the noise.
// Usage: npm run bench:ingest [-- --seconds 3 --rounds 3 --connections 32]
import { cpus } from 'node:os';
import { parseArgs } from 'node:util';
import { bodies, list, load, median, round, startServer as start } from './ingest-load.ts';

const { values } = parseArgs({
  options: { seconds: { type: 'string', default: '1.5' }, rounds: { type: 'string', default: '10' }, connections: { type: 'string', default: '32' }, pipelining: { type: 'string', default: '1' } },
});
const SECONDS = Number(values.seconds);
const ROUNDS = Number(values.rounds);
const CONNECTIONS = Number(values.connections);
const PIPELINING = Number(values.pipelining);
const SHAPE = { connections: CONNECTIONS, pipelining: PIPELINING };

const servers = { bare: await start('bare'), fastify: await start('fastify'), listener: await start('listener') };
try {
  // Warm up both (JIT, connection pools).
  for (const s of Object.values(servers)) await load(s.port, 1, SHAPE);
  type Kind = keyof typeof servers;
  const rates: Record<Kind, number[]> = { bare: [], fastify: [], listener: [] };
  const cpu: Record<Kind, number[]> = { bare: [], fastify: [], listener: [] };
  for (let r = 0; r < ROUNDS; r++) {
    const order: Kind[] = ['bare', 'fastify', 'listener'];
    for (const kind of r % 2 ? order.reverse() : order) {
      const res = await round(servers[kind], SECONDS, SHAPE);
      rates[kind].push(res.rate);
      cpu[kind].push(res.cpuUs);
    }
  }
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
