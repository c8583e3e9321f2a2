// X-Hub-Signature-256: "sha256=" + hex HMAC-SHA256 of the exact bytes received.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createHmac } from 'node:crypto';
import { SIGNATURE_HEADER, sign, verify } from '../../src/protocol/index.ts';
import { pageText } from './page.ts';

const KEY = 'VERIFICATION_TOKEN';
const hmacHex = (body: Buffer | string, key: string) => createHmac('sha256', key).update(body).digest('hex');

describe('sign()', () => {
  it('pins a literal vector: key "secret", body {"a":1}', () => {
    // Computed independently: printf '%s' '{"a":1}' | openssl dgst -sha256 -hmac secret
    const want = 'sha256=aa9e2e3575f5d7098b6caccd790888c36d5fdb63342a73bada2d6a51747a8494';
    assert.equal(sign('{"a":1}', 'secret'), want);
    assert.equal(sign(Buffer.from('{"a":1}'), 'secret'), want);
    assert.deepEqual(verify(Buffer.from('{"a":1}'), want, 'secret'), { ok: true });
  });

  it('matches node:crypto HMAC-SHA256 over the page payload, prefixed with sha256=', () => {
    const body = Buffer.from(pageText('outgoing-text'));
    assert.equal(sign(body, KEY), `sha256=${hmacHex(body, KEY)}`);
    assert.match(sign(body, KEY), /^sha256=[0-9a-f]{64}$/);
  });

  it('the header name is lower-case x-hub-signature-256 (as Node exposes it)', () => {
    assert.equal(SIGNATURE_HEADER, 'x-hub-signature-256');
  });
});

describe('verify()', () => {
  const body = Buffer.from(pageText('outgoing-button-template'));
  const good = `sha256=${hmacHex(body, KEY)}`;

  it('accepts a good signature', () => {
    assert.deepEqual(verify(body, good, KEY), { ok: true });
  });

  it('rejects a signature made with another key', () => {
    assert.deepEqual(verify(body, `sha256=${hmacHex(body, 'other key')}`, KEY), { ok: false, reason: 'bad signature' });
  });

  it('rejects a signature of other bytes (one byte changed)', () => {
    const tampered = Buffer.from(body);
    tampered[10] = tampered[10]! ^ 0x01;
    assert.deepEqual(verify(tampered, good, KEY), { ok: false, reason: 'bad signature' });
  });

  it('rejects a one-digit change of the hex', () => {
    const last = good.at(-1) === '0' ? '1' : '0';
    assert.deepEqual(verify(body, good.slice(0, -1) + last, KEY), { ok: false, reason: 'bad signature' });
  });

  it('missing / empty header', () => {
    assert.deepEqual(verify(body, undefined, KEY), { ok: false, reason: 'missing signature' });
    assert.deepEqual(verify(body, '', KEY), { ok: false, reason: 'missing signature' });
    assert.deepEqual(verify(body, [], KEY), { ok: false, reason: 'missing signature' });
  });

  it('a bare hex digest (no sha256= prefix) is reported as unprefixed, even when the HMAC is right', () => {
    assert.deepEqual(verify(body, hmacHex(body, KEY), KEY), { ok: false, reason: 'unprefixed signature' });
    assert.deepEqual(verify(body, hmacHex(body, KEY).toUpperCase(), KEY), { ok: false, reason: 'unprefixed signature' });
  });

  it('other junk is malformed', () => {
    assert.deepEqual(verify(body, 'sha1=abc', KEY), { ok: false, reason: 'malformed signature' });
    assert.deepEqual(verify(body, 'nonsense', KEY), { ok: false, reason: 'malformed signature' });
    assert.deepEqual(verify(body, `SHA256=${hmacHex(body, KEY)}`, KEY), { ok: false, reason: 'malformed signature' });
  });

  it('wrong length after the prefix is malformed', () => {
    assert.deepEqual(verify(body, good.slice(0, -1), KEY), { ok: false, reason: 'malformed signature' });
    assert.deepEqual(verify(body, `${good}0`, KEY), { ok: false, reason: 'malformed signature' });
    assert.deepEqual(verify(body, 'sha256=', KEY), { ok: false, reason: 'malformed signature' });
    // 64 characters, but one of them multi-byte: must not throw in timingSafeEqual.
    assert.deepEqual(verify(body, `sha256=${'é'}${hmacHex(body, KEY).slice(1)}`, KEY), { ok: false, reason: 'malformed signature' });
  });

  it('a 64-character non-hex value is a bad signature, not a crash', () => {
    assert.deepEqual(verify(body, `sha256=${'z'.repeat(64)}`, KEY), { ok: false, reason: 'bad signature' });
  });

  it('accepts upper-case hex', () => {
    assert.deepEqual(verify(body, `sha256=${hmacHex(body, KEY).toUpperCase()}`, KEY), { ok: true });
  });

  it('header as an array: the first value counts', () => {
    assert.deepEqual(verify(body, [good], KEY), { ok: true });
    assert.deepEqual(verify(body, [good, 'sha256=junk'], KEY), { ok: true });
    assert.deepEqual(verify(body, ['sha256=' + '0'.repeat(64), good], KEY), { ok: false, reason: 'bad signature' });
  });

  it('verifies the raw bytes: pretty-printed body signs differently from its compact re-serialisation', () => {
    const pretty = Buffer.from(JSON.stringify(JSON.parse(pageText('outgoing-generic-template')), null, 2));
    const header = sign(pretty, KEY);
    assert.equal(header, `sha256=${hmacHex(pretty, KEY)}`);
    assert.deepEqual(verify(pretty, header, KEY), { ok: true });
    const reserialised = Buffer.from(JSON.stringify(JSON.parse(pretty.toString('utf8'))));
    assert.notDeepEqual(reserialised, pretty);
    assert.deepEqual(verify(reserialised, header, KEY), { ok: false, reason: 'bad signature' });
    // The page's own spacing is yet another byte string.
    assert.deepEqual(verify(Buffer.from(pageText('outgoing-generic-template')), header, KEY), { ok: false, reason: 'bad signature' });
  });

  it('covers non-ASCII bytes exactly (UTF-8)', () => {
    const utf8 = Buffer.from('{"text":"Grüße 👋"}', 'utf8');
    const header = `sha256=${hmacHex(utf8, KEY)}`;
    assert.equal(sign(utf8, KEY), header);
    assert.equal(sign('{"text":"Grüße 👋"}', KEY), header);
    assert.deepEqual(verify(utf8, header, KEY), { ok: true });
    assert.deepEqual(verify(Buffer.from('{"text":"Grüße 👋"}', 'latin1'), header, KEY), { ok: false, reason: 'bad signature' });
  });

  it('an empty body can still be signed and verified', () => {
    const empty = Buffer.alloc(0);
    assert.equal(sign(empty, KEY), `sha256=${hmacHex(empty, KEY)}`);
    assert.deepEqual(verify(empty, sign(empty, KEY), KEY), { ok: true });
  });
});
