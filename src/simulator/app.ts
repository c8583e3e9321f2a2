// The simulator's fastify app and the small pieces both of its APIs use: bodies read as bytes
// and parsed in one place, the platform's error shape, and the Bearer check.
import Fastify, { type FastifyInstance } from 'fastify';
import { safeEqual } from '../protocol/index.ts';
import { NO_SCHEMA_COMPILERS } from '../base/http-server.ts';

export const UNAUTHENTICATED = { status: 'error', message: 'Unauthenticated.' } as const;

export function createApp(): FastifyInstance {
  const app = Fastify({ logger: false, bodyLimit: 1024 * 1024, ...NO_SCHEMA_COMPILERS });
  // Read every body as bytes and parse it here: one place decides what malformed means.
  app.removeAllContentTypeParsers();
  app.addContentTypeParser('*', { parseAs: 'buffer' }, (_req, body, done) => done(null, body));
  app.setNotFoundHandler((_req, reply) => reply.code(404).send({ status: 'error', message: 'Not found.' }));
  app.setErrorHandler((err: { statusCode?: number; message?: string }, _req, reply) => {
    const status = err.statusCode && err.statusCode >= 400 ? err.statusCode : 500;
    const message = status === 413 ? 'Payload too large.' : status >= 500 ? 'Server error.' : (err.message ?? 'Bad request.');
    return reply.code(status).send({ status: 'error', message });
  });
  return app;
}

export function bearerMatches(header: string | undefined, key: string): boolean {
  const m = /^Bearer\s+(.+)$/i.exec(header ?? '');
  const given = m?.[1];
  return given !== undefined && safeEqual(given.trim(), key);
}

/** The body as JSON; an empty body is undefined. */
export function parseJson(body: unknown): { ok: true; value: unknown } | { ok: false; message: string } {
  if (body === undefined || body === null) return { ok: true, value: undefined };
  const text = Buffer.isBuffer(body) ? body.toString('utf8') : String(body);
  if (text.trim() === '') return { ok: true, value: undefined };
  try {
    return { ok: true, value: JSON.parse(text) };
  } catch (e) {
    return { ok: false, message: `Malformed JSON body: ${(e as Error).message}` };
  }
}

/** The host part of a URL for a bound address (a wildcard bind is reached on loopback). */
export function urlHost(host: string): string {
  if (host === '0.0.0.0' || host === '') return '127.0.0.1';
  if (host === '::') return '[::1]';
  return host.includes(':') ? `[${host}]` : host;
}
