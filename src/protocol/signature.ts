// X-Hub-Signature-256: "sha256=" + hex HMAC-SHA256 of the exact bytes received.
// Verify before parsing, compare in constant time (after a length check, which
// timingSafeEqual requires and which leaks nothing secret).
import { createHash, createHmac, timingSafeEqual } from 'node:crypto';

export const SIGNATURE_HEADER = 'x-hub-signature-256';
const PREFIX = 'sha256=';

export function sign(raw: Buffer | string, key: string): string {
  return PREFIX + createHmac('sha256', key).update(raw).digest('hex');
}

export type VerifyResult = { ok: true } | { ok: false; reason: RejectReason };
export type RejectReason = 'missing signature' | 'unprefixed signature' | 'malformed signature' | 'bad signature';

export function verify(raw: Buffer, header: string | string[] | undefined, key: string): VerifyResult {
  const value = Array.isArray(header) ? header[0] : header;
  if (value === undefined || value === '') return { ok: false, reason: 'missing signature' };
  // The platform's own reference check compares against 'sha256=' + hex; a bare hex digest
  // is a different (older or foreign) signer, reported as such rather than as a wrong key.
  if (!value.startsWith(PREFIX)) return { ok: false, reason: /^[0-9a-f]{64}$/i.test(value) ? 'unprefixed signature' : 'malformed signature' };
  const given = Buffer.from(value.slice(PREFIX.length).toLowerCase(), 'utf8');
  const expected = Buffer.from(createHmac('sha256', key).update(raw).digest('hex'), 'utf8');
  if (given.length !== expected.length) return { ok: false, reason: 'malformed signature' };
  return timingSafeEqual(given, expected) ? { ok: true } : { ok: false, reason: 'bad signature' };
}

/** Whether two secrets are equal, in constant time for any lengths (their SHA-256 digests are compared). */
export function safeEqual(a: string, b: string): boolean {
  return timingSafeEqual(createHash('sha256').update(a).digest(), createHash('sha256').update(b).digest());
}
