import assert from 'node:assert/strict';
import { afterEach, beforeEach, describe, it } from 'node:test';
import { errors, type MockAgent } from 'undici';
import { PartnerClient, PartnerClientError } from '../../src/client/index.ts';
import { assertOnlyCall, assertSafeMessage, calls, failure, mockAgent } from './helpers.ts';

const ORIGIN = 'https://partner.example.test';
const BASE = `${ORIGIN}/api`;
const WS = '1234567';
const PARTNER_KEY = 'pk_SECRET_partner_5a6b7c';
const VERIFY_KEY = 'whsec_SECRET_verify_0d1e2f';
const SECRETS = [PARTNER_KEY, VERIFY_KEY];

const GET_PATH = `/api/partner/workspace/${WS}/apichat-webhook`;
const SET_PATH = `/api/partner/workspace/${WS}/set-apichat-webhook`;
const LEGACY_SET_PATH = `/api/partner/workspace/${WS}/apichat-webhook`;
const REMOVE_PATH = `/api/partner/workspace/${WS}/remove-apichat-webhook`;

const INFO = {
  webhook_url: 'https://tunnel.example.test/webhook',
  webhook_verification_key: VERIFY_KEY,
  webhook_status: 'verified',
  bot_url: 'https://bot.example.test/api/apichat/u1234abcd',
};
const SET_REQ = { webhook_url: INFO.webhook_url, webhook_verification_key: VERIFY_KEY };
const SET_JSON = `{"webhook_url":"https://tunnel.example.test/webhook","webhook_verification_key":"${VERIFY_KEY}"}`;
const JSON_HEADERS = { headers: { 'content-type': 'application/json' } };
const auth = { authorization: `Bearer ${PARTNER_KEY}` };

