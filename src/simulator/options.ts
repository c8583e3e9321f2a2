// What startSimulator accepts, and the check that turns an impossible option into one line.
import { ApiChatError } from '../base/errors.ts';
import type { BotDefinition } from './bot-schema.ts';
import { HANDSHAKE_ENCODINGS, type HandshakeEncoding } from './handshake.ts';

export interface SimulatorOptions {
  /** A bot definition, or the path of a bot file (YAML or JSON). Default: the demo bot. */
  bot?: BotDefinition | string;
  /** Default 127.0.0.1. */
  host?: string;
  /** Default 0: a free port. */
  port?: number;
  /** Keys and workspace id default to random values. */
  flowKey?: string;
  partnerKey?: string;
  workspaceId?: string;
  /** Each reply is sent at its cumulative delay plus a random 0..jitterMs. Default 10. */
  jitterMs?: number;
  /** The random source of the jitter (tests inject one to fix the order of arrival). Default Math.random. */
  random?: () => number;
  /** Send the replies of a turn one after another, in order. Default false. */
  ordered?: boolean;
  /** Pretty-print the JSON bodies (the signature covers the exact bytes either way). */
  prettyJson?: boolean;
  /** How the handshake parameters are sent. Default 'form'. */
  handshakeEncoding?: HandshakeEncoding;
  /** Behave like the older revision: set is POST .../apichat-webhook; set-apichat-webhook is 404. */
  legacyPartnerApi?: boolean;
  /** Timeout for the handshake request. Default 5000. */
  handshakeTimeoutMs?: number;
  /** Timeout for each delivery. Default 10000. */
  deliveryTimeoutMs?: number;
}

export function checkOptions(opts: SimulatorOptions): void {
  const bad = (what: string) => {
    throw new ApiChatError('APICHAT_SIMULATOR_OPTIONS', `simulator option ${what}`);
  };
  if (opts.jitterMs !== undefined && !(Number.isFinite(opts.jitterMs) && opts.jitterMs >= 0)) bad(`jitterMs must be a number >= 0, got ${opts.jitterMs}`);
  if (opts.handshakeEncoding !== undefined && !HANDSHAKE_ENCODINGS.includes(opts.handshakeEncoding)) {
    bad(`handshakeEncoding must be one of ${HANDSHAKE_ENCODINGS.join(', ')}, got ${JSON.stringify(opts.handshakeEncoding)}`);
  }
  for (const k of ['flowKey', 'partnerKey', 'workspaceId'] as const) {
    if (opts[k] !== undefined && (typeof opts[k] !== 'string' || opts[k] === '')) bad(`${k} must be a non-empty string`);
  }
}
