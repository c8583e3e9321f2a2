// Must-fail fixtures: each file under test/fixtures/features/ is one mistake a QA engineer
// can make (or one thing a bot can get wrong). Each runs as its own Cucumber process; the
// run must fail with exit code 1 and a message that says what was expected and what the bot
// did, with no stack trace. A configuration mistake must stop the run with exit code 2.
//
// APICHAT_REPLY_TIMEOUT_MS is 500 where the failure is the timeout itself and nothing before it
// needs to wait long. Where earlier steps must pass first, a longer timeout costs nothing (a
// passing Then returns as soon as its reply arrives) and keeps the fixture reliable on a busy
// machine.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { FIXTURE_CONFIG, runCucumber, stackLines, type CucumberRun } from './helpers.ts';

const FAST = '500';
const SAFE = '3000';
const FIXED_SETTLE = { APICHAT_SETTLE_MS: '250' };

function runFixture(name: string, timeoutMs: string, env: Record<string, string> = {}): Promise<CucumberRun> {
  return runCucumber(['--config', FIXTURE_CONFIG, `test/fixtures/features/${name}`], { APICHAT_REPLY_TIMEOUT_MS: timeoutMs, ...env });
}

/** The run failed as a test failure (exit 1), in one scenario, and shows every expected fragment. */
function assertFailure(run: CucumberRun, fragments: Array<string | RegExp>): void {
  const context = `\n--- output ---\n${run.output}`;
  assert.equal(run.code, 1, `exit code${context}`);
  assert.match(run.stdout, /1 scenario \(1 failed\)/, `summary${context}`);
  for (const f of fragments) {
    if (typeof f === 'string') assert.ok(run.output.includes(f), `output should contain ${JSON.stringify(f)}${context}`);
    else assert.match(run.output, f, `output${context}`);
  }
  assert.deepEqual(stackLines(run.output), [], `no stack trace${context}`);
  assert.doesNotMatch(run.output, /Attachment \(/, `no attachment lines on the console${context}`);
}

// Each fixture is its own process (a few seconds of start-up each); two at a time.
describe('must-fail fixtures', { concurrency: 2 }, () => {
  test('wrong text: times out, shows the expected text and the unclaimed replies', async () => {
    const run = await runFixture('wrong-text.feature', SAFE);
    assertFailure(run, [
      'Timed out after',
      'a reply with the text "Welcome to the hotel!"',
      '2 unclaimed replies in this turn',
      'text "Hello! I am the Grand Demo Hotel bot."',
      'buttons "What would you like to do?" ["Rooms", "Book", "Help", "Website"]',
      'after the user says "hi"',
    ]);
  });

  test('missing button: lists the buttons that exist', async () => {
    const run = await runFixture('missing-button.feature', SAFE);
    assertFailure(run, ['cannot tap "Checkout"', 'offers "Rooms", "Book", "Help", "Website"']);
  });

  test('missing card: lists the cards that exist', async () => {
    const run = await runFixture('missing-card.feature', SAFE);
    assertFailure(run, ['cannot tap "Choose" on card "Penthouse"', 'cards "Deluxe", "Suite", "Standard"']);
  });

  test('ambiguous button: asks for "on card"', async () => {
    const run = await runFixture('ambiguous-button.feature', SAFE);
    assertFailure(run, ['3 buttons are titled "Choose"', '"Deluxe", "Suite", "Standard"', 'When the user taps "Choose" on card "Deluxe"']);
  });

  test('timeout: an image the bot never sends', async () => {
    const run = await runFixture('timeout.feature', FAST);
    assertFailure(run, [/Timed out after \d+ ms waiting for an image\./, 'expected: an image', 'in turn 1 (after the user says "hi")']);
  });

  // These two check the stale-reply message, not the learned settle window: a fixed window keeps a
  // heavily loaded machine (event-loop stalls longer than the simulator's delivery spread) from
  // letting the turn-1 greeting arrive after the next message, which would make them pass.
  test('stale reply: a reply of turn 1 never satisfies an assertion of turn 2', async () => {
    const run = await runFixture('stale-reply.feature', SAFE, FIXED_SETTLE);
    assertFailure(run, [
      'Timed out after',
      'a reply with the text "Hello! I am the Grand Demo Hotel bot."',
      'in turn 2 (after the user says "help")',
      'a reply of turn 1 matches (text "Hello! I am the Grand Demo Hotel bot.")',
      "replies of earlier turns never satisfy a later turn's assertions",
    ]);
  });

  // Settling waits for a turn's first reply before the next action, so back-to-back actions
  // keep their replies apart too.
  test('stale reply after back-to-back actions (hi, help, expect the greeting)', async () => {
    const run = await runFixture('stale-reply-back-to-back.feature', SAFE, FIXED_SETTLE);
    assertFailure(run, ['a reply of turn 1 matches', "replies of earlier turns never satisfy a later turn's assertions"]);
  });

  test('a typo in a step: Cucumber\'s snippet, then "did you mean" with the built-in phrase and the step\'s arguments', async () => {
    const run = await runFixture('undefined-step.feature', SAFE);
    assert.equal(run.code, 1, run.output);
    assert.match(run.stdout, /1 scenario \(1 undefined\)/, run.output);
    assert.ok(run.stdout.includes('Implement with the following snippet'), run.output);
    assert.ok(
      run.stderr.includes('apichat-bdd: undefined step test/fixtures/features/undefined-step.feature:7: Then the bot shows the buttons "Rooms", "Book", "Help", "Website"\n  did you mean: Then the bot shows buttons "Rooms", "Book", "Help", "Website"\n'),
      run.output,
    );
  });

  test('unknown variable: names {{nope}}', async () => {
    const run = await runFixture('unknown-variable.feature', SAFE);
    assertFailure(run, ['unknown variable {{nope}}', 'known variables are {{ref}}']);
  });

  test('says nothing more: fails on an unclaimed reply and shows it', async () => {
    const run = await runFixture('nothing-more.feature', SAFE);
    assertFailure(run, ['The bot said more.', '1 unclaimed reply in this turn', 'buttons "What would you like to do?" ["Rooms", "Book", "Help", "Website"]']);
  });

  test('URL button: tapping it is not a postback', async () => {
    const run = await runFixture('url-button.feature', SAFE);
    assertFailure(run, ['"Website" is a web_url button', 'https://example.com/grand-demo-hotel', 'sends nothing to the bot']);
  });

  // A Then that finds a reply of the expected kind which is not quite right prints the
  // difference against it (jest-diff lines), above the compact list of unclaimed replies.
  test('card subtitle: the diff names the card and shows the subtitle, - expected / + actual', async () => {
    const run = await runFixture('card-subtitle.feature', SAFE);
    assertFailure(run, [
      'diff:     nearest reply, carousel "Our rooms" (3 cards), card 1 differs',
      /^\s+- expected\n\s+\+ actual$/m,
      /^\s+card 1 "Deluxe"\n\s+-   subtitle "King bed, sea view, from \$190 a night"\n\s+\+   subtitle "King bed, sea view, from \$180 a night"$/m,
      '1 unclaimed reply in this turn',
    ]);
    assert.ok(run.output.indexOf('diff:') < run.output.indexOf('received:'), 'the diff comes before the list of replies');
  });

  test('card image: the diff shows the image URL of the card that differs', async () => {
    const run = await runFixture('wrong-card-image.feature', SAFE);
    assertFailure(run, [
      'diff:     nearest reply, carousel "Our rooms" (3 cards), card 2 differs',
      /^\s+card 2 "Suite"\n\s+-   image "https:\/\/example\.com\/rooms\/penthouse\.jpg"\n\s+\+   image "https:\/\/example\.com\/rooms\/suite\.jpg"$/m,
    ]);
  });

  test("card buttons: the diff shows the card's buttons", async () => {
    const run = await runFixture('card-buttons.feature', SAFE);
    assertFailure(run, ['card 2 differs', /^\s+card 2 "Suite"\n\s+-   buttons "Choose", "Photos"\n\s+\+   buttons "Choose", "Details"$/m]);
  });

  test('button order: the diff shows the moved button', async () => {
    const run = await runFixture('button-order.feature', SAFE);
    assertFailure(run, ['buttons "What would you like to do?": moved "Help"', /^\s+"Rooms"\n\s+- "Help"\n\s+"Book"\n\s+\+ "Help"\n\s+"Website"$/m]);
  });

  test('near-miss text: a character diff marks the missing word', async () => {
    const run = await runFixture('near-miss-text.feature', SAFE);
    assertFailure(run, [
      /nearest reply, text "Hello! I am the Grand Demo Hotel bot\.", \d+% alike/,
      /^(\s+)- Hello! I am the Grand Hotel bot\.\n\1\+ Hello! I am the Grand Demo Hotel bot\.\n\1\?                       \^\^\^\^\^$/m,
    ]);
  });

  test('configuration mistake: exit code 2, one line naming APICHAT_BOT_URL, no scenario run', async () => {
    const run = await runFixture('config-mistake.feature', FAST, { APICHAT_BOT_URL: 'not-a-url' });
    const context = `\n--- output ---\n${run.output}`;
    assert.equal(run.code, 2, `exit code${context}`);
    const lines = run.output.split('\n').filter((l) => l.trim() !== '');
    assert.equal(lines.length, 1, `exactly one line${context}`);
    assert.match(lines[0]!, /APICHAT_BOT_URL/, context);
    assert.match(lines[0]!, /not-a-url/, context);
    assert.doesNotMatch(run.output, /scenario|step/i, `no scenario ran${context}`);
    assert.deepEqual(stackLines(run.output), [], `no stack trace${context}`);
  });
});
