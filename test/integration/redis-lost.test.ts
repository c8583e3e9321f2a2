// Redis going away in the middle of a runner's run: the step waiting for a reply fails at once,
// saying the connection to Redis was lost (not "Timed out"), and the run ends with exit 1 —
// no hang until the reply timeout (set here far beyond the test's own timeout).
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { skipWithoutRedis, startRedisServer } from '../support/redis-server.ts';
import { FIXTURE_CONFIG } from '../support/cucumber.ts';
import { context, startCucumber, startPlatform, waitForReceived } from './live/helpers.ts';

const skip = skipWithoutRedis();

describe('Redis going away mid-run', { skip, timeout: 90_000 }, () => {
  it('fails the waiting step at once with a clear error', async () => {
    const redis = await startRedisServer();
    const p = await startPlatform();
    try {
      const run = startCucumber(['--config', FIXTURE_CONFIG, 'test/fixtures/live/hello.feature'], {
        APICHAT_REDIS_URL: redis.url,
        APICHAT_BOT_URL: p.sim.botUrl,
        APICHAT_FLOW_API_KEY: p.sim.flowKey,
        APICHAT_REPLY_TIMEOUT_MS: '600000',
      });
      // The user's message reached the bot: the run now waits for the reply through Redis.
      await waitForReceived(p.sim, (r) => JSON.stringify(r).includes('"hi"'));
      await redis.kill();
      const result = await run.done;
      assert.equal(result.code, 1, context(result));
      assert.match(result.output, /✖ Then the bot replies "Hello! I am the Grand Demo Hotel bot\."[^\n]*\n\s+lost the connection to Redis at redis:\/\/127\.0\.0\.1:\d+ \(APICHAT_REDIS_URL\) while waiting for replies/, context(result));
      assert.doesNotMatch(result.output, /Timed out after/);
    } finally {
      await p.close();
      await redis.stop();
    }
  });
});
