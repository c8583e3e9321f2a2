// The signed-webhook listener the platform calls. Order of work per request: read the raw
// bytes; a signed request is a delivery whatever fields it has (verify the signature over the
// exact bytes, then parse, normalise and store); only an unsigned one can be the verification
// handshake; answer at once. Stalled connections are closed (header, body and idle timeouts),
// since through a public tunnel anyone can open sockets.
import Fastify, { type FastifyInstance, type FastifyReply, type FastifyRequest } from 'fastify';
import { answerHandshake, mayBeHandshake, normalise, nowMs, parseHandshake, verify, SIGNATURE_HEADER } from '../protocol/index.ts';
import { REJECTION_FIXES, type InboxStore } from './store.ts';
import { NO_SCHEMA_COMPILERS } from '../base/http-server.ts';

const ERROR_REASONS: Record<string, string> = {
  FST_ERR_CTP_BODY_TOO_LARGE: 'body too large',
  FST_ERR_CTP_INVALID_MEDIA_TYPE: 'bad content type',
  FST_ERR_CTP_INVALID_CONTENT_LENGTH: 'bad request',
};

export const DEFAULT_BODY_LIMIT = 1024 * 1024;
const EMPTY = Buffer.alloc(0);

export interface ListenerOptions {
  /** The webhook verification key: checks signatures and answers the handshake. */
  secret: string;
  store: InboxStore;
  /** The path the platform posts to (the path of APICHAT_PUBLIC_URL). */
  path?: string;
  bodyLimit?: number;
  timeouts?: Partial<ListenerTimeouts>;
}

export interface ListenerTimeouts {
  /** All request headers must arrive within this (from the connection or the previous request). */
  headersMs: number;
  /** The whole request, body included, must arrive within this. */
  requestMs: number;
  /** A socket with no traffic at all is closed after this. */
  idleMs: number;
  /** An idle keep-alive connection between requests is closed after this. */
  keepAliveMs: number;
}

export const DEFAULT_TIMEOUTS: ListenerTimeouts = { headersMs: 10_000, requestMs: 30_000, idleMs: 60_000, keepAliveMs: 5_000 };

export function buildListener({ secret, store, path = '/webhook', bodyLimit = DEFAULT_BODY_LIMIT, timeouts }: ListenerOptions): FastifyInstance {
  const t = { ...DEFAULT_TIMEOUTS, ...timeouts };
  const app = Fastify({
    logger: false,
    bodyLimit,
    return503OnClosing: false,
    exposeHeadRoutes: false,
    requestTimeout: t.requestMs,
    connectionTimeout: t.idleMs,
    keepAliveTimeout: t.keepAliveMs,
    // Node checks the header and request timeouts on this interval (default 30 s).
    http: { connectionsCheckingInterval: Math.max(10, Math.min(1_000, Math.floor(t.headersMs / 2))) },
    ...NO_SCHEMA_COMPILERS,
  });
  app.server.headersTimeout = Math.min(t.headersMs, t.requestMs);
  // Keep every body as the bytes received: the signature covers them, not a re-serialisation.
  app.removeAllContentTypeParsers();
  app.addContentTypeParser('*', { parseAs: 'buffer' }, (_req, body, done) => done(null, body));

  const excerpt = (raw: Buffer): string => raw.subarray(0, 200).toString('utf8');

  // Synchronous and returning nothing on purpose: one tick per delivery, no promise, and no
  // value for fastify to send again (a sync handler's return value is passed to reply.send,
  // and sending twice builds an FST_ERR_REP_ALREADY_SENT error on every request).
  const answer = (reply: FastifyReply, status: number, body: string): void => {
    void reply.code(status).type('text/plain; charset=utf-8').send(body);
  };

  const handle = (req: FastifyRequest, reply: FastifyReply): void => {
    const raw = Buffer.isBuffer(req.body) ? req.body : EMPTY;
    const arrivedAt = nowMs();
    const signature = req.headers[SIGNATURE_HEADER];
    if (signature === undefined) {
      // Only a URL with a query string can carry the handshake there; skip parsing otherwise.
      const query = req.raw.url?.includes('?') ? (req.query as Record<string, unknown>) : undefined;
      const handshake = mayBeHandshake(raw, query) ? parseHandshake(raw, req.headers['content-type'], query) : null;
      if (handshake) {
        const result = answerHandshake(handshake, secret);
        if (result.ok) return answer(reply, 200, result.challenge);
        store.reject({ at: Date.now(), status: 403, reason: result.reason });
        return answer(reply, 403, result.reason);
      }
    }
    if (req.method !== 'POST') {
      store.reject({ at: Date.now(), status: 405, reason: 'method not allowed', excerpt: `${req.method} ${req.url.split('?')[0]}` });
      return answer(reply, 405, 'POST only');
    }
    const check = verify(raw, signature, secret);
    if (!check.ok) {
      store.reject({ at: Date.now(), status: 401, reason: check.reason, excerpt: excerpt(raw) });
      return answer(reply, 401, check.reason);
    }
    let json: unknown;
    try {
      json = JSON.parse(raw.toString('utf8'));
    } catch {
      // Signed but unreadable: refused, yet kept in the rejection log for the report.
      store.reject({ at: Date.now(), status: 400, reason: 'malformed JSON', excerpt: excerpt(raw) });
      return answer(reply, 400, 'malformed JSON');
    }
    store.add(normalise(json, arrivedAt));
    return answer(reply, 200, 'ok');
  };

  app.route({ method: ['GET', 'HEAD', 'POST', 'PUT', 'DELETE', 'PATCH'], url: path, handler: handle });

  app.setNotFoundHandler((req, reply) => {
    store.reject({ at: Date.now(), status: 404, reason: 'wrong path', excerpt: `${req.method} ${req.url.split('?')[0]}` });
    void reply.code(404).type('text/plain; charset=utf-8').send(`not found: this listener serves ${path}`);
  });

  app.setErrorHandler((error: { statusCode?: number; code?: string; message: string }, _req, reply) => {
    const status = error.statusCode ?? 500;
    const reason = ERROR_REASONS[error.code ?? ''] ?? (status >= 500 ? 'listener error' : 'bad request');
    store.reject({ at: Date.now(), status, reason, excerpt: error.message.slice(0, 200) });
    void reply.code(status).type('text/plain; charset=utf-8').send(REJECTION_FIXES[reason] ? `${reason}: ${REJECTION_FIXES[reason]}` : reason);
  });
  return app;
}

/** A bound fastify server of the run (the listener, the control server). */
export interface RunningServer {
  app: FastifyInstance;
  close(): Promise<void>;
}

export interface RunningListener extends RunningServer {
  /** http://host:port of the bound socket. */
  origin: string;
  /** The local URL of the webhook path (what a tunnel forwards to). */
  localUrl: string;
}

export async function startListener(options: ListenerOptions & { host?: string; port?: number }): Promise<RunningListener> {
  const app = buildListener(options);
  const host = options.host ?? '127.0.0.1';
  await app.listen({ host, port: options.port ?? 0 });
  const address = app.server.address();
  const port = typeof address === 'object' && address ? address.port : options.port ?? 0;
  const origin = `http://${host.includes(':') ? `[${host}]` : host}:${port}`;
  return { app, origin, localUrl: origin + (options.path ?? '/webhook'), close: () => app.close() };
}
