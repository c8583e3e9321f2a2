// The one HTTP primitive both clients use: a request with a deadline, a retry rule that never
// sends anything twice, and undici/system errors turned into a `TransportError` that says what
// happened in words. The clients map HTTP statuses and TransportErrors to their own error codes.
//
// RETRY RULE. A request is retried only when it failed before it could have been written to a
// socket, so the platform cannot have seen it:
//   ECONNREFUSED             nothing listens at host:port
//   UND_ERR_CONNECT_TIMEOUT  the TCP/TLS connection was never established
//   EAI_AGAIN                temporary DNS failure: no address, so no connection
// Those are retried up to MAX_RETRIES (2) more times, after a short pause, and never past the
// deadline. Anything the platform may have received is NEVER re-sent: a reset or "other side
// closed" on an established connection (UND_ERR_SOCKET, ECONNRESET, EPIPE), a timeout waiting
// for headers or body (our deadline, UND_ERR_HEADERS_TIMEOUT, UND_ERR_BODY_TIMEOUT), and any
// HTTP status at all (a 500 or 502 may come after the bot already handled the message). A user
// message sent twice would be a second turn of the conversation, and a webhook set twice a
// second handshake, so a duplicate is worse than an error.
//
// TIMEOUT. One deadline (an AbortSignal) covers the whole call: connecting, every attempt, the
// pauses between them, the headers and the body. It also works with undici's MockAgent, which
// ignores `headersTimeout`/`bodyTimeout` but honours the signal (and `.delay()`).
import { Agent, request, type Dispatcher } from 'undici';
import { redact } from '../base/errors.ts';
import { errorCode, failureKind, type FailureKind } from '../base/net-errors.ts';
import { oneLine } from '../base/text.ts';

export type { FailureKind } from '../base/net-errors.ts';

export const MAX_RETRIES = 2;
/** Pause before retry 1 and retry 2. */
export const RETRY_DELAYS_MS: readonly number[] = [100, 250];

let shared: Agent | undefined;

/**
 * The process-wide keep-alive Agent (undici keeps one connection pool per origin). Idle sockets
 * are unref'd by undici, so they never hold the process open.
 */
export function sharedAgent(): Agent {
  shared ??= new Agent({
    keepAliveTimeout: 4_000,
    keepAliveMaxTimeout: 60_000,
    connect: { timeout: 10_000 },
  });
  return shared;
}

/** Close the shared Agent (a later call to `sharedAgent()` makes a new one). */
export async function closeSharedAgent(): Promise<void> {
  const a = shared;
  shared = undefined;
  await a?.close();
}

/** A request that got no HTTP answer. `message` is one clause, without a fix (the clients add it). */
export class TransportError extends Error {
  readonly kind: FailureKind;
  /** host:port */
  readonly where: string;
  readonly attempts: number;
  /** The underlying error's code, e.g. ECONNREFUSED or UND_ERR_SOCKET. */
  readonly errorCode: string | undefined;

  constructor(kind: FailureKind, where: string, attempts: number, errorCode: string | undefined, message: string, cause: unknown) {
    super(message, { cause });
    this.name = 'TransportError';
    this.kind = kind;
    this.where = where;
    this.attempts = attempts;
    this.errorCode = errorCode;
  }
}

/** Options both clients take for their transport. */
export interface TransportOptions {
  /** Deadline of one call, retries included. Default 10000. */
  timeoutMs?: number;
  /** Defaults to the shared keep-alive Agent; tests pass a MockAgent. */
  dispatcher?: Dispatcher;
}

/** Failures after which the platform may have the request (said so, since it is never re-sent). */
export function mayHaveArrived(kind: FailureKind): boolean {
  return kind === 'timeout' || kind === 'reset' || kind === 'other';
}

export interface HttpCall {
  url: URL;
  method: 'GET' | 'POST' | 'DELETE';
  headers: Record<string, string>;
  body?: string;
  /** The deadline for the whole call, retries included. */
  timeoutMs: number;
  /** The deadline a timeout names, when timeoutMs is what is left of a longer one (default timeoutMs). */
  deadlineMs?: number;
  dispatcher: Dispatcher;
  /** Secrets to mask in any error text that is copied into a message. */
  secrets: ReadonlyArray<string | undefined>;
}

export interface HttpResult {
  status: number;
  contentType: string;
  text: string;
  attempts: number;
  /** The Retry-After header, when the answer had one (429 and 503 carry it). */
  retryAfter?: string;
}

