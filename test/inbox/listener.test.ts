// The platform-facing webhook listener, exercised in-process with fastify's inject() (no sockets).
import { describe, it, after } from 'node:test';
import assert from 'node:assert/strict';
import { createHmac, randomBytes } from 'node:crypto';
import type { FastifyInstance } from 'fastify';
import { MemoryStore, buildListener, DEFAULT_BODY_LIMIT } from '../../src/inbox/index.ts';
import { buildButtonReply, buildMediaReply, buildTextReply, sign, SIGNATURE_HEADER } from '../../src/protocol/index.ts';
import { seeded } from './helpers.ts';

const SECRET = 'whsec-listener-test-7f3a';
const CHALLENGE = '205c40409f9bcdeb9e00614b442c5fdd';

const apps: FastifyInstance[] = [];
after(async () => {
  await Promise.all(apps.map((a) => a.close()));
});

/** A listener on a fresh store, closed when the file is done; `senders` are registered, as open conversations would be. */
function setup(options: { path?: string; bodyLimit?: number; senders?: string[] } = {}): { app: FastifyInstance; store: MemoryStore } {
  const { senders = [], ...listenerOptions } = options;
  const store = new MemoryStore();
  for (const s of senders) store.register(s);
  const app = buildListener({ secret: SECRET, store, ...listenerOptions });
  apps.push(app);
  return { app, store };
}

/** The JSON body the platform posts for a text reply. */
const textBody = (sender_id: string, text: string, conv_id = 1): string => JSON.stringify(buildTextReply({ sender_id, conv_id }, text));

function signedPost(app: FastifyInstance, body: string | Buffer, extra: { path?: string; headers?: Record<string, string> } = {}) {
  return app.inject({
    method: 'POST',
    url: extra.path ?? '/webhook',
    headers: { 'content-type': 'application/json', [SIGNATURE_HEADER]: sign(body, SECRET), ...extra.headers },
    payload: body,
  });
}

