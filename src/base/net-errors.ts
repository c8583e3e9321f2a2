// One reading of a failed request (undici or system error), shared by the HTTP clients and the
// simulator's deliveries: the error code, wherever undici put it, and what kind of failure it is.

export type FailureKind =
  | 'refused'
  | 'dns'
  | 'dns-temporary'
  | 'connect-timeout'
  | 'timeout'
  | 'reset'
  | 'tls'
  | 'unreachable'
  | 'other';

const KIND_OF: Record<string, FailureKind> = {
  ECONNREFUSED: 'refused',
  UND_ERR_CONNECT_TIMEOUT: 'connect-timeout',
  EAI_AGAIN: 'dns-temporary',
  ENOTFOUND: 'dns',
  EHOSTUNREACH: 'unreachable',
  ENETUNREACH: 'unreachable',
  UND_ERR_SOCKET: 'reset',
  ECONNRESET: 'reset',
  EPIPE: 'reset',
  UND_ERR_CLOSED: 'reset',
  ECONNABORTED: 'reset',
  UND_ERR_HEADERS_TIMEOUT: 'timeout',
  UND_ERR_BODY_TIMEOUT: 'timeout',
  ETIMEDOUT: 'timeout',
};
const TLS = /^(ERR_TLS_|ERR_SSL_|CERT_|UNABLE_TO_|DEPTH_ZERO_SELF_SIGNED_CERT|SELF_SIGNED_CERT_IN_CHAIN|ERR_OSSL_)/;

/** The error's code: its own, the first of an AggregateError's, or its cause's. */
export function errorCode(err: unknown): string | undefined {
  if (typeof err !== 'object' || err === null) return undefined;
  const code = (err as { code?: unknown }).code;
  if (typeof code === 'string') return code;
  // Happy-eyeballs connects (localhost -> ::1 and 127.0.0.1) may fail with an AggregateError.
  if (err instanceof AggregateError) {
    for (const e of err.errors) {
      const c = errorCode(e);
      if (c) return c;
    }
  }
  const cause = (err as { cause?: unknown }).cause;
  return cause !== undefined && cause !== err ? errorCode(cause) : undefined;
}

export function failureKind(code: string | undefined): FailureKind {
  if (code === undefined) return 'other';
  return KIND_OF[code] ?? (TLS.test(code) ? 'tls' : 'other');
}
