// The loopback side of the run's listener: --parallel workers subscribe to their own
// conversations here with server-sent events. It is a separate server bound to 127.0.0.1,
// never the platform-facing one, so conversation contents are not exposed through a tunnel.
import Fastify, { type FastifyInstance } from 'fastify';
import type { InboxStore } from './store.ts';

export const CONTROL_PREFIX = '/v1';

export function buildControlServer(store: InboxStore): FastifyInstance {
  const app = Fastify({ logger: false });

  app.get<{ Params: { sender: string } }>(`${CONTROL_PREFIX}/conversations/:sender/events`, (req, reply) => {
    const sender = req.params.sender;
    store.register(sender);
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
    res.write('retry: 200\n: registered\n\n');
    const unsubscribe = store.subscribe(sender, (m, index) => {
      res.write(`id: ${index}\ndata: ${JSON.stringify(m)}\n\n`);
    }, from);
    req.raw.on('close', unsubscribe);
  });

  app.delete<{ Params: { sender: string } }>(`${CONTROL_PREFIX}/conversations/:sender`, async (req, reply) => {
    store.unregister(req.params.sender);
    return reply.code(204).send();
  });

  app.get(`${CONTROL_PREFIX}/rejections`, async () => store.rejections());
  app.get(`${CONTROL_PREFIX}/orphans`, async () => store.orphans());
  app.get(`${CONTROL_PREFIX}/health`, async () => ({ ok: true }));
  return app;
}

export interface RunningControl {
  app: FastifyInstance;
  /** http://127.0.0.1:port — handed to workers as APICHAT_INBOX_URL. */
  url: string;
  close(): Promise<void>;
}

export async function startControlServer(store: InboxStore): Promise<RunningControl> {
  const app = buildControlServer(store);
  await app.listen({ host: '127.0.0.1', port: 0 });
  const address = app.server.address();
  const port = typeof address === 'object' && address ? address.port : 0;
  return {
    app,
    url: `http://127.0.0.1:${port}`,
    // Open event streams would keep close() waiting; end them first.
    close: async () => {
      app.server.closeAllConnections?.();
      await app.close();
    },
  };
}
