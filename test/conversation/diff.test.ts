// The diff a failed Then step prints against the nearest reply of the expected kind: carousel
// cards field by field, button lists (missing, extra, moved), a character diff for close texts,
// media URLs; and where it sits in the failure message.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { charDiff, CARD_FIELDS, listDiff, nearestDiff, similarity } from '../../src/conversation/diff.ts';
import { formatFailure } from '../../src/conversation/errors.ts';
import type { Expectation } from '../../src/conversation/index.ts';
import { normalise, type BotMessage } from '../../src/protocol/index.ts';
import { CONV_ID, Replies, SENDER } from './harness.ts';

const r = new Replies({ sender_id: SENDER, conv_id: CONV_ID });
const msg = (raw: unknown): BotMessage => normalise(raw, 1000);

const rooms = (deluxeSubtitle: string, suiteButtons = ['Choose', 'Photos']): BotMessage =>
  msg(
    r.carousel('Our rooms', [
      { title: 'Garden Room', subtitle: '99 EUR', image_url: 'https://img.example/garden.jpg', buttons: [{ title: 'Choose' }, { title: 'Photos' }] },
      { title: 'Deluxe Suite', subtitle: deluxeSubtitle, buttons: [{ title: 'Choose' }, { title: 'Photos' }] },
      { title: 'Penthouse', subtitle: '499 EUR', buttons: suiteButtons.map((title) => ({ title })) },
    ]),
  );

const table: Expectation = {
  kind: 'carousel',
  rows: [
    { title: 'Garden Room', subtitle: '99 EUR', buttons: ['Choose', 'Photos'] },
    { title: 'Deluxe Suite', subtitle: '199 EUR', buttons: ['Choose', 'Photos'] },
    { title: 'Penthouse', subtitle: '499 EUR', buttons: ['Choose', 'Photos'] },
  ],
};

describe('nearestDiff: carousel data tables', () => {
  it('shows only the card and the field that differ, - expected / + actual', () => {
    const d = nearestDiff(table, [rooms('189 EUR')])!;
    assert.equal(d.headline, 'carousel "Our rooms" (3 cards), card 2 differs');
    assert.deepEqual(d.lines, ['- expected', '+ actual', '', '  card 2 "Deluxe Suite"', '-   subtitle "199 EUR"', '+   subtitle "189 EUR"']);
  });

  it("lists a card's buttons as they differ, and several cards at once", () => {
    const d = nearestDiff(table, [rooms('189 EUR', ['Photos', 'Choose'])])!;
    assert.equal(d.headline, 'carousel "Our rooms" (3 cards), cards 2, 3 differ');
    assert.ok(d.lines.includes('-   buttons "Choose", "Photos"'), d.lines.join('\n'));
    assert.ok(d.lines.includes('+   buttons "Photos", "Choose"'), d.lines.join('\n'));
    assert.ok(d.lines.includes('  card 3 "Penthouse"'));
  });

  it('a changed title is itself a change; a missing or extra card is named', () => {
    const e: Expectation = { kind: 'carousel', rows: [{ title: 'Garden Room' }, { title: 'Deluxe' }, { title: 'Penthouse' }, { title: 'Attic' }] };
    const d = nearestDiff(e, [rooms('x')])!;
    assert.deepEqual(d.lines.slice(3), ['  card 2', '-   title "Deluxe"', '- card 4 "Attic"', '+   title "Deluxe Suite"']);
  });

  it('picks the nearest of several carousels, and ignores replies of other kinds', () => {
    const far = msg(r.carousel('Other', [{ title: 'A' }, { title: 'B' }]));
    const d = nearestDiff(table, [msg(r.text('Deluxe Suite')), far, rooms('189 EUR')])!;
    assert.match(d.headline, /^carousel "Our rooms"/);
    assert.equal(nearestDiff(table, [msg(r.text('hello'))]), null);
  });

  it('card count and title lists', () => {
    assert.deepEqual(nearestDiff({ kind: 'carousel', count: 2 }, [rooms('x')])!.lines, ['- expected', '+ actual', '', '- 2 cards', '+ 3 cards']);
    const d = nearestDiff({ kind: 'carousel', titles: ['Garden Room', 'Penthouse', 'Deluxe Suite'] }, [rooms('x')])!;
    assert.deepEqual(d.lines.slice(3), ['  card title "Garden Room"', '- card title "Penthouse"', '  card title "Deluxe Suite"', '+ card title "Penthouse"']);
  });

  it('every card field names itself (new data-table columns slot in here)', () => {
    assert.deepEqual(
      CARD_FIELDS.map((f) => f.name),
      ['title', 'subtitle', 'image', 'url', 'buttons'],
    );
  });

  it('image and url columns: the URL, or none where the card has none', () => {
    const rows = [
      { title: 'Garden Room', image: 'https://img.example/garden.png', url: '' },
      { title: 'Deluxe Suite', image: '' },
      { title: 'Penthouse' },
    ];
    const d = nearestDiff({ kind: 'carousel', rows }, [rooms('x')])!;
    assert.equal(d.headline, 'carousel "Our rooms" (3 cards), card 1 differs');
    assert.deepEqual(d.lines.slice(3), ['  card 1 "Garden Room"', '-   image "https://img.example/garden.png"', '+   image "https://img.example/garden.jpg"']);
  });
});

