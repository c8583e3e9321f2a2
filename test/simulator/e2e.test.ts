// Real sockets end to end: a node:http webhook registered through the partner API, user
// messages posted to the bot URL with undici, replies checked as they arrived (raw bytes,
// signatures, order). Synchronisation is sim.idle(), never a sleep.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { request } from 'undici';
import { buildAttachment, buildPostback, buildText, normalise, partnerPaths, verify, type Incoming } from '../../src/protocol/index.ts';
import { startSimulator, type BotDefinition, type Simulator, type SimulatorOptions } from '../../src/simulator/index.ts';
import { closedPort, startReceiver, type Receiver } from './helpers.ts';
import { closeAfter } from '../support/close-after.ts';

const ann = { id: 'e2e-ann', name: 'Ann' };

async function register(sim: Simulator, hook: Receiver): Promise<void> {
  const res = await request(`${sim.partnerBaseUrl}${partnerPaths.set(sim.workspaceId)}`, {
    method: 'POST',
    headers: { authorization: `Bearer ${sim.partnerKey}`, 'content-type': 'application/json' },
    body: JSON.stringify({ webhook_url: hook.url, webhook_verification_key: hook.key }),
  });
  assert.equal(res.statusCode, 200, await res.body.text());
  await res.body.dump();
}

