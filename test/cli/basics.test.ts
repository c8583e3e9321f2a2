// `apichat-bdd` usage and configuration mistakes: --help, unknown commands and options,
// missing variables. Each mistake is one line on stderr, exit code 2, no stack trace.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { readFileSync } from 'node:fs';
import { VARIABLES } from '../../src/config.ts';
import { packageVersion } from '../../src/base/version.ts';
import { assertNoSecrets, oneLine, run } from './helpers.ts';

describe('apichat-bdd --help', () => {
  for (const argv of [['--help'], ['-h'], ['help'], [], ['listen', '--help']]) {
    it(`${JSON.stringify(argv)} prints the usage on stdout, exit 0`, async () => {
      const r = await run(argv);
      assert.equal(r.code, 0);
      assert.equal(r.stderr, '');
      for (const cmd of ['listen', 'webhook get', 'webhook set', 'webhook remove', 'simulate [bot-file]', 'doctor']) {
        assert.ok(r.stdout.includes(cmd), `usage lists ${cmd}`);
      }
      for (const v of Object.keys(VARIABLES)) assert.ok(r.stdout.includes(v), `usage lists ${v}`);
      assert.match(r.stdout, /printing them is intended/);
      assert.match(r.stdout, /sends a real text message/);
    });
  }
});

describe('apichat-bdd --version', () => {
  for (const argv of [['--version'], ['-v'], ['version']]) {
    it(`${JSON.stringify(argv)} prints the version of package.json on stdout, exit 0`, async () => {
      const { version } = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string };
      const r = await run(argv);
      assert.equal(r.code, 0);
      assert.equal(r.stdout, `${version}\n`);
      assert.equal(r.stderr, '');
    });
  }

  it('finds the nearest package.json named apichat-bdd, whatever folder the code runs from', () => {
    assert.equal(packageVersion(new URL('../../src/cli/deep/file.js', import.meta.url)), packageVersion());
    assert.equal(packageVersion(new URL('file:///nowhere/at/all.js')), 'unknown');
  });
});

describe('apichat-bdd usage mistakes', () => {
  it('an unknown command is one line, exit 2', async () => {
    const r = await run(['frobnicate']);
    assert.equal(r.code, 2);
    assert.equal(r.stdout, '');
    assert.match(oneLine(r.stderr), /^apichat-bdd: unknown command "frobnicate"; run `apichat-bdd --help`/);
  });

  it('an unknown option is one line, exit 2', async () => {
    const r = await run(['listen', '--frob']);
    assert.equal(r.code, 2);
    assert.match(oneLine(r.stderr), /--frob/);
    const r2 = await run(['--frob']);
    assert.equal(r2.code, 2);
    assert.match(oneLine(r2.stderr), /unknown option --frob/);
  });

  it('extra arguments and unknown webhook actions are one line, exit 2', async () => {
    for (const argv of [['listen', 'now'], ['doctor', 'x'], ['webhook'], ['webhook', 'delete'], ['webhook', 'get', 'x'], ['simulate', 'a.yaml', 'b.yaml'], ['simulate', '--port', 'abc']]) {
      const r = await run(argv);
      assert.equal(r.code, 2, `${argv.join(' ')}: ${r.stderr}`);
      oneLine(r.stderr);
    }
  });
});

describe('apichat-bdd configuration mistakes', () => {
  it('listen without APICHAT_WEBHOOK_SECRET: exit 2, one line naming it', async () => {
    const r = await run(['listen'], {});
    assert.equal(r.code, 2);
    assert.equal(r.stdout, '');
    assert.match(oneLine(r.stderr), /^apichat-bdd: APICHAT_WEBHOOK_SECRET: is not set; /);
  });

  it('a malformed variable: exit 2, one line naming it, without echoing a secret', async () => {
    const secret = 'do-not-print-me-123';
    const r = await run(['listen'], { APICHAT_WEBHOOK_SECRET: secret, APICHAT_LISTEN_PORT: 'eighty' });
    assert.equal(r.code, 2);
    assert.match(oneLine(r.stderr), /APICHAT_LISTEN_PORT: expected a whole number from 0 to 65535, got "eighty"/);
    assertNoSecrets([r.stdout, r.stderr], [secret]);
  });

  it('webhook commands name the first missing partner variable', async () => {
    const r = await run(['webhook', 'get'], {});
    assert.equal(r.code, 2);
    assert.match(oneLine(r.stderr), /APICHAT_PARTNER_BASE_URL: is not set; `apichat-bdd webhook get` calls the partner API/);
    const r2 = await run(['webhook', 'remove'], { APICHAT_PARTNER_BASE_URL: 'http://127.0.0.1:9/api', APICHAT_WORKSPACE_ID: '1' });
    assert.equal(r2.code, 2);
    assert.match(oneLine(r2.stderr), /APICHAT_PARTNER_API_KEY: is not set/);
    const r3 = await run(['webhook', 'get'], { APICHAT_PARTNER_BASE_URL: 'ftp://x', APICHAT_PARTNER_API_KEY: 'k', APICHAT_WORKSPACE_ID: '1' });
    assert.equal(r3.code, 2);
    assert.match(oneLine(r3.stderr), /APICHAT_PARTNER_BASE_URL: expected an http\(s\) URL/);
  });

  it('webhook set names APICHAT_PUBLIC_URL and APICHAT_WEBHOOK_SECRET when missing, before calling anything', async () => {
    const partner = { APICHAT_PARTNER_BASE_URL: 'http://127.0.0.1:9/api', APICHAT_PARTNER_API_KEY: 'partner-key-secret', APICHAT_WORKSPACE_ID: '1' };
    const r = await run(['webhook', 'set'], partner);
    assert.equal(r.code, 2);
    assert.match(oneLine(r.stderr), /^apichat-bdd: APICHAT_PUBLIC_URL: is not set/);
    const r2 = await run(['webhook', 'set'], { ...partner, APICHAT_PUBLIC_URL: 'https://tunnel.example.com/webhook' });
    assert.equal(r2.code, 2);
    assert.match(oneLine(r2.stderr), /^apichat-bdd: APICHAT_WEBHOOK_SECRET: is not set/);
    assertNoSecrets([r.stderr, r2.stderr], ['partner-key-secret']);
  });

  it('simulate with a missing bot file: exit 2, one line naming the file', async () => {
    const r = await run(['simulate', 'no/such/bot.yaml']);
    assert.equal(r.code, 2);
    assert.equal(r.stdout, '');
    assert.match(oneLine(r.stderr), /no\/such\/bot\.yaml: file not found/);
  });

  it('doctor without a live configuration: ✗ line, exit 2', async () => {
    const r = await run(['doctor'], {});
    assert.equal(r.code, 2);
    assert.match(oneLine(r.stdout), /^✗ live configuration — no live configuration: set APICHAT_\* \(see docs\/live-mode\.md in the apichat-bdd package\)/);
  });

  it('doctor with a broken configuration: ✗ line naming the variable, exit 2, no secret', async () => {
    const r = await run(['doctor'], { APICHAT_BOT_URL: 'http://127.0.0.1:9/api/apichat/x', APICHAT_WEBHOOK_SECRET: 'whsecret-abc' });
    assert.equal(r.code, 2);
    assert.match(oneLine(r.stdout), /^✗ configuration — APICHAT_FLOW_API_KEY: is not set/);
    assertNoSecrets([r.stdout, r.stderr], ['whsecret-abc']);
  });
});
