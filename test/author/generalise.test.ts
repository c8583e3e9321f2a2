import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { Generaliser, pairReplies, tappable, UnstableError, type ReplyCheck } from '../../src/author/index.ts';
import { isApiChatError } from '../../src/base/errors.ts';
import { buttons, carousel, image, say, tap, text, turn, unknown } from './helpers.ts';

describe('pairing the replies of two visits', () => {
  test('equal replies pair whatever the arrival order; then by shape', () => {
    const a = [text('Hello'), buttons('Pick', ['A', 'B']), text('Ref 1')];
    const b = [text('Ref 2'), buttons('Pick', ['A', 'B']), text('Hello')];
    const pairs = pairReplies(a, b)!;
    assert.deepEqual(
      pairs.map(([x, y]) => [x.kind === 'text' || x.kind === 'buttons' ? x.text : '', y.kind === 'text' || y.kind === 'buttons' ? y.text : '']),
      [['Hello', 'Hello'], ['Pick', 'Pick'], ['Ref 1', 'Ref 2']],
    );
  });

  test('another number of replies, or buttons with other titles, cannot be paired', () => {
    assert.equal(pairReplies([text('a')], [text('a'), text('b')]), null);
    assert.equal(pairReplies([buttons('Pick', ['A'])], [buttons('Pick', ['B'])]), null);
  });
});

describe('Generaliser', () => {
  test('identical visits give exact checks, in claim-safe order (texts first)', () => {
    const g = new Generaliser();
    const a = turn(say('hi'), [buttons('Menu', ['Rooms'], ['Website']), text('Hello!')]);
    const t = g.turn(a, turn(say('hi'), [text('Hello!'), buttons('Menu', ['Rooms'], ['Website'])]), 0);
    assert.deepEqual(t.checks, [
      { kind: 'text', text: { exact: 'Hello!' } },
      { kind: 'buttons', text: { exact: 'Menu' }, titles: ['Rooms', 'Website'], links: [{ title: 'Website', url: 'https://example.com/Website' }] },
    ] satisfies ReplyCheck[]);
    assert.equal(g.volatile, 0);
  });

  test('a note quoting a value captured in its turn is exact with {{name}}; other varying notes keep their common part', () => {
    const g = new Generaliser();
    const a = turn(tap('Yes'), [text('Ref BK-111.')], [text('New booking BK-111 for Ann', true), text('Checked in at 10:01 by desk', true)]);
    const b = turn(tap('Yes'), [text('Ref BK-222.')], [text('Checked in at 11:30 by desk', true), text('New booking BK-222 for Ann', true)]);
    assert.deepEqual(g.turn(a, b, 0).notes, [
      { mode: 'exact', value: 'New booking {{ref}} for Ann' },
      { mode: 'containing', value: 'Checked in at' },
    ]);
  });

  test('a volatile reply becomes a regex; a later text quoting its value uses {{name}}, also in what the user types', () => {
    const g = new Generaliser();
    const t1 = g.turn(turn(tap('Yes'), [text('Your booking reference is BK-20417.')]), turn(tap('Yes'), [text('Your booking reference is BK-63001.')]), 0);
    assert.deepEqual(t1.checks, [{ kind: 'text', text: { regex: '^Your booking reference is (?<reference>BK-\\d+)\\.$' } }]);
    assert.deepEqual(g.captured, [{ name: 'reference', a: 'BK-20417', b: 'BK-63001' }]);
    // The replay sends the second visit's own value; the feature writes the variable.
    assert.deepEqual(g.forReplay(say('status BK-20417')), say('status BK-63001'));
    const t2 = g.turn(turn(say('status BK-20417'), [text('Booking BK-20417 is confirmed.')]), turn(say('status BK-63001'), [text('Booking BK-63001 is confirmed.')]), 1);
    assert.deepEqual(t2.action, say('status {{reference}}'));
    assert.deepEqual(t2.checks, [{ kind: 'text', text: { exact: 'Booking {{reference}} is confirmed.' } }]);
    assert.equal(g.volatile, 2);
  });

  test('text that an exact step cannot carry is matched literally by a regex', () => {
    const g = new Generaliser();
    const m = text('Use {{name}} or a\\b\nsecond line');
    const t = g.turn(turn(say('x'), [m]), turn(say('x'), [m]), 0);
    const check = t.checks[0]!;
    assert.ok(check.kind === 'text' && 'regex' in check.text);
    assert.match('Use {{name}} or a\\b\nsecond line', new RegExp(check.text.regex));
  });

  test('carousel cards that vary keep only their count; a media URL keeps its common prefix', () => {
    const g = new Generaliser();
    const t = g.turn(
      turn(say('x'), [carousel('Deals', [{ title: 'Deal 1', buttons: ['Buy'] }]), image('https://cdn.example.com/p/1.jpg')]),
      turn(say('x'), [carousel('Deals', [{ title: 'Deal 2', buttons: ['Buy'] }]), image('https://cdn.example.com/p/2.jpg')]),
      0,
    );
    assert.deepEqual(t.checks, [
      { kind: 'media', media: 'image', urlPart: 'https://cdn.example.com/p/' },
      { kind: 'carousel', text: { exact: 'Deals' }, count: 1, cards: null },
    ] satisfies ReplyCheck[]);
    assert.equal(g.volatile, 2);
  });

  test('a structural message whose text is not unique in its turn is checked structure first', () => {
    const g = new Generaliser();
    const replies = [text('Pick'), buttons('Pick', ['A', 'B'])];
    const t = g.turn(turn(say('x'), replies), turn(say('x'), [...replies].reverse()), 0);
    assert.deepEqual(t.checks[1], { kind: 'buttons', text: { exact: 'Pick' }, titles: ['A', 'B'], structureFirst: true });
  });

  test('private notes are kept as notes; unknown shapes are summarised', () => {
    const g = new Generaliser();
    const a = turn(say('x'), [unknown({ type: 'location', lat: 1 })], [text('agent note', true)]);
    const t = g.turn(a, a, 0);
    assert.deepEqual(t.notes, [{ mode: 'exact', value: 'agent note' }]);
    assert.equal(t.checks[0]!.kind, 'unknown');
  });

  test('a turn answered differently on the second visit is unstable (APICHAT_UNSTABLE_REPLY)', () => {
    const g = new Generaliser();
    assert.throws(
      () => g.turn(turn(say('coin'), [text('Heads')]), turn(say('coin'), [image('https://e.com/tails.png')]), 2),
      (e) => e instanceof UnstableError && isApiChatError(e, 'APICHAT_UNSTABLE_REPLY') && /turn 3 answered differently/.test(e.message) && /image https:\/\/e\.com\/tails\.png/.test(e.message),
    );
  });
});

describe('tappable', () => {
  test('postback buttons, card buttons with their card; link buttons counted; ambiguous titles skipped', () => {
    const r = tappable([
      buttons('Menu', ['Rooms', 'Help'], ['Website']),
      carousel('Rooms', [{ title: 'Deluxe', buttons: ['Choose'] }, { title: 'Suite', buttons: ['Choose'] }]),
      buttons('Again', ['Help']),
    ]);
    assert.deepEqual(r.taps, [tap('Rooms'), tap('Choose', 'Deluxe'), tap('Choose', 'Suite')]);
    assert.equal(r.links, 1);
  });
});
