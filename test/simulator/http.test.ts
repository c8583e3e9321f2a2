// The simulator's HTTP surface, driven with fastify.inject() (the handshake and deliveries
// still go over real sockets to a small node:http webhook on 127.0.0.1).
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { partnerPaths, PartnerResponseSchema } from '../../src/protocol/index.ts';
import { isApiChatError } from '../../src/base/errors.ts';
import { startSimulator, type Simulator, type SimulatorOptions } from '../../src/simulator/index.ts';
import { ann, closedPort, startReceiver, type Receiver } from './helpers.ts';
import { closeAfter } from '../support/close-after.ts';

const message = (over: Record<string, unknown> = {}) => ({
  content: 'hi',
  message_type: 'incoming',
  sender: ann,
  conversation_id: 123,
  event: 'message_created',
  ...over,
});

function botPath(sim: Simulator): string {
  return new URL(sim.botUrl).pathname;
}

async function post(sim: Simulator, body: unknown, headers: Record<string, string> = { authorization: `Bearer ${sim.flowKey}` }) {
  const res = await sim.app.inject({
    method: 'POST',
    url: botPath(sim),
    headers: { 'content-type': 'application/json', ...headers },
    payload: typeof body === 'string' ? body : JSON.stringify(body),
  });
  return { status: res.statusCode, json: res.json() as unknown };
}

function partner(sim: Simulator, method: 'GET' | 'POST' | 'DELETE', path: string, body?: unknown, key = sim.partnerKey) {
  return sim.app
    .inject({
      method,
      url: `/api${path}`,
      headers: { authorization: `Bearer ${key}`, ...(body !== undefined ? { 'content-type': 'application/json' } : {}) },
      ...(body !== undefined ? { payload: JSON.stringify(body) } : {}),
    })
    .then((res) => ({ status: res.statusCode, json: res.json() as Record<string, unknown> }));
}

