// The loopback side of the run's listener: --parallel workers subscribe to their own
// conversations here with server-sent events. It is a separate server bound to 127.0.0.1,
// never the platform-facing one, so conversation contents are not exposed through a tunnel.
// Loopback is not a boundary on a shared machine: every request must carry the run's random
// token (constant-time check), and a Host other than 127.0.0.1:port / localhost:port is
// refused, so a web page cannot reach it by DNS rebinding. Nothing answers without both.
import { randomBytes } from 'node:crypto';
import { nowMs, safeEqual as secretsEqual } from '../protocol/index.ts';
import Fastify, { type FastifyInstance } from 'fastify';
import type { InboxStore } from './store.ts';
import type { RunningServer } from './listener.ts';
import { NO_SCHEMA_COMPILERS } from '../base/http-server.ts';
import { CONTROL_PREFIX, CONTROL_RETRY_MS, TURN_DONE_EVENT } from './wire.ts';
// The channel's names live with its wire format (wire.ts), which the workers' side imports without this server.
export { CONTROL_PREFIX, CONTROL_RETRY_MS, TURN_DONE_EVENT };
/** How long a conversation stays registered after its last stream closed (a reconnect resumes it). */
export const DEFAULT_CLOSE_GRACE_MS = 15_000;

/**
 * The run's shared timing (src/run/timing-hub.ts): workers report what they observe, and every
 * worker is pushed the aggregate. Plain JSON here: the inbox layer does not know the model.
 */
export interface TimingHub {
  /** A worker's observations (unchecked JSON); false when they are not observations. */
  report(body: unknown): boolean;
  /** The aggregate, as JSON. */
  state(): unknown;
  /** Calls fn after the aggregate changed. */
  subscribe(fn: () => void): () => void;
}

export interface ControlOptions {
  /** The run's worker-channel token (APICHAT_RUN's inboxToken). Default: 32 random bytes, hex. */
  token?: string;
  closeGraceMs?: number;
  /** The run's shared timing: enables /v1/timing (workers report observations, receive the aggregate). */
  timing?: TimingHub;
  /** The clock /v1/clock reads (the one the listener stamps arrived_at with); a test may shift it. */
  now?: () => number;
}

/** Constant-time equality of two secrets of any length (the one shared compare). */
export { safeEqual as secretsEqual } from '../protocol/index.ts';