/** host:port of a URL, with the scheme's default port made explicit; never the path or userinfo. */
export function hostPort(url: URL): string {
  const port = url.port || (url.protocol === 'https:' ? '443' : '80');
  return `${url.hostname}:${port}`;
}

class DeadlineExceeded extends Error {
  constructor(ms: number) {
    super(`no answer within ${ms} ms`);
    this.name = 'DeadlineExceeded';
  }
}

const RETRYABLE = new Set(['ECONNREFUSED', 'UND_ERR_CONNECT_TIMEOUT', 'EAI_AGAIN']);

function classify(err: unknown, deadline: DeadlineExceeded, where: string, secrets: ReadonlyArray<string | undefined>) {
  if (err === deadline) return { kind: 'timeout' as const, code: undefined, text: `${deadline.message} from ${where}` };
  const code = errorCode(err);
  const kind = failureKind(code);
  const host = where.replace(/:\d+$/, '');
  const text: Record<FailureKind, () => string> = {
    refused: () => `connection refused at ${where}`,
    'connect-timeout': () => `could not connect to ${where} in time (connect timeout)`,
    'dns-temporary': () => `DNS lookup of ${host} failed for now (EAI_AGAIN)`,
    dns: () => `no such host: DNS lookup of ${host} failed (ENOTFOUND)`,
    unreachable: () => `${where} is unreachable (${code})`,
    reset: () => `the connection to ${where} was closed before an answer (${code})`,
    timeout: () => `no answer from ${where} in time (${code})`,
    tls: () => `TLS with ${where} failed (${code})`,
    other: () => `request to ${where} failed: ${oneLine(redact(err instanceof Error ? err.message : String(err), secrets))}${code ? ` (${code})` : ''}`,
  };
  return { kind, code, text: text[kind]() };
}

/** Failures after which the request cannot have been written: safe to send again. */
export function isRetryable(err: unknown): boolean {
  const code = errorCode(err);
  return code !== undefined && RETRYABLE.has(code);
}

/**
 * Send one request and read the whole body. Resolves for ANY HTTP status (the caller decides
 * what a status means); rejects only with a TransportError.
 */
export async function sendHttp(call: HttpCall): Promise<HttpResult> {
  const where = hostPort(call.url);
  const deadline = new DeadlineExceeded(call.deadlineMs ?? call.timeoutMs);
  const controller = new AbortController();
  const timer = setTimeout(() => controller.abort(deadline), call.timeoutMs);
  const started = Date.now();
  let attempts = 0;
  try {
    for (;;) {
      attempts++;
      try {
        const res = await request(call.url, {
          method: call.method,
          headers: call.headers,
          body: call.body,
          signal: controller.signal,
          dispatcher: call.dispatcher,
        });
        // Always consume the body: undici only returns the socket to the pool once it is read.
        const text = await res.body.text();
        const ct = res.headers['content-type'];
        const ra = res.headers['retry-after'];
        return {
          status: res.statusCode,
          contentType: (Array.isArray(ct) ? ct[0] : ct) ?? '',
          text,
          attempts,
          ...(ra === undefined ? {} : { retryAfter: Array.isArray(ra) ? ra[0] : ra }),
        };
      } catch (err) {
        const failed = controller.signal.aborted ? deadline : err;
        const pause = RETRY_DELAYS_MS[attempts - 1] ?? 0;
        const timeLeft = call.timeoutMs - (Date.now() - started);
        if (failed !== deadline && isRetryable(failed) && attempts <= MAX_RETRIES && pause < timeLeft) {
          await new Promise((resolve) => setTimeout(resolve, pause));
          if (!controller.signal.aborted) continue;
        }
        const c = classify(failed, deadline, where, call.secrets);
        const tried = attempts > 1 ? ` (${attempts} attempts)` : '';
        throw new TransportError(c.kind, where, attempts, c.code, `${c.text}${tried}`, err);
      }
    }
  } finally {
    clearTimeout(timer);
  }
}

/** Retry-After as milliseconds from now: delta-seconds or an HTTP date; undefined when absent or unreadable. */
export function retryAfterMs(value: string | undefined, now = Date.now()): number | undefined {
  if (value === undefined) return undefined;
  const v = value.trim();
  if (/^\d+(\.\d+)?$/.test(v)) return Math.round(Number(v) * 1000);
  const at = Date.parse(v);
  return Number.isNaN(at) ? undefined : Math.max(0, at - now);
}