describe('PartnerClient', () => {
  let agent: MockAgent;
  let client: PartnerClient;

  beforeEach(() => {
    agent = mockAgent();
    client = new PartnerClient({ baseUrl: BASE, partnerKey: PARTNER_KEY, workspaceId: WS, dispatcher: agent });
  });

  afterEach(async () => {
    agent.assertNoPendingInterceptors();
    await agent.close();
  });

  describe('get / set / remove', () => {
    for (const base of [BASE, `${BASE}/`]) {
      it(`get: GET .../apichat-webhook with the partner key (base ${base.endsWith('/') ? 'with' : 'without'} a trailing slash)`, async () => {
        const c = new PartnerClient({ baseUrl: base, partnerKey: PARTNER_KEY, workspaceId: WS, dispatcher: agent });
        agent
          .get(ORIGIN)
          .intercept({ path: GET_PATH, method: 'GET', headers: auth })
          .reply(200, { status: 'ok', data: INFO }, JSON_HEADERS);
        assert.deepEqual(await c.get(), INFO);
        assertOnlyCall(agent, { method: 'GET', path: GET_PATH, authorization: `Bearer ${PARTNER_KEY}`, body: undefined });
      });
    }

    it('get: keeps fields the platform adds, and no data means {}', async () => {
      const scope = agent.get(ORIGIN);
      scope.intercept({ path: GET_PATH, method: 'GET' }).reply(200, { status: 'ok', data: { ...INFO, extra: 1 } });
      scope.intercept({ path: GET_PATH, method: 'GET' }).reply(200, { status: 'ok', data: null });
      assert.deepEqual(await client.get(), { ...INFO, extra: 1 });
      assert.deepEqual(await client.get(), {});
    });

    it('get: a workspace id is encoded into the path', async () => {
      const c = new PartnerClient({ baseUrl: BASE, partnerKey: PARTNER_KEY, workspaceId: 'a/b c', dispatcher: agent });
      agent.get(ORIGIN).intercept({ path: '/api/partner/workspace/a%2Fb%20c/apichat-webhook', method: 'GET' }).reply(200, { status: 'ok', data: INFO });
      assert.deepEqual(await c.get(), INFO);
    });

    it('set: POSTs the JSON body to set-apichat-webhook and returns the data; 30 s deadline by default', async () => {
      assert.equal(client.setTimeoutMs, 30_000);
      assert.equal(client.timeoutMs, 10_000);
      agent
        .get(ORIGIN)
        .intercept({ path: SET_PATH, method: 'POST', headers: { ...auth, 'content-type': 'application/json' }, body: SET_JSON })
        .reply(200, { status: 'ok', data: INFO }, JSON_HEADERS);
      assert.deepEqual(await client.set(SET_REQ), INFO);
      assertOnlyCall(agent, { method: 'POST', path: SET_PATH, authorization: `Bearer ${PARTNER_KEY}`, contentType: 'application/json', body: SET_JSON });
    });

    it('set: on 404 falls back once to the older POST .../apichat-webhook', async () => {
      const scope = agent.get(ORIGIN);
      scope.intercept({ path: SET_PATH, method: 'POST', body: SET_JSON }).reply(404, { message: 'Not Found' });
      scope.intercept({ path: LEGACY_SET_PATH, method: 'POST', body: SET_JSON, headers: auth }).reply(200, { status: 'ok', data: INFO });
      assert.deepEqual(await client.set(SET_REQ), INFO);
      assert.deepEqual(
        calls(agent).map((c) => `${c.method} ${c.path}`),
        [`POST ${SET_PATH}`, `POST ${LEGACY_SET_PATH}`],
      );
    });

    it('set: 404 on both paths -> NOT_FOUND after exactly two requests', async () => {
      const scope = agent.get(ORIGIN);
      scope.intercept({ path: SET_PATH, method: 'POST' }).reply(404, 'Not Found');
      scope.intercept({ path: LEGACY_SET_PATH, method: 'POST' }).reply(404, 'Not Found');
      const err = await failure(client.set(SET_REQ), PartnerClientError);
      assert.equal(err.code, 'APICHAT_PARTNER_NOT_FOUND');
      assert.match(err.message, /APICHAT_PARTNER_BASE_URL/);
      assertSafeMessage(err, 'APICHAT_WORKSPACE_ID', SECRETS);
      assert.equal(calls(agent).length, 2);
    });

    it('set: a non-404 error does not fall back', async () => {
      agent.get(ORIGIN).intercept({ path: SET_PATH, method: 'POST' }).reply(500, 'oops');
      const err = await failure(client.set(SET_REQ), PartnerClientError);
      assert.equal(err.code, 'APICHAT_PARTNER_UNAVAILABLE');
      assert.match(err.message, /HTTP 500: oops/);
      assertSafeMessage(err, 'APICHAT_PARTNER_BASE_URL', SECRETS);
      assert.equal(calls(agent).length, 1);
    });

    it('remove: DELETE .../remove-apichat-webhook; a JSON or an empty body both succeed', async () => {
      const scope = agent.get(ORIGIN);
      scope.intercept({ path: REMOVE_PATH, method: 'DELETE', headers: auth }).reply(200, { status: 'ok' });
      scope.intercept({ path: REMOVE_PATH, method: 'DELETE', headers: auth }).reply(204, '');
      assert.equal(await client.remove(), undefined);
      assert.equal(await client.remove(), undefined);
      assert.deepEqual(
        calls(agent).map((c) => `${c.method} ${c.path} ${c.headers.authorization}`),
        [`DELETE ${REMOVE_PATH} Bearer ${PARTNER_KEY}`, `DELETE ${REMOVE_PATH} Bearer ${PARTNER_KEY}`],
      );
    });
  });

  describe('errors', () => {
    for (const status of [401, 403]) {
      it(`${status} -> APICHAT_PARTNER_AUTH naming APICHAT_PARTNER_API_KEY`, async () => {
        agent.get(ORIGIN).intercept({ path: GET_PATH, method: 'GET' }).reply(status, { message: `bad token ${PARTNER_KEY}` });
        const err = await failure(client.get(), PartnerClientError);
        assert.equal(err.code, 'APICHAT_PARTNER_AUTH');
        assert.equal(err.status, status);
        assert.match(err.message, new RegExp(`HTTP ${status}`));
        assertSafeMessage(err, 'APICHAT_PARTNER_API_KEY', SECRETS);
      });
    }

    it('401 on set does not fall back and leaks no key', async () => {
      agent.get(ORIGIN).intercept({ path: SET_PATH, method: 'POST' }).reply(401, { message: 'Unauthenticated.' });
      const err = await failure(client.set(SET_REQ), PartnerClientError);
      assert.equal(err.code, 'APICHAT_PARTNER_AUTH');
      assertSafeMessage(err, 'APICHAT_PARTNER_API_KEY', SECRETS);
      assert.equal(calls(agent).length, 1);
    });

    it('404 on get -> NOT_FOUND naming APICHAT_WORKSPACE_ID and APICHAT_PARTNER_BASE_URL', async () => {
      agent.get(ORIGIN).intercept({ path: GET_PATH, method: 'GET' }).reply(404, { message: 'Workspace not found' });
      const err = await failure(client.get(), PartnerClientError);
      assert.equal(err.code, 'APICHAT_PARTNER_NOT_FOUND');
      assert.match(err.message, /APICHAT_PARTNER_BASE_URL/);
      assert.match(err.message, new RegExp(`GET ${GET_PATH}`));
      assertSafeMessage(err, 'APICHAT_WORKSPACE_ID', SECRETS);
    });

    it('422 on set -> REJECTED with the platform message (redacted) and the handshake hint', async () => {
      agent
        .get(ORIGIN)
        .intercept({ path: SET_PATH, method: 'POST' })
        .reply(422, { message: `Webhook verification failed for token ${VERIFY_KEY}` }, JSON_HEADERS);
      const err = await failure(client.set(SET_REQ), PartnerClientError);
      assert.equal(err.code, 'APICHAT_PARTNER_REJECTED');
      assert.match(err.message, /HTTP 422: Webhook verification failed for token \*\*\*/);
      assert.match(err.message, /the platform must reach APICHAT_PUBLIC_URL and get the challenge back from a running listener/);
      assertSafeMessage(err, 'APICHAT_PUBLIC_URL', SECRETS);
    });

    it('status other than "ok" in a 200 -> REJECTED with the platform message', async () => {
      agent
        .get(ORIGIN)
        .intercept({ path: SET_PATH, method: 'POST' })
        .reply(200, { status: 'error', message: 'Could not verify the webhook url' });
      const err = await failure(client.set(SET_REQ), PartnerClientError);
      assert.equal(err.code, 'APICHAT_PARTNER_REJECTED');
      assert.equal(err.status, 200);
      assert.match(err.message, /Could not verify the webhook url/);
      assertSafeMessage(err, 'APICHAT_PUBLIC_URL', SECRETS);
    });

    it('status other than "ok" on get -> REJECTED', async () => {
      agent.get(ORIGIN).intercept({ path: GET_PATH, method: 'GET' }).reply(200, { status: 'error', error: 'workspace is not a partner workspace' });
      const err = await failure(client.get(), PartnerClientError);
      assert.equal(err.code, 'APICHAT_PARTNER_REJECTED');
      assert.match(err.message, /workspace is not a partner workspace/);
      assertSafeMessage(err, 'APICHAT_WORKSPACE_ID', SECRETS);
    });

    it('malformed responses -> BAD_RESPONSE naming APICHAT_PARTNER_BASE_URL', async () => {
      const scope = agent.get(ORIGIN);
      scope.intercept({ path: GET_PATH, method: 'GET' }).reply(200, '<!doctype html><html>Login</html>', { headers: { 'content-type': 'text/html' } });
      scope.intercept({ path: GET_PATH, method: 'GET' }).reply(200, { data: INFO });
      scope.intercept({ path: GET_PATH, method: 'GET' }).reply(200, '{"status":"ok",', JSON_HEADERS);
      scope.intercept({ path: GET_PATH, method: 'GET' }).reply(200, { status: 'ok', data: { webhook_url: 42 } });
      for (let i = 0; i < 4; i++) {
        const err = await failure(client.get(), PartnerClientError);
        assert.equal(err.code, 'APICHAT_PARTNER_BAD_RESPONSE', `case ${i}`);
        assertSafeMessage(err, 'APICHAT_PARTNER_BASE_URL', SECRETS);
      }
    });

    it('a remove answering a non-empty non-JSON body -> BAD_RESPONSE', async () => {
      agent.get(ORIGIN).intercept({ path: REMOVE_PATH, method: 'DELETE' }).reply(200, 'done');
      const err = await failure(client.remove(), PartnerClientError);
      assert.equal(err.code, 'APICHAT_PARTNER_BAD_RESPONSE');
    });

    it('a slow set -> UNAVAILABLE pointing at the handshake (APICHAT_PUBLIC_URL), sent once', async () => {
      const c = new PartnerClient({ baseUrl: BASE, partnerKey: PARTNER_KEY, workspaceId: WS, dispatcher: agent, setTimeoutMs: 50 });
      agent.get(ORIGIN).intercept({ path: SET_PATH, method: 'POST' }).reply(200, { status: 'ok', data: INFO }).delay(10_000);
      const err = await failure(c.set(SET_REQ), PartnerClientError);
      assert.equal(err.code, 'APICHAT_PARTNER_UNAVAILABLE');
      assert.match(err.message, /no answer within 50 ms from partner\.example\.test:443/);
      assert.match(err.message, /handshake/);
      assertSafeMessage(err, 'APICHAT_PUBLIC_URL', SECRETS);
      assert.equal(calls(agent).length, 1);
    });

    it('ECONNREFUSED is retried up to 3 attempts, then UNAVAILABLE naming host:port and APICHAT_PARTNER_BASE_URL', async () => {
      const refused = Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED' });
      agent.get(ORIGIN).intercept({ path: GET_PATH, method: 'GET' }).replyWithError(refused).times(3);
      const err = await failure(client.get(), PartnerClientError);
      assert.equal(err.code, 'APICHAT_PARTNER_UNAVAILABLE');
      assert.match(err.message, /connection refused at partner\.example\.test:443 \(3 attempts\)/);
      assertSafeMessage(err, 'APICHAT_PARTNER_BASE_URL', SECRETS);
      assert.equal(calls(agent).length, 3);
    });

    it('a socket error on set is not re-sent and does not fall back', async () => {
      agent.get(ORIGIN).intercept({ path: SET_PATH, method: 'POST' }).replyWithError(new errors.SocketError('other side closed'));
      const err = await failure(client.set(SET_REQ), PartnerClientError);
      assert.equal(err.code, 'APICHAT_PARTNER_UNAVAILABLE');
      assert.match(err.message, /not re-sent/);
      assertSafeMessage(err, 'APICHAT_PARTNER_BASE_URL', SECRETS);
      assert.equal(calls(agent).length, 1);
    });

    it('an invalid base URL is refused up front', () => {
      assert.throws(
        () => new PartnerClient({ baseUrl: 'www.uchat.com.au/api', partnerKey: PARTNER_KEY, workspaceId: WS }),
        (e: unknown) => e instanceof PartnerClientError && e.code === 'APICHAT_PARTNER_URL_INVALID' && e.variable === 'APICHAT_PARTNER_BASE_URL',
      );
    });
  });
});
