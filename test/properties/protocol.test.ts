// Property-based tests (fast-check) of the wire format's security-relevant parts: signature
// verification, the listener's normalisation fast path against the zod reference, and the
// handshake parser. Seeds are fixed by fast-check's report, so a failure reproduces.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import {
  answerHandshake,
  buildButtonReply,
  buildCarouselReply,
  buildMediaReply,
  buildTextReply,
  mayBeHandshake,
  normalise,
  normaliseWithSchemas,
  parseHandshake,
  sign,
  verify,
} from '../../src/protocol/index.ts';

const RUNS = { numRuns: 300 };
const bytes = fc.uint8Array({ maxLength: 2048 }).map((a) => Buffer.from(a));
const key = fc.string({ minLength: 1, maxLength: 64 });

describe('properties: signature verification', () => {
  it('a body signed with the key verifies, in any hex case', () => {
    fc.assert(
      fc.property(bytes, key, fc.boolean(), (body, k, upper) => {
        const header = sign(body, k);
        const given = upper ? `sha256=${header.slice(7).toUpperCase()}` : header;
        assert.deepEqual(verify(body, given, k), { ok: true });
      }),
      RUNS,
    );
  });

  it('any changed byte, or another key, is a bad signature', () => {
    fc.assert(
      fc.property(bytes.filter((b) => b.length > 0), key, key, fc.nat(), fc.integer({ min: 1, max: 255 }), (body, k, other, at, flip) => {
        const header = sign(body, k);
        const changed = Buffer.from(body);
        changed[at % changed.length]! ^= flip;
        assert.deepEqual(verify(changed, header, k), { ok: false, reason: 'bad signature' });
        if (other !== k) assert.deepEqual(verify(body, header, other), { ok: false, reason: 'bad signature' });
      }),
      RUNS,
    );
  });

  it('any header value at all gives ok or a named reason, never a throw; only the right one is ok', () => {
    fc.assert(
      fc.property(bytes, key, fc.oneof(fc.string(), fc.stringMatching(/^sha256=[0-9a-fA-F]{0,70}$/), fc.constant(undefined), fc.array(fc.string())), (body, k, header) => {
        const r = verify(body, header, k);
        const first = Array.isArray(header) ? header[0] : header;
        if (r.ok) assert.equal(first?.toLowerCase(), sign(body, k));
        else assert.ok(['missing signature', 'unprefixed signature', 'malformed signature', 'bad signature'].includes(r.reason));
      }),
      RUNS,
    );
  });
});

const text = fc.string({ maxLength: 40 });
const address = fc.record({ sender_id: fc.oneof(fc.string({ minLength: 1, maxLength: 20 }), fc.integer()), conv_id: fc.oneof(fc.integer(), fc.string({ maxLength: 8 })) });
const button = fc.record({ title: fc.string({ minLength: 1, maxLength: 12 }), payload: fc.option(fc.string({ maxLength: 12 }), { nil: undefined }) });
const reply = fc.oneof(
  fc.tuple(address, text).map(([a, t]) => buildTextReply({ sender_id: String(a.sender_id), conv_id: a.conv_id as number }, t)),
  fc.tuple(address, text, fc.array(button, { minLength: 1, maxLength: 4 })).map(([a, t, b]) => buildButtonReply({ sender_id: String(a.sender_id), conv_id: a.conv_id as number }, t, b)),
  fc.tuple(address, fc.constantFrom('image', 'audio', 'video', 'file' as const), fc.webUrl()).map(([a, k, u]) => buildMediaReply({ sender_id: String(a.sender_id), conv_id: a.conv_id as number }, k, u)),
  fc.tuple(address, text, fc.array(fc.record({ title: fc.string({ minLength: 1, maxLength: 10 }) }), { minLength: 1, maxLength: 3 })).map(([a, t, c]) => buildCarouselReply({ sender_id: String(a.sender_id), conv_id: a.conv_id as number }, t, c)),
);
/** A reply with some fields replaced by odd values, or extra fields added. */
const mutated = fc.tuple(reply, fc.dictionary(fc.constantFrom('sender_id', 'conv_id', 'type', 'text', 'content_type', 'private', 'message_type', 'url', 'content_attributes', 'extra'), fc.jsonValue(), { maxKeys: 3 })).map(
  ([r, changes]) => ({ ...(r as Record<string, unknown>), ...changes }),
);

describe('properties: normalisation', () => {
  it('the fast path builds exactly what the zod schemas build, for well-formed and mutated replies', () => {
    fc.assert(
      fc.property(fc.oneof(reply, mutated, fc.jsonValue()), (raw) => {
        const body = JSON.parse(JSON.stringify(raw)) as unknown;
        assert.deepEqual(normalise(body, 1), normaliseWithSchemas(body, 1));
      }),
      { numRuns: 1000 },
    );
  });
});

// Values as the platform could send them: no '&' or '=' unescaped trouble in the form (encoded below).
const field = fc.string({ maxLength: 50 });

describe('properties: handshake parsing', () => {
  it('mode, token and challenge come back the same from a query, a form body and a JSON body', () => {
    fc.assert(
      fc.property(field, field, field, fc.boolean(), (mode, token, challenge, dotted) => {
        const name = (n: string) => (dotted ? `hub.${n}` : `hub_${n}`);
        const params = { [name('mode')]: mode, [name('verify_token')]: token, [name('challenge')]: challenge };
        const form = new URLSearchParams(params).toString();
        const want = { mode, verifyToken: token, challenge };
        assert.deepEqual(parseHandshake(Buffer.alloc(0), undefined, params), want);
        assert.ok(mayBeHandshake(Buffer.from(form), undefined));
        assert.deepEqual(parseHandshake(Buffer.from(form), 'application/x-www-form-urlencoded'), { ...want, mode: new URLSearchParams(form).get(name('mode'))! });
        assert.deepEqual(parseHandshake(Buffer.from(JSON.stringify(params)), 'application/json'), want);
      }),
      RUNS,
    );
  });

  it('answered with the challenge exactly when the mode is subscribe and the token is the key', () => {
    fc.assert(
      fc.property(fc.oneof(fc.constant('subscribe'), field), fc.oneof(key, field), key, field, (mode, token, k, challenge) => {
        const r = answerHandshake({ mode, verifyToken: token, challenge }, k);
        if (mode === 'subscribe' && token === k) assert.deepEqual(r, { ok: true, challenge });
        else assert.equal(r.ok, false);
      }),
      RUNS,
    );
  });

  it('any body and content type: a handshake or null, never a throw', () => {
    fc.assert(
      fc.property(fc.oneof(bytes, fc.string().map((s) => Buffer.from(s))), fc.option(fc.string({ maxLength: 40 }), { nil: undefined }), (body, ct) => {
        const h = parseHandshake(body, ct);
        if (h !== null) assert.equal(typeof h.mode, 'string');
      }),
      RUNS,
    );
  });
});
