import assert from 'node:assert/strict';
import { afterEach, beforeEach, describe, it } from 'node:test';
import { Agent, errors, type MockAgent } from 'undici';
import { BotClient, BotClientError, BotErrorCode, closeSharedAgent } from '../../src/client/index.ts';
import { buildAttachment, buildPostback, buildText, IncomingSchema, type Incoming } from '../../src/protocol/index.ts';
import { assertOnlyCall, assertSafeMessage, calls, closedPort, countingServer, failure, mockAgent } from './helpers.ts';
import { closeAfter } from '../support/close-after.ts';

const ORIGIN = 'https://bot.example.test';
const PATH = '/api/apichat/u1234abcd';
const BOT_URL = `${ORIGIN}${PATH}`;
const FLOW_KEY = 'flow_SECRET_k3y_9f8e7d';
const ann = { id: 'tester-ann-1', name: 'Ann' };

function refused(): Error {
  return Object.assign(new Error('connect ECONNREFUSED 203.0.113.5:443'), { code: 'ECONNREFUSED', errno: -111, syscall: 'connect' });
}

describe('BotClient', () => {
  let agent: MockAgent;
  let client: BotClient;

  beforeEach(() => {
    agent = mockAgent();
    client = new BotClient({ botUrl: BOT_URL, flowKey: FLOW_KEY, dispatcher: agent });
  });

  afterEach(async () => {
    agent.assertNoPendingInterceptors();
    await agent.close();
  });

  describe('the exact request', () => {
    // The golden JSON of each kind, as the platform's documentation shows it: keys in the page's order.
    const cases: Array<{ name: string; message: Incoming; json: string }> = [
      {
        name: 'text',
        message: buildText(ann, 42, 'hi there'),
        json: '{"content":"hi there","message_type":"incoming","sender":{"id":"tester-ann-1","name":"Ann","email":"","phone_number":"","type":"contact"},"conversation_id":42,"event":"message_created"}',
      },
      {
        name: 'button tap',
        message: buildPostback(ann, 42, { title: 'Yes', payload: 'YES_PAYLOAD' }),
        json: '{"content":"Yes","message_type":"incoming","sender":{"id":"tester-ann-1","name":"Ann","email":"","phone_number":"","type":"contact"},"conversation_id":42,"event":"message_postback","submitted_values":[{"title":"Yes","payload":"YES_PAYLOAD"}]}',
      },
      ...(['image', 'audio', 'video', 'file'] as const).map((kind) => ({
        name: kind,
        message: buildAttachment(ann, 7, kind, `https://cdn.example.test/x.${kind}`),
        json: `{"content":"","message_type":"incoming","sender":{"id":"tester-ann-1","name":"Ann","email":"","phone_number":"","type":"contact"},"conversation_id":7,"event":"message_created","attachments":[{"file_type":"${kind}","data_url":"https://cdn.example.test/x.${kind}"}]}`,
      })),
    ];

    for (const c of cases) {
      it(`POSTs a ${c.name} message as JSON with the flow key as Bearer`, async () => {
        assert.ok(IncomingSchema.safeParse(c.message).success, 'the builder output is a valid incoming message');
        agent
          .get(ORIGIN)
          .intercept({
            path: PATH,
            method: 'POST',
            headers: { authorization: `Bearer ${FLOW_KEY}`, 'content-type': 'application/json' },
            body: c.json,
          })
          .reply(200, '{"status":"ok"}', { headers: { 'content-type': 'application/json' } });

        const res = await client.send(c.message);

        assert.deepEqual(res, { status: 200, body: { status: 'ok' } });
        assertOnlyCall(agent, { method: 'POST', path: PATH, authorization: `Bearer ${FLOW_KEY}`, contentType: 'application/json', body: c.json });
      });
    }

    it('resolves a text body as text and any 2xx as success', async () => {
      agent.get(ORIGIN).intercept({ path: PATH, method: 'POST' }).reply(202, 'accepted', { headers: { 'content-type': 'text/plain' } });
      assert.deepEqual(await client.send(buildText(ann, 1, 'x')), { status: 202, body: 'accepted' });
    });

    it('sends each message once, in order', async () => {
      const scope = agent.get(ORIGIN);
      scope.intercept({ path: PATH, method: 'POST' }).reply(200, {}).times(2);
      await client.send(buildText(ann, 1, 'one'));
      await client.send(buildText(ann, 1, 'two'));
      assert.deepEqual(
        calls(agent).map((c) => JSON.parse(c.body!).content),
        ['one', 'two'],
      );
    });
  });

  describe('HTTP errors', () => {
    for (const status of [401, 403]) {
      it(`${status} -> ${BotErrorCode.AUTH}, naming APICHAT_FLOW_API_KEY`, async () => {
        agent
          .get(ORIGIN)
          .intercept({ path: PATH, method: 'POST' })
          .reply(status, { message: `Unauthenticated: token ${FLOW_KEY} is invalid` });
        const err = await failure(client.send(buildText(ann, 1, 'hi')), BotClientError);
        assert.equal(err.code, 'APICHAT_BOT_AUTH');
        assert.equal(err.status, status);
        assert.match(err.message, new RegExp(`HTTP ${status}`));
        assert.match(err.message, /manage flow/);
        assertSafeMessage(err, 'APICHAT_FLOW_API_KEY', [FLOW_KEY]);
      });
    }

    it(`404 -> ${BotErrorCode.NOT_FOUND}, naming APICHAT_BOT_URL`, async () => {
      agent.get(ORIGIN).intercept({ path: PATH, method: 'POST' }).reply(404, 'Not Found');
      const err = await failure(client.send(buildText(ann, 1, 'hi')), BotClientError);
      assert.equal(err.code, 'APICHAT_BOT_NOT_FOUND');
      assert.match(err.message, /HTTP 404/);
      assertSafeMessage(err, 'APICHAT_BOT_URL', [FLOW_KEY]);
    });

    it(`422 -> ${BotErrorCode.REJECTED} with the platform's message, redacted`, async () => {
      agent
        .get(ORIGIN)
        .intercept({ path: PATH, method: 'POST' })
        .reply(422, { message: `The conversation id must be a number.\n(request by Bearer ${FLOW_KEY})`, errors: { conversation_id: ['bad'] } }, {
          headers: { 'content-type': 'application/json' },
        });
      const err = await failure(client.send(buildText(ann, 1, 'hi')), BotClientError);
      assert.equal(err.code, 'APICHAT_BOT_REJECTED');
      assert.equal(err.status, 422);
      assert.match(err.message, /HTTP 422: The conversation id must be a number\. \(request by Bearer \*\*\*\)/);
      assertSafeMessage(err, 'APICHAT_BOT_URL', [FLOW_KEY]);
    });

    it('other 4xx -> REJECTED, taking `error` or the bare text, truncated', async () => {
      agent.get(ORIGIN).intercept({ path: PATH, method: 'POST' }).reply(400, { error: 'sender.id is required' });
      const e1 = await failure(client.send(buildText(ann, 1, 'hi')), BotClientError);
      assert.equal(e1.code, 'APICHAT_BOT_REJECTED');
      assert.match(e1.message, /HTTP 400: sender\.id is required/);

      agent.get(ORIGIN).intercept({ path: PATH, method: 'POST' }).reply(409, `slow down ${'x'.repeat(1000)}`);
      const e2 = await failure(client.send(buildText(ann, 1, 'hi')), BotClientError);
      assert.equal(e2.code, 'APICHAT_BOT_REJECTED');
      assert.match(e2.message, /HTTP 409: slow down x+…/);
      assert.ok(e2.message.length < 400, `truncated: ${e2.message.length} chars`);
    });

    it('429 with Retry-After within the deadline: waits, sends again, resolves', async () => {
      agent.get(ORIGIN).intercept({ path: PATH, method: 'POST' }).reply(429, 'slow down', { headers: { 'retry-after': '0.05' } });
      agent.get(ORIGIN).intercept({ path: PATH, method: 'POST' }).reply(429, 'slow down', { headers: { 'retry-after': new Date(Date.now() - 1000).toUTCString() } });
      agent.get(ORIGIN).intercept({ path: PATH, method: 'POST' }).reply(200, { ok: true });
      const res = await client.send(buildText(ann, 1, 'hi'));
      assert.equal(res.status, 200);
      assert.equal(calls(agent).length, 3, 'sent three times: a 429 means the bot did not take it');
    });

    it('429 asking for longer than the deadline: RATE_LIMITED at once, naming the reply timeout and --parallel', async () => {
      const quick = new BotClient({ botUrl: BOT_URL, flowKey: FLOW_KEY, dispatcher: agent, timeoutMs: 2_000 });
      agent.get(ORIGIN).intercept({ path: PATH, method: 'POST' }).reply(429, 'slow down', { headers: { 'retry-after': '120' } });
      const err = await failure(quick.send(buildText(ann, 1, 'hi')), BotClientError);
      assert.equal(err.code, 'APICHAT_BOT_RATE_LIMITED');
      assert.equal(err.status, 429);
      assert.match(err.message, /HTTP 429 from bot\.example\.test:443, Retry-After 120, after 1 try\): waiting longer would pass the 2000 ms deadline — run fewer scenarios at once \(--parallel\) or raise APICHAT_REPLY_TIMEOUT_MS/);
      assertSafeMessage(err, 'APICHAT_REPLY_TIMEOUT_MS', [FLOW_KEY]);
      assert.equal(calls(agent).length, 1);
    });

    it('500 -> UNAVAILABLE and is never re-sent', async () => {
      agent.get(ORIGIN).intercept({ path: PATH, method: 'POST' }).reply(500, { message: 'Server Error' });
      const err = await failure(client.send(buildText(ann, 1, 'hi')), BotClientError);
      assert.equal(err.code, 'APICHAT_BOT_UNAVAILABLE');
      assert.match(err.message, /HTTP 500: Server Error/);
      assert.match(err.message, /not re-sent/);
      assertSafeMessage(err, 'APICHAT_BOT_URL', [FLOW_KEY]);
      assert.equal(calls(agent).length, 1);
    });
  });

  describe('transport failures and the retry rule', () => {
    it('a timeout -> UNAVAILABLE naming the wait, sent once', async () => {
      const slow = new BotClient({ botUrl: BOT_URL, flowKey: FLOW_KEY, dispatcher: agent, timeoutMs: 50 });
      agent.get(ORIGIN).intercept({ path: PATH, method: 'POST' }).reply(200, {}).delay(10_000);
      const err = await failure(slow.send(buildText(ann, 1, 'hi')), BotClientError);
      assert.equal(err.code, 'APICHAT_BOT_UNAVAILABLE');
      assert.match(err.message, /no answer within 50 ms from bot\.example\.test:443/);
      assert.match(err.message, /not re-sent/);
      assertSafeMessage(err, 'APICHAT_BOT_URL', [FLOW_KEY]);
      assert.equal(calls(agent).length, 1);
    });

    it('ECONNREFUSED is retried: two refusals then a 200 succeed on the third attempt', async () => {
      const scope = agent.get(ORIGIN);
      scope.intercept({ path: PATH, method: 'POST' }).replyWithError(refused()).times(2);
      scope.intercept({ path: PATH, method: 'POST' }).reply(200, { ok: true });
      const res = await client.send(buildText(ann, 1, 'hi'));
      assert.deepEqual(res, { status: 200, body: { ok: true } });
      assert.equal(calls(agent).length, 3);
    });

    it('ECONNREFUSED three times -> UNAVAILABLE after exactly 3 attempts', async () => {
      agent.get(ORIGIN).intercept({ path: PATH, method: 'POST' }).replyWithError(refused()).times(3);
      const err = await failure(client.send(buildText(ann, 1, 'hi')), BotClientError);
      assert.equal(err.code, 'APICHAT_BOT_UNAVAILABLE');
      assert.equal(err.attempts, 3);
      assert.match(err.message, /connection refused at bot\.example\.test:443 \(3 attempts\)/);
      assertSafeMessage(err, 'APICHAT_BOT_URL', [FLOW_KEY]);
      assert.equal(calls(agent).length, 3);
    });

    it('a connect timeout (UND_ERR_CONNECT_TIMEOUT) is retried', async () => {
      const scope = agent.get(ORIGIN);
      scope.intercept({ path: PATH, method: 'POST' }).replyWithError(new errors.ConnectTimeoutError()).times(1);
      scope.intercept({ path: PATH, method: 'POST' }).reply(200, {});
      assert.equal((await client.send(buildText(ann, 1, 'hi'))).status, 200);
      assert.equal(calls(agent).length, 2);
    });

    it('a socket error after connecting (UND_ERR_SOCKET) is never re-sent', async () => {
      agent
        .get(ORIGIN)
        .intercept({ path: PATH, method: 'POST' })
        .replyWithError(new errors.SocketError('other side closed'));
      const err = await failure(client.send(buildText(ann, 1, 'hi')), BotClientError);
      assert.equal(err.code, 'APICHAT_BOT_UNAVAILABLE');
      assert.equal(err.attempts, 1);
      assert.match(err.message, /closed before an answer \(UND_ERR_SOCKET\)/);
      assert.match(err.message, /not re-sent/);
      // A retry would have been dispatched too (and failed as "not matched"): one call only.
      assert.equal(calls(agent).length, 1);
    });

    it('a DNS failure (ENOTFOUND) names the host and is not retried', async () => {
      agent
        .get(ORIGIN)
        .intercept({ path: PATH, method: 'POST' })
        .replyWithError(Object.assign(new Error('getaddrinfo ENOTFOUND bot.example.test'), { code: 'ENOTFOUND' }));
      const err = await failure(client.send(buildText(ann, 1, 'hi')), BotClientError);
      assert.equal(err.code, 'APICHAT_BOT_UNAVAILABLE');
      assert.match(err.message, /no such host: DNS lookup of bot\.example\.test failed/);
      assertSafeMessage(err, 'APICHAT_BOT_URL', [FLOW_KEY]);
      assert.equal(calls(agent).length, 1);
    });

    it('an invalid bot URL is refused up front', () => {
      assert.throws(
        () => new BotClient({ botUrl: 'bot.example.test/api', flowKey: FLOW_KEY }),
        (e: unknown) => e instanceof BotClientError && e.code === 'APICHAT_BOT_URL_INVALID' && e.variable === 'APICHAT_BOT_URL',
      );
    });
  });
});

