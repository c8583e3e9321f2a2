// Errors of the two HTTP clients. Each has a stable `code`, a one-line message naming the
// cause and the fix, and `variable` set to the configuration variable to check.
// Nothing here ever puts a request header, the flow key, the partner key or the webhook
// verification key in a message: text echoed from a response is passed through `redact`
// by the callers, and only the host:port of a URL is ever shown (never its path or userinfo).
import { ApiChatError, type ErrorCode } from '../base/errors.ts';

/** { AUTH: 'APICHAT_BOT_AUTH', … }: each client's codes by short name (all in src/base/error-codes.ts). */
function codes<P extends string, K extends string>(prefix: P, keys: ReadonlyArray<K & (`${P}${K}` extends ErrorCode ? K : never)>): { readonly [k in K]: `${P}${k}` } {
  return Object.fromEntries(keys.map((k) => [k, `${prefix}${k}`])) as { [k in K]: `${P}${k}` };
}

export const BotErrorCode = codes('APICHAT_BOT_', ['AUTH', 'NOT_FOUND', 'REJECTED', 'UNAVAILABLE', 'RATE_LIMITED', 'URL_INVALID']);
export type BotErrorCode = (typeof BotErrorCode)[keyof typeof BotErrorCode];

export const PartnerErrorCode = codes('APICHAT_PARTNER_', ['AUTH', 'NOT_FOUND', 'REJECTED', 'UNAVAILABLE', 'BAD_RESPONSE', 'URL_INVALID']);
export type PartnerErrorCode = (typeof PartnerErrorCode)[keyof typeof PartnerErrorCode];

export interface ClientErrorDetails {
  variable?: string;
  cause?: unknown;
  /** The HTTP status the platform answered, when it answered. */
  status?: number;
  /** How many times the request was attempted (more than 1 only for failures before sending). */
  attempts?: number;
}

/** What both clients' errors carry besides the code and message. */
abstract class ClientError<Code extends ErrorCode> extends ApiChatError {
  declare readonly code: Code;
  readonly status: number | undefined;
  readonly attempts: number | undefined;

  constructor(code: Code, message: string, details: ClientErrorDetails = {}) {
    super(code, message, { variable: details.variable, cause: details.cause });
    this.status = details.status;
    this.attempts = details.attempts;
  }
}

/** A call to the bot URL failed. */
export class BotClientError extends ClientError<BotErrorCode> {
  override name = 'BotClientError';
}

/** A call to the partner API (webhook get / set / remove) failed. */
export class PartnerClientError extends ClientError<PartnerErrorCode> {
  override name = 'PartnerClientError';
}
