// The package as a bot team meets it: `npm pack` (prepack builds dist/), the tarball installed
// into a fresh CommonJS project (`npm init -y`; the install is shared with editor.test.ts, see
// test/support/packed.ts), `npx apichat-bdd init`, `npx cucumber-js`
// serial and --parallel 2, a TypeScript custom step importing ChatWorld (and a value) from
// 'apichat-bdd', and the same project switched to "type": "module". npm's cache is warm
// locally and the registry is reachable in CI; --prefer-offline keeps it quick.
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { installedProject, NOT_NPM, ok } from '../support/packed.ts';
import { ROOT, run, stackLines, type RunResult } from '../support/process.ts';

const WORK = mkdtempSync(join(tmpdir(), 'apichat-pkg-'));
const PROJECT = join(WORK, 'bot-repo');

/** A command in the bot's project, without a shell; npm's own npm_* variables and APICHAT_* settings are not inherited. */
const sh = (cmd: string, args: string[], vars: Record<string, string> = {}): Promise<RunResult> => run(cmd, args, { cwd: PROJECT, drop: NOT_NPM, timeoutMs: 120_000, vars });

let files: string[] = [];

before(async () => {
  ({ files } = await installedProject(PROJECT));
});

after(() => rmSync(WORK, { recursive: true, force: true }));

function assertPassed(r: RunResult, scenarios: number): void {
  assert.equal(r.code, 0, r.output);
  assert.match(r.output, new RegExp(`${scenarios} scenarios? \\(${scenarios} passed\\)`), r.output);
}

describe('the installed package', { concurrency: 1 }, () => {
  test('ships compiled JavaScript with types, the runtime files and the manual, and no tests, benchmarks, CI or screenshots', () => {
    for (const f of ['dist/src/index.js', 'dist/src/index.d.ts', 'dist/steps/index.js', 'dist/steps/plugin.mjs', 'dist/steps/report-formatter.mjs', 'dist/steps/junit-formatter.mjs', 'dist/steps/github-formatter.mjs', 'dist/bots/demo.yaml', 'dist/schema/bot-file.schema.json', 'dist/src/report/assets/report.css', 'dist/src/report/assets/report.js', 'bin/apichat-bdd.js', 'package.json', 'README.md', 'docs/reference.md', 'docs/writing-features.md']) {
      assert.ok(files.includes(f), `${f} is packed`);
    }
    // README.md links to docs/*.md, so the manual's pages ship (the screenshot does not).
    const unwanted = files.filter((f) => /^(test|bench|\.ci|examples|src|steps|scripts)\//.test(f) || /^docs\//.test(f) && !/^docs\/[^/]+\.md$/.test(f) || f.endsWith('.ts') && !f.endsWith('.d.ts'));
    assert.deepEqual(unwanted, []);
  });

  test('init, then cucumber-js passes at once in a CommonJS project, serial and --parallel 2', async () => {
    const pkg = JSON.parse(readFileSync(join(PROJECT, 'package.json'), 'utf8')) as { type?: string };
    assert.notEqual(pkg.type, 'module');
    const init = ok(await sh('npx', ['apichat-bdd', 'init']), 'apichat-bdd init');
    assert.match(init, /created  cucumber\.mjs/);
    assert.match(init, /Next:\n  npx cucumber-js/);
    assertPassed(await sh('npx', ['cucumber-js']), 2);
    assertPassed(await sh('npx', ['cucumber-js', '--parallel', '2']), 2);
    assert.match(readFileSync(join(PROJECT, 'reports/conversations.html'), 'utf8'), /Grand Demo Hotel/);
  });

  test("init's ci profile runs the package's junit and github formatters (GITHUB_ACTIONS=true)", async () => {
    const summary = join(WORK, 'summary.md');
    const r = await sh('npx', ['cucumber-js', '--profile', 'ci'], { GITHUB_ACTIONS: 'true', GITHUB_STEP_SUMMARY: summary });
    assertPassed(r, 2);
    assert.match(readFileSync(join(PROJECT, 'reports/junit.xml'), 'utf8'), /<testsuite name="apichat-bdd" tests="2" failures="0" errors="0"/);
    assert.match(readFileSync(summary, 'utf8'), /^## ✅ Conversation tests: passed/);
  });

  test('apichat-bdd --version prints the installed version', async () => {
    const { version } = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { version: string };
    assert.equal(ok(await sh('npx', ['apichat-bdd', '--version']), 'apichat-bdd --version').trim(), version);
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
    assertPassed(await sh('npx', ['cucumber-js', 'features/contact.feature']), 1);

    writeFileSync(
      join(PROJECT, 'features/contact-fails.feature'),
      `Feature: Custom step failure
  Scenario: The wrong email
    Given a guest with a profile
    Then the bot knows the guest by email
    And the bot knows the guest as "bob@example.com"
`,
    );
    const failed = await sh('npx', ['cucumber-js', 'features/contact-fails.feature']);
    rmSync(join(PROJECT, 'features/contact-fails.feature'));
    assert.equal(failed.code, 1, failed.output);
    assert.match(failed.output, /Timed out after \d+ ms waiting for a reply containing "bob@example.com"/);
    assert.deepEqual(stackLines(failed.output), [], failed.output);
  });

  test('the same project as ESM ("type": "module") passes too, serial and --parallel 2', async () => {
    ok(await sh('npm', ['pkg', 'set', 'type=module']), 'npm pkg set');
    assertPassed(await sh('npx', ['cucumber-js']), 3);
    assertPassed(await sh('npx', ['cucumber-js', '--parallel', '2']), 3);
  });
});