describe('listener: signed deliveries', () => {
  it('a good signature → 200 and the reply is filed under its sender', async () => {
    const { app, store } = setup({ senders: ['u-1'] });
    const body = textBody('u-1', 'Hello there', 42);
    const res = await signedPost(app, body);
    assert.equal(res.statusCode, 200);
    assert.equal(res.body, 'ok');
    const [m, ...rest] = store.messages('u-1');
    assert.equal(rest.length, 0);
    assert.equal(m!.kind, 'text');
    assert.equal(m!.kind === 'text' && m!.text, 'Hello there');
    assert.equal(m!.conv_id, 42);
    assert.equal(m!.private, false);
    assert.deepEqual(m!.raw, JSON.parse(body));
    assert.equal(typeof m!.arrived_at, 'number');
    assert.ok(Math.abs(m!.arrived_at - Date.now()) < 5_000);
    assert.equal(store.rejections().count, 0);
  });

  it('button and media replies are normalised', async () => {
    const { app, store } = setup({ senders: ['u-2'] });
    const to = { sender_id: 'u-2', conv_id: 7 };
    assert.equal((await signedPost(app, JSON.stringify(buildButtonReply(to, 'Pick', [{ title: 'A' }, { title: 'B', payload: 'b' }])))).statusCode, 200);
    assert.equal((await signedPost(app, JSON.stringify(buildMediaReply(to, 'image', 'https://x.test/a.png')))).statusCode, 200);
    const [buttons, image] = store.messages('u-2');
    assert.equal(buttons!.kind, 'buttons');
    assert.deepEqual(
      buttons!.kind === 'buttons' && buttons!.buttons.map((b) => [b.title, b.payload]),
      [
        ['A', 'A'],
        ['B', 'b'],
      ],
    );
    assert.equal(image!.kind, 'image');
    assert.equal(image!.kind === 'image' && image!.url, 'https://x.test/a.png');
  });

  it('the signature covers the exact bytes: pretty-printed JSON verifies, its compact re-serialisation would not', async () => {
    const { app, store } = setup({ senders: ['u-3'] });
    const pretty = JSON.stringify(buildTextReply({ sender_id: 'u-3', conv_id: 1 }, 'spaced  out'), null, 2) + '\n';
    const res = await signedPost(app, pretty);
    assert.equal(res.statusCode, 200, res.body);
    assert.equal(store.messages('u-3').length, 1);

    // Signed over the pretty bytes, but the compact form is sent: must fail.
    const compact = JSON.stringify(JSON.parse(pretty));
    const res2 = await app.inject({
      method: 'POST',
      url: '/webhook',
      headers: { 'content-type': 'application/json', [SIGNATURE_HEADER]: sign(pretty, SECRET) },
      payload: compact,
    });
    assert.equal(res2.statusCode, 401);
    assert.equal(store.messages('u-3').length, 1);
  });

  it('non-ASCII bytes are verified as sent (UTF-8), and kept intact', async () => {
    const { app, store } = setup({ senders: ['u-ü'] });
    const body = Buffer.from(textBody('u-ü', 'Grüße 👋 — ok'), 'utf8');
    const res = await signedPost(app, body, { headers: { 'content-type': 'application/json; charset=utf-8' } });
    assert.equal(res.statusCode, 200, res.body);
    const m = store.messages('u-ü')[0]!;
    assert.equal(m.kind === 'text' && m.text, 'Grüße 👋 — ok');
  });

  it('a reply without a content-type header still verifies and is stored', async () => {
    const { app, store } = setup({ senders: ['u-4'] });
    const body = textBody('u-4', 'no ct');
    const res = await app.inject({ method: 'POST', url: '/webhook', headers: { [SIGNATURE_HEADER]: sign(body, SECRET) }, payload: body });
    assert.equal(res.statusCode, 200, res.body);
    assert.equal(store.messages('u-4').length, 1);
  });

  it('other content types (text/plain, form) are read as raw bytes too', async () => {
    const { app, store } = setup({ senders: ['u-5'] });
    for (const ct of ['text/plain', 'application/x-www-form-urlencoded', 'application/octet-stream']) {
      const body = textBody('u-5', ct);
      const res = await signedPost(app, body, { headers: { 'content-type': ct } });
      assert.equal(res.statusCode, 200, `${ct}: ${res.body}`);
    }
    assert.deepEqual(
      store.messages('u-5').map((m) => m.kind === 'text' && m.text),
      ['text/plain', 'application/x-www-form-urlencoded', 'application/octet-stream'],
    );
  });

  it('unknown fields are kept in raw', async () => {
    const { app, store } = setup({ senders: ['u-6'] });
    const body = JSON.stringify({ ...buildTextReply({ sender_id: 'u-6', conv_id: 1 }, 'hi'), brand_new_field: { nested: [1, 2] }, trace: 'abc' });
    assert.equal((await signedPost(app, body)).statusCode, 200);
    const m = store.messages('u-6')[0]!;
    assert.equal(m.kind, 'text');
    assert.deepEqual((m.raw as Record<string, unknown>).brand_new_field, { nested: [1, 2] });
    assert.equal((m.raw as Record<string, unknown>).trace, 'abc');
  });

  it('a private note is stored with private true', async () => {
    const { app, store } = setup({ senders: ['u-7'] });
    const body = JSON.stringify(buildTextReply({ sender_id: 'u-7', conv_id: 1, private: true }, 'agent note'));
    assert.equal((await signedPost(app, body)).statusCode, 200);
    const m = store.messages('u-7')[0]!;
    assert.equal(m.private, true);
    assert.equal(m.kind === 'text' && m.text, 'agent note');
  });

  it('an unknown but signed shape → 200, stored as kind "unknown" with the raw body', async () => {
    const { app, store } = setup({ senders: ['u-8'] });
    const raw = { sender_id: 'u-8', conv_id: 3, message_type: 'outgoing', type: 'sticker', sticker_id: 'st_99', private: false };
    const res = await signedPost(app, JSON.stringify(raw));
    assert.equal(res.statusCode, 200);
    const m = store.messages('u-8')[0]!;
    assert.equal(m.kind, 'unknown');
    assert.deepEqual(m.raw, raw);
    assert.match(m.kind === 'unknown' ? m.reason : '', /sticker/);
    assert.equal(store.rejections().count, 0);
  });

  it('signed JSON that is not an object (array, number, null) is accepted as an unknown orphan', async () => {
    const { app, store } = setup();
    for (const body of ['[1,2]', '42', 'null', '"str"']) {
      const res = await signedPost(app, body);
      assert.equal(res.statusCode, 200, body);
    }
    assert.equal(store.orphans().length, 4);
    assert.ok(store.orphans().every((m) => m.kind === 'unknown' && m.sender_id === null));
    assert.deepEqual(
      store.orphans().map((m) => m.raw),
      [[1, 2], 42, null, 'str'],
    );
  });

  it('a reply for an unregistered sender → 200 and kept as an orphan', async () => {
    const { app, store } = setup();
    const res = await signedPost(app, textBody('nobody', 'late'));
    assert.equal(res.statusCode, 200);
    assert.equal(store.orphans().length, 1);
    assert.equal(store.orphans()[0]!.sender_id, 'nobody');
  });

  it('numeric sender_id is filed under its string form', async () => {
    const { app, store } = setup({ senders: ['12345'] });
    const res = await signedPost(app, JSON.stringify({ sender_id: 12345, conv_id: 1, message_type: 'outgoing', type: 'text', text: 'num', private: false }));
    assert.equal(res.statusCode, 200);
    assert.equal(store.messages('12345').length, 1);
  });
});

