// startRun in runner mode (APICHAT_REDIS_URL): no listener, no control server, no webhook; the
// workers' APICHAT_RUN carries the Redis URL and the delivery counter at the start of the run.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { loadConfig, ConfigError } from '../src/config.ts';
import { KEYS, RedisInbox, connectRedis } from '../src/inbox/index.ts';
import { startRun } from '../src/run/run.ts';
import { skipWithoutRedis, startRedisServer, type RedisServer } from './support/redis-server.ts';

const RUNNER = { APICHAT_BOT_URL: 'http://127.0.0.1:9/api/apichat/x', APICHAT_FLOW_API_KEY: 'flow-SECRET-3' };

describe('startRun: runner mode', () => {
  it('needs the flow key and the bot URL, before it contacts anything', async () => {
    await assert.rejects(startRun(loadConfig({ APICHAT_REDIS_URL: 'redis://127.0.0.1:1' })), (e: unknown) => {
      assert.ok(e instanceof ConfigError);
      assert.equal(e.variable, 'APICHAT_FLOW_API_KEY');
      assert.match(e.message, /with APICHAT_REDIS_URL the run reads replies from Redis/);
      return true;
    });
  });

  describe('against Redis', { skip: skipWithoutRedis(), timeout: 30_000 }, () => {
    let redis: RedisServer;
    before(async () => {
      redis = await startRedisServer();
    });
    after(async () => {
      await redis?.stop();
    });

    it('starts no listener and hands the workers the Redis URL and the delivery count so far', async () => {
      const admin = await connectRedis(redis.url, { role: 'runner' });
      await admin.hSet(KEYS.stats, 'deliveries', '41');
      admin.destroy();
      const lines: string[] = [];
      const run = await startRun(loadConfig({ ...RUNNER, APICHAT_REDIS_URL: redis.url }), (l) => lines.push(l));
      try {
        assert.equal(run.listener, undefined);
        assert.equal(run.control, undefined);
        assert.equal(run.webhookUrl, undefined);
        assert.ok(run.inbox instanceof RedisInbox);
        assert.deepEqual(run.shared.redis, { url: redis.url, deliveriesAtStart: 41 });
        assert.equal(run.shared.botUrl, RUNNER.APICHAT_BOT_URL);
        assert.match(lines[0]!, /^apichat-bdd: runner mode: replies come from Redis at redis:\/\/127\.0\.0\.1:\d+; no listener here, the webhook is not touched$/);
        assert.match(lines[1]!, /^apichat-bdd: warning: no `apichat-bdd listen` is publishing/);
      } finally {
        assert.deepEqual(await run.close(), []);
      }
    });
  });
});
