// loadConfig / readEnv: one validated Config, one-line errors naming the variable, secrets never echoed.
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ConfigError, loadConfig, readEnv, secretsOf, SECRET_VARIABLES, VARIABLES, type LiveConfig } from '../src/config.ts';
import { ApiChatError, isApiChatError } from '../src/base/errors.ts';

type Env = Record<string, string | undefined>;

const FLOW = 'flowkey-SECRET-7c1e9a';
const HOOK = 'hooksecret-SECRET-b44d02';
const PARTNER_KEY = 'partnerkey-SECRET-e90f13';
const BOT_URL = 'https://bot.dfktv2.com/api/apichat/abc123';
const SECRET_VALUES = [FLOW, HOOK, PARTNER_KEY];

const LIVE: Env = { APICHAT_BOT_URL: BOT_URL, APICHAT_FLOW_API_KEY: FLOW, APICHAT_WEBHOOK_SECRET: HOOK };
const PARTNER: Env = {
  APICHAT_PARTNER_BASE_URL: 'https://www.uchat.com.au/api',
  APICHAT_PARTNER_API_KEY: PARTNER_KEY,
  APICHAT_WORKSPACE_ID: 'ws-123',
};

/** The ConfigError loadConfig throws for env (fails the test if it does not throw one). */
function configError(env: Env): ConfigError {
  try {
    loadConfig(env);
  } catch (e) {
    assert.ok(e instanceof ConfigError, `expected a ConfigError, got ${String(e)}`);
    assert.ok(e instanceof ApiChatError);
    assert.equal(e.code, 'APICHAT_CONFIG');
    assert.equal(e.name, 'ConfigError');
    assert.ok(!e.message.includes('\n'), 'one line');
    for (const s of SECRET_VALUES) assert.ok(!e.message.includes(s), `the message leaks a secret: ${e.message}`);
    return e;
  }
  assert.fail(`loadConfig accepted ${JSON.stringify(Object.keys(env))}`);
}

/** loadConfig for an environment that must give a live config. */
function liveConfig(env: Env): LiveConfig {
  const c = loadConfig(env);
  assert.equal(c.mode, 'live');
  return c;
}

describe('loadConfig: simulated mode', () => {
  it('an empty environment → simulated with the defaults', () => {
    const c = loadConfig({});
    assert.deepEqual(c, {
      mode: 'simulated',
      listenHost: '127.0.0.1',
      listenPort: 0,
      publicUrl: undefined,
      webhookPath: '/webhook',
      replyTimeoutMs: 10_000,
      quietMs: undefined,
      settleMs: undefined,
      warnings: [],
      webhookSecret: undefined,
      simulatorBot: undefined,
      redisUrl: undefined,
    });
  });

  it('blank values count as unset', () => {
    const c = loadConfig({ APICHAT_BOT_URL: '', APICHAT_FLOW_API_KEY: '   ', APICHAT_LISTEN_PORT: ' ', APICHAT_QUIET_MS: '' });
    assert.equal(c.mode, 'simulated');
    assert.equal(c.listenPort, 0);
    assert.equal(c.quietMs, undefined, 'learned');
  });

  it('simulated mode takes the timing overrides and the bot file', () => {
    const c = loadConfig({ APICHAT_QUIET_MS: '50', APICHAT_SETTLE_MS: '0', APICHAT_REPLY_TIMEOUT_MS: '2500', APICHAT_SIMULATOR_BOT: 'bots/shop.yaml', APICHAT_LISTEN_PORT: '9000' });
    assert.equal(c.mode, 'simulated');
    assert.equal(c.quietMs, 50);
    assert.equal(c.settleMs, 0);
    assert.equal(c.replyTimeoutMs, 2500);
    assert.equal(c.simulatorBot, 'bots/shop.yaml');
    assert.equal(c.listenPort, 9000);
  });
});

