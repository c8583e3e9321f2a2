// Issue 18 end to end, from two real cucumber-js runs of test/fixtures/ci (with --retry 1) against
// the simulator playing test/fixtures/ci/booking-bot.yaml, run at the same time:
//   A: the bot as it is, GITHUB_ACTIONS=true: a flaky scenario and a failing one;
//   B: the bot edited (greeting text, one button title), without the failing scenario, with
//      APICHAT_FAIL_ON_FLAKY=1.
// One pair of runs feeds every check: the console lines, the report, JUnit, annotations, the job
// summary, APICHAT_FAIL_ON_FLAKY, `apichat-bdd report` over A, and `apichat-bdd diff` A → B.
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { parseXml, surefireProblems } from '../support/surefire-schema.ts';
import { run as cli } from '../cli/helpers.ts';
import { runCucumber } from '../support/cucumber.ts';
import { ROOT, type RunResult as CucumberRun } from '../support/process.ts';

const CONFIG = 'test/fixtures/ci/cucumber.ci.js';
const FEATURE = 'test/fixtures/ci/ci.feature';
const BOT = join(ROOT, 'test/fixtures/ci/booking-bot.yaml');
let dirA: string;
let dirB: string;
let a: CucumberRun;
let b: CucumberRun;

before(async () => {
  dirA = mkdtempSync(join(tmpdir(), 'apichat-ci-a-'));
  dirB = mkdtempSync(join(tmpdir(), 'apichat-ci-b-'));
  const edited = readFileSync(BOT, 'utf8').replace('Hello {{user.name}}! I am the booking bot.', 'Hi {{user.name}}! Welcome to the booking bot.').replace('title: Help,', 'title: Support,');
  writeFileSync(join(dirB, 'bot.yaml'), edited);
  const common = { APICHAT_REPLY_TIMEOUT_MS: '1500' };
  [a, b] = await Promise.all([
    runCucumber(['--config', CONFIG], { ...common, APICHAT_REPORT_DIR: dirA, CI_FIXTURE_COUNTER_DIR: dirA, APICHAT_SIMULATOR_BOT: BOT, GITHUB_ACTIONS: 'true', GITHUB_STEP_SUMMARY: join(dirA, 'summary.md') }),
    runCucumber(['--config', CONFIG, '--tags', 'not @failing'], { ...common, APICHAT_REPORT_DIR: dirB, CI_FIXTURE_COUNTER_DIR: dirB, APICHAT_SIMULATOR_BOT: join(dirB, 'bot.yaml'), APICHAT_FAIL_ON_FLAKY: '1', GITHUB_ACTIONS: '' }),
  ]);
});

after(() => {
  for (const d of [dirA, dirB]) if (d) rmSync(d, { recursive: true, force: true });
});