describe('BotClient against real loopback sockets', () => {
  // A dedicated Agent per test, closed at the end, so no keep-alive socket outlives a test.
  let agent: Agent;
  beforeEach(() => {
    agent = new Agent({ keepAliveTimeout: 10 });
  });
  afterEach(async () => {
    await agent.close();
  });

  it('a closed port -> "connection refused at 127.0.0.1:<port>", after 3 attempts', async () => {
    const port = await closedPort();
    const client = new BotClient({ botUrl: `http://127.0.0.1:${port}/api/apichat/x`, flowKey: FLOW_KEY, dispatcher: agent });
    const err = await failure(client.send(buildText(ann, 1, 'hi')), BotClientError);
    assert.equal(err.code, 'APICHAT_BOT_UNAVAILABLE');
    assert.equal(err.attempts, 3);
    assert.ok(
      err.message.startsWith(`connection refused at 127.0.0.1:${port} (3 attempts) — is the bot URL right (APICHAT_BOT_URL) and the platform up?`),
      err.message,
    );
    assertSafeMessage(err, 'APICHAT_BOT_URL', [FLOW_KEY]);
    assert.equal((err.cause as { errorCode?: string }).errorCode, 'ECONNREFUSED');
  });

  it('the shared keep-alive agent is used when no dispatcher is given', async () => {
    const srv = await countingServer((_req, res) => res.writeHead(200, { 'content-type': 'application/json' }).end('{"n":1}'));
    try {
      const client = new BotClient({ botUrl: srv.url, flowKey: FLOW_KEY });
      assert.deepEqual(await client.send(buildText(ann, 1, 'hi')), { status: 200, body: { n: 1 } });
      assert.equal(srv.received(), 1);
    } finally {
      await closeSharedAgent();
      await srv.close();
    }
  });

  it('a connection reset after the request arrived is not re-sent (the server saw it once)', async (t) => {
    const srv = await countingServer((req) => req.socket.destroy());
    closeAfter(t, srv);
    const client = new BotClient({ botUrl: srv.url, flowKey: FLOW_KEY, dispatcher: agent });
    const err = await failure(client.send(buildText(ann, 1, 'hi')), BotClientError);
    assert.equal(err.code, 'APICHAT_BOT_UNAVAILABLE');
    assert.match(err.message, /not re-sent/);
    assert.equal(srv.received(), 1);
  });

  it('a 503 from a real server is not re-sent', async (t) => {
    const srv = await countingServer((_req, res) => res.writeHead(503).end('maintenance'));
    closeAfter(t, srv);
    const client = new BotClient({ botUrl: srv.url, flowKey: FLOW_KEY, dispatcher: agent });
    const err = await failure(client.send(buildText(ann, 1, 'hi')), BotClientError);
    assert.equal(err.code, 'APICHAT_BOT_UNAVAILABLE');
    assert.match(err.message, /HTTP 503: maintenance/);
    assert.equal(srv.received(), 1);
  });

  it('a server that never answers -> timeout, sent once', async (t) => {
    const srv = await countingServer(() => {
      /* never answer */
    });
    closeAfter(t, srv);
    const client = new BotClient({ botUrl: srv.url, flowKey: FLOW_KEY, dispatcher: agent, timeoutMs: 100 });
    const err = await failure(client.send(buildText(ann, 1, 'hi')), BotClientError);
    assert.equal(err.code, 'APICHAT_BOT_UNAVAILABLE');
    assert.match(err.message, /no answer within 100 ms from 127\.0\.0\.1:\d+/);
    assert.equal(srv.received(), 1);
  });
});
