// Must-fail fixtures: each file under test/fixtures/features/ is one mistake a QA engineer
// can make (or one thing a bot can get wrong). Its scenario must fail with a message that says
// what was expected and what the bot did, with no stack trace. A configuration mistake must stop
// the run with exit code 2.
//
// The fixtures that fail in a scenario share one Cucumber run (--parallel 2): a process costs
// seconds of start-up, a fixture well under one. Each test then reads its own scenario's failure
// from the run's output (Cucumber's numbered failure blocks), so a message of one fixture can
// never satisfy another's test. The reply timeout is generous: a passing Then returns as soon as
// its reply arrives, and a fixture that fails by timing out only costs its one worker the wait.
// The settle window is fixed for the stale-reply fixtures: on a heavily loaded machine (event-loop
// stalls longer than the simulator's delivery spread) a learned window could let the turn-1
// greeting arrive after the next message, which would make them pass.
import assert from 'node:assert/strict';
import { readdirSync } from 'node:fs';
import { describe, test } from 'node:test';
import { assertFailedScenario, runFixtures, type FailedScenario } from '../../support/cucumber.ts';
import { context, ROOT, stackLines } from '../../support/process.ts';

const CONFIG_MISTAKE = 'config-mistake.feature';
const SCENARIO_FIXTURES = readdirSync(`${ROOT}/test/fixtures/features`).filter((f) => f.endsWith('.feature') && f !== CONFIG_MISTAKE).sort();

let shared: ReturnType<typeof runFixtures> | undefined;
const sharedRun = () => (shared ??= runFixtures(SCENARIO_FIXTURES, { APICHAT_REPLY_TIMEOUT_MS: '3000', APICHAT_SETTLE_MS: '250' }, ['--parallel', '2']));

/** The failure of fixture `name`'s one scenario in the shared run. */
async function fixture(name: string): Promise<FailedScenario> {
  return assertFailedScenario(await sharedRun(), `test/fixtures/features/${name}`);
}

/** It failed, and its failure shows every expected fragment. */
function assertFailure(run: FailedScenario, fragments: Array<string | RegExp>): void {
  for (const f of fragments) {
    if (typeof f === 'string') assert.ok(run.output.includes(f), `the failure should contain ${JSON.stringify(f)}${run.context}`);
    else assert.match(run.output, f, `failure${run.context}`);
  }
}

// Each fixture's scenario fails with a message holding every fragment. The stale-reply pair
// checks that a reply of turn 1 never satisfies an assertion of turn 2, also after back-to-back
// actions (settling waits for a turn's first reply before the next action).
const FAILURES: Array<[title: string, fixture: string, fragments: Array<string | RegExp>]> = [
  [
    'wrong text: times out, shows the expected text and the unclaimed replies',
    'wrong-text.feature',
    [
      'Timed out after',
      'a reply with the text "Welcome to the hotel!"',
      '2 unclaimed replies in this turn',
      'text "Hello! I am the Grand Demo Hotel bot."',
      'buttons "What would you like to do?" ["Rooms", "Book", "Help", "Website"]',
      'after the user says "hi"',
    ],
  ],
  [
    'missing button: lists the buttons that exist',
    'missing-button.feature',
    ['cannot tap "Checkout"', 'offers "Rooms", "Book", "Help", "Website"'],
  ],
  [
    'missing card: lists the cards that exist',
    'missing-card.feature',
    ['cannot tap "Choose" on card "Penthouse"', 'cards "Deluxe", "Suite", "Standard"'],
  ],
  [
    'ambiguous button: asks for "on card"',
    'ambiguous-button.feature',
    ['3 buttons are titled "Choose"', '"Deluxe", "Suite", "Standard"', 'When the user taps "Choose" on card "Deluxe"'],
  ],
  [
    'timeout: an image the bot never sends',
    'timeout.feature',
    [/Timed out after \d+ ms waiting for an image\./, 'expected: an image', 'in turn 1 (after the user says "hi")'],
  ],
  [
    'stale reply: a reply of turn 1 never satisfies an assertion of turn 2',
    'stale-reply.feature',
    [
      'Timed out after',
      'a reply with the text "Hello! I am the Grand Demo Hotel bot."',
      'in turn 2 (after the user says "help")',
      'a reply of turn 1 matches (text "Hello! I am the Grand Demo Hotel bot.")',
      "replies of earlier turns never satisfy a later turn's assertions",
    ],
  ],
  [
    'stale reply after back-to-back actions (hi, help, expect the greeting)',
    'stale-reply-back-to-back.feature',
    ['a reply of turn 1 matches', "replies of earlier turns never satisfy a later turn's assertions"],
  ],
  [
    'unknown variable: names {{nope}}',
    'unknown-variable.feature',
    ['unknown variable {{nope}}', 'known variables are {{ref}}'],
  ],
  [
    'says nothing more: fails on an unclaimed reply and shows it',
    'nothing-more.feature',
    ['The bot said more.', '1 unclaimed reply in this turn', 'buttons "What would you like to do?" ["Rooms", "Book", "Help", "Website"]'],
  ],
  [
    'URL button: tapping it is not a postback',
    'url-button.feature',
    ['"Website" is a web_url button', 'https://example.com/grand-demo-hotel', 'sends nothing to the bot'],
  ],
  [
    'card image: the diff shows the image URL of the card that differs',
    'wrong-card-image.feature',
    [
      'diff:     nearest reply, carousel "Our rooms" (3 cards), card 2 differs',
      /^\s+card 2 "Suite"\n\s+-   image "https:\/\/example\.com\/rooms\/penthouse\.jpg"\n\s+\+   image "https:\/\/example\.com\/rooms\/suite\.jpg"$/m,
    ],
  ],
  [
    "card buttons: the diff shows the card's buttons",
    'card-buttons.feature',
    ['card 2 differs', /^\s+card 2 "Suite"\n\s+-   buttons "Choose", "Photos"\n\s+\+   buttons "Choose", "Details"$/m],
  ],
  [
    'button order: the diff shows the moved button',
    'button-order.feature',
    ['buttons "What would you like to do?": moved "Help"', /^\s+"Rooms"\n\s+- "Help"\n\s+"Book"\n\s+\+ "Help"\n\s+"Website"$/m],
  ],
  [
    'near-miss text: a character diff marks the missing word',
    'near-miss-text.feature',
    [
      /nearest reply, text "Hello! I am the Grand Demo Hotel bot\.", \d+% alike/,
      /^(\s+)- Hello! I am the Grand Hotel bot\.\n\1\+ Hello! I am the Grand Demo Hotel bot\.\n\1\?                       \^\^\^\^\^$/m,
    ],
  ],
  [
    'wrong email echo: the bot echoed the email the profile sent',
    'wrong-email-echo.feature',
    ['a reply with the text "Your email is bob@example.com', 'text "Your email is ann@example.com and your phone is +15550100."'],
  ],
  [
    'wrong link URL: shows the real URL',
    'wrong-link-url.feature',
    ['a link button "Website" to "https://example.com/hotel"', 'button "Website" links to "https://example.com/grand-demo-hotel"'],
  ],
  [
    'wrong card image: shows every card\'s real image',
    'wrong-card-image.feature',
    ['image "https://example.com/rooms/penthouse.jpg"', 'card "Suite": image "https://example.com/rooms/suite.jpg", url none'],
  ],
  [
    'missing private note: says there was none in this turn',
    'missing-private-note.feature',
    ['a private note containing "New booking"', 'no private note in this turn'],
  ],
];

