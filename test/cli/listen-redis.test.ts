// `apichat-bdd listen` with APICHAT_REDIS_URL: every verified delivery also reaches its
// conversation's stream and a runner's inbox; rejections are counted there; an unreachable
// Redis is one line naming the variable, exit 2. Needs redis-server (see test/support).
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { RedisInbox } from '../../src/inbox/index.ts';
import { buildTextReply, sign, SIGNATURE_HEADER, type BotMessage } from '../../src/protocol/index.ts';
import { skipWithoutRedis, startRedisServer, type RedisServer } from '../support/redis-server.ts';
import { closedPort } from '../client/helpers.ts';
import { oneLine, run, start, type Running } from './helpers.ts';
import { closeAfter } from '../support/close-after.ts';

const SECRET = 'listen-redis-webhook-secret-0123456789';
const skip = skipWithoutRedis();

describe('apichat-bdd listen with APICHAT_REDIS_URL', { skip, timeout: 30_000 }, () => {
  let redis: RedisServer;
  let listen: Running;
  let url: string;

  before(async () => {
    redis = await startRedisServer();
    listen = start(['listen'], { APICHAT_WEBHOOK_SECRET: SECRET, APICHAT_LISTEN_PORT: '0', APICHAT_REDIS_URL: redis.url });
    const started = await listen.stderr.waitForLine((l) => l.includes('listening on'));
    assert.match(started, new RegExp(`; publishing to Redis at redis://127\\.0\\.0\\.1:${redis.port}; Ctrl-C to stop$`));
    url = /listening on (http:\/\/127\.0\.0\.1:\d+\/webhook)/.exec(started)![1]!;
  });
  after(async () => {
    assert.equal(await listen?.stop(), 0);
    await redis?.stop();
  });

  it('publishes each verified delivery to the conversation a runner reads, and still prints it', async (t) => {
    const inbox = new RedisInbox({ url: redis.url, deliveriesAtStart: 0 });
    closeAfter(t, inbox);
    let got!: Promise<BotMessage>;
    await new Promise<void>((opened) => {
      got = new Promise<BotMessage>((resolve) => void inbox.open('cli-redis-user', resolve).then(() => opened()));
    });
    const body = JSON.stringify(buildTextReply({ sender_id: 'cli-redis-user', conv_id: 9 }, 'Hello through Redis'));
    const res = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json', [SIGNATURE_HEADER]: sign(body, SECRET) }, body });
    assert.equal(res.status, 200);
    const m = await got;
    assert.equal(m.kind === 'text' && m.text, 'Hello through Redis');
    await listen.stdout.waitForLine((l) => l.includes('Hello through Redis'));
  });

  it('counts a rejected delivery where runners read it', async (t) => {
    const inbox = new RedisInbox({ url: redis.url, deliveriesAtStart: 0 });
    closeAfter(t, inbox);
    const res = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json', [SIGNATURE_HEADER]: `sha256=${'0'.repeat(64)}` }, body: '{}' });
    assert.equal(res.status, 401);
    await listen.stderr.waitForLine((l) => l.includes('rejected 401 bad signature'));
    let summary = await inbox.rejections();
    while (summary.count === 0) summary = await inbox.rejections(); // one round trip behind the listener's pipeline at most
    assert.equal(summary.byReason['bad signature'], 1);
  });
});

describe('apichat-bdd listen with an unreachable APICHAT_REDIS_URL', () => {
  it('is one line naming the variable, exit 2, no password', async () => {
    const port = await closedPort();
    const r = await run(['listen'], { APICHAT_WEBHOOK_SECRET: SECRET, APICHAT_LISTEN_PORT: '0', APICHAT_REDIS_URL: `redis://:pa55word@127.0.0.1:${port}` });
    assert.equal(r.code, 2);
    assert.match(oneLine(r.stderr), new RegExp(`^apichat-bdd: APICHAT_REDIS_URL: cannot connect to Redis at redis://127\\.0\\.0\\.1:${port} \\(`));
    assert.ok(!r.stderr.includes('pa55word'));
  });
});
