// The verification handshake: hub_mode=subscribe, hub_verify_token=<key>, hub_challenge=<random>,
// in whatever encoding the platform chooses.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { answerHandshake, mayBeHandshake, parseHandshake } from '../../src/protocol/index.ts';
import { pageText } from './page.ts';

const KEY = 'VERIFICATION_TOKEN';
const CHALLENGE = '205c40409f9bcdeb9e00614b442c5fdd';
const want = { mode: 'subscribe', verifyToken: KEY, challenge: CHALLENGE };
const FORM = `hub_mode=subscribe&hub_verify_token=${KEY}&hub_challenge=${CHALLENGE}`;
const b = (s: string) => Buffer.from(s, 'utf8');

describe('parseHandshake', () => {
  it('form-encoded body', () => {
    assert.deepEqual(parseHandshake(b(FORM), 'application/x-www-form-urlencoded'), want);
    assert.deepEqual(parseHandshake(b(FORM), 'application/x-www-form-urlencoded; charset=UTF-8'), want);
  });

  it('form-encoded body decodes percent escapes and +', () => {
    const form = 'hub_mode=subscribe&hub_verify_token=a%20b%2Bc%26d+e&hub_challenge=x%3Dy';
    assert.deepEqual(parseHandshake(b(form), 'application/x-www-form-urlencoded'), {
      mode: 'subscribe',
      verifyToken: 'a b+c&d e',
      challenge: 'x=y',
    });
  });

  it('form body with no content type at all', () => {
    assert.deepEqual(parseHandshake(b(FORM), undefined), want);
  });

  it('text/plain form', () => {
    assert.deepEqual(parseHandshake(b(FORM), 'text/plain'), want);
    assert.deepEqual(parseHandshake(b(`${FORM}\n`), 'text/plain; charset=utf-8'), want);
  });

  it('JSON body', () => {
    const json = JSON.stringify({ hub_mode: 'subscribe', hub_verify_token: KEY, hub_challenge: CHALLENGE });
    assert.deepEqual(parseHandshake(b(json), 'application/json'), want);
    assert.deepEqual(parseHandshake(b(`  ${json}\n`), undefined), want, 'whitespace around, no content type');
  });

  it('JSON body with a numeric challenge gives it back as a string', () => {
    const json = JSON.stringify({ hub_mode: 'subscribe', hub_verify_token: KEY, hub_challenge: 12345 });
    assert.deepEqual(parseHandshake(b(json), 'application/json'), { mode: 'subscribe', verifyToken: KEY, challenge: '12345' });
  });

  it('query string (empty body)', () => {
    const query = { hub_mode: 'subscribe', hub_verify_token: KEY, hub_challenge: CHALLENGE };
    assert.deepEqual(parseHandshake(Buffer.alloc(0), undefined, query), want);
  });

  it('query string wins over the body', () => {
    const query = { hub_mode: 'subscribe', hub_verify_token: KEY, hub_challenge: CHALLENGE };
    assert.deepEqual(parseHandshake(b('hub_mode=other&hub_challenge=x'), 'application/x-www-form-urlencoded', query), want);
  });

  it('a query without hub params does not hide a body handshake', () => {
    assert.deepEqual(parseHandshake(b(FORM), 'application/x-www-form-urlencoded', { foo: 'bar' }), want);
  });

  it('dotted hub.mode spelling: form, JSON and query', () => {
    const dotted = `hub.mode=subscribe&hub.verify_token=${KEY}&hub.challenge=${CHALLENGE}`;
    assert.deepEqual(parseHandshake(b(dotted), 'application/x-www-form-urlencoded'), want);
    const json = JSON.stringify({ 'hub.mode': 'subscribe', 'hub.verify_token': KEY, 'hub.challenge': CHALLENGE });
    assert.deepEqual(parseHandshake(b(json), 'application/json'), want);
    assert.deepEqual(parseHandshake(Buffer.alloc(0), undefined, { 'hub.mode': 'subscribe', 'hub.verify_token': KEY, 'hub.challenge': CHALLENGE }), want);
  });

  it('missing token / challenge become empty strings', () => {
    assert.deepEqual(parseHandshake(b('hub_mode=subscribe'), 'application/x-www-form-urlencoded'), {
      mode: 'subscribe',
      verifyToken: '',
      challenge: '',
    });
  });

  it('a non-handshake JSON body (an outgoing reply) → null', () => {
    assert.equal(parseHandshake(b(pageText('outgoing-text')), 'application/json'), null);
    assert.equal(parseHandshake(b(pageText('outgoing-generic-template')), undefined), null);
  });

  it('a reply whose text merely mentions hub_mode → null', () => {
    const reply = JSON.stringify({ sender_id: 'u', conv_id: 1, text: 'hub_mode=subscribe', type: 'text', message_type: 'outgoing', private: false });
    assert.equal(mayBeHandshake(b(reply), undefined), true, 'the cheap test lets it through');
    assert.equal(parseHandshake(b(reply), 'application/json'), null, 'the parse does not');
  });

  it('empty body → null', () => {
    assert.equal(parseHandshake(Buffer.alloc(0), undefined), null);
    assert.equal(parseHandshake(b('   \n'), 'application/x-www-form-urlencoded'), null);
    assert.equal(parseHandshake(Buffer.alloc(0), undefined, {}), null);
  });

  it('broken JSON, JSON null-ish and other content types → null', () => {
    assert.equal(parseHandshake(b('{"hub_mode": "subscribe"'), 'application/json'), null);
    assert.equal(parseHandshake(b('[1,2]'), 'application/json'), null);
    assert.equal(parseHandshake(b(FORM), 'application/octet-stream'), null);
    assert.equal(parseHandshake(b('a=1&b=2'), 'application/x-www-form-urlencoded'), null);
  });
});

