// The chat view model shared by the HTML page and the SVG: times since the user's action, tap
// attribution to the message that offered the button, failed checks with expected vs unclaimed.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { attributeTaps, chatItems, formatDuration, formatSince, parseTranscript, type BotItem, type CheckItem } from '../../src/report/index.ts';
import { MENU, ROOMS, TranscriptBuilder, msg, richTranscript } from './helpers.ts';

describe('chatItems', () => {
  test('bot replies carry the time since the action that opened their turn', () => {
    const items = chatItems(richTranscript());
    const bots = items.filter((i): i is BotItem => i.type === 'bot');
    assert.deepEqual(
      bots.slice(0, 4).map((b) => [b.turn, b.sinceActionMs]),
      [
        [1, 40],
        [1, 55],
        [2, 30],
        [3, 20],
      ],
    );
  });

  test('replies before any user action are timed from the start of the conversation', () => {
    const t = new TranscriptBuilder().bot(25, (at) => msg.text('Welcome', at)).build();
    const [item] = chatItems(t);
    assert.equal(item?.type, 'bot');
    assert.equal((item as BotItem).sinceActionMs, 25);
  });

  test('a tap marks the button of the newest message offering it (carousel buttons counted across cards)', () => {
    const items = chatItems(richTranscript());
    const menu = items.find((i): i is BotItem => i.type === 'bot' && i.message.kind === 'buttons')!;
    const carousel = items.find((i): i is BotItem => i.type === 'bot' && i.message.kind === 'carousel')!;
    assert.deepEqual(menu.tapped, [0]); // Rooms
    assert.deepEqual(carousel.tapped, [2]); // Choose on the Suite card (Deluxe has 2 buttons before it)
  });

  test('taps with the same title on the same message are told apart by payload; an older offer is used when the newest lacks it', () => {
    const t = new TranscriptBuilder()
      .says(0, 'rooms')
      .bot(10, (at) => msg.carousel('Our rooms', ROOMS, at))
      .says(50, 'menu')
      .bot(60, (at) => msg.buttons('Menu', MENU, at))
      .taps(100, 'Details', 'DETAILS_SUITE')
      .build();
    const taps = [...attributeTaps(t).values()];
    assert.deepEqual(taps, [{ event: 1, button: 3 }]);
  });

  test('private notes never count as offering a button', () => {
    const t = new TranscriptBuilder()
      .bot(5, (at) => ({ ...msg.buttons('Menu', MENU, at), private: true }))
      .taps(10, 'Rooms', 'ROOMS')
      .build();
    assert.equal(attributeTaps(t).size, 0);
  });

  test('a failed check lists what was expected and the replies of its turn no step claimed (no private notes)', () => {
    const items = chatItems(richTranscript());
    const check = items.at(-1) as CheckItem;
    assert.equal(check.type, 'check');
    assert.equal(check.turn, 5);
    assert.equal(check.expected, 'a reply with the text "Goodbye!"');
    assert.equal(check.headline, 'Timed out after 1500 ms waiting for a reply with the text "Goodbye!".');
    assert.deepEqual(
      check.unclaimed.map((u) => [u.message.kind, u.sinceActionMs]),
      [['text', 12]],
    );
  });

  test('a check counts only the replies that arrived before it', () => {
    const t = new TranscriptBuilder()
      .says(0, 'hi')
      .bot(10, (at) => msg.text('one', at))
      .fails(20, 'the bot replies "two"', 'Timed out\n  expected: a reply with the text "two"')
      .bot(30, (at) => msg.text('late', at))
      .build();
    const check = chatItems(t).find((i): i is CheckItem => i.type === 'check')!;
    assert.deepEqual(
      check.unclaimed.map((u) => (u.message.kind === 'text' ? u.message.text : '')),
      ['one'],
    );
  });
});

test('formatSince and formatDuration', () => {
  assert.equal(formatSince(12.4), '+12 ms');
  assert.equal(formatSince(1534), '+1.53 s');
  assert.equal(formatDuration(840), '840 ms');
  assert.equal(formatDuration(2412), '2.41 s');
  assert.equal(formatDuration(63_000), '1 min 3 s');
});

test('parseTranscript accepts a transcript and rejects anything else', () => {
  const t = richTranscript();
  assert.deepEqual(parseTranscript(JSON.stringify(t)), t);
  assert.equal(parseTranscript('not json'), null);
  assert.equal(parseTranscript('{"events": 3}'), null);
});
