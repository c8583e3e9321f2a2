// APICHAT_REDIS_URL: runner mode needs only the bot URL (or the partner variables) and the flow
// key; a malformed URL names the variable and never echoes its password.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ConfigError, loadConfig } from '../src/config.ts';

const RUNNER = { APICHAT_BOT_URL: 'https://bot.example.com/api/apichat/x1', APICHAT_FLOW_API_KEY: 'flow-SECRET-1' };

describe('loadConfig: APICHAT_REDIS_URL', () => {
  it('a runner needs no webhook secret or public URL', () => {
    const c = loadConfig({ ...RUNNER, APICHAT_REDIS_URL: 'redis://:pw@redis.internal:6379/2' });
    assert.equal(c.mode, 'runner');
    assert.equal(c.redisUrl, 'redis://:pw@redis.internal:6379/2');
    assert.equal(c.webhookSecret, undefined);
  });

  it('nor with the partner variables, which it uses only to read the bot URL', () => {
    const c = loadConfig({
      APICHAT_FLOW_API_KEY: 'flow-SECRET-1',
      APICHAT_PARTNER_BASE_URL: 'https://www.uchat.com.au/api',
      APICHAT_PARTNER_API_KEY: 'partner-SECRET-2',
      APICHAT_WORKSPACE_ID: '1',
      APICHAT_REDIS_URL: 'rediss://redis.example.com:6380',
    });
    assert.equal(c.redisUrl, 'rediss://redis.example.com:6380');
    assert.equal(c.mode, 'runner');
    assert.ok(c.mode === 'runner' && c.partner);
  });

  it('without Redis the live requirements stand', () => {
    assert.throws(() => loadConfig(RUNNER), (e: unknown) => e instanceof ConfigError && e.variable === 'APICHAT_WEBHOOK_SECRET');
  });

  for (const bad of ['http://redis:6379', 'localhost:6379', 'redis//x', 'rediss://user:hunter2-pw@:6380 x']) {
    it(`${JSON.stringify(bad)} is refused, naming the variable, without the password`, () => {
      assert.throws(() => loadConfig({ ...RUNNER, APICHAT_REDIS_URL: bad }), (e: unknown) => {
        assert.ok(e instanceof ConfigError);
        assert.equal(e.variable, 'APICHAT_REDIS_URL');
        assert.match(e.message, /^APICHAT_REDIS_URL: expected a redis:\/\/ or rediss:\/\/ URL such as redis:\/\/localhost:6379/);
        assert.ok(!e.message.includes('hunter2'), e.message);
        return true;
      });
    });
  }
});
