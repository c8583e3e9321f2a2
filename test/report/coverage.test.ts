// Bot coverage: every button offered (by message text, card, title and payload) and whether a
// scenario tapped it; link buttons apart; reply texts with counts; the end-of-run line.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { computeCoverage, describeButton, formatCoverageLine } from '../../src/report/index.ts';
import { MENU, ROOMS, TranscriptBuilder, msg, richTranscript } from './helpers.ts';

const greeting = (): ReturnType<TranscriptBuilder['build']> =>
  new TranscriptBuilder()
    .says(0, 'hi')
    .bot(10, (at) => msg.text('Hello!', at))
    .bot(12, (at) => msg.buttons('What would you like to do?', MENU, at))
    .build();

test('buttons are keyed by message text, card, title and payload; taps are counted per key', () => {
  const c = computeCoverage([
    { scenario: 'rich', transcript: richTranscript() },
    { scenario: 'greeting', transcript: greeting() },
  ]);
  // Menu: Rooms, Help (postbacks); carousel: 2 cards × 2 buttons.
  assert.equal(c.total, 6);
  assert.equal(c.exercised, 2);
  const rooms = c.buttons.find((b) => b.title === 'Rooms')!;
  assert.deepEqual([rooms.messageText, rooms.payload, rooms.offered, rooms.tapped, rooms.offeredIn, rooms.tappedIn], ['What would you like to do?', 'ROOMS', 2, 1, ['rich', 'greeting'], ['rich']]);
  const suite = c.buttons.find((b) => b.card === 'Suite' && b.title === 'Choose')!;
  assert.equal(suite.tapped, 1);
  const deluxe = c.buttons.find((b) => b.card === 'Deluxe' && b.title === 'Choose')!;
  assert.equal(deluxe.tapped, 0);
  assert.equal(describeButton(suite), 'Our rooms › Suite › Choose (CHOOSE_SUITE)');
  assert.equal(c.conversations, 2);
});

test('link buttons are listed apart and never counted as untested paths', () => {
  const c = computeCoverage([{ scenario: 'greeting', transcript: greeting() }]);
  assert.deepEqual(
    c.links.map((b) => [b.title, b.type, b.url]),
    [['Website', 'web_url', 'https://example.com/hotel']],
  );
  assert.ok(!c.buttons.some((b) => b.title === 'Website'));
  assert.equal(describeButton(c.links[0]!), 'What would you like to do? › Website (web_url https://example.com/hotel)');
});

test('the same button offered by the same message in many scenarios is one entry', () => {
  const c = computeCoverage([1, 2, 3].map((n) => ({ scenario: `s${n}`, transcript: greeting() })));
  assert.equal(c.total, 2);
  assert.equal(c.buttons[0]!.offered, 3);
  assert.deepEqual(c.buttons[0]!.offeredIn, ['s1', 's2', 's3']);
});

test('buttons of private notes are not offers; reply texts are counted, private ones flagged', () => {
  const t = new TranscriptBuilder()
    .says(0, 'hi')
    .bot(10, (at) => ({ ...msg.buttons('Staff menu', MENU, at), private: true }))
    .bot(11, (at) => msg.text('Hello!', at))
    .says(20, 'hi')
    .bot(30, (at) => msg.text('Hello!', at))
    .bot(31, (at) => msg.text('note', at, true))
    .bot(32, (at) => msg.media('image', 'https://example.com/a.jpg', at))
    .build();
  const c = computeCoverage([{ scenario: 's', transcript: t }]);
  assert.equal(c.total, 0);
  assert.deepEqual(
    c.replies.map((r) => [r.text, r.kind, r.private, r.count]),
    [
      ['Staff menu', 'buttons', true, 1],
      ['Hello!', 'text', false, 2],
      ['note', 'text', true, 1],
    ],
  );
});

test('the end-of-run line', () => {
  const c = computeCoverage([
    { scenario: 'rich', transcript: richTranscript() },
    { scenario: 'greeting', transcript: greeting() },
  ]);
  assert.equal(formatCoverageLine(c), 'buttons exercised: 2 of 6, 1 link button not tappable, 6 distinct reply texts seen');
  assert.equal(formatCoverageLine(computeCoverage([])), 'buttons exercised: 0 of 0, 0 distinct reply texts seen');
});