export function buildControlServer(store: InboxStore, options: ControlOptions & { token: string }): FastifyInstance {
  const { token } = options;
  const graceMs = options.closeGraceMs ?? DEFAULT_CLOSE_GRACE_MS;
  const app = Fastify({ logger: false, ...NO_SCHEMA_COMPILERS });
  const open = new Map<string, number>();
  const timers = new Map<string, NodeJS.Timeout>();

  app.addHook('onRequest', async (req, reply) => {
    const port = req.socket.localPort;
    const host = req.headers.host;
    if (host !== `127.0.0.1:${port}` && host !== `localhost:${port}`) {
      return reply.code(403).type('text/plain; charset=utf-8').send('wrong host');
    }
    const auth = req.headers.authorization;
    const given = typeof auth === 'string' && auth.startsWith('Bearer ') ? auth.slice(7) : '';
    if (!secretsEqual(given, token)) {
      return reply.code(401).type('text/plain; charset=utf-8').send('the run token is missing or wrong');
    }
  });

  // Registrations are freed when the last stream of a conversation closes (after a grace for a
  // reconnect): a worker that dies without DELETE leaves nothing behind.
  const streamOpened = (sender: string): void => {
    clearTimeout(timers.get(sender));
    timers.delete(sender);
    open.set(sender, (open.get(sender) ?? 0) + 1);
  };
  const streamClosed = (sender: string): void => {
    const left = (open.get(sender) ?? 1) - 1;
    if (left > 0) return void open.set(sender, left);
    open.delete(sender);
    const forget = (): void => {
      timers.delete(sender);
      if (!open.has(sender)) store.unregister(sender);
    };
    if (graceMs <= 0) return forget();
    const timer = setTimeout(forget, graceMs);
    timer.unref();
    timers.set(sender, timer);
  };
  app.addHook('onClose', async () => {
    for (const t of timers.values()) clearTimeout(t);
    timers.clear();
  });

  app.get<{ Params: { sender: string } }>(`${CONTROL_PREFIX}/conversations/:sender/events`, (req, reply) => {
    const sender = req.params.sender;
    store.register(sender);
    streamOpened(sender);
    // Resume after the last event the client saw (EventSource sends Last-Event-ID on reconnect).
    const last = Number(req.headers['last-event-id']);
    const from = Number.isInteger(last) && last >= 0 ? last + 1 : 0;
    reply.hijack();
    const res = reply.raw;
    res.writeHead(200, {
      'content-type': 'text/event-stream; charset=utf-8',
      'cache-control': 'no-store',
      connection: 'keep-alive',
    });
    res.write(`retry: ${CONTROL_RETRY_MS}\n: registered\n\n`);
    const unsubscribe = store.subscribe(sender, (m, index) => {
      res.write(`id: ${index}\ndata: ${JSON.stringify(m)}\n\n`);
    }, from);
    // Simulated mode: "every reply of turn n is filed", in order after those replies. No id, so
    // Last-Event-ID keeps counting messages; a reconnect gets the latest one again.
    const unsubscribeDone = store.onTurnDone?.(sender, (done) => {
      res.write(`event: ${TURN_DONE_EVENT}\ndata: ${JSON.stringify(done)}\n\n`);
    });
    req.raw.once('close', () => {
      unsubscribe();
      unsubscribeDone?.();
      streamClosed(sender);
    });
  });

  // This process's clock, which stamps every reply's arrived_at: a worker measures its own
  // against it (src/inbox/clock.ts) and files replies by turn on one clock.
  const now = options.now ?? nowMs;
  app.get(`${CONTROL_PREFIX}/clock`, async () => ({ now: now() }));

  app.delete<{ Params: { sender: string } }>(`${CONTROL_PREFIX}/conversations/:sender`, async (req, reply) => {
    store.unregister(req.params.sender);
    return reply.code(204).send();
  });

  const hub = options.timing;
  if (hub) {
    app.post(`${CONTROL_PREFIX}/timing/observations`, async (req, reply) => reply.code(hub.report(req.body) ? 204 : 400).send());
    // The aggregate on connect and after every change (coalesced per event-loop turn).
    app.get(`${CONTROL_PREFIX}/timing/events`, (req, reply) => {
      reply.hijack();
      const res = reply.raw;
      res.writeHead(200, { 'content-type': 'text/event-stream; charset=utf-8', 'cache-control': 'no-store', connection: 'keep-alive' });
      let queued = false;
      const push = (): void => {
        if (queued) return;
        queued = true;
        setImmediate(() => {
          queued = false;
          if (!res.destroyed) res.write(`data: ${JSON.stringify(hub.state())}\n\n`);
        });
      };
      res.write(`retry: ${CONTROL_RETRY_MS}\n`);
      push();
      const unsubscribe = hub.subscribe(push);
      req.raw.once('close', unsubscribe);
    });
  }

  app.get(`${CONTROL_PREFIX}/rejections`, async () => store.rejections());
  app.get(`${CONTROL_PREFIX}/orphans`, async () => store.orphans());
  app.get(`${CONTROL_PREFIX}/health`, async () => ({ ok: true }));
  return app;
}

export interface RunningControl extends RunningServer {
  /** http://127.0.0.1:port — handed to workers in APICHAT_RUN. */
  url: string;
  /** The token every request must carry (`authorization: Bearer <token>`); handed to workers in APICHAT_RUN. */
  token: string;
}

export async function startControlServer(store: InboxStore, options: ControlOptions = {}): Promise<RunningControl> {
  const token = options.token ?? randomBytes(32).toString('hex');
  const app = buildControlServer(store, { ...options, token });
  await app.listen({ host: '127.0.0.1', port: 0 });
  const address = app.server.address();
  const port = typeof address === 'object' && address ? address.port : 0;
  return {
    app,
    url: `http://127.0.0.1:${port}`,
    token,
    // Open event streams would keep close() waiting; end them first.
    close: async () => {
      app.server.closeAllConnections?.();
      await app.close();
    },
  };
}