describe('must-fail fixtures', () => {
  test('the shared run: every fixture fails in its scenario, exit 1, no stack trace, no attachment lines', async () => {
    const run = await sharedRun();
    assert.equal(run.code, 1, `exit code${context(run)}`);
    // One fixture is a typo (an undefined step), the rest fail.
    const n = SCENARIO_FIXTURES.length;
    assert.match(run.stdout, new RegExp(`^${n} scenarios \\(${n - 1} failed, 1 undefined\\)$`, 'm'), `summary${context(run)}`);
    assert.deepEqual(stackLines(run.output), [], `no stack trace${context(run)}`);
    assert.doesNotMatch(run.output, /Attachment \(/, `no attachment lines on the console${context(run)}`);
  });

  for (const [title, name, fragments] of FAILURES) test(title, async () => assertFailure(await fixture(name), fragments));

  test('a typo in a step: Cucumber\'s snippet, then "did you mean" with the built-in phrase and the step\'s arguments', async () => {
    const run = await sharedRun();
    assert.ok(run.stdout.includes('Implement with the following snippet'), run.output);
    assert.ok(
      run.stderr.includes('apichat-bdd: undefined step test/fixtures/features/undefined-step.feature:7: Then the bot shows the buttons "Rooms", "Book", "Help", "Website"\n  did you mean: Then the bot shows buttons "Rooms", "Book", "Help", "Website"\n'),
      run.output,
    );
  });

  // A Then that finds a reply of the expected kind which is not quite right prints the
  // difference against it (jest-diff lines), above the compact list of unclaimed replies.
  test('card subtitle: the diff names the card and shows the subtitle, - expected / + actual', async () => {
    const run = await fixture('card-subtitle.feature');
    assertFailure(run, [
      'diff:     nearest reply, carousel "Our rooms" (3 cards), card 1 differs',
      /^\s+- expected\n\s+\+ actual$/m,
      /^\s+card 1 "Deluxe"\n\s+-   subtitle "King bed, sea view, from \$190 a night"\n\s+\+   subtitle "King bed, sea view, from \$180 a night"$/m,
      '1 unclaimed reply in this turn',
    ]);
    assert.ok(run.output.indexOf('diff:') < run.output.indexOf('received:'), 'the diff comes before the list of replies');
  });

  test('unknown profile table key: one line listing the allowed keys', async () => {
    const run = await fixture('unknown-profile-key.feature');
    assertFailure(run, ['unknown profile field "mail"', 'the allowed fields are email and phone']);
    const line = run.output.split('\n').find((l) => l.includes('unknown profile field'))!;
    assert.match(line, /\| email \| ann@example\.com \|/);
  });
});

test('configuration mistake: exit code 2, one line naming APICHAT_BOT_URL, no scenario run', async () => {
  const run = await runFixtures([CONFIG_MISTAKE], { APICHAT_REPLY_TIMEOUT_MS: '500', APICHAT_BOT_URL: 'not-a-url' });
  const why = context(run);
  assert.equal(run.code, 2, `exit code${why}`);
  const lines = run.output.split('\n').filter((l) => l.trim() !== '');
  assert.equal(lines.length, 1, `exactly one line${why}`);
  assert.match(lines[0]!, /APICHAT_BOT_URL/, why);
  assert.match(lines[0]!, /not-a-url/, why);
  assert.doesNotMatch(run.output, /scenario|step/i, `no scenario ran${why}`);
  assert.deepEqual(stackLines(run.output), [], `no stack trace${why}`);
});