describe('loadConfig: live mode', () => {
  it('bot URL + flow key + secret → live with live defaults', () => {
    const c = liveConfig({ ...LIVE });
    assert.equal(c.botUrl, BOT_URL);
    assert.equal(c.flowKey, FLOW);
    assert.equal(c.webhookSecret, HOOK);
    assert.equal(c.listenHost, '127.0.0.1');
    assert.equal(c.listenPort, 8787);
    assert.equal(c.webhookPath, '/webhook');
    assert.equal(c.publicUrl, undefined);
    assert.equal(c.partner, undefined);
    assert.equal(c.replyTimeoutMs, 10_000);
    assert.equal(c.quietMs, undefined, 'learned during the run (src/run.ts runTiming)');
    assert.equal(c.settleMs, undefined, 'learned during the run');
    assert.deepEqual(secretsOf(c).sort(), [FLOW, HOOK].sort());
  });

  it('no warning normally; APICHAT_SIMULATOR_BOT set in live mode → one warning line saying it is ignored', () => {
    assert.deepEqual(liveConfig({ ...LIVE }).warnings, []);
    const w = liveConfig({ ...LIVE, APICHAT_SIMULATOR_BOT: 'bots/shop.yaml' }).warnings;
    assert.equal(w.length, 1);
    assert.match(w[0] ?? '', /^APICHAT_SIMULATOR_BOT is ignored in live mode/);
    assert.ok(!w[0]?.includes('\n'));
  });

  it('values are trimmed', () => {
    const c = liveConfig({ APICHAT_BOT_URL: ` ${BOT_URL} `, APICHAT_FLOW_API_KEY: ` ${FLOW}\t`, APICHAT_WEBHOOK_SECRET: HOOK, APICHAT_LISTEN_PORT: ' 8080 ' });
    assert.equal(c.botUrl, BOT_URL);
    assert.equal(c.flowKey, FLOW);
    assert.equal(c.listenPort, 8080);
  });

  it('partner variables + public URL (no bot URL) → live, partner config, path from the public URL', () => {
    const c = liveConfig({ ...PARTNER, APICHAT_FLOW_API_KEY: FLOW, APICHAT_WEBHOOK_SECRET: HOOK, APICHAT_PUBLIC_URL: 'https://tunnel.example.com/hooks/apichat' });
    assert.equal(c.botUrl, undefined);
    assert.deepEqual(c.partner, { baseUrl: 'https://www.uchat.com.au/api', apiKey: PARTNER_KEY, workspaceId: 'ws-123' });
    assert.equal(c.publicUrl, 'https://tunnel.example.com/hooks/apichat');
    assert.equal(c.webhookPath, '/hooks/apichat');
    assert.deepEqual(secretsOf(c).sort(), [FLOW, HOOK, PARTNER_KEY].sort());
  });

  it('webhookPath is the path of APICHAT_PUBLIC_URL (query ignored)', () => {
    assert.equal(loadConfig({ ...LIVE, APICHAT_PUBLIC_URL: 'https://ci.example.com:8443/a/b/c?x=1' }).webhookPath, '/a/b/c');
    assert.equal(loadConfig({ ...LIVE, APICHAT_PUBLIC_URL: 'http://10.0.0.5:8787/webhook' }).webhookPath, '/webhook');
    assert.equal(loadConfig({ APICHAT_PUBLIC_URL: 'https://t.example.com/x' }).webhookPath, '/x');
  });

  it('the listen host and port are read', () => {
    const c = loadConfig({ ...LIVE, APICHAT_LISTEN_HOST: '0.0.0.0', APICHAT_LISTEN_PORT: '0' });
    assert.equal(c.listenHost, '0.0.0.0');
    assert.equal(c.listenPort, 0);
    assert.equal(loadConfig({ ...LIVE, APICHAT_LISTEN_HOST: '::1' }).listenHost, '::1');
  });
});

