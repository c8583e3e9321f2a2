// Every error a user can cause has a stable `code` (tests assert on it; the list, with what each
// means, is src/base/error-codes.ts) and a one-line message that names the cause and the fix.
// Secrets are never part of a message.
import type { ErrorCode } from './error-codes.ts';

export type { ErrorCode } from './error-codes.ts';

export class ApiChatError extends Error {
  readonly code: ErrorCode;
  /** The configuration variable to check, when one is to blame. */
  readonly variable: string | undefined;

  constructor(code: ErrorCode, message: string, options: { variable?: string; cause?: unknown } = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'ApiChatError';
    this.code = code;
    this.variable = options.variable;
  }
}

export function isApiChatError(e: unknown, code?: ErrorCode): e is ApiChatError {
  return e instanceof ApiChatError && (code === undefined || e.code === code);
}

/** Replace every occurrence of each secret with a fixed mask (for anything that may echo input back). */
export function redact(text: string, secrets: ReadonlyArray<string | undefined>): string {
  let out = text;
  for (const s of secrets) if (s && s.length >= 4) out = out.split(s).join('***');
  return out;
}
