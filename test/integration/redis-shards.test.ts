// Beyond one machine, end to end, every part its own process as on separate CI machines: the
// platform (`apichat-bdd simulate`), one `apichat-bdd listen` publishing to a real redis-server
// with the webhook set on it, and two `cucumber-js --shard i/2` runners (one with --parallel 2,
// one reading the bot URL through the partner API) that start no listener and read their
// replies from Redis. Every scenario passes, the runners never write the webhook, and
// `apichat-bdd report` merges their message files into one page holding every scenario.
// Then the bad inputs: a runner with no listener publishing, and an unreachable Redis.
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { NO_DELIVERY_NOTICE } from '../../src/inbox/index.ts';
import { escapeHtml } from '../../src/report/index.ts';
import { skipWithoutRedis, startRedisServer, type RedisServer } from '../support/redis-server.ts';
import { closedPort } from '../client/helpers.ts';
import { assertPassed, FIXTURE_CONFIG, scenarioSummary, startCucumber } from '../support/cucumber.ts';
import { context, ROOT, start, type RunResult, type Started } from '../support/process.ts';
import { assertNoSecrets, freePort } from './live/helpers.ts';

const FEATURES = ['features/greeting.feature', 'features/booking.feature', 'features/media.feature'];
const BIN = join(ROOT, 'bin/apichat-bdd.js');
const SECRET = 'shards-webhook-secret-0123456789abcdef';
const skip = skipWithoutRedis();

type Cli = Started;

/** `apichat-bdd <args>` as its own process, with only `vars` for configuration. */
function cli(args: string[], vars: Record<string, string>): Cli {
  return start(process.execPath, [BIN, ...args], { vars });
}

/** The partner API behind a recorder: what a runner asks of it (it may read, never write). */
async function recordingProxy(target: string): Promise<{ url: string; calls: string[]; server: Server }> {
  const calls: string[] = [];
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      calls.push(`${req.method} ${req.url}`);
      const headers: Record<string, string> = {};
      for (const h of ['authorization', 'content-type']) if (req.headers[h]) headers[h] = String(req.headers[h]);
      const body = chunks.length ? Buffer.concat(chunks) : undefined;
      fetch(`${target}${req.url!.replace(/^\/api/, '')}`, { method: req.method, headers, body }).then(
        async (r) => res.writeHead(r.status, { 'content-type': r.headers.get('content-type') ?? 'application/json' }).end(Buffer.from(await r.arrayBuffer())),
        () => res.writeHead(502).end(),
      );
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { url: `http://127.0.0.1:${(server.address() as { port: number }).port}/api`, calls, server };
}

const scenarioCount = (run: RunResult): number => scenarioSummary(run).total;

