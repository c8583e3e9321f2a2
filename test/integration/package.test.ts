// The package as a bot team meets it: `npm pack` (prepack builds dist/), the tarball installed
// into a fresh CommonJS project (`npm init -y`), `npx apichat-bdd init`, `npx cucumber-js`
// serial and --parallel 2, a TypeScript custom step importing ChatWorld (and a value) from
// 'apichat-bdd', and the same project switched to "type": "module". npm's cache is warm
// locally and the registry is reachable in CI; --prefer-offline keeps it quick.
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { ROOT, stackLines } from './features/helpers.ts';

const WORK = mkdtempSync(join(tmpdir(), 'apichat-pkg-'));
const PROJECT = join(WORK, 'bot-repo');

interface Run {
  code: number;
  output: string;
}

/** Runs a command without a shell; npm's own npm_* variables and APICHAT_* settings are not inherited. */
function sh(cmd: string, args: string[], cwd: string, timeout = 120_000): Promise<Run> {
  const env: NodeJS.ProcessEnv = {};
  for (const [k, v] of Object.entries(process.env)) if (!/^(npm_|APICHAT_)/i.test(k)) env[k] = v;
  return new Promise((resolve) => {
    execFile(cmd, args, { cwd, env: { ...env, NO_COLOR: '1', FORCE_COLOR: '0' }, timeout, maxBuffer: 32 * 1024 * 1024 }, (error, stdout, stderr) => {
      const code = error ? (typeof error.code === 'number' ? error.code : 1) : 0;
      resolve({ code, output: `${stdout}${stderr}` });
    });
  });
}

function ok(r: Run, what: string): string {
  assert.equal(r.code, 0, `${what} failed:\n${r.output}`);
  return r.output;
}

const NPM_FLAGS = ['--prefer-offline', '--no-audit', '--no-fund', '--loglevel=error'];
let files: string[] = [];

before(async () => {
  const packed = ok(await sh('npm', ['pack', '--json', '--pack-destination', WORK, ...NPM_FLAGS.slice(1)], ROOT), 'npm pack');
  // The prepack build's lines come first; npm's JSON starts on a line of its own.
  const json = packed.slice(packed.search(/^\[/m), packed.lastIndexOf(']') + 1);
  const info = JSON.parse(json) as Array<{ filename: string; files: Array<{ path: string }> }>;
  files = info[0]!.files.map((f) => f.path);
  mkdirSync(PROJECT);
  ok(await sh('npm', ['init', '-y'], PROJECT), 'npm init');
  ok(await sh('npm', ['install', '-D', join(WORK, info[0]!.filename), ...NPM_FLAGS], PROJECT), 'npm install');
});

after(() => rmSync(WORK, { recursive: true, force: true }));

function assertPassed(r: Run, scenarios: number): void {
  assert.equal(r.code, 0, r.output);
  assert.match(r.output, new RegExp(`${scenarios} scenarios? \\(${scenarios} passed\\)`), r.output);
}

describe('the installed package', { concurrency: 1 }, () => {
  test('ships compiled JavaScript with types and the runtime files, and no tests, benchmarks, CI or screenshots', () => {
    for (const f of ['dist/src/index.js', 'dist/src/index.d.ts', 'dist/steps/index.js', 'dist/steps/plugin.mjs', 'dist/steps/report-formatter.mjs', 'dist/bots/demo.yaml', 'dist/schema/bot-file.schema.json', 'dist/src/report/assets/report.css', 'dist/src/report/assets/report.js', 'bin/apichat-bdd.js', 'package.json', 'README.md']) {
      assert.ok(files.includes(f), `${f} is packed`);
    }
    const unwanted = files.filter((f) => /^(test|bench|\.ci|docs|examples|src|steps|scripts)\//.test(f) || f.endsWith('.ts') && !f.endsWith('.d.ts'));
    assert.deepEqual(unwanted, []);
  });

  test('init, then cucumber-js passes at once in a CommonJS project, serial and --parallel 2', async () => {
    const pkg = JSON.parse(readFileSync(join(PROJECT, 'package.json'), 'utf8')) as { type?: string };
    assert.notEqual(pkg.type, 'module');
    const init = ok(await sh('npx', ['apichat-bdd', 'init'], PROJECT), 'apichat-bdd init');
    assert.match(init, /created  cucumber\.mjs/);
    assert.match(init, /Next:\n  npx cucumber-js/);
    assertPassed(await sh('npx', ['cucumber-js'], PROJECT), 2);
    assertPassed(await sh('npx', ['cucumber-js', '--parallel', '2'], PROJECT), 2);
    assert.match(readFileSync(join(PROJECT, 'reports/conversations.html'), 'utf8'), /Grand Demo Hotel/);
  });

  test('apichat-bdd --version prints the installed version', async () => {
    const { version } = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { version: string };
    assert.equal(ok(await sh('npx', ['apichat-bdd', '--version'], PROJECT), 'apichat-bdd --version').trim(), version);
  });

  test('a TypeScript custom step imports ChatWorld and values from apichat-bdd; its failure reads like a built-in one', async () => {
    writeFileSync(
      join(PROJECT, 'steps/contact.steps.ts'),
      `import { Given, Then } from '@cucumber/cucumber';
import { ApiChatError, type ChatWorld, type Expectation } from 'apichat-bdd';

Given('a guest with a profile', async function (this: ChatWorld) {
  await this.newConversation('Ann', { email: 'ann@example.com', phone: '+15550100' });
});
Then('the bot knows the guest by email', async function (this: ChatWorld) {
  await this.say('my contact');
  const e: Expectation = { kind: 'text', mode: 'containing', value: 'ann@example.com' };
  await this.expect(e);
  if (!(await this.conversation()).transcript.events.length) throw new ApiChatError('X', 'no transcript');
});
Then('the bot knows the guest as {string}', async function (this: ChatWorld, email: string) {
  await this.expect({ kind: 'text', mode: 'containing', value: email });
});
`,
    );
    writeFileSync(
      join(PROJECT, 'features/contact.feature'),
      `Feature: Custom steps
  Scenario: The bot echoes the profile
    Given a guest with a profile
    Then the bot knows the guest by email
`,
    );
    assertPassed(await sh('npx', ['cucumber-js', 'features/contact.feature'], PROJECT), 1);

    writeFileSync(
      join(PROJECT, 'features/contact-fails.feature'),
      `Feature: Custom step failure
  Scenario: The wrong email
    Given a guest with a profile
    Then the bot knows the guest by email
    And the bot knows the guest as "bob@example.com"
`,
    );
    const failed = await sh('npx', ['cucumber-js', 'features/contact-fails.feature'], PROJECT);
    rmSync(join(PROJECT, 'features/contact-fails.feature'));
    assert.equal(failed.code, 1, failed.output);
    assert.match(failed.output, /Timed out after \d+ ms waiting for a reply containing "bob@example.com"/);
    assert.deepEqual(stackLines(failed.output), [], failed.output);
  });

  test('the same project as ESM ("type": "module") passes too, serial and --parallel 2', async () => {
    ok(await sh('npm', ['pkg', 'set', 'type=module'], PROJECT), 'npm pkg set');
    assertPassed(await sh('npx', ['cucumber-js'], PROJECT), 3);
    assertPassed(await sh('npx', ['cucumber-js', '--parallel', '2'], PROJECT), 3);
  });
});