describe('listener: rejected deliveries', () => {
  const body = textBody('u-r', 'payload');
  const hex = (key: string, b: string = body) => createHmac('sha256', key).update(b).digest('hex');
  const cases: Array<[string, Record<string, string>, string]> = [
    ['bad signature (wrong key)', { [SIGNATURE_HEADER]: `sha256=${hex('another key')}` }, 'bad signature'],
    ['bad signature (other body)', { [SIGNATURE_HEADER]: `sha256=${hex(SECRET, body + ' ')}` }, 'bad signature'],
    ['missing signature', {}, 'missing signature'],
    ['empty signature', { [SIGNATURE_HEADER]: '' }, 'missing signature'],
    ['unprefixed signature', { [SIGNATURE_HEADER]: hex(SECRET) }, 'unprefixed signature'],
    ['malformed signature (short)', { [SIGNATURE_HEADER]: 'sha256=abc' }, 'malformed signature'],
    ['malformed signature (garbage)', { [SIGNATURE_HEADER]: 'totally wrong' }, 'malformed signature'],
    ['malformed signature (sha1 prefix)', { [SIGNATURE_HEADER]: `sha1=${hex(SECRET)}` }, 'malformed signature'],
  ];
  for (const [name, headers, reason] of cases) {
    it(`${name} → 401 "${reason}", counted, nothing stored`, async () => {
      const { app, store } = setup({ senders: ['u-r'] });
      const res = await app.inject({ method: 'POST', url: '/webhook', headers: { 'content-type': 'application/json', ...headers }, payload: body });
      assert.equal(res.statusCode, 401);
      assert.equal(res.body, reason);
      assert.deepEqual(store.messages('u-r'), []);
      assert.deepEqual(store.orphans(), []);
      const s = store.rejections();
      assert.equal(s.count, 1);
      assert.deepEqual(s.byReason, { [reason]: 1 });
      assert.equal(s.last[0]!.status, 401);
      assert.equal(s.last[0]!.excerpt, body.slice(0, 200));
      // Never a header value (the signature) in the log.
      const sig = headers[SIGNATURE_HEADER];
      if (sig) assert.ok(!JSON.stringify(s).includes(sig), 'the signature header is not logged');
    });
  }

  it('signed malformed JSON → 400 "malformed JSON", counted with an excerpt; the listener keeps working', async () => {
    const { app, store } = setup({ senders: ['u-m'] });
    const bad = '{"sender_id":"u-m", "conv_id": 1, oops';
    const res = await signedPost(app, bad);
    assert.equal(res.statusCode, 400);
    assert.equal(res.body, 'malformed JSON');
    assert.deepEqual(store.rejections().byReason, { 'malformed JSON': 1 });
    assert.equal(store.rejections().last[0]!.excerpt, bad);
    assert.deepEqual(store.messages('u-m'), []);
    assert.deepEqual(store.orphans(), []);
    const ok = await signedPost(app, textBody('u-m', 'after'));
    assert.equal(ok.statusCode, 200);
    assert.equal(store.messages('u-m').length, 1);
  });

  it('an empty signed body → 400 malformed JSON', async () => {
    const { app, store } = setup();
    const res = await signedPost(app, '');
    assert.equal(res.statusCode, 400);
    assert.deepEqual(store.rejections().byReason, { 'malformed JSON': 1 });
  });

  it('a body over 1 MiB → 413, counted as "body too large", nothing stored', async () => {
    const { app, store } = setup({ senders: ['u-big'] });
    assert.equal(DEFAULT_BODY_LIMIT, 1024 * 1024);
    const big = textBody('u-big', 'x'.repeat(DEFAULT_BODY_LIMIT));
    const res = await signedPost(app, big);
    assert.equal(res.statusCode, 413);
    assert.match(res.body, /^body too large: a delivery exceeded the 1 MiB body limit/);
    assert.deepEqual(store.rejections().byReason, { 'body too large': 1 });
    assert.equal(store.rejections().last[0]!.status, 413);
    assert.deepEqual(store.messages('u-big'), []);
    // Just under the limit is fine.
    const fits = textBody('u-big', 'y');
    const padded = fits.slice(0, -1) + ' '.repeat(DEFAULT_BODY_LIMIT - fits.length) + '}';
    assert.equal(Buffer.byteLength(padded), DEFAULT_BODY_LIMIT);
    assert.equal((await signedPost(app, padded)).statusCode, 200);
    assert.equal(store.messages('u-big').length, 1);
  });

  it('a custom bodyLimit is honoured', async () => {
    const { app, store } = setup({ bodyLimit: 100 });
    const res = await signedPost(app, textBody('u', 'z'.repeat(200)));
    assert.equal(res.statusCode, 413);
    assert.deepEqual(store.rejections().byReason, { 'body too large': 1 });
  });

  it('a wrong path → 404 counted as "wrong path" (query string not logged)', async () => {
    const { app, store } = setup();
    const res = await signedPost(app, textBody('u', 'hi'), { path: '/hook?token=abc' });
    assert.equal(res.statusCode, 404);
    assert.match(res.body, /\/webhook/);
    const s = store.rejections();
    assert.deepEqual(s.byReason, { 'wrong path': 1 });
    assert.equal(s.last[0]!.excerpt, 'POST /hook');
    assert.deepEqual(store.orphans(), []);
  });

  it('GET without a handshake → 405, nothing stored, counted as rejected', async () => {
    const { app, store } = setup();
    const res = await app.inject({ method: 'GET', url: '/webhook' });
    assert.equal(res.statusCode, 405);
    assert.deepEqual(store.orphans(), []);
    assert.deepEqual(store.rejections().byReason, { 'method not allowed': 1 });
  });
});