describe('the bot URL', () => {
  let sim: Simulator;
  before(async () => {
    sim = await startSimulator({ jitterMs: 0 });
  });
  after(() => sim.close());

  test('is /api/apichat/<code> on the simulator, with random hex keys', () => {
    assert.match(sim.botUrl, /^http:\/\/127\.0\.0\.1:\d+\/api\/apichat\/[0-9a-f]{24}$/);
    assert.match(sim.partnerBaseUrl, /^http:\/\/127\.0\.0\.1:\d+\/api$/);
    assert.match(sim.flowKey, /^[0-9a-f]{40}$/);
    assert.match(sim.partnerKey, /^[0-9a-f]{40}$/);
    assert.notEqual(sim.flowKey, sim.partnerKey);
    assert.equal(sim.deliverySpreadMs, 0);
  });

  test('401 without the flow key, or with the wrong one (or the partner key)', async () => {
    const unauth = { status: 401, json: { status: 'error', message: 'Unauthenticated.' } };
    assert.deepEqual(await post(sim, message(), {}), unauth);
    assert.deepEqual(await post(sim, message(), { authorization: 'Bearer nope' }), unauth);
    assert.deepEqual(await post(sim, message(), { authorization: `Bearer ${sim.partnerKey}` }), unauth);
    assert.deepEqual(await post(sim, message(), { authorization: sim.flowKey }), unauth, 'the Bearer scheme is required');
  });

  test('404 for an unknown bot code', async () => {
    const res = await sim.app.inject({
      method: 'POST',
      url: '/api/apichat/0000',
      headers: { authorization: `Bearer ${sim.flowKey}`, 'content-type': 'application/json' },
      payload: JSON.stringify(message()),
    });
    assert.equal(res.statusCode, 404);
    assert.equal(res.json().status, 'error');
  });

  test('422 names the field that is wrong', async () => {
    const cases: Array<[unknown, string]> = [
      [message({ sender: { ...ann, id: 42 } }), 'sender.id: expected string, received number'],
      [message({ sender: undefined }), 'sender: missing (expected object)'],
      [message({ event: 'message_deleted' }), 'event: expected "message_created" or "message_postback"'],
      [message({ message_type: 'outgoing' }), 'message_type: expected "incoming"'],
      [message({ conversation_id: '123' }), 'conversation_id: expected number, received string'],
      [message({ event: 'message_postback' }), 'submitted_values: missing (expected array)'],
      [message({ attachments: [{ file_type: 'gif', data_url: 'x' }] }), 'attachments[0].file_type: expected one of "image"|"audio"|"video"|"file"'],
      [[1, 2], '(top level): expected object, received array'],
    ];
    for (const [body, msg] of cases) assert.deepEqual(await post(sim, body), { status: 422, json: { status: 'error', message: msg } });
  });

  test('400 for malformed JSON; the server survives', async () => {
    const res = await post(sim, '{"content": ');
    assert.equal(res.status, 400);
    assert.match((res.json as { message: string }).message, /^Malformed JSON body/);
    assert.equal((await post(sim, message())).status, 200);
  });

  test('200 {"status":"ok"} at once; with no webhook the replies are logged as undelivered', async () => {
    assert.deepEqual(await post(sim, message({ content: 'photo', sender: { ...ann, id: 'nohook' } })), { status: 200, json: { status: 'ok' } });
    await sim.idle();
    const mine = sim.undelivered.filter((u) => (u.body as { sender_id: string }).sender_id === 'nohook');
    assert.equal(mine.length, 1);
    assert.equal(mine[0]!.reason, 'no webhook set');
    assert.equal(sim.received.at(-1)?.action.kind, 'text');
  });

  test('every incoming kind is accepted (text, postback, image/audio/video/file)', async () => {
    const kinds = [
      message(),
      message({ event: 'message_postback', content: 'Rooms', submitted_values: [{ title: 'Rooms', payload: 'ROOMS' }] }),
      ...['image', 'audio', 'video', 'file'].map((k) => message({ content: '', attachments: [{ file_type: k, data_url: `https://x/${k}` }] })),
      message({ extra_field_added_later: { any: 1 } }),
    ];
    for (const body of kinds) assert.equal((await post(sim, body)).status, 200);
    await sim.idle();
  });
});

