// Must-fail fixtures for the round-2 phrases (profile, link buttons, card images, private
// notes): each fails in one scenario with a message showing what the bot really sent, and no
// stack trace. See failures.test.ts for the conventions.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { runFixture, stackLines, type CucumberRun } from './helpers.ts';

const SAFE = '3000';

function assertFails(run: CucumberRun, fragments: string[]): void {
  const context = `\n--- output ---\n${run.output}`;
  assert.equal(run.code, 1, `exit code${context}`);
  assert.match(run.stdout, /1 scenario \(1 failed\)/, `summary${context}`);
  for (const f of fragments) assert.ok(run.output.includes(f), `output should contain ${JSON.stringify(f)}${context}`);
  assert.deepEqual(stackLines(run.output), [], `no stack trace${context}`);
}

describe('must-fail fixtures: profile, links, card images, notes', { concurrency: 2 }, () => {
  test('wrong email echo: the bot echoed the email the profile sent', async () => {
    const run = await runFixture('wrong-email-echo.feature', '1000');
    assertFails(run, ['a reply with the text "Your email is bob@example.com', 'text "Your email is ann@example.com and your phone is +15550100."']);
  });

  test('wrong link URL: shows the real URL', async () => {
    const run = await runFixture('wrong-link-url.feature', SAFE);
    assertFails(run, ['a link button "Website" to "https://example.com/hotel"', 'button "Website" links to "https://example.com/grand-demo-hotel"']);
  });

  test('wrong card image: shows every card\'s real image', async () => {
    const run = await runFixture('wrong-card-image.feature', SAFE);
    assertFails(run, ['image "https://example.com/rooms/penthouse.jpg"', 'card "Suite": image "https://example.com/rooms/suite.jpg", url none']);
  });

  test('missing private note: says there was none in this turn', async () => {
    const run = await runFixture('missing-private-note.feature', '1000');
    assertFails(run, ['a private note containing "New booking"', 'no private note in this turn']);
  });

  test('unknown profile table key: one line listing the allowed keys', async () => {
    const run = await runFixture('unknown-profile-key.feature', SAFE);
    assertFails(run, ['unknown profile field "mail"', 'the allowed fields are email and phone']);
    const line = run.output.split('\n').find((l) => l.includes('unknown profile field'))!;
    assert.match(line, /\| email \| ann@example\.com \|/);
  });
});
