// One server under load for bench/ingest.ts and bench/redis.ts, in its own process so the load
// generator does not share its event loop. argv[2]: "listener" (ours), "listener-redis" (ours,
// also publishing to Redis at BENCH_REDIS_URL, as `apichat-bdd listen` with APICHAT_REDIS_URL),
// "fastify" or "bare" (node:http + crypto only).
import { createHmac, timingSafeEqual } from 'node:crypto';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import Fastify from 'fastify';
import { MemoryStore, RedisPublisher, RedisStore, startListener } from '../src/inbox/index.ts';
import { verify } from '../src/protocol/index.ts';

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

if (kind === 'listener' || kind === 'listener-redis') {
  const store = kind === 'listener' ? new MemoryStore() : new RedisStore(await RedisPublisher.connect(process.env.BENCH_REDIS_URL!));
  // Model a test run's store: 100 conversations open at once (far more than a run keeps),
  // each ending after 10 replies and replaced by a new one, as scenarios end and start.
  const CONVERSATIONS = 100;
  const REPLIES_PER_CONVERSATION = 10;
  for (let i = 0; i < CONVERSATIONS; i++) store.register(`user-${i}`);
  store.onAny((m) => {
    handled++;
    const id = m.sender_id!;
    if (store.messages(id).length >= REPLIES_PER_CONVERSATION) {
      store.unregister(id);
      store.register(id);
    }
  });
  const l = await startListener({ secret: SECRET, store });
  process.send!({ port: Number(new URL(l.origin).port) });
} else if (kind === 'fastify') {
  // For reference: fastify with a raw-body route that verifies and parses, and stores nothing.
  const app = Fastify({ logger: false });
  app.removeAllContentTypeParsers();
  app.addContentTypeParser('*', { parseAs: 'buffer' }, (_req, body, done) => done(null, body));
  app.post('/webhook', (req, reply) => {
    const raw = req.body as Buffer;
    if (!verify(raw, req.headers['x-hub-signature-256'], SECRET).ok) {
      void reply.code(401).send();
      return;
    }
    JSON.parse(raw.toString('utf8'));
    handled++;
    void reply.code(200).type('text/plain').send('ok');
  });
  await app.listen({ host: '127.0.0.1', port: 0 });
  process.send!({ port: (app.server.address() as AddressInfo).port });
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