describe('CI shards through Redis Streams', { skip, timeout: 300_000 }, () => {
  let redis: RedisServer;
  let sim: Cli;
  let listen: Cli;
  let platform: { bot_url: string; partner_base_url: string; workspace_id: string; flow_api_key: string; partner_api_key: string };
  let publicUrl: string;
  const dir = mkdtempSync(join(tmpdir(), 'apichat-shards-'));

  before(async () => {
    redis = await startRedisServer();
    sim = cli(['simulate'], {});
    platform = JSON.parse(await sim.stdout.waitFor((l) => l.startsWith('{'), 'the simulator JSON line'));
    const port = await freePort();
    publicUrl = `http://127.0.0.1:${port}/hooks/shared`;
    listen = cli(['listen'], { APICHAT_WEBHOOK_SECRET: SECRET, APICHAT_LISTEN_PORT: String(port), APICHAT_PUBLIC_URL: publicUrl, APICHAT_REDIS_URL: redis.url });
    await listen.stderr.waitFor((l) => l.includes('publishing to Redis'), 'the listener startup line');
    const set = cli(['webhook', 'set'], {
      APICHAT_PARTNER_BASE_URL: platform.partner_base_url,
      APICHAT_PARTNER_API_KEY: platform.partner_api_key,
      APICHAT_WORKSPACE_ID: platform.workspace_id,
      APICHAT_WEBHOOK_SECRET: SECRET,
      APICHAT_PUBLIC_URL: publicUrl,
    });
    assert.equal((await set.done).code, 0, set.stderr.text);
  });

  after(async () => {
    await listen?.stop();
    await sim?.stop();
    await redis?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('two shards pass every scenario, never write the webhook, and merge into one report', async () => {
    const proxy = await recordingProxy(platform.partner_base_url);
    try {
      const runner = { APICHAT_REDIS_URL: redis.url, APICHAT_FLOW_API_KEY: platform.flow_api_key, APICHAT_QUIET_MS: '300' };
      const shard = (i: number, extra: string[], vars: Record<string, string>) =>
        startCucumber(['--config', FIXTURE_CONFIG, '--shard', `${i}/2`, '--format', `message:${join(dir, `shard-${i}.ndjson`)}`, ...extra, ...FEATURES], { ...runner, ...vars }).done;
      const [one, two] = await Promise.all([
        shard(1, ['--parallel', '2'], { APICHAT_BOT_URL: platform.bot_url }),
        // No bot URL: read from the partner API, which must see reads only.
        shard(2, [], { APICHAT_PARTNER_BASE_URL: proxy.url, APICHAT_PARTNER_API_KEY: platform.partner_api_key, APICHAT_WORKSPACE_ID: platform.workspace_id }),
      ]);
      for (const run of [one, two]) {
        assertPassed(run);
        assert.match(run.stderr, /runner mode: replies come from Redis at redis:\/\/127\.0\.0\.1:\d+; no listener here, the webhook is not touched/);
        assert.doesNotMatch(run.output, /webhook of workspace|webhook restored|webhook removed/);
        assertNoSecrets(run, [platform.flow_api_key, platform.partner_api_key, SECRET]);
      }
      assert.ok(proxy.calls.length > 0 && proxy.calls.every((c) => c.startsWith('GET ')), `the runner only read the partner API: ${proxy.calls.join(', ')}`);
      // The webhook still points at the one listener, which received every reply.
      const get = cli(['webhook', 'get'], { APICHAT_PARTNER_BASE_URL: platform.partner_base_url, APICHAT_PARTNER_API_KEY: platform.partner_api_key, APICHAT_WORKSPACE_ID: platform.workspace_id });
      assert.equal((await get.done).code, 0);
      assert.equal((JSON.parse(get.stdout.text) as { webhook_url: string }).webhook_url, publicUrl);
      assert.ok(listen.stdout.text.split('\n').filter(Boolean).length > 0, 'the listener printed the deliveries it published');

      const total = scenarioCount(one) + scenarioCount(two);
      const all = startCucumber(['--config', FIXTURE_CONFIG, '--dry-run', ...FEATURES], {}).done;
      assert.equal(total, scenarioCount(await all), 'the shards together ran every scenario once');

      const out = join(dir, 'merged.html');
      const report = cli(['report', join(dir, 'shard-1.ndjson'), join(dir, 'shard-2.ndjson'), '--out', out], {});
      assert.equal((await report.done).code, 0, report.stderr.text);
      assert.match(report.stdout.text, new RegExp(`: ${total} scenarios from 2 files \\(${total} passed\\)`));
      assert.match(report.stdout.text, /buttons exercised: \d+ of \d+/);
      const html = readFileSync(out, 'utf8');
      for (const file of FEATURES) {
        for (const m of readFileSync(join(ROOT, file), 'utf8').matchAll(/^\s*Scenario: (.+)$/gm)) {
          assert.ok(html.includes(escapeHtml(m[1]!.trim())), `the merged report holds "${m[1]!.trim()}"`);
        }
      }
    } finally {
      proxy.server.close();
    }
  });

  it('a runner with no listener publishing says so in its first failing step', async () => {
    // Database 1 of the same server: nobody publishes there.
    const run = await startCucumber(['--config', FIXTURE_CONFIG, '--fail-fast', 'features/greeting.feature'], {
      APICHAT_REDIS_URL: `${redis.url}/1`,
      APICHAT_BOT_URL: platform.bot_url,
      APICHAT_FLOW_API_KEY: platform.flow_api_key,
      APICHAT_REPLY_TIMEOUT_MS: '1500',
      APICHAT_QUIET_MS: '300',
    }).done;
    assert.equal(run.code, 1, context(run));
    assert.ok(run.output.includes(NO_DELIVERY_NOTICE), `the failure names the cause${context(run)}`);
    assert.match(run.stderr, /warning: no `apichat-bdd listen` is publishing to redis:\/\/127\.0\.0\.1:\d+\/1 right now/);
  });

  it('an unreachable APICHAT_REDIS_URL stops the run before any scenario: one line, exit 2', async () => {
    const port = await closedPort();
    const run = await startCucumber(['--config', FIXTURE_CONFIG, 'features/greeting.feature'], {
      APICHAT_REDIS_URL: `redis://:not-shown-pw@127.0.0.1:${port}`,
      APICHAT_BOT_URL: platform.bot_url,
      APICHAT_FLOW_API_KEY: platform.flow_api_key,
    }).done;
    assert.equal(run.code, 2, context(run));
    const lines = run.output.split('\n').filter((l) => l.trim() !== '');
    assert.equal(lines.length, 1, context(run));
    assert.match(lines[0]!, new RegExp(`^apichat-bdd: APICHAT_REDIS_URL: cannot connect to Redis at redis://127\\.0\\.0\\.1:${port} `));
    assert.ok(!run.output.includes('not-shown-pw'));
  });
});

