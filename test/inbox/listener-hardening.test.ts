// The public listener's hardening (issue 9): signature first (a signed delivery is a reply
// whatever fields it has; only unsigned requests can be the handshake), long challenges, every
// refused request counted with a fix, and stalled sockets closed (real sockets for those).
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { connect, type Socket } from 'node:net';
import { MemoryStore, buildListener, describeRejections, startListener } from '../../src/inbox/index.ts';
import { buildTextReply, sign, SIGNATURE_HEADER } from '../../src/protocol/index.ts';
import { closeAfter } from '../support/close-after.ts';

const SECRET = 'whsec-hardening-5c1e';

describe('listener: signature first', () => {
  it('a correctly signed reply with a top-level hub_mode field is a reply (200, filed), not a handshake', async (t) => {
    const store = new MemoryStore();
    const app = buildListener({ secret: SECRET, store });
    closeAfter(t, app);
    store.register('u-hub');
    const body = JSON.stringify({ ...buildTextReply({ sender_id: 'u-hub', conv_id: 1 }, 'hi'), hub_mode: 'subscribe', hub_challenge: 'x' });
    const res = await app.inject({ method: 'POST', url: '/webhook?hub_mode=subscribe', headers: { 'content-type': 'application/json', [SIGNATURE_HEADER]: sign(body, SECRET) }, payload: body });
    assert.equal(res.statusCode, 200);
    assert.equal(res.body, 'ok');
    assert.equal(store.messages('u-hub').length, 1);
    assert.equal(store.rejections().count, 0);
  });

  it('a request with a bad signature is a bad delivery even when it looks like a handshake', async (t) => {
    const store = new MemoryStore();
    const app = buildListener({ secret: SECRET, store });
    closeAfter(t, app);
    const body = JSON.stringify({ hub_mode: 'subscribe', hub_verify_token: SECRET, hub_challenge: 'steal' });
    const res = await app.inject({ method: 'POST', url: '/webhook', headers: { 'content-type': 'application/json', [SIGNATURE_HEADER]: sign(body, 'other key') }, payload: body });
    assert.equal(res.statusCode, 401);
    assert.doesNotMatch(res.body, /steal/);
    assert.deepEqual(store.rejections().byReason, { 'bad signature': 1 });
  });

  it('an unsigned handshake with a challenge over 4 KB (JSON and form bodies) is answered', async (t) => {
    const store = new MemoryStore();
    const app = buildListener({ secret: SECRET, store });
    closeAfter(t, app);
    const challenge = 'c'.repeat(6_000);
    const json = JSON.stringify({ hub_mode: 'subscribe', hub_verify_token: SECRET, hub_challenge: challenge });
    const a = await app.inject({ method: 'POST', url: '/webhook', headers: { 'content-type': 'application/json' }, payload: json });
    assert.equal(a.statusCode, 200);
    assert.equal(a.body, challenge);
    const form = `hub_mode=subscribe&hub_verify_token=${SECRET}&hub_challenge=${challenge}`;
    const b = await app.inject({ method: 'POST', url: '/webhook', headers: { 'content-type': 'application/x-www-form-urlencoded' }, payload: form });
    assert.equal(b.body, challenge);
  });
});

describe('listener: refused requests are counted and say how to fix them', () => {
  it('GET and HEAD without a handshake, and PUT: 405, each counted as rejected', async (t) => {
    const store = new MemoryStore();
    const app = buildListener({ secret: SECRET, store });
    closeAfter(t, app);
    for (const method of ['GET', 'HEAD', 'PUT'] as const) {
      const res = await app.inject({ method, url: '/webhook' });
      assert.equal(res.statusCode, 405, method);
    }
    assert.deepEqual(store.rejections().byReason, { 'method not allowed': 3 });
    assert.match(describeRejections(store.rejections()) ?? '', /3× method not allowed — deliveries are POSTs/);
  });

  it('a garbage content-type: 415 with the fix in the answer and in the rejection summary', async (t) => {
    const store = new MemoryStore();
    const app = buildListener({ secret: SECRET, store });
    closeAfter(t, app);
    const body = JSON.stringify(buildTextReply({ sender_id: 'u', conv_id: 1 }, 'x'));
    const res = await app.inject({ method: 'POST', url: '/webhook', headers: { 'content-type': 'garbage', [SIGNATURE_HEADER]: sign(body, SECRET) }, payload: body });
    assert.equal(res.statusCode, 415);
    assert.match(res.body, /^bad content type: .*application\/json.*APICHAT_PUBLIC_URL/);
    assert.match(describeRejections(store.rejections()) ?? '', /1× bad content type — the Content-Type header is not a valid media type/);
  });
});

/** Resolves when the server closes the socket (no timer of our own: the server's timeout ends it). */
function closed(socket: Socket): Promise<void> {
  return new Promise((resolve) => {
    socket.on('error', () => {});
    socket.resume(); // read the server's 408 and FIN, or 'close' never comes
    socket.once('close', () => resolve());
  });
}

describe('listener: stalled connections are closed', () => {
  it('100 slow-header and 100 slow-body sockets are all closed by the server; the listener still answers', async (t) => {
    const store = new MemoryStore();
    const listener = await startListener({ secret: SECRET, store, timeouts: { headersMs: 200, requestMs: 400, idleMs: 800 } });
    const { port } = new URL(listener.origin);
    const ends: Array<Promise<void>> = [];
    const open = (): Promise<Socket> =>
      new Promise((resolve, reject) => {
        const s = connect(Number(port), '127.0.0.1', () => resolve(s));
        s.once('error', reject);
        ends.push(closed(s)); // before any timeout can fire
      });
    closeAfter(t, listener);
    const slowHeaders = await Promise.all(Array.from({ length: 100 }, open));
    for (const s of slowHeaders) s.write('POST /webhook HTTP/1.1\r\nHost: x\r\nX-Slow: ');
    const slowBodies = await Promise.all(Array.from({ length: 100 }, open));
    for (const s of slowBodies) s.write('POST /webhook HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 1000\r\n\r\n{"sender_id":');
    assert.equal(ends.length, 200);
    await Promise.all(ends);
    const body = JSON.stringify(buildTextReply({ sender_id: 'after', conv_id: 1 }, 'still here'));
    const res = await fetch(listener.localUrl, { method: 'POST', headers: { 'content-type': 'application/json', [SIGNATURE_HEADER]: sign(body, SECRET) }, body });
    assert.equal(res.status, 200);
  });
});
