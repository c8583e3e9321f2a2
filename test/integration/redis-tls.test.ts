// rediss:// with a password, as a managed Redis or one reachable over the internet is used: a
// real redis-server on a self-signed certificate (trusted through NODE_EXTRA_CA_CERTS, the
// standard Node way for a private CA), `apichat-bdd listen` publishing over TLS, and a runner's
// inbox reading over TLS in another process. The password is never printed.
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { buildTextReply, sign, SIGNATURE_HEADER } from '../../src/protocol/index.ts';
import { skipWithoutRedis, startRedisServer, type RedisServer } from '../support/redis-server.ts';
import { ROOT, start } from '../support/process.ts';

const SECRET = 'tls-webhook-secret-0123456789abcdef';
const PASSWORD = 'tls-redis-pa55word-0d9f';
const skip = skipWithoutRedis();

const node = (args: string[], vars: Record<string, string>) => start(process.execPath, args, { vars });

// A runner's inbox in its own process: opens one conversation and prints the first reply's text.
const READER = `
  const { RedisInbox } = await import('./src/inbox/index.ts');
  const inbox = new RedisInbox({ url: process.env.APICHAT_REDIS_URL, deliveriesAtStart: 0 });
  await inbox.open('tls-user', async (m) => { console.log('got ' + m.text); await inbox.close(); });
  console.log('open');
`;

describe('Redis over TLS with a password', { skip, timeout: 60_000 }, () => {
  let redis: RedisServer;
  before(async () => {
    redis = await startRedisServer({ tls: true, password: PASSWORD });
  });
  after(async () => {
    await redis?.stop();
  });

  it('listen publishes and a runner reads through rediss://', async () => {
    const trust = { NODE_EXTRA_CA_CERTS: redis.caFile!, APICHAT_REDIS_URL: redis.tlsUrl! };
    const listen = node([join(ROOT, 'bin/apichat-bdd.js'), 'listen'], { ...trust, APICHAT_WEBHOOK_SECRET: SECRET, APICHAT_LISTEN_PORT: '0' });
    try {
      const started = await listen.stderr.waitFor((l) => l.includes('listening on'), 'the startup line');
      assert.match(started, /publishing to Redis at rediss:\/\/127\.0\.0\.1:\d+;/);
      const url = /listening on (http:\/\/\S+\/webhook)/.exec(started)![1]!;
      const reader = node(['--import', 'tsx', '--input-type=module', '-e', READER], trust);
      await reader.stdout.waitFor((l) => l === 'open', 'the reader to open its conversation');
      const body = JSON.stringify(buildTextReply({ sender_id: 'tls-user', conv_id: 1 }, 'Hello over TLS'));
      const res = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json', [SIGNATURE_HEADER]: sign(body, SECRET) }, body });
      assert.equal(res.status, 200);
      await reader.stdout.waitFor((l) => l === 'got Hello over TLS', 'the reply read over TLS');
      assert.equal((await reader.done).code, 0, reader.stderr.text);
    } finally {
      assert.equal((await listen.stop()).code, 0);
    }
    for (const text of [listen.stdout.text, listen.stderr.text]) assert.ok(!text.includes(PASSWORD));
  });

  it('without trusting the certificate, listen stops in one line naming APICHAT_REDIS_URL, exit 2', async () => {
    const listen = node([join(ROOT, 'bin/apichat-bdd.js'), 'listen'], { APICHAT_REDIS_URL: redis.tlsUrl!, APICHAT_WEBHOOK_SECRET: SECRET, APICHAT_LISTEN_PORT: '0' });
    assert.equal((await listen.done).code, 2);
    const lines = listen.stderr.text.split('\n').filter(Boolean);
    assert.equal(lines.length, 1, listen.stderr.text);
    assert.match(lines[0]!, /^apichat-bdd: APICHAT_REDIS_URL: cannot connect to Redis at rediss:\/\/127\.0\.0\.1:\d+ \(.*certificate/i);
    assert.ok(!listen.stderr.text.includes(PASSWORD));
  });
});
