// `apichat-bdd crawl` and `record` in-process against the embedded simulator: their bad-input
// cases (one line, exit 2, nothing started) and the short runs (a silent bot, a piped chat).
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { describe, it } from 'node:test';
import { main } from '../../src/cli.ts';
import { Capture, oneLine, run } from './helpers.ts';
import { tempDir } from '../support/temp-dir.ts';

const dir = tempDir('apichat-author-');

describe('crawl and record in the usage', () => {
  it('--help lists both with their options', async () => {
    const r = await run(['--help']);
    for (const part of ['crawl ', '--start "text"', '--max-conversations N', '--rate N/s', 'record --out FILE', '/tap Title [on Card]', '/undo']) {
      assert.ok(r.stdout.includes(part), `usage mentions ${part}`);
    }
  });
});

describe('crawl and record: bad input is one line, exit 2', () => {
  const cases: Array<[string[], RegExp]> = [
    [['crawl', '--frob'], /^apichat-bdd: crawl: Unknown option '--frob'/],
    [['crawl', '--depth', '9'], /^apichat-bdd: --depth 9: beyond 8 taps .* give --max-conversations N as well/],
    [['crawl', '--depth', 'deep'], /^apichat-bdd: --depth: expected a whole number from 0 to 50, got "deep"/],
    [['crawl', '--rate', 'fast'], /^apichat-bdd: --rate: expected messages per second such as 5 or 5\/s/],
    [['crawl', '--start', ''], /^apichat-bdd: --start: a start message cannot be empty/],
    [['crawl', 'hi'], /^apichat-bdd: crawl takes no arguments, got "hi"; start messages go in --start "text"/],
    [['record'], /^apichat-bdd: record: --out FILE is required/],
    [['record', '--out', 'x.feature', '--depth', '2'], /^apichat-bdd: record: Unknown option '--depth'/],
  ];
  for (const [argv, message] of cases) {
    it(argv.join(' '), async () => {
      const r = await run(argv);
      assert.equal(r.code, 2, r.stderr);
      assert.match(oneLine(r.stderr), message);
      assert.equal(r.stdout, '');
    });
  }

  it('record will not replace an existing file without --force', async () => {
    const file = join(dir, 'exists.feature');
    await writeFile(file, 'Feature: mine\n');
    const r = await run(['record', '--out', file]);
    assert.equal(r.code, 2);
    assert.match(oneLine(r.stderr), /exists; choose another --out or add --force to replace it$/);
    assert.equal(await readFile(file, 'utf8'), 'Feature: mine\n');
  });

  it('--depth 9 runs once --max-conversations bounds it', async () => {
    const bot = join(dir, 'one.yaml');
    await writeFile(bot, 'rules:\n  - match: { text: hi }\n    replies: [ { text: "Hello" } ]\n');
    const out = join(dir, 'deep');
    const r = await run(['crawl', '--depth', '9', '--max-conversations', '4', '--out', out], { APICHAT_SIMULATOR_BOT: bot, APICHAT_QUIET_MS: '40' });
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /^apichat-bdd crawl: 1 path, 1 scenario written in 1 file/);
  });
});

describe('crawl against a bot that never answers', () => {
  it('records the silence and moves on (no hang)', async () => {
    const bot = join(dir, 'silent.yaml');
    await writeFile(bot, 'name: silent\nrules: []\n');
    const out = join(dir, 'silent');
    const r = await run(['crawl', '--start', 'hi', '--start', 'hello', '--out', out], { APICHAT_SIMULATOR_BOT: bot, APICHAT_REPLY_TIMEOUT_MS: '150', APICHAT_QUIET_MS: '40' });
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /^apichat-bdd crawl: 2 paths, 2 scenarios written in 2 files, postback buttons: 0 found, 0 tapped/);
    assert.match(r.stderr, /\[1 done, 0 queued, 0 buttons found\] "hi"\n.*\[2 done, 0 queued, 0 buttons found\] "hello"/);
    const feature = await readFile(join(out, 'hi.feature'), 'utf8');
    assert.match(feature, /When the user says "hi"\n    Then the bot says nothing more\n$/);
  });
});

describe('record from a pipe', () => {
  it('plays each line after the previous turn went quiet; end of input writes the feature, exit 0', async () => {
    const out = join(dir, 'sub', 'help.feature');
    const stdout = new Capture();
    const stderr = new Capture();
    const stdin = Readable.from(['menu\n', '/tap Nope\n', '3\n']);
    const code = await main({ argv: ['record', '--out', out], env: { APICHAT_QUIET_MS: '60' }, stdout, stderr, stdin });
    assert.equal(code, 0, stderr.text);
    assert.match(stderr.text, /cannot tap "Nope"/);
    assert.match(stderr.text, /apichat-bdd record: wrote .*help\.feature \(2 turns\)/);
    const feature = await readFile(out, 'utf8');
    assert.match(feature, /^Feature: Recorded: help\n/);
    assert.match(feature, /When the user says "menu"\n    Then the bot replies "What would you like to do\?"\n    And the bot shows buttons "Rooms", "Book", "Help", "Website"\n    And the bot shows a link button "Website" to "https:\/\/example\.com\/grand-demo-hotel"\n    When the user taps "Help"\n    Then the bot replies "You can say: /);
  });

  it('an empty input writes nothing, exit 0', async () => {
    const out = join(dir, 'empty.feature');
    const stderr = new Capture();
    const code = await main({ argv: ['record', '--out', out], env: {}, stdout: new Capture(), stderr, stdin: Readable.from([]) });
    assert.equal(code, 0);
    assert.match(stderr.text, /nothing recorded; .*empty\.feature not written/);
    assert.equal(existsSync(out), false);
  });
});