describe('loadConfig: errors name the variable', () => {
  it('a missing flow key → "APICHAT_FLOW_API_KEY: …"', () => {
    const e = configError({ APICHAT_BOT_URL: BOT_URL, APICHAT_WEBHOOK_SECRET: HOOK });
    assert.ok(e.message.startsWith('APICHAT_FLOW_API_KEY:'), e.message);
    assert.equal(e.variable, 'APICHAT_FLOW_API_KEY');
    assert.ok(isApiChatError(e, 'APICHAT_CONFIG'));
  });

  it('a missing webhook secret in live mode → "APICHAT_WEBHOOK_SECRET: …"', () => {
    const e = configError({ APICHAT_BOT_URL: BOT_URL, APICHAT_FLOW_API_KEY: FLOW });
    assert.ok(e.message.startsWith('APICHAT_WEBHOOK_SECRET:'), e.message);
  });

  it('a flow key without a bot URL or partner variables → names APICHAT_BOT_URL', () => {
    const e = configError({ APICHAT_FLOW_API_KEY: FLOW, APICHAT_WEBHOOK_SECRET: HOOK });
    assert.ok(e.message.startsWith('APICHAT_BOT_URL:'), e.message);
    assert.match(e.message, /APICHAT_PARTNER_BASE_URL/);
  });

  for (const [value, why] of [
    ['not a url', 'no scheme'],
    ['ftp://bot.example.com/api/apichat/x', 'not http(s)'],
    ['bot.dfktv2.com/api/apichat/abc', 'no scheme'],
    ['https://', 'no host'],
  ] as const) {
    it(`a malformed APICHAT_BOT_URL (${why}) names the variable and what is expected`, () => {
      const e = configError({ ...LIVE, APICHAT_BOT_URL: value });
      assert.ok(e.message.startsWith('APICHAT_BOT_URL:'), e.message);
      assert.match(e.message, /http\(s\) URL/);
      assert.equal(e.variable, 'APICHAT_BOT_URL');
    });
  }

  it('malformed APICHAT_PUBLIC_URL and APICHAT_PARTNER_BASE_URL are named', () => {
    assert.ok(configError({ ...LIVE, APICHAT_PUBLIC_URL: 'tunnel:8080' }).message.startsWith('APICHAT_PUBLIC_URL:'));
    const e = configError({ ...PARTNER, APICHAT_PARTNER_BASE_URL: 'www.uchat.com.au/api', APICHAT_FLOW_API_KEY: FLOW, APICHAT_WEBHOOK_SECRET: HOOK, APICHAT_PUBLIC_URL: 'https://t.example.com/w' });
    assert.ok(e.message.startsWith('APICHAT_PARTNER_BASE_URL:'), e.message);
  });

  it('partial partner variables name the missing one', () => {
    const onlyBase = configError({ ...LIVE, APICHAT_PARTNER_BASE_URL: PARTNER.APICHAT_PARTNER_BASE_URL });
    assert.ok(onlyBase.message.startsWith('APICHAT_PARTNER_API_KEY:'), onlyBase.message);
    assert.match(onlyBase.message, /APICHAT_PARTNER_BASE_URL is;/);

    const noWorkspace = configError({ ...LIVE, APICHAT_PARTNER_BASE_URL: PARTNER.APICHAT_PARTNER_BASE_URL, APICHAT_PARTNER_API_KEY: PARTNER_KEY });
    assert.ok(noWorkspace.message.startsWith('APICHAT_WORKSPACE_ID:'), noWorkspace.message);
    assert.match(noWorkspace.message, /APICHAT_PARTNER_BASE_URL and APICHAT_PARTNER_API_KEY are/);

    const noBase = configError({ ...LIVE, APICHAT_PARTNER_API_KEY: PARTNER_KEY, APICHAT_WORKSPACE_ID: 'ws' });
    assert.ok(noBase.message.startsWith('APICHAT_PARTNER_BASE_URL:'), noBase.message);
    assert.equal(noBase.variable, 'APICHAT_PARTNER_BASE_URL');
  });

  it('partner variables without APICHAT_PUBLIC_URL → names APICHAT_PUBLIC_URL', () => {
    const e = configError({ ...PARTNER, APICHAT_FLOW_API_KEY: FLOW, APICHAT_WEBHOOK_SECRET: HOOK });
    assert.ok(e.message.startsWith('APICHAT_PUBLIC_URL:'), e.message);
    assert.equal(e.variable, 'APICHAT_PUBLIC_URL');
  });

  const badInts: Array<[string, string]> = [
    ['APICHAT_LISTEN_PORT', 'eighty'],
    ['APICHAT_LISTEN_PORT', '70000'],
    ['APICHAT_LISTEN_PORT', '-1'],
    ['APICHAT_LISTEN_PORT', '80.5'],
    ['APICHAT_REPLY_TIMEOUT_MS', '0'],
    ['APICHAT_REPLY_TIMEOUT_MS', '10s'],
    ['APICHAT_QUIET_MS', '-5'],
    ['APICHAT_QUIET_MS', 'NaN'],
    ['APICHAT_SETTLE_MS', '1e9'],
    ['APICHAT_SETTLE_MS', 'Infinity'],
  ];
  for (const [name, value] of badInts) {
    it(`${name}=${JSON.stringify(value)} → an error naming ${name}`, () => {
      for (const base of [{}, LIVE]) {
        const e = configError({ ...base, [name]: value });
        assert.ok(e.message.startsWith(`${name}:`), e.message);
        assert.match(e.message, /whole number from \d+ to \d+/);
        assert.ok(e.message.includes(JSON.stringify(value)), 'the (non-secret) value is shown');
        assert.equal(e.variable, name);
      }
    });
  }

  it('a listen host with spaces or a scheme is refused', () => {
    for (const host of ['http://localhost', 'my host', 'a/b']) {
      const e = configError({ APICHAT_LISTEN_HOST: host });
      assert.ok(e.message.startsWith('APICHAT_LISTEN_HOST:'), e.message);
    }
  });
});

