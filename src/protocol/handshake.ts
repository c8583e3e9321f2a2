// The verification handshake the platform performs when a webhook is set: hub_mode=subscribe,
// hub_verify_token=<key>, hub_challenge=<random>. The page does not say how they are encoded,
// so read a form body, a JSON body and the query string (and the dotted hub.* spelling).
import { safeEqual } from './signature.ts';

export interface Handshake {
  mode: string;
  verifyToken: string;
  challenge: string;
}

type Params = Record<string, unknown>;

function pick(p: Params, name: 'mode' | 'verify_token' | 'challenge'): string | undefined {
  const v = p[`hub_${name}`] ?? p[`hub.${name}`];
  if (typeof v === 'string') return v;
  if (typeof v === 'number') return String(v);
  return undefined;
}

function fromParams(p: Params | null | undefined): Handshake | null {
  if (!p) return null;
  const mode = pick(p, 'mode');
  if (mode === undefined) return null;
  return { mode, verifyToken: pick(p, 'verify_token') ?? '', challenge: pick(p, 'challenge') ?? '' };
}

const HUB_MODE = Buffer.from('hub_mode');
const HUB_DOT_MODE = Buffer.from('hub.mode');

/**
 * Cheap test: only a body or query mentioning hub_mode/hub.mode can be a handshake. No size
 * cap: the listener asks only about unsigned requests, whose size its body limit bounds, and a
 * platform may send a long challenge.
 */
export function mayBeHandshake(raw: Buffer, query: Params | undefined): boolean {
  if (query && (query.hub_mode !== undefined || query['hub.mode'] !== undefined)) return true;
  return raw.includes(HUB_MODE) || raw.includes(HUB_DOT_MODE);
}

/** Returns the handshake carried by the request, or null when it is not one. */
export function parseHandshake(raw: Buffer, contentType: string | undefined, query?: Params): Handshake | null {
  const fromQuery = fromParams(query);
  if (fromQuery) return fromQuery;
  const text = raw.toString('utf8').trim();
  if (text === '') return null;
  if (text.startsWith('{')) {
    try {
      const json: unknown = JSON.parse(text);
      return typeof json === 'object' && json !== null ? fromParams(json as Params) : null;
    } catch {
      return null;
    }
  }
  if (!contentType || contentType.includes('x-www-form-urlencoded') || contentType.includes('text/plain')) {
    return fromParams(Object.fromEntries(new URLSearchParams(text)));
  }
  return null;
}

export type HandshakeResult = { ok: true; challenge: string } | { ok: false; reason: 'wrong handshake token' | 'unexpected hub_mode' };

export function answerHandshake(h: Handshake, key: string): HandshakeResult {
  if (h.mode !== 'subscribe') return { ok: false, reason: 'unexpected hub_mode' };
  if (!safeEqual(h.verifyToken, key)) return { ok: false, reason: 'wrong handshake token' };
  return { ok: true, challenge: h.challenge };
}
