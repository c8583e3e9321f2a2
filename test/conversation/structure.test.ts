// Structural expectations (buttons, carousels) and media: a `shows buttons` / carousel step
// first looks at the message the step just before it claimed; otherwise it claims a new one.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { Expectation } from '../../src/conversation/index.ts';
import { textOf } from '../../src/protocol/index.ts';
import { harness, rejectsWith } from './harness.ts';

const exact = (value: string): Expectation => ({ kind: 'text', mode: 'exact', value });
const buttons = (...titles: string[]): Expectation => ({ kind: 'buttons', titles });

const ROOMS = [
  { title: 'Deluxe', subtitle: 'Sea view', buttons: [{ title: 'Choose', payload: 'ROOM_DELUXE' }, { title: 'Photos', type: 'web_url', url: 'https://hotel.test/deluxe' }] },
  { title: 'Suite', subtitle: '', buttons: [{ title: 'Choose', payload: 'ROOM_SUITE' }] },
  { title: 'Single' },
];

const claimsOf = (events: readonly { type: string }[]) =>
  events.flatMap((e) => (e.type === 'bot' ? [(e as { claimedBy?: string }).claimedBy ?? null] : []));

describe('shows buttons', () => {
  it('`replies "Pick one"` then `shows buttons "A","B"` check the SAME button-template message', async (t) => {
    const { c, bot, r } = await harness(t);
    bot.onNextSend((_a, b) => b.deliver(r.buttons('Pick one', ['A', 'B']), r.buttons('Pick one', ['A', 'B'])));
    await c.say('menu');
    const first = await c.expect(exact('Pick one'), 'Then the bot replies "Pick one"');
    const second = await c.expect(buttons('A', 'B'), 'And the bot shows buttons "A", "B"');
    assert.equal(second.message, first.message, 'the same message object');
    assert.deepEqual(claimsOf(c.transcript.events), ['Then the bot replies "Pick one"', null], 'no second claim');
    // the identical second message is still unclaimed
    const err = await rejectsWith(c.expectNothingMore(), 'APICHAT_UNEXPECTED_REPLY');
    assert.match(err.message, /1 unclaimed reply in this turn:\n {4}- buttons "Pick one" \["A", "B"\]/);
  });

  it('when the previously claimed message has different buttons: APICHAT_REPLY_MISMATCH naming both', async (t) => {
    const { c, bot, r } = await harness(t);
    // a message with the expected buttons exists, but it is not the one the reader is looking at
    bot.onNextSend((_a, b) => b.deliver(r.buttons('Pick one', ['A', 'B']), r.buttons('Other', ['A', 'C'])));
    await c.say('menu');
    await c.expect(exact('Pick one'), 'Then the bot replies "Pick one"');
    const err = await rejectsWith(c.expect(buttons('A', 'C'), 'And the bot shows buttons "A", "C"'), 'APICHAT_REPLY_MISMATCH');
    assert.match(err.message, /^The message claimed by the previous step does not match\./);
    assert.match(err.message, /expected: buttons "A", "C" \(exactly these, in this order\)/);
    assert.match(err.message, /note: {5}the previous step claimed buttons "Pick one" \["A", "B"\]/);
    assert.match(err.message, /1 unclaimed reply in this turn:\n {4}- buttons "Other" \["A", "C"\]/);
    // the diff is against the claimed message, the one the step is about
    assert.match(err.message, /diff: {5}nearest reply, buttons "Pick one": missing "C"; extra "B"\n/);
    assert.match(err.message, /\n {6}"A"\n {4}- "C"\n {4}\+ "B"\n/);
    assert.ok(err.message.indexOf('diff:') < err.message.indexOf('received:'));
  });

  it('buttons must be exactly these titles in this order', async (t) => {
    const { c, bot, r } = await harness(t, { replyTimeoutMs: 30 });
    bot.onNextSend((_a, b) => b.deliver(r.buttons('Pick', ['A', 'B', 'C'])));
    await c.say('menu');
    await rejectsWith(c.expect(buttons('A', 'B'), 'subset'), 'APICHAT_REPLY_TIMEOUT');
    await rejectsWith(c.expect(buttons('C', 'B', 'A'), 'reversed'), 'APICHAT_REPLY_TIMEOUT');
    await c.expect(buttons('A', 'B', 'C'), 'exact');
  });

  it('after a claimed plain text, `shows buttons` claims a new button message', async (t) => {
    const { c, bot, r } = await harness(t);
    bot.onNextSend((_a, b) => {
      b.deliver(r.text('Hello'));
      b.deliverSoon(r.buttons('Pick one', ['A', 'B']));
    });
    await c.say('menu');
    await c.expect(exact('Hello'), 'Then the bot replies "Hello"');
    const got = await c.expect(buttons('A', 'B'), 'And the bot shows buttons "A", "B"');
    assert.equal(textOf(got.message), 'Pick one');
    assert.deepEqual(claimsOf(c.transcript.events), ['Then the bot replies "Hello"', 'And the bot shows buttons "A", "B"']);
    await c.expectNothingMore();
  });

  it('a buttons step as the first step of a turn claims a new message; the previous turn’s claim is forgotten', async (t) => {
    const { c, bot, r } = await harness(t);
    bot.onNextSend((_a, b) => b.deliver(r.buttons('Pick one', ['A', 'B']))).onNextSend((_a, b) => b.deliver(r.buttons('Then', ['X', 'Y'])));
    await c.say('menu');
    await c.expect(exact('Pick one'), 'replies');
    await c.say('more');
    // would be APICHAT_REPLY_MISMATCH if the turn-1 claim were still "the previous step"
    const got = await c.expect(buttons('X', 'Y'), 'shows buttons');
    assert.equal(textOf(got.message), 'Then');
  });
});