test('flaky: named on the console with the attempt that passed, in the report and in the JUnit file', () => {
  assert.equal(a.code, 1, a.output);
  assert.match(a.stderr, /apichat-bdd: 1 flaky scenario \(failed, then passed on a retry\):\n {2}test\/fixtures\/ci\/ci\.feature:17 flaky help — passed on attempt 2 \(attempt 1 failed: And this step fails on the scenario's first attempt\)/);
  const html = readFileSync(join(dirA, 'conversations.html'), 'utf8');
  const scenario = html.slice(html.indexOf('data-name="flaky help"'), html.indexOf('data-name="wrong help"'));
  assert.match(scenario, /class="tag flaky"/);
  assert.match(scenario, /data-attempt="1"[^]*fails on the first attempt, on purpose[^]*data-attempt|data-attempt="1"[^]*fails on the first attempt, on purpose/);
  assert.match(scenario, /user says|class="row user"/, 'the failed attempt keeps its chat');
  const junit = parseXml(readFileSync(join(dirA, 'junit.xml'), 'utf8'));
  assert.deepEqual(surefireProblems(junit), []);
  const flaky = junit.children.find((c) => c.attributes.name === 'flaky help')!;
  assert.deepEqual(flaky.children.map((c) => c.name), ['flakyFailure', 'system-out']);
  assert.match(flaky.children[0]!.attributes.message!, /fails on the first attempt/);
  const wrong = junit.children.find((c) => c.attributes.name === 'wrong help')!;
  assert.deepEqual(wrong.children.map((c) => c.name), ['failure', 'rerunFailure', 'system-out']);
});

test('APICHAT_FAIL_ON_FLAKY=1: a run whose scenarios all passed, one only on a retry, exits 1', () => {
  assert.match(b.stdout, /3 scenarios \(3 passed\)/, b.output);
  assert.match(b.stderr, /APICHAT_FAIL_ON_FLAKY=1: the run fails because of this flaky scenario/);
  assert.equal(b.code, 1);
  assert.doesNotMatch(b.stdout, /^::/m, 'the GitHub formatter is silent outside GitHub Actions');
});

test('GITHUB_ACTIONS=true: ::error at the failed step line with the message escaped, ::warning for the flaky scenario, and the job summary', () => {
  const errors = a.stdout.split('\n').filter((l) => l.startsWith('::error '));
  assert.equal(errors.length, 1, a.stdout);
  assert.match(errors[0]!, /^::error file=test\/fixtures\/ci\/ci\.feature,line=27,title=wrong help::Then the bot replies "100%25 sure: hi, book"%0ATimed out after \d+ ms.*?%0A {2}expected: /);
  assert.doesNotMatch(errors[0]!, /\r|\n/);
  assert.match(a.stdout, new RegExp(`^::warning file=${FEATURE},line=17,title=flaky%3A flaky help::`, 'm'));
  assert.equal(readFileSync(join(dirA, 'github.txt'), 'utf8'), a.stdout.split('\n').filter((l) => l.startsWith('::')).map((l) => `${l}\n`).join(''));
  const summary = readFileSync(join(dirA, 'summary.md'), 'utf8');
  assert.match(summary, /^## ❌ Conversation tests: 1 failed\n/);
  assert.match(summary, /\| 4 \| 3 \| 1 \| 1 \| 0 \|/);
  assert.match(summary, /#### ✗ wrong help\n\n`test\/fixtures\/ci\/ci\.feature:27` Then the bot replies "100% sure: hi, book"\n\n```text\nTimed out after \d+ ms[^]*received: 1 unclaimed reply in this turn:\n {4}- text "You can say hi or book\."/);
  assert.match(summary, /### Flaky[^\n]*\n\n- test\/fixtures\/ci\/ci\.feature:17 flaky help/);
  assert.match(summary, /### Bot coverage\n\nbuttons exercised: 0 of 2/);
});

test('apichat-bdd report over the run keeps the retried attempts', async () => {
  const out = join(dirA, 'merged.html');
  const r = await cli(['report', join(dirA, 'messages.ndjson'), '--out', out]);
  assert.equal(r.code, 0, r.stderr);
  const html = readFileSync(out, 'utf8');
  assert.match(html, /data-name="flaky help"[^>]*data-flaky="true"/);
  assert.equal((html.match(/<details class="attempt failed" data-attempt="1"/g) ?? []).length, 2, 'flaky help and wrong help each keep attempt 1');
});

test('apichat-bdd diff A B: the changed greeting and the renamed button, no booking code; exit codes 1, 0 and 2', async () => {
  const out = join(dirB, 'diff.html');
  const d = await cli(['diff', join(dirA, 'messages.ndjson'), join(dirB, 'messages.ndjson'), '--out', out]);
  assert.equal(d.code, 1, d.stderr);
  assert.deepEqual(d.stdout.trim().split('\n').sort(), [
    'greeting 4: turn 1 button 2 "Help" → "Support"',
    'greeting 4: turn 1 text "Hello Ann! I am the booking bot." → "Hi Ann! Welcome to the booking bot."',
    'wrong help 24: only in the old run',
  ]);
  assert.doesNotMatch(d.stdout, /BK-/);
  const html = readFileSync(out, 'utf8');
  assert.match(html, /<del>Hello Ann! I am the booking bot\.<\/del>/);
  assert.doesNotMatch(html, /<script src|<link rel="stylesheet"/, 'self-contained');
  const same = await cli(['diff', join(dirB, 'messages.ndjson'), join(dirB, 'messages.ndjson')]);
  assert.deepEqual([same.code, same.stdout], [0, '']);
  const missing = await cli(['diff', join(dirA, 'nope.ndjson'), join(dirB, 'messages.ndjson')]);
  assert.equal(missing.code, 2);
  assert.match(missing.stderr, /nope\.ndjson: no such file/);
  assert.equal(missing.stderr.trim().split('\n').length, 1);
  const notMessages = await cli(['diff', join(dirA, 'junit.xml'), join(dirB, 'messages.ndjson')]);
  assert.equal(notMessages.code, 2);
  assert.match(notMessages.stderr, /junit\.xml:1: not JSON/);
});