describe('listener: custom path', () => {
  it('serves the configured path only', async () => {
    const { app, store } = setup({ path: '/hooks/apichat-7', senders: ['u-p'] });
    const body = textBody('u-p', 'custom');
    assert.equal((await signedPost(app, body, { path: '/hooks/apichat-7' })).statusCode, 200);
    const wrong = await signedPost(app, body, { path: '/webhook' });
    assert.equal(wrong.statusCode, 404);
    assert.match(wrong.body, /\/hooks\/apichat-7/);
    assert.equal(store.messages('u-p').length, 1);
    assert.deepEqual(store.rejections().byReason, { 'wrong path': 1 });
    const hs = await app.inject({ method: 'GET', url: `/hooks/apichat-7?hub_mode=subscribe&hub_verify_token=${SECRET}&hub_challenge=${CHALLENGE}` });
    assert.equal(hs.statusCode, 200);
    assert.equal(hs.body, CHALLENGE);
  });
});

describe('listener: verification handshake', () => {
  const form = `hub_mode=subscribe&hub_verify_token=${encodeURIComponent(SECRET)}&hub_challenge=${CHALLENGE}`;

  const expectChallenge = (res: { statusCode: number; body: string; headers: Record<string, unknown> }) => {
    assert.equal(res.statusCode, 200, res.body);
    assert.equal(res.body, CHALLENGE);
    assert.match(String(res.headers['content-type']), /^text\/plain/);
  };

  it('form body → 200 text/plain with the bare challenge', async () => {
    const { app, store } = setup();
    expectChallenge(await app.inject({ method: 'POST', url: '/webhook', headers: { 'content-type': 'application/x-www-form-urlencoded' }, payload: form }));
    assert.equal(store.rejections().count, 0);
    assert.deepEqual(store.orphans(), [], 'a handshake is not a message');
  });

  it('JSON body → 200 with the bare challenge', async () => {
    const { app } = setup();
    const payload = JSON.stringify({ hub_mode: 'subscribe', hub_verify_token: SECRET, hub_challenge: CHALLENGE });
    expectChallenge(await app.inject({ method: 'POST', url: '/webhook', headers: { 'content-type': 'application/json' }, payload }));
  });

  it('dotted hub.* JSON spelling works too', async () => {
    const { app } = setup();
    const payload = JSON.stringify({ 'hub.mode': 'subscribe', 'hub.verify_token': SECRET, 'hub.challenge': CHALLENGE });
    expectChallenge(await app.inject({ method: 'POST', url: '/webhook', headers: { 'content-type': 'application/json' }, payload }));
  });

  it('query string on POST and on GET → 200 with the bare challenge', async () => {
    const { app } = setup();
    expectChallenge(await app.inject({ method: 'POST', url: `/webhook?${form}` }));
    expectChallenge(await app.inject({ method: 'GET', url: `/webhook?${form}` }));
    expectChallenge(await app.inject({ method: 'GET', url: `/webhook?hub.mode=subscribe&hub.verify_token=${encodeURIComponent(SECRET)}&hub.challenge=${CHALLENGE}` }));
  });

  it('form body without a content-type header', async () => {
    const { app } = setup();
    expectChallenge(await app.inject({ method: 'POST', url: '/webhook', payload: form }));
  });

  it('wrong token → 403, counted, and the challenge is not in the body', async () => {
    const { app, store } = setup();
    const bad = `hub_mode=subscribe&hub_verify_token=nope&hub_challenge=${CHALLENGE}`;
    const responses = [
      await app.inject({ method: 'POST', url: '/webhook', headers: { 'content-type': 'application/x-www-form-urlencoded' }, payload: bad }),
      await app.inject({ method: 'GET', url: `/webhook?${bad}` }),
      await app.inject({
        method: 'POST',
        url: '/webhook',
        headers: { 'content-type': 'application/json' },
        payload: JSON.stringify({ hub_mode: 'subscribe', hub_verify_token: SECRET.slice(0, -1), hub_challenge: CHALLENGE }),
      }),
      await app.inject({ method: 'GET', url: `/webhook?hub_mode=subscribe&hub_challenge=${CHALLENGE}` }),
    ];
    for (const res of responses) {
      assert.equal(res.statusCode, 403);
      assert.ok(!res.body.includes(CHALLENGE), res.body);
      assert.ok(!res.body.includes(SECRET), 'the secret is never echoed');
      assert.equal(res.body, 'wrong handshake token');
    }
    assert.deepEqual(store.rejections().byReason, { 'wrong handshake token': 4 });
    assert.ok(store.rejections().last.every((r) => r.status === 403));
  });

  it('hub_mode other than subscribe → 403 "unexpected hub_mode"', async () => {
    const { app, store } = setup();
    const res = await app.inject({ method: 'GET', url: `/webhook?hub_mode=unsubscribe&hub_verify_token=${SECRET}&hub_challenge=${CHALLENGE}` });
    assert.equal(res.statusCode, 403);
    assert.ok(!res.body.includes(CHALLENGE));
    assert.deepEqual(store.rejections().byReason, { 'unexpected hub_mode': 1 });
  });

  it('a signed reply whose text mentions hub_mode is still a reply, not a handshake', async () => {
    const { app, store } = setup({ senders: ['u-h'] });
    const body = textBody('u-h', 'set hub_mode=subscribe please');
    const res = await signedPost(app, body);
    assert.equal(res.statusCode, 200);
    assert.equal(res.body, 'ok');
    assert.equal(store.messages('u-h').length, 1);
  });
});

