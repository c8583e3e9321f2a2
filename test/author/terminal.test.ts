import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { renderTurn } from '../../src/author/index.ts';
import { buttons, carousel, image, tap, text, unknown } from './helpers.ts';

describe('renderTurn (record\'s view of the bot)', () => {
  test('texts, numbered postback buttons (cards included), link buttons unnumbered, media, unknown shapes, notes greyed', () => {
    const r = renderTurn(
      [
        text('Hello\nthere'),
        buttons('Pick', ['Rooms'], ['Website']),
        carousel('', [{ title: 'Suite', subtitle: 'Big', buttons: ['Choose'] }]),
        image('https://e.com/a.jpg'),
        unknown({ type: 'location' }),
      ],
      [text('agent only', true)],
      true,
    );
    assert.deepEqual(r.lines, [
      '  bot   Hello',
      '        there',
      '  bot   Pick',
      '          [1] Rooms   (Website ↗ https://example.com/Website)',
      '  bot   (carousel)',
      '          ▪ Suite — Big   [2] Choose',
      '  bot   image https://e.com/a.jpg',
      `  bot   ${'unknown (unrecognised shape: type "location") {"sender_id":"u1","conv_id":1,"message_type":"outgoing","type":"location"}'}`,
      '\x1b[2m  note  agent only (private)\x1b[0m',
    ]);
    assert.deepEqual(r.numbered, [tap('Rooms'), tap('Choose', 'Suite')]);
  });

  test('silence is shown; no colour codes in a pipe', () => {
    const r = renderTurn([], [text('n', true)], false);
    assert.deepEqual(r.lines, ['  bot   (says nothing)', '  note  n (private)']);
  });
});