describe('mayBeHandshake', () => {
  it('true for bodies mentioning hub_mode or hub.mode', () => {
    assert.equal(mayBeHandshake(b(FORM), undefined), true);
    assert.equal(mayBeHandshake(b('{"hub.mode":"subscribe"}'), {}), true);
  });

  it('true for a query carrying hub_mode or hub.mode, whatever the body', () => {
    assert.equal(mayBeHandshake(Buffer.alloc(0), { hub_mode: 'subscribe' }), true);
    assert.equal(mayBeHandshake(Buffer.alloc(0), { 'hub.mode': 'subscribe' }), true);
  });

  it('false for an ordinary reply and an empty body', () => {
    assert.equal(mayBeHandshake(b(pageText('outgoing-text')), undefined), false);
    assert.equal(mayBeHandshake(Buffer.alloc(0), { other: '1' }), false);
  });

  it('true for a big body too: a challenge over 4 KB is still a handshake', () => {
    assert.equal(mayBeHandshake(b(`${FORM}&pad=${'x'.repeat(5000)}`), undefined), true);
  });
});

describe('answerHandshake', () => {
  it('right token → the bare challenge', () => {
    assert.deepEqual(answerHandshake(want, KEY), { ok: true, challenge: CHALLENGE });
  });

  it('end to end from a form body', () => {
    const h = parseHandshake(b(FORM), 'application/x-www-form-urlencoded');
    assert.ok(h);
    assert.deepEqual(answerHandshake(h, KEY), { ok: true, challenge: CHALLENGE });
  });

  it('wrong token (same length) → wrong handshake token, no challenge', () => {
    const r = answerHandshake({ ...want, verifyToken: 'VERIFICATION_TOKEX' }, KEY);
    assert.deepEqual(r, { ok: false, reason: 'wrong handshake token' });
    assert.equal('challenge' in r, false);
  });

  it('wrong length token → wrong handshake token (no throw from timingSafeEqual)', () => {
    assert.deepEqual(answerHandshake({ ...want, verifyToken: 'short' }, KEY), { ok: false, reason: 'wrong handshake token' });
    assert.deepEqual(answerHandshake({ ...want, verifyToken: `${KEY}!` }, KEY), { ok: false, reason: 'wrong handshake token' });
    assert.deepEqual(answerHandshake({ ...want, verifyToken: '' }, KEY), { ok: false, reason: 'wrong handshake token' });
  });

  it('token comparison is by bytes (multi-byte characters)', () => {
    assert.deepEqual(answerHandshake({ ...want, verifyToken: 'clé' }, 'clé'), { ok: true, challenge: CHALLENGE });
    // 'é' is 2 bytes: same character count, different byte length.
    assert.deepEqual(answerHandshake({ ...want, verifyToken: 'clé' }, 'cle'), { ok: false, reason: 'wrong handshake token' });
  });

  it('a mode other than subscribe is refused even with the right token', () => {
    assert.deepEqual(answerHandshake({ ...want, mode: 'unsubscribe' }, KEY), { ok: false, reason: 'unexpected hub_mode' });
    assert.deepEqual(answerHandshake({ ...want, mode: 'Subscribe' }, KEY), { ok: false, reason: 'unexpected hub_mode' });
  });
});
