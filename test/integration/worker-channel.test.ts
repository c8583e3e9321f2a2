// Correctness at volume (issue 9), not timed: 10,000 signed deliveries for 500 conversations,
// POSTed concurrently and shuffled to the real listener over real sockets, each read back by
// its own RemoteInbox feed over the token-protected worker channel (SSE). Every delivery must
// arrive exactly once, under its own conversation; nothing orphaned, nothing rejected.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Agent, request } from 'undici';
import { MemoryStore, RemoteInbox, startControlServer, startListener, type ConversationFeed } from '../../src/inbox/index.ts';
import { buildTextReply, sign, SIGNATURE_HEADER, type BotMessage } from '../../src/protocol/index.ts';
import { deferred, seeded, shuffle } from '../inbox/helpers.ts';

const SECRET = 'volume-secret-2b7d';
const CONVERSATIONS = 500;
const PER_CONVERSATION = 20;

test(`${CONVERSATIONS * PER_CONVERSATION} deliveries across ${CONVERSATIONS} conversations through the worker channel: each filed once, under its conversation`, { timeout: 300_000 }, async () => {
  const store = new MemoryStore();
  const listener = await startListener({ secret: SECRET, store });
  const control = await startControlServer(store);
  const inbox = new RemoteInbox(control.url, { token: control.token });
  const senders = Array.from({ length: CONVERSATIONS }, (_, i) => `vol-${i}-${(i * 7919).toString(36)}`);
  const got = new Map<string, BotMessage[]>(senders.map((s) => [s, []]));
  const all = deferred<void>();
  let total = 0;
  const feeds: ConversationFeed[] = [];
  const agent = new Agent({ connections: 32 });
  try {
    for (let i = 0; i < senders.length; i += 50) {
      feeds.push(
        ...(await Promise.all(
          senders.slice(i, i + 50).map((s) =>
            inbox.open(s, (m) => {
              got.get(s)!.push(m);
              if (++total === CONVERSATIONS * PER_CONVERSATION) all.resolve();
            }),
          ),
        )),
      );
    }
    const deliveries = senders.flatMap((sender, c) =>
      Array.from({ length: PER_CONVERSATION }, (_, r) => JSON.stringify(buildTextReply({ sender_id: sender, conv_id: 10_000 + c }, `${sender}#${r}`))),
    );
    const order = shuffle(deliveries, seeded(0x9e3779b9));
    const statuses = new Map<number, number>();
    for (let i = 0; i < order.length; i += 500) {
      await Promise.all(
        order.slice(i, i + 500).map(async (body) => {
          const res = await request(listener.localUrl, { method: 'POST', dispatcher: agent, headers: { 'content-type': 'application/json', [SIGNATURE_HEADER]: sign(body, SECRET) }, body });
          await res.body.dump();
          statuses.set(res.statusCode, (statuses.get(res.statusCode) ?? 0) + 1);
        }),
      );
    }
    assert.deepEqual([...statuses], [[200, CONVERSATIONS * PER_CONVERSATION]]);
    await all.promise;
    assert.equal(store.orphans().length, 0, 'nothing orphaned');
    assert.equal(store.rejections().count, 0, 'nothing rejected');
    for (const [c, sender] of senders.entries()) {
      const messages = got.get(sender)!;
      const texts = messages.map((m) => (m.kind === 'text' ? m.text : `<${m.kind}>`));
      assert.equal(messages.length, PER_CONVERSATION, `${sender} got ${messages.length}`);
      assert.equal(new Set(texts).size, PER_CONVERSATION, `${sender}: a delivery came twice`);
      for (const m of messages) {
        assert.equal(m.sender_id, sender, 'filed under its own conversation');
        assert.equal(m.conv_id, 10_000 + c);
      }
      const filed = store.messages(sender).map((m) => (m.kind === 'text' ? m.text : ''));
      assert.deepEqual(texts, filed, `${sender}: the feed's order is the order they were filed in`);
      assert.deepEqual([...texts].sort(), Array.from({ length: PER_CONVERSATION }, (_, r) => `${sender}#${r}`).sort());
    }
  } finally {
    await Promise.all(feeds.map((f) => f.close()));
    await inbox.close();
    await agent.close();
    await control.close();
    await listener.close();
  }
});
