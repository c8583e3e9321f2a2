// One server under load for bench/ingest.ts, in its own process so the load generator does
// not share its event loop. argv[2]: "listener" (ours) or "bare" (node:http + crypto only).
import { createHmac, timingSafeEqual } from 'node:crypto';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { MemoryStore, startListener } from '../src/inbox/index.ts';

const SECRET = process.env.BENCH_SECRET ?? 'bench-secret';
const kind = process.argv[2];
// CPU time per handled request is the capacity measure that a shared, noisy machine does not
// distort: the parent asks for it around each round.
let handled = 0;
process.on('message', (m: string) => {
  if (m === 'stats') process.send!({ handled, cpu: process.cpuUsage() });
});
// Exit normally on SIGINT so --cpu-prof can write its profile.
process.on('SIGINT', () => process.exit(0));

if (kind === 'listener') {
  const store = new MemoryStore();
  for (let i = 0; i < 100; i++) store.register(`user-${i}`);
  // Keep memory flat over a long run: the store is not what is measured.
  store.onAny(() => void handled++);
  const l = await startListener({ secret: SECRET, store });
  process.send!({ port: Number(new URL(l.origin).port) });
  setInterval(() => { for (let i = 0; i < 100; i++) { store.unregister(`user-${i}`); store.register(`user-${i}`); } }, 1000).unref();
} else {
  // The baseline: the least a correct webhook must do — read the bytes, verify, parse, answer.
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const raw = Buffer.concat(chunks);
      const header = String(req.headers['x-hub-signature-256'] ?? '');
      const expected = Buffer.from('sha256=' + createHmac('sha256', SECRET).update(raw).digest('hex'));
      const given = Buffer.from(header);
      if (given.length !== expected.length || !timingSafeEqual(given, expected)) {
        res.writeHead(401).end();
        return;
      }
      JSON.parse(raw.toString('utf8'));
      handled++;
      res.writeHead(200, { 'content-type': 'text/plain' }).end('ok');
    });
  });
  server.listen(0, '127.0.0.1', () => process.send!({ port: (server.address() as AddressInfo).port }));
}
