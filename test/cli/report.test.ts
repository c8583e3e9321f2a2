// `apichat-bdd report FILE.ndjson… --out FILE.html`: one page from several message files, and
// one-line errors (exit 2) for files that are missing or are not Cucumber message files.
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { T0, TranscriptBuilder, msg, runEnvelopes } from '../report/helpers.ts';
import { oneLine, run } from './helpers.ts';

const dir = mkdtempSync(join(tmpdir(), 'apichat-report-'));
after(() => rmSync(dir, { recursive: true, force: true }));

function shardFile(name: string, scenarios: string[], failed = false): string {
  const envelopes = runEnvelopes([
    {
      uri: `features/${name}.feature`,
      name: `Feature ${name}`,
      scenarios: scenarios.map((s, i) => ({
        name: s,
        steps: [{ keyword: 'Then', text: 'the bot replies "Hello"', status: failed && i === 0 ? 'FAILED' : 'PASSED', ...(failed && i === 0 ? { message: 'Timed out' } : {}) }],
        transcript: new TranscriptBuilder().says(0, 'hi').bot(10, (at) => msg.text(`Hello from ${s}`, at)).build(),
      })),
    },
  ], T0);
  const path = join(dir, `${name}.ndjson`);
  writeFileSync(path, `${envelopes.map((e) => JSON.stringify(e)).join('\n')}\n`);
  return path;
}

describe('apichat-bdd report', () => {
  it('writes one page holding every scenario of every file, and prints the totals and coverage', async () => {
    const a = shardFile('alpha', ['Ann books a room', 'Bob asks for help']);
    const b = shardFile('beta', ['Cat sends a photo'], true);
    const out = join(dir, 'nested', 'merged.html');
    const r = await run(['report', a, b, '--out', out]);
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stderr, '');
    assert.match(r.stdout, new RegExp(`^apichat-bdd: wrote ${out.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}: 3 scenarios from 2 files \\(2 passed, 1 failed\\)$`, 'm'));
    assert.match(r.stdout, /^apichat-bdd: buttons exercised: 0 of 0, 3 distinct reply texts seen$/m);
    const html = readFileSync(out, 'utf8');
    for (const name of ['Ann books a room', 'Bob asks for help', 'Cat sends a photo', 'Hello from Cat sends a photo']) assert.ok(html.includes(name), `the page shows ${name}`);
    assert.deepEqual(readdirSync(join(dir, 'nested')), ['merged.html'], 'no temporary file is left behind');
  });

  it('warns about a file whose run never finished, and still reports its scenarios', async () => {
    const a = shardFile('gamma', ['Dan checks out']);
    const cut = join(dir, 'cut.ndjson');
    writeFileSync(cut, readFileSync(a, 'utf8').split('\n').filter((l) => !l.includes('testRunFinished')).join('\n'));
    const r = await run(['report', cut, '-o', join(dir, 'cut.html')]);
    assert.equal(r.code, 0);
    assert.match(oneLine(r.stderr), /^apichat-bdd: warning: .*cut\.ndjson has no end of run \(testRunFinished\)/);
    assert.ok(readFileSync(join(dir, 'cut.html'), 'utf8').includes('Dan checks out'));
  });

  const mistakes: Array<[string, () => string[], RegExp]> = [
    ['no files', () => ['report'], /^apichat-bdd: report: name the message files to merge/],
    ['a missing file', () => ['report', join(dir, 'nope.ndjson')], /nope\.ndjson: no such file; pass the files written by `cucumber-js --format message:FILE`$/],
    ['an HTML report instead', () => {
      const p = join(dir, 'page.html');
      writeFileSync(p, '<!doctype html>\n<p>hi</p>\n');
      return ['report', p];
    }, /page\.html:1: not JSON — a Cucumber message file has one JSON envelope per line/],
    ['JSON that is not Cucumber messages', () => {
      const p = join(dir, 'other.ndjson');
      writeFileSync(p, '{"kind":"text","text":"hi"}\n');
      return ['report', p];
    }, /other\.ndjson: holds no Cucumber messages/],
    ['an option of another command', () => ['report', '--port', '1'], /^apichat-bdd: report: Unknown option '--port'/],
  ];
  for (const [what, argv, expected] of mistakes) {
    it(`${what}: one line, exit 2`, async () => {
      const r = await run(argv());
      assert.equal(r.code, 2);
      assert.equal(r.stdout, '');
      assert.match(oneLine(r.stderr), expected);
    });
  }
});
