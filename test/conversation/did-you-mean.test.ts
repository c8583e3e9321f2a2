// "Did you mean": the nearest built-in phrases to an undefined step, with its own arguments.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { didYouMean, suggestSteps } from '../../src/conversation/did-you-mean.ts';
import { PHRASES } from '../../src/conversation/phrases.ts';

describe('did you mean', () => {
  for (const [keyword, text, expected] of [
    ['Then', 'the bot shows the buttons "Rooms", "Book"', ['did you mean: Then the bot shows buttons "Rooms", "Book"']],
    ['Then', 'the bot replys "Hello"', ['did you mean: Then the bot replies "Hello"']],
    ['When', 'the user clicks "Choose" on card "Deluxe"', ['did you mean: When the user taps "Choose" on card "Deluxe"']],
    ['Then', 'the bot shows a carousel with 1 cards', ['did you mean: Then the bot shows a carousel with 1 card']],
    ['And', 'the bot replies matchin /^Booking (?<ref>BK-\\d+)/i', ['did you mean: And the bot replies matching /^Booking (?<ref>BK-\\d+)/i']],
    ['Then', 'the bot says "Hello"', ['did you mean: Then the bot replies "Hello"']],
    ['Then', 'the bot shows button "Rooms", "Book"', ['did you mean: Then the bot shows buttons "Rooms", "Book"']],
    ['Then', 'the bot sends an imag', []],
    ['When', 'I tapp "Rooms"', ['did you mean: When I tap "Rooms"', '         or: When I say "Rooms"']],
    ['Given', 'a guest looking at the rooms', []],
  ] as const) {
    it(`${keyword} ${text}`, () => assert.deepEqual(didYouMean(text, keyword), expected));
  }

  it('offers at most three, and only phrases that take the step\'s arguments', () => {
    const s = suggestSteps('a new conversation as "Ann" with "ann@example.com"', 'Given');
    assert.ok(s.length >= 1 && s.length <= 3, JSON.stringify(s));
    for (const x of s) assert.match(x.step, /^Given a new conversation as "Ann" with (email|phone) "ann@example\.com"$/);
  });

  it('rewrites every catalogue example into itself (the rewrite follows each phrase exactly)', () => {
    for (const p of PHRASES) {
      const text = p.example.slice(p.keyword.length + 1);
      assert.equal(suggestSteps(text, p.keyword)[0]?.step, p.example, p.id);
    }
  });
});