describe('the partner API', () => {
  let sim: Simulator;
  let hook: Receiver;
  before(async () => {
    sim = await startSimulator({ jitterMs: 0, workspaceId: '4242' });
    hook = await startReceiver('s3cret-key');
  });
  after(async () => {
    await sim.close();
    await hook.close();
  });

  test('401 without the partner key; 404 for another workspace', async () => {
    for (const [method, path] of [
      ['GET', partnerPaths.get('4242')],
      ['POST', partnerPaths.set('4242')],
      ['DELETE', partnerPaths.remove('4242')],
    ] as const) {
      assert.deepEqual(await partner(sim, method, path, method === 'POST' ? {} : undefined, sim.flowKey), {
        status: 401,
        json: { status: 'error', message: 'Unauthenticated.' },
      });
      const other = await partner(sim, method, path.replace('4242', '999'), method === 'POST' ? {} : undefined);
      assert.equal(other.status, 404);
    }
  });

  test('get with no webhook: nulls, and the bot URL', async () => {
    const res = await partner(sim, 'GET', partnerPaths.get('4242'));
    assert.deepEqual(res, {
      status: 200,
      json: { status: 'ok', data: { webhook_url: null, webhook_verification_key: null, webhook_status: null, bot_url: sim.botUrl } },
    });
    assert.ok(PartnerResponseSchema.safeParse(res.json).success);
  });

  test('set runs the handshake (form by default), then get and remove', async () => {
    const set = await partner(sim, 'POST', partnerPaths.set('4242'), { webhook_url: hook.url, webhook_verification_key: hook.key });
    const data = { webhook_url: hook.url, webhook_verification_key: hook.key, webhook_status: 'verified', bot_url: sim.botUrl };
    assert.deepEqual(set, { status: 200, json: { status: 'ok', data } });
    assert.equal(hook.handshakes.length, 1);
    const hs = hook.handshakes[0]!;
    assert.equal(hs.contentType, 'application/x-www-form-urlencoded');
    const params = new URLSearchParams(hs.body);
    assert.equal(params.get('hub_mode'), 'subscribe');
    assert.equal(params.get('hub_verify_token'), hook.key);
    assert.match(params.get('hub_challenge') ?? '', /^[0-9a-f]{32}$/);
    assert.deepEqual(await partner(sim, 'GET', partnerPaths.get('4242')), { status: 200, json: { status: 'ok', data } });
    assert.deepEqual(sim.webhook, { url: hook.url, key: hook.key });

    const removed = await partner(sim, 'DELETE', partnerPaths.remove('4242'));
    assert.equal(removed.status, 200);
    assert.equal(sim.webhook, null);
    const after = await partner(sim, 'GET', partnerPaths.get('4242'));
    assert.deepEqual(after.json.data, { webhook_url: null, webhook_verification_key: null, webhook_status: null, bot_url: sim.botUrl });
  });

  test('set validates its body: 422 naming the field', async () => {
    const bad = await partner(sim, 'POST', partnerPaths.set('4242'), { webhook_url: 'not a url', webhook_verification_key: 'k' });
    assert.deepEqual(bad, { status: 422, json: { status: 'error', message: 'webhook_url: expected a URL' } });
    const noKey = await partner(sim, 'POST', partnerPaths.set('4242'), { webhook_url: hook.url });
    assert.deepEqual(noKey, { status: 422, json: { status: 'error', message: 'webhook_verification_key: missing (expected string)' } });
    const ftp = await partner(sim, 'POST', partnerPaths.set('4242'), { webhook_url: 'ftp://127.0.0.1/x', webhook_verification_key: 'k' });
    assert.equal(ftp.status, 422);
  });

  test('a failing handshake is 422 and the previous webhook stays', async () => {
    const ok = await partner(sim, 'POST', partnerPaths.set('4242'), { webhook_url: hook.url, webhook_verification_key: hook.key });
    assert.equal(ok.status, 200);
    const before = hook.handshakes.length;

    // the webhook knows another key: it answers 403 and no challenge
    const wrongKey = await partner(sim, 'POST', partnerPaths.set('4242'), { webhook_url: `${hook.url}?x=1`, webhook_verification_key: 'other-key' });
    assert.deepEqual(wrongKey, { status: 422, json: { status: 'error', message: 'Webhook verification failed: status 403' } });

    hook.behaviour.handshake = 'wrong-challenge';
    const wrong = await partner(sim, 'POST', partnerPaths.set('4242'), { webhook_url: `${hook.url}?y=2`, webhook_verification_key: hook.key });
    assert.equal(wrong.status, 422);
    assert.match(String(wrong.json.message), /^Webhook verification failed: wrong challenge \(expected the bare challenge string as the body, got "\\"[0-9a-f]{32}\\""\)$/);
    hook.behaviour.handshake = 'answer';

    const refused = await partner(sim, 'POST', partnerPaths.set('4242'), {
      webhook_url: `http://127.0.0.1:${await closedPort()}/webhook`,
      webhook_verification_key: 'k',
    });
    assert.deepEqual(refused, { status: 422, json: { status: 'error', message: 'Webhook verification failed: connection refused' } });

    assert.equal(hook.handshakes.length, before + 2);
    assert.deepEqual(sim.webhook, { url: hook.url, key: hook.key }, 'the previous webhook is kept');
  });

  test('POST on the get path is not the set call in the current revision (405)', async () => {
    const res = await partner(sim, 'POST', partnerPaths.setLegacy('4242'), { webhook_url: hook.url, webhook_verification_key: hook.key });
    assert.equal(res.status, 405);
  });
});

