// The Done-when of `crawl` and `record`, as a user runs them: child processes of
// bin/apichat-bdd.js against the embedded simulator, and the features they write run twice in
// a row by Cucumber with the repository's support code. The demo bot's booking reference is
// random, so a feature that passes twice has generalised it.
import assert from 'node:assert/strict';
import { readdir, readFile } from 'node:fs/promises';
import { join, relative } from 'node:path';
import { describe, test } from 'node:test';
import { assertPassed, runFixtures } from '../support/cucumber.ts';
import { ROOT, run, type RunResult } from '../support/process.ts';
import { tempDir } from '../support/temp-dir.ts';

/** Quiet windows can be short against the simulator (it delivers within ~20 ms); 250 ms leaves room for a busy machine. */
const FAST_ENV = { APICHAT_QUIET_MS: '250' };

function cli(args: string[], input = ''): Promise<RunResult> {
  return run(process.execPath, ['bin/apichat-bdd.js', ...args], { vars: FAST_ENV, input });
}

/** Runs the features twice in a row; both runs must pass every scenario. */
async function passesTwice(files: string[], scenarios: number): Promise<void> {
  for (const _round of [1, 2]) assertPassed(await runFixtures(files.map((f) => relative(ROOT, f)), FAST_ENV), scenarios);
}

const dir = tempDir('apichat-author-it-');

describe('apichat-bdd crawl --start hi --depth 3 (demo bot)', () => {
  test('taps every postback button reachable within depth 3, and its features pass twice in a row', async () => {
    const out = join(dir, 'crawled');
    const r = await cli(['crawl', '--start', 'hi', '--depth', '3', '--out', out]);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /^apichat-bdd crawl: 12 paths, 12 scenarios written in 4 files, postback buttons: 11 found, 11 tapped, 1 link button not followed, 3 cycles cut, 1 volatile reply generalised\n$/);
    assert.match(r.stderr, /\[12 done, 0 queued, 11 buttons found\]/);
    const files = (await readdir(out)).sort();
    assert.deepEqual(files, ['hi--book.feature', 'hi--help.feature', 'hi--rooms.feature', 'hi.feature']);
    const text = (await Promise.all(files.map((f) => readFile(join(out, f), 'utf8')))).join('\n');
    // Every postback button of the demo bot within three taps of "hi" (the menu, the cards, the confirmation).
    const tapped = new Set([...text.matchAll(/When the user taps ("[^"]+"(?: on card "[^"]+")?)/g)].map((m) => m[1]));
    const expected = ['"Rooms"', '"Book"', '"Help"', '"Yes"', '"No"', ...['Deluxe', 'Suite', 'Standard'].flatMap((c) => [`"Choose" on card "${c}"`, `"Details" on card "${c}"`])];
    assert.deepEqual([...tapped].sort(), expected.sort());
    assert.doesNotMatch(text, /taps "Website"/, 'the link button is shown, never tapped');
    assert.match(text, /Then the bot replies matching \/\^Your booking reference is \(\?<reference>BK-\\d\+\)\\\.\$\//);
    await passesTwice(files.map((f) => join(out, f)), 12);
  });
});

describe('apichat-bdd record from a pipe (demo bot)', () => {
  test('the booking flow ending in a random reference writes a feature that passes twice in a row', async () => {
    const file = join(dir, 'booking.feature');
    const r = await cli(['record', '--out', file], ['rooms', '/tap Choose on Suite', '/tap Maybe', '1', ''].join('\n'));
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stderr, /cannot tap "Maybe": no message offers it; .* are "Yes", "No" \(nothing recorded\)/);
    assert.match(r.stdout, /\[1\] Yes {3}\[2\] No/);
    assert.match(r.stdout, /Your booking reference is BK-\d{5}\./);
    const feature = await readFile(file, 'utf8');
    assert.match(feature, /When the user taps "Yes"\n    Then the bot replies matching \/\^Your booking reference is \(\?<reference>BK-\\d\+\)\\\.\$\/\n/);
    assert.doesNotMatch(feature, /Maybe/);
    await passesTwice([file], 1);
  });
});