describe('listener: fuzzing with garbage', () => {
  it('300 random bodies with random headers never crash it: every answer is 2xx or 4xx', async () => {
    const { app, store } = setup({ senders: ['fz'] });
    const rand = seeded(0xc0ffee);
    const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rand() * xs.length)]!;
    const contentTypes = [undefined, 'application/json', 'text/plain', 'application/x-www-form-urlencoded', 'multipart/form-data; boundary=x', 'application/json; charset=latin1', '*/*', 'x/y', 'garbage'];
    const methods = ['POST', 'POST', 'POST', 'POST', 'POST', 'GET', 'PUT', 'DELETE', 'PATCH'] as const;
    const paths = ['/webhook', '/webhook', '/webhook', '/webhook', '/webhook', '/webhook', '/webhook?hub_mode=subscribe', '/webhook?hub.mode=x&hub_challenge=1', '/other', '/webhook/', '/webhook?a=%zz'];
    const statuses: number[] = [];
    let signedCount = 0;
    for (let i = 0; i < 300; i++) {
      const kind = rand();
      let payload: Buffer;
      if (kind < 0.5) payload = randomBytes(Math.floor(rand() * 2048));
      else if (kind < 0.65) payload = Buffer.from(`hub_mode=${rand() < 0.5 ? 'subscribe' : randomBytes(4).toString('hex')}&hub_verify_token=${rand() < 0.5 ? SECRET : 'x'}&hub_challenge=c${i}`);
      else if (kind < 0.8) payload = Buffer.from(JSON.stringify({ sender_id: rand() < 0.5 ? 'fz' : i, conv_id: i, junk: randomBytes(8).toString('base64') }).slice(0, Math.floor(rand() * 80) + 1));
      else payload = Buffer.from(textBody('fz', `fuzz ${i}`, i));
      const headers: Record<string, string> = {};
      const ct = pick(contentTypes);
      if (ct) headers['content-type'] = ct;
      const sigRoll = rand();
      if (sigRoll < 0.5) {
        headers[SIGNATURE_HEADER] = sign(payload, SECRET);
        signedCount++;
      } else if (sigRoll < 0.6) headers[SIGNATURE_HEADER] = `sha256=${randomBytes(32).toString('hex')}`;
      else if (sigRoll < 0.75) headers[SIGNATURE_HEADER] = randomBytes(10).toString('base64');
      if (rand() < 0.2) headers['content-encoding'] = pick(['gzip', 'identity', 'br', 'nonsense']);
      if (rand() < 0.1) headers['x-random-' + i] = randomBytes(6).toString('hex');
      const method = pick(methods);
      const res = await app.inject({ method, url: pick(paths), headers, ...(method === 'GET' ? {} : { payload }) });
      statuses.push(res.statusCode);
      assert.ok((res.statusCode >= 200 && res.statusCode < 300) || (res.statusCode >= 400 && res.statusCode < 500), `#${i}: ${method} → ${res.statusCode} ${res.body}`);
    }
    assert.ok(signedCount > 50, 'a fair share was signed');
    const seen = new Set(statuses);
    for (const code of [200, 400, 401, 403, 404]) assert.ok(seen.has(code), `the fuzz reached ${code} (saw ${[...seen].sort().join(', ')})`);
    // Still healthy afterwards.
    const res = await signedPost(app, textBody('fz', 'still alive'));
    assert.equal(res.statusCode, 200);
    assert.ok(store.messages('fz').some((m) => m.kind === 'text' && m.text === 'still alive'));
    const s = store.rejections();
    // Every 4xx is in the rejection log, 405 (a GET or PUT that is no handshake) included.
    assert.equal(s.count, statuses.filter((x) => x >= 400).length, 'every refused delivery was counted as a rejection');
  });
});