describe('handshake encodings', () => {
  for (const encoding of ['form', 'json', 'query'] as const) {
    test(`${encoding}: the real webhook answers and is registered`, async (t) => {
      const sim = await startSimulator({ jitterMs: 0, handshakeEncoding: encoding });
      const hook = await startReceiver(`key-${encoding}`);
      closeAfter(t, sim, hook);
      const res = await partner(sim, 'POST', partnerPaths.set(sim.workspaceId), { webhook_url: hook.url, webhook_verification_key: hook.key });
      assert.equal(res.status, 200, JSON.stringify(res.json));
      const hs = hook.handshakes[0]!;
      const params =
        encoding === 'form' ? Object.fromEntries(new URLSearchParams(hs.body)) : encoding === 'json' ? (JSON.parse(hs.body) as Record<string, string>) : hs.query;
      assert.equal(params.hub_mode, 'subscribe');
      assert.equal(params.hub_verify_token, hook.key);
      assert.match(params.hub_challenge ?? '', /^[0-9a-f]{32}$/);
      if (encoding === 'json') assert.equal(hs.contentType, 'application/json');
      if (encoding === 'query') assert.equal(hs.body, '');
      assert.equal(sim.webhook?.url, hook.url);
    });
  }
});

describe('legacyPartnerApi', () => {
  test('set is POST .../apichat-webhook; set-apichat-webhook is 404', async (t) => {
    const sim = await startSimulator({ jitterMs: 0, legacyPartnerApi: true });
    const hook = await startReceiver('legacy-key');
    closeAfter(t, sim, hook);
    const body = { webhook_url: hook.url, webhook_verification_key: hook.key };
    const modern = await partner(sim, 'POST', partnerPaths.set(sim.workspaceId), body);
    assert.equal(modern.status, 404);
    assert.equal(hook.handshakes.length, 0);
    const legacy = await partner(sim, 'POST', partnerPaths.setLegacy(sim.workspaceId), body);
    assert.equal(legacy.status, 200);
    assert.equal((legacy.json.data as Record<string, unknown>).webhook_status, 'verified');
    assert.equal(hook.handshakes.length, 1);
    assert.equal((await partner(sim, 'GET', partnerPaths.get(sim.workspaceId))).status, 200);
  });
});

describe('options', () => {
  test('bad options and bad bot files fail at start with one clear error', async () => {
    await assert.rejects(startSimulator({ jitterMs: -1 }), (e) => isApiChatError(e, 'APICHAT_SIMULATOR_OPTIONS'));
    await assert.rejects(
      startSimulator({ handshakeEncoding: 'xml' as SimulatorOptions['handshakeEncoding'] }),
      (e) => isApiChatError(e, 'APICHAT_SIMULATOR_OPTIONS') && /handshakeEncoding/.test(e.message),
    );
    await assert.rejects(startSimulator({ bot: '/nonexistent/bot.yaml' }), (e) => isApiChatError(e, 'APICHAT_BOT_FILE'));
  });

  test('given keys, workspace and an inline bot are used', async (t) => {
    const sim = await startSimulator({
      flowKey: 'flow-k',
      partnerKey: 'partner-k',
      workspaceId: 'ws-1',
      bot: { name: 'inline', rules: [{ match: { text: 'ping' }, replies: [{ text: 'pong' }] }] },
    });
    closeAfter(t, sim);
    assert.deepEqual([sim.flowKey, sim.partnerKey, sim.workspaceId, sim.engine.name], ['flow-k', 'partner-k', 'ws-1', 'inline']);
    assert.equal((await post(sim, message({ content: 'ping' }))).status, 200);
    await sim.idle();
    assert.equal((sim.undelivered[0]?.body as { text?: string }).text, 'pong');
  });
});