describe('loadConfig: secrets never appear in error messages', () => {
  const secrets: Env = { APICHAT_FLOW_API_KEY: FLOW, APICHAT_WEBHOOK_SECRET: HOOK, APICHAT_PARTNER_API_KEY: PARTNER_KEY };

  it('every error path, with all three secrets set to distinctive values', () => {
    const envs: Env[] = [
      { ...secrets, APICHAT_BOT_URL: 'nope' },
      { ...secrets, APICHAT_BOT_URL: BOT_URL },
      { ...secrets, APICHAT_BOT_URL: BOT_URL, APICHAT_PARTNER_BASE_URL: 'https://p.example.com/api' },
      { ...secrets, ...PARTNER },
      { ...secrets, ...PARTNER, APICHAT_PARTNER_BASE_URL: 'bad' },
      { ...secrets, APICHAT_BOT_URL: BOT_URL, APICHAT_LISTEN_PORT: 'x' },
      { ...secrets, APICHAT_BOT_URL: BOT_URL, APICHAT_QUIET_MS: 'x' },
      { APICHAT_PARTNER_API_KEY: PARTNER_KEY, APICHAT_FLOW_API_KEY: FLOW },
      { APICHAT_FLOW_API_KEY: FLOW },
      { APICHAT_FLOW_API_KEY: FLOW, APICHAT_BOT_URL: BOT_URL },
      { ...secrets, APICHAT_BOT_URL: BOT_URL, APICHAT_LISTEN_HOST: 'bad host' },
    ];
    for (const env of envs) configError(env); // configError scans each message for the secrets
  });

  it('a secret pasted into the wrong variable is not echoed back', () => {
    // Swapped values are a common mistake; the "got …" part of the message must not print a secret.
    const cases: Env[] = [
      { ...LIVE, APICHAT_BOT_URL: FLOW },
      { ...LIVE, APICHAT_PUBLIC_URL: HOOK },
      { ...LIVE, ...PARTNER, APICHAT_PUBLIC_URL: 'https://t.example.com/w', APICHAT_PARTNER_BASE_URL: PARTNER_KEY },
      { ...LIVE, APICHAT_LISTEN_PORT: HOOK },
      { ...LIVE, APICHAT_REPLY_TIMEOUT_MS: FLOW },
      { ...LIVE, APICHAT_LISTEN_HOST: `${FLOW} x` },
    ];
    for (const env of cases) {
      const e = configError(env);
      assert.match(e.message, /^APICHAT_[A-Z_]+: /);
      assert.match(e.message, /got "\*\*\*/, 'the value is masked, the rest of the message kept');
    }
  });

  it('the secret variables are the four keys, each documented', () => {
    assert.deepEqual([...SECRET_VARIABLES].sort(), ['APICHAT_AI_API_KEY', 'APICHAT_FLOW_API_KEY', 'APICHAT_PARTNER_API_KEY', 'APICHAT_WEBHOOK_SECRET']);
    for (const v of SECRET_VARIABLES) assert.ok(VARIABLES[v].length > 0);
  });
});

describe('readEnv: .env under the environment', () => {
  let dir: string;
  before(() => {
    dir = mkdtempSync(join(tmpdir(), 'apichat-config-'));
  });
  after(() => {
    rmSync(dir, { recursive: true, force: true });
  });

  it('merges the file under the environment: the environment wins, the file fills the gaps', () => {
    const file = join(dir, 'merge.env');
    writeFileSync(
      file,
      [
        '# live setup',
        `APICHAT_BOT_URL=${BOT_URL}`,
        'APICHAT_FLOW_API_KEY=from-file-flow-key',
        `APICHAT_WEBHOOK_SECRET="${HOOK}"`,
        'APICHAT_QUIET_MS=750',
        '',
      ].join('\n'),
    );
    const env = readEnv({ APICHAT_FLOW_API_KEY: FLOW, OTHER: 'x' }, file);
    assert.equal(env.APICHAT_FLOW_API_KEY, FLOW, 'the environment wins');
    assert.equal(env.APICHAT_BOT_URL, BOT_URL);
    assert.equal(env.APICHAT_WEBHOOK_SECRET, HOOK, 'quotes are removed');
    assert.equal(env.APICHAT_QUIET_MS, '750');
    assert.equal(env.OTHER, 'x');
    const c = loadConfig(env);
    assert.equal(c.mode, 'live');
    assert.equal(c.flowKey, FLOW);
    assert.equal(c.quietMs, 750);
  });

  it('does not modify the environment object it is given', () => {
    const file = join(dir, 'nomutate.env');
    writeFileSync(file, 'APICHAT_QUIET_MS=1\n');
    const env: Env = { A: '1' };
    const merged = readEnv(env, file);
    assert.deepEqual(env, { A: '1' });
    assert.equal(merged.APICHAT_QUIET_MS, '1');
  });

  it('a missing file or envFile=false → the environment as is', () => {
    const env: Env = { APICHAT_QUIET_MS: '5' };
    assert.deepEqual(readEnv(env, join(dir, 'does-not-exist.env')), env);
    assert.deepEqual(readEnv(env, false), env);
  });

  it('an unreadable .env is a ConfigError naming .env and the file', () => {
    const broken = join(dir, 'broken.env');
    mkdirSync(broken); // a directory where the file should be: cannot be read
    try {
      readEnv({}, broken);
      assert.fail('readEnv accepted a directory');
    } catch (e) {
      assert.ok(e instanceof ConfigError, String(e));
      assert.equal(e.code, 'APICHAT_CONFIG');
      assert.ok(e.message.startsWith('.env:'), e.message);
      assert.ok(e.message.includes(broken), e.message);
      assert.equal(e.variable, '.env');
    }
  });
});