describe('carousels', () => {
  it('a data table that times out shows the differing card field against the nearest carousel', async (t) => {
    const { c, bot, r } = await harness(t);
    bot.onNextSend((_a, b) => b.deliver(r.text('Our rooms are:'), r.carousel('Our rooms', ROOMS)));
    await c.say('rooms');
    const rows = [{ title: 'Deluxe', subtitle: 'Garden view' }, { title: 'Suite' }, { title: 'Single' }];
    const err = await rejectsWith(c.expect({ kind: 'carousel', rows }, 'the carousel has cards:'), 'APICHAT_REPLY_TIMEOUT');
    assert.match(err.message, /diff: {5}nearest reply, carousel "Our rooms" \(3 cards\), card 1 differs\n {4}- expected\n {4}\+ actual\n\n {6}card 1 "Deluxe"\n {4}- {3}subtitle "Garden view"\n {4}\+ {3}subtitle "Sea view"\n {2}received: 2 unclaimed replies/);
  });

  it('count, titles and rows (title, subtitle, buttons) of one carousel, the first step claiming it', async (t) => {
    const { c, bot, r } = await harness(t);
    bot.onNextSend((_a, b) => b.deliver(r.carousel('Our rooms', ROOMS)));
    await c.say('rooms');
    const a = await c.expect({ kind: 'carousel', count: 3 }, 'Then the bot shows a carousel with 3 cards');
    const b = await c.expect({ kind: 'carousel', titles: ['Deluxe', 'Suite', 'Single'] }, 'And the carousel has cards');
    const rows = await c.expect(
      {
        kind: 'carousel',
        rows: [
          { title: 'Deluxe', subtitle: 'Sea view', buttons: ['Choose', 'Photos'] },
          { title: 'Suite', subtitle: '' },
          { title: 'Single', buttons: [] },
        ],
      },
      'And the carousel has cards (table)',
    );
    assert.equal(b.message, a.message);
    assert.equal(rows.message, a.message);
    assert.deepEqual(claimsOf(c.transcript.events), ['Then the bot shows a carousel with 3 cards']);
  });

  it('`replies "Our rooms"` then a carousel step look at the same carousel; a wrong count is a MISMATCH', async (t) => {
    const { c, bot, r } = await harness(t);
    bot.onNextSend((_a, b) => b.deliver(r.carousel('Our rooms', ROOMS)));
    await c.say('rooms');
    await c.expect(exact('Our rooms'), 'Then the bot replies "Our rooms"');
    await c.expect({ kind: 'carousel', titles: ['Deluxe', 'Suite', 'Single'] }, 'cards');
    const err = await rejectsWith(c.expect({ kind: 'carousel', count: 2 }, 'two cards'), 'APICHAT_REPLY_MISMATCH');
    assert.match(err.message, /expected: a carousel with 2 cards/);
    assert.match(err.message, /the previous step claimed carousel "Our rooms" 3 card\(s\): "Deluxe" \["Choose", "Photos"\]; "Suite" \["Choose"\]; "Single"/);
  });

  it('row mismatches: wrong subtitle, wrong buttons, wrong title order, fewer rows than cards', async (t) => {
    const { c, bot, r } = await harness(t, { replyTimeoutMs: 20 });
    bot.onNextSend((_a, b) => b.deliver(r.carousel('Our rooms', ROOMS)));
    await c.say('rooms');
    const bad: Expectation[] = [
      { kind: 'carousel', rows: [{ title: 'Deluxe', subtitle: 'Garden view' }, { title: 'Suite' }, { title: 'Single' }] },
      { kind: 'carousel', rows: [{ title: 'Deluxe', buttons: ['Choose'] }, { title: 'Suite' }, { title: 'Single' }] },
      { kind: 'carousel', rows: [{ title: 'Suite' }, { title: 'Deluxe' }, { title: 'Single' }] },
      { kind: 'carousel', rows: [{ title: 'Deluxe' }, { title: 'Suite' }] },
      { kind: 'carousel', titles: ['Deluxe', 'Suite'] },
    ];
    for (const e of bad) await rejectsWith(c.expect(e, 'bad'), 'APICHAT_REPLY_TIMEOUT');
    await c.expect({ kind: 'carousel', rows: [{ title: 'Deluxe' }, { title: 'Suite' }, { title: 'Single' }] }, 'titles only');
  });

  it('a carousel step after a claimed button template claims a new carousel', async (t) => {
    const { c, bot, r } = await harness(t);
    bot.onNextSend((_a, b) => b.deliver(r.buttons('Pick', ['A']), r.carousel('Cards', [{ title: 'X' }])));
    await c.say('go');
    await c.expect(buttons('A'), 'buttons');
    const got = await c.expect({ kind: 'carousel', count: 1 }, 'carousel');
    assert.equal(got.message.kind, 'carousel');
    await c.expectNothingMore();
  });
});

describe('media', () => {
  it('matches the kind and an optional part of the URL', async (t) => {
    const { c, bot, r } = await harness(t, { replyTimeoutMs: 20 });
    bot.onNextSend((_a, b) => b.deliver(r.media('image', 'https://cdn.test/cat.png'), r.media('file', 'https://cdn.test/invoice.pdf')));
    await c.say('docs');
    await rejectsWith(c.expect({ kind: 'media', media: 'video' }, 'video'), 'APICHAT_REPLY_TIMEOUT');
    await rejectsWith(c.expect({ kind: 'media', media: 'image', urlPart: 'dog' }, 'dog'), 'APICHAT_REPLY_TIMEOUT');
    const img = await c.expect({ kind: 'media', media: 'image', urlPart: 'cat.png' }, 'image');
    assert.equal(img.message.kind === 'image' && img.message.url, 'https://cdn.test/cat.png');
    const file = await c.expect({ kind: 'media', media: 'file' }, 'file');
    assert.equal(file.message.kind, 'file');
  });
});