describe('nearestDiff: buttons', () => {
  const menu = msg(r.buttons('What would you like to do?', ['Rooms', 'Book', 'Help', 'Website']));

  it('a moved button', () => {
    const d = nearestDiff({ kind: 'buttons', titles: ['Rooms', 'Help', 'Book', 'Website'] }, [menu])!;
    assert.equal(d.headline, 'buttons "What would you like to do?": moved "Help"');
    assert.deepEqual(d.lines, ['- expected', '+ actual', '', '  "Rooms"', '- "Help"', '  "Book"', '+ "Help"', '  "Website"']);
  });

  it('missing and extra buttons', () => {
    const d = nearestDiff({ kind: 'buttons', titles: ['Rooms', 'Menu'] }, [menu])!;
    assert.equal(d.headline, 'buttons "What would you like to do?": missing "Menu"; extra "Book", "Help", "Website"');
  });

  it('listDiff summarises what is missing, extra or moved', () => {
    assert.equal(listDiff(['A', 'B'], ['A', 'B']).summary, '');
    assert.equal(listDiff(['A', 'B', 'C'], ['C', 'A']).summary, 'missing "B"; moved "A"');
  });
});

describe('nearestDiff: text', () => {
  it('a near miss gets a character diff with the changed characters marked', () => {
    const e: Expectation = { kind: 'text', mode: 'exact', value: 'Hello! I am the Grand Hotel bot.' };
    const d = nearestDiff(e, [msg(r.text('Sorry?')), msg(r.text('Hello! I am the Grand Demo Hotel bot.'))])!;
    assert.match(d.headline, /^text "Hello! I am the Grand Demo Hotel bot\.", \d+% alike$/);
    assert.deepEqual(d.lines, ['- expected', '+ actual', '', '- Hello! I am the Grand Hotel bot.', '+ Hello! I am the Grand Demo Hotel bot.', '?                       ^^^^^']);
  });

  it('texts that are not close get no diff; nor do containing and regex steps', () => {
    assert.equal(nearestDiff({ kind: 'text', mode: 'exact', value: 'Welcome to the hotel!' }, [msg(r.text('Sorry, I did not understand.'))]), null);
    assert.equal(nearestDiff({ kind: 'text', mode: 'containing', value: 'Hello' }, [msg(r.text('Hallo'))]), null);
    assert.ok(similarity('abc', 'abc') === 1 && similarity('abc', 'xyz') === 0);
  });

  it('marks deletions on the expected line, and shows line breaks', () => {
    assert.deepEqual(charDiff('one two\nthree', 'one\nthree'), ['- expected', '+ actual', '', '- one two⏎three', '?    ^^^^', '+ one⏎three']);
  });
});

describe('nearestDiff: media', () => {
  it('the URL of an image that does not contain the part; another kind of media', () => {
    const img = msg(r.media('image', 'https://cdn.example/lobby.jpg'));
    const d = nearestDiff({ kind: 'media', media: 'image', urlPart: 'pool' }, [img])!;
    assert.match(d.headline, /does not contain "pool"/);
    assert.deepEqual(d.lines.slice(3), ['- url containing "pool"', '+ url "https://cdn.example/lobby.jpg"']);
    assert.deepEqual(nearestDiff({ kind: 'media', media: 'video' }, [img])!.lines.slice(3), ['- video', '+ image']);
  });
});

const link = (title: string, url: string): Expectation => ({ kind: 'link', title, url });
const note = (value: string): Expectation => ({ kind: 'note', mode: 'exact', value });

describe('nearestDiff: link buttons and private notes', () => {
  const menu = msg(r.buttons('Menu', [{ title: 'Rooms' }, { title: 'Website', type: 'web_url', url: 'https://example.com/grand-demo-hotel' }]));

  it('the URL of the button with that title, as a character diff when close', () => {
    const d = nearestDiff(link('Website', 'https://example.com/grand-hotel'), [menu])!;
    assert.equal(d.headline, 'button "Website" of buttons "Menu" links elsewhere');
    assert.deepEqual(d.lines.slice(3), ['- https://example.com/grand-hotel', '+ https://example.com/grand-demo-hotel', '?                           ^^^^^']);
    assert.match(nearestDiff(link('Rooms', 'https://x.test'), [menu])!.headline, /opens no URL \(a postback button\)$/);
    assert.equal(nearestDiff(link('Nope', 'https://x.test'), [menu]), null);
  });

  it('a private note compares against notes only', () => {
    const agentNote = msg(r.note('New booking BK-1 for Ann'));
    const e = note('New booking BK-1 for Bob');
    assert.match(nearestDiff(e, [msg(r.text('New booking BK-1 for Ann!')), agentNote])!.headline, /^text "New booking BK-1 for Ann", \d+% alike$/);
    assert.equal(nearestDiff(e, [msg(r.text('New booking BK-1 for Ann'))]), null);
    assert.equal(nearestDiff({ kind: 'text', mode: 'exact', value: 'New booking BK-1 for Bob' }, [agentNote]), null);
  });
});

describe('formatFailure with a diff', () => {
  it('puts the diff under the expectation and keeps the compact list of replies below it', () => {
    const m = rooms('189 EUR');
    const text = formatFailure('Timed out.', {
      expected: 'a carousel',
      turn: 1,
      turnLabel: 'after the user says "rooms"',
      unclaimed: [{ message: m, at: 1010 }],
      turnStartedAt: 1000,
      diff: nearestDiff(table, [m]),
    });
    const lines = text.split('\n');
    const at = (s: string): number => lines.findIndex((l) => l.startsWith(s));
    assert.ok(at('  diff:     nearest reply, carousel "Our rooms"') > at('  expected:'));
    assert.ok(at('  received:') > at('    +   subtitle "189 EUR"'));
    assert.ok(lines.includes(''), 'the blank line after the annotations stays blank');
    assert.ok(!lines.some((l) => / $/.test(l)), 'no trailing spaces');
  });
});
