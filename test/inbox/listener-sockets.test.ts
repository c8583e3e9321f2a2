// The listener on a real loopback socket: many conversations' replies, concurrent and shuffled.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { Agent, request } from 'undici';
import { MemoryStore, startListener } from '../../src/inbox/index.ts';
import { buildTextReply, sign, SIGNATURE_HEADER } from '../../src/protocol/index.ts';
import { seeded, shuffle } from './helpers.ts';
import { closeAfter } from '../support/close-after.ts';

const SECRET = 'sockets-secret-91b2';
// More than the 64 connections the load uses, so every socket carries several deliveries;
// more would only make the unit suite slower (the ingest benchmark measures volume).
const CONVERSATIONS = 80;

describe('listener over real sockets', () => {
  it('startListener binds 127.0.0.1 on a free port and reports its URLs', async (t) => {
    const store = new MemoryStore();
    const listener = await startListener({ secret: SECRET, store, path: '/hook/x' });
    closeAfter(t, listener);
    assert.match(listener.origin, /^http:\/\/127\.0\.0\.1:\d+$/);
    assert.notEqual(listener.origin, 'http://127.0.0.1:0');
    assert.equal(listener.localUrl, `${listener.origin}/hook/x`);
    const res = await request(`${listener.localUrl}?hub_mode=subscribe&hub_verify_token=${SECRET}&hub_challenge=abc123`);
    assert.equal(res.statusCode, 200);
    assert.equal(await res.body.text(), 'abc123');
  });

  it(`${CONVERSATIONS} conversations × 5 replies, sent concurrently in shuffled order: each filed under its own sender, none lost or misfiled`, async (t) => {
    const store = new MemoryStore();
    const listener = await startListener({ secret: SECRET, store });
    const agent = new Agent({ connections: 64, pipelining: 1 });
    closeAfter(t, agent, listener);
    const senders = Array.from({ length: CONVERSATIONS }, (_, i) => `user-${i}-${(i * 7919).toString(36)}`);
    for (const s of senders) store.register(s);
    const deliveries = senders.flatMap((sender, c) =>
      Array.from({ length: 5 }, (_, r) => ({ sender, text: `${sender} reply ${r}`, body: JSON.stringify(buildTextReply({ sender_id: sender, conv_id: 1000 + c }, `${sender} reply ${r}`)) })),
    );
    const order = shuffle(deliveries, seeded(20240601));
    const statuses = await Promise.all(
      order.map(async (d) => {
        const res = await request(listener.localUrl, {
          method: 'POST',
          dispatcher: agent,
          headers: { 'content-type': 'application/json', [SIGNATURE_HEADER]: sign(d.body, SECRET) },
          body: d.body,
        });
        await res.body.dump();
        return res.statusCode;
      }),
    );
    assert.deepEqual(new Set(statuses), new Set([200]));
    assert.equal(store.orphans().length, 0);
    assert.equal(store.rejections().count, 0);
    let total = 0;
    for (const [c, sender] of senders.entries()) {
      const filed = store.messages(sender);
      total += filed.length;
      assert.equal(filed.length, 5, `${sender} has ${filed.length} replies`);
      for (const m of filed) {
        assert.equal(m.sender_id, sender);
        assert.equal(m.conv_id, 1000 + c);
        assert.ok(m.kind === 'text' && m.text.startsWith(`${sender} reply `), `misfiled: ${JSON.stringify(m.raw)}`);
      }
      const texts = filed.map((m) => (m.kind === 'text' ? m.text : '')).sort();
      assert.deepEqual(texts, [0, 1, 2, 3, 4].map((r) => `${sender} reply ${r}`), 'each reply exactly once');
      // Filed in arrival order: arrived_at never goes backwards within a conversation.
      for (let i = 1; i < filed.length; i++) assert.ok(filed[i]!.arrived_at >= filed[i - 1]!.arrived_at);
    }
    assert.equal(total, CONVERSATIONS * 5);
  });

  it('bad signatures over the wire are refused and counted while good ones go through', async (t) => {
    const store = new MemoryStore();
    const listener = await startListener({ secret: SECRET, store });
    closeAfter(t, listener);
    store.register('w');
    const body = JSON.stringify(buildTextReply({ sender_id: 'w', conv_id: 1 }, 'hi'));
    const send = async (sig: string) => {
      const res = await request(listener.localUrl, { method: 'POST', headers: { 'content-type': 'application/json', [SIGNATURE_HEADER]: sig }, body });
      return { status: res.statusCode, text: await res.body.text() };
    };
    const results = await Promise.all([send(sign(body, 'wrong')), send(sign(body, SECRET)), send(sign(body, 'wrong')), send(sign(body, 'nope'))]);
    assert.deepEqual(
      results.map((r) => r.status),
      [401, 200, 401, 401],
    );
    assert.equal(results[0]!.text, 'bad signature');
    assert.equal(store.messages('w').length, 1);
    assert.deepEqual(store.rejections().byReason, { 'bad signature': 3 });
  });
});