async function send(sim: Simulator, body: Incoming): Promise<void> {
  const res = await request(sim.botUrl, {
    method: 'POST',
    headers: { authorization: `Bearer ${sim.flowKey}`, 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  assert.deepEqual([res.statusCode, await res.body.json()], [200, { status: 'ok' }]);
}

async function setup(opts: SimulatorOptions = {}): Promise<{ sim: Simulator; hook: Receiver; done: () => Promise<void> }> {
  const sim = await startSimulator(opts);
  const hook = await startReceiver('e2e-verification-key');
  await register(sim, hook);
  return {
    sim,
    hook,
    done: async () => {
      await sim.close();
      await hook.close();
    },
  };
}

describe('delivery to a real webhook (demo bot)', () => {
  let sim: Simulator;
  let hook: Receiver;
  let done: () => Promise<void>;
  before(async () => ({ sim, hook, done } = await setup()));
  after(() => done());

  test('"hi": two replies, each its own signed POST over the exact raw bytes', async () => {
    hook.deliveries.length = 0;
    await send(sim, buildText(ann, 1, 'hi'));
    await sim.idle();
    assert.equal(hook.deliveries.length, 2);
    for (const d of hook.deliveries) {
      assert.equal(d.contentType, 'application/json');
      assert.match(d.signature ?? '', /^sha256=[0-9a-f]{64}$/);
      assert.deepEqual(verify(d.raw, d.signature, hook.key), { ok: true });
      assert.equal(verify(d.raw, d.signature, 'another-key').ok, false);
    }
    const kinds = hook.deliveries.map((d) => normalise(d.json).kind).sort();
    assert.deepEqual(kinds, ['buttons', 'text']);
    const convId = sim.conversationIdOf(ann.id);
    assert.equal(typeof convId, 'number');
    for (const d of hook.deliveries) assert.deepEqual([(d.json as { sender_id: string }).sender_id, (d.json as { conv_id: number }).conv_id], [ann.id, convId]);
    assert.equal(sim.deliveries.filter((d) => d.status === 200).length >= 2, true);
  });

  test('every user action and every reply kind arrives, verified; conv_id is stable per sender', async () => {
    hook.deliveries.length = 0;
    const bob = { id: 'e2e-bob', name: 'Bob' };
    const turns: Incoming[] = [
      buildText(ann, 7, 'rooms'),
      buildPostback(ann, 7, { title: 'Choose', payload: 'CHOOSE_SUITE' }),
      buildPostback(ann, 7, { title: 'Yes', payload: 'CONFIRM_YES' }),
      buildText(ann, 7, 'photo'),
      buildText(ann, 7, 'jingle'),
      buildText(ann, 7, 'tour'),
      buildText(ann, 7, 'brochure'),
      buildText(ann, 7, 'unknown'),
      buildAttachment(bob, 8, 'image', 'https://x/p.jpg'),
      buildAttachment(bob, 8, 'audio', 'https://x/a.mp3'),
      buildAttachment(bob, 8, 'video', 'https://x/v.mp4'),
      buildAttachment(bob, 8, 'file', 'https://x/f.pdf'),
    ];
    for (const t of turns) {
      await send(sim, t);
      await sim.idle(); // one turn at a time, as a conversation does
    }
    const msgs = hook.deliveries.map((d) => {
      assert.ok(d.verified, 'signature verifies');
      return normalise(d.json);
    });
    assert.equal(msgs.length, 1 + 2 + 2 + 5 + 4);
    const kinds = new Set<string>(msgs.map((m) => (m.private ? 'private' : m.kind)));
    for (const k of ['text', 'buttons', 'carousel', 'image', 'audio', 'video', 'file', 'unknown', 'private']) assert.ok(kinds.has(k), `a ${k} reply`);
    const annConv = sim.conversationIdOf(ann.id);
    const bobConv = sim.conversationIdOf(bob.id);
    assert.notEqual(annConv, bobConv);
    for (const m of msgs) assert.equal(m.conv_id, m.sender_id === ann.id ? annConv : bobConv);
    assert.ok(msgs.some((m) => m.kind === 'text' && /^Your booking reference is BK-\d{5}\.$/.test(m.text)));
  });

  test('a delayed reply is sent no sooner than its delay', async () => {
    hook.deliveries.length = 0;
    const start = performance.timeOrigin + performance.now();
    await send(sim, buildText(ann, 1, 'slow'));
    await sim.idle();
    const last = sim.deliveries.at(-1)!;
    assert.equal((last.body as { text: string }).text, 'Sorry for the wait, here I am.');
    assert.ok(last.at - start >= 299, `delivered after ${last.at - start} ms`);
  });
});

describe('order of arrival', () => {
  const numbered: BotDefinition = {
    name: 'numbered',
    rules: [{ match: { text: 'go' }, replies: [{ text: '1' }, { text: '2' }, { text: '3' }, { text: '4' }] }],
  };

  async function arrivalOrders(opts: SimulatorOptions, runs: number): Promise<string[]> {
    const { sim, hook, done } = await setup({ bot: numbered, ...opts });
    try {
      const orders: string[] = [];
      for (let i = 0; i < runs; i++) {
        hook.deliveries.length = 0;
        await send(sim, buildText({ id: `order-${i}`, name: 'O' }, i, 'go'));
        await sim.idle();
        assert.ok(hook.deliveries.every((d) => d.verified));
        orders.push(hook.deliveries.map((d) => (d.json as { text: string }).text).join(''));
      }
      return orders;
    } finally {
      await done();
    }
  }

  // The jitter's random source is injected: falling values put later replies first, so the
  // arrival order is known in advance, not found by chance over many runs.
  const falling = (): (() => number) => {
    const values = [0.9, 0.6, 0.3, 0];
    let i = 0;
    return () => values[i++ % values.length] ?? 0;
  };

  test('with jitter, replies of one turn can arrive out of order: each exactly once, in the order the jitter puts them', async () => {
    const orders = await arrivalOrders({ jitterMs: 200, random: falling() }, 2);
    assert.deepEqual(orders, ['4321', '4321']);
  });

  test('with ordered: true they never do, whatever the jitter', async () => {
    const orders = await arrivalOrders({ ordered: true, jitterMs: 20, random: falling() }, 2);
    assert.deepEqual(orders, ['1234', '1234']);
  });
});

describe('delivery failures are logged, never thrown', () => {
  test('non-2xx, refused, and webhook removed', async () => {
    const { sim, hook, done } = await setup({ jitterMs: 0 });
    try {
      hook.behaviour.deliveryStatus = 500;
      await send(sim, buildText(ann, 1, 'photo'));
      await sim.idle();
      assert.deepEqual(
        sim.undelivered.map((u) => u.reason),
        ['status 500'],
      );
      assert.equal(sim.deliveries.at(-1)?.status, 500);

      hook.behaviour.deliveryStatus = 200;
      await hook.close(); // the webhook goes away: connection refused
      await send(sim, buildText(ann, 1, 'tour'));
      await sim.idle();
      assert.equal(sim.undelivered.at(-1)?.reason, 'connection refused');
      assert.equal(sim.deliveries.at(-1)?.error, 'connection refused');

      const del = await request(`${sim.partnerBaseUrl}${partnerPaths.remove(sim.workspaceId)}`, {
        method: 'DELETE',
        headers: { authorization: `Bearer ${sim.partnerKey}` },
      });
      assert.equal(del.statusCode, 200);
      await del.body.dump();
      await send(sim, buildText(ann, 1, 'brochure'));
      await sim.idle();
      assert.equal(sim.undelivered.at(-1)?.reason, 'no webhook set');
      assert.equal(sim.undelivered.length, 3);
    } finally {
      await done();
    }
  });

  test('close() cancels what is still scheduled', async () => {
    const { sim, hook, done } = await setup({ jitterMs: 0 });
    try {
      await send(sim, buildText(ann, 1, 'slow'));
      await sim.close();
      await sim.idle();
      assert.equal(hook.deliveries.length, 0);
      assert.equal(sim.undelivered.at(-1)?.reason, 'simulator closed');
    } finally {
      await done();
    }
  });

  test('a refused port at registration time never reaches delivery', async (t) => {
    const sim = await startSimulator({ jitterMs: 0 });
    closeAfter(t, sim);
    const res = await request(`${sim.partnerBaseUrl}${partnerPaths.set(sim.workspaceId)}`, {
      method: 'POST',
      headers: { authorization: `Bearer ${sim.partnerKey}`, 'content-type': 'application/json' },
      body: JSON.stringify({ webhook_url: `http://127.0.0.1:${await closedPort()}/w`, webhook_verification_key: 'k' }),
    });
    assert.equal(res.statusCode, 422);
    assert.equal(((await res.body.json()) as { message: string }).message, 'Webhook verification failed: connection refused');
    assert.equal(sim.webhook, null);
  });
});

describe('prettyJson', () => {
  test('pretty-printed bodies are signed over their exact bytes', async () => {
    const { sim, hook, done } = await setup({ prettyJson: true, jitterMs: 0 });
    try {
      await send(sim, buildText(ann, 1, 'rooms'));
      await sim.idle();
      const d = hook.deliveries[0]!;
      const raw = d.raw.toString('utf8');
      assert.match(raw, /\n {2}"sender_id": "e2e-ann",\n/);
      assert.ok(d.verified);
      // Re-serialising the parsed JSON changes the bytes, so it would not verify.
      assert.equal(verify(Buffer.from(JSON.stringify(d.json)), d.signature, hook.key).ok, false);
      assert.equal(normalise(d.json).kind, 'carousel');
    } finally {
      await done();
    }
  });
});
