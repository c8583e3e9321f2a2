// Round-2 expectations: link buttons, card image/url columns, private notes, the test user's
// profile on every message, and the link-tap error naming the link-button step.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { actualDetails, cardRowFromTable, describeExpectation, matches, profileFromTable, type Expectation } from '../../src/conversation/index.ts';
import { isApiChatError } from '../../src/base/errors.ts';
import { normalise, type Incoming } from '../../src/protocol/index.ts';
import { CONV_ID, FakeBot, FAST, harness, Replies, rejectsWith, SENDER } from './harness.ts';
import { Conversation } from '../../src/conversation/index.ts';
import { LocalInbox, MemoryStore } from '../../src/inbox/index.ts';

const r = new Replies({ sender_id: SENDER, conv_id: CONV_ID });
const msg = (raw: unknown) => normalise(raw, 1_700_000_000_000);
const MENU = r.buttons('Menu', [{ title: 'Rooms', payload: 'ROOMS' }, { title: 'Website', type: 'web_url', url: 'https://hotel.test/' }]);
const ROOMS = r.carousel('Rooms', [
  { title: 'Deluxe', image_url: 'https://hotel.test/deluxe.jpg', item_url: 'https://hotel.test/deluxe', buttons: [{ title: 'Photos', type: 'web_url', url: 'https://hotel.test/deluxe/photos' }] },
  { title: 'Suite' },
]);

describe('link buttons', () => {
  const link = (title: string, url: string): Expectation => ({ kind: 'link', title, url });
  it('match a button with that title and URL, on a template or a card', () => {
    assert.ok(matches(link('Website', 'https://hotel.test/'), msg(MENU)));
    assert.ok(matches(link('Photos', 'https://hotel.test/deluxe/photos'), msg(ROOMS)));
    assert.ok(!matches(link('Website', 'https://hotel.test/other'), msg(MENU)));
    assert.ok(!matches(link('Rooms', 'https://hotel.test/'), msg(MENU)));
    assert.equal(describeExpectation(link('Website', 'https://x.test')), 'a link button "Website" to "https://x.test"');
  });
  it('a failure lists the real URL of that title and of every link', () => {
    assert.deepEqual(actualDetails(link('Website', 'https://hotel.test/other'), [msg(MENU)]), ['button "Website" links to "https://hotel.test/"']);
    assert.deepEqual(actualDetails(link('Rooms', 'https://x.test'), [msg(MENU)]), ['button "Rooms" is a postback button', 'button "Website" links to "https://hotel.test/"']);
    assert.deepEqual(actualDetails(link('X', 'https://x.test'), [msg(r.text('hi'))]), ['no link button in these messages']);
  });
});

describe('carousel image and url columns', () => {
  const rows = (deluxe: { image?: string; url?: string }, suite: { image?: string; url?: string } = {}): Expectation => ({
    kind: 'carousel',
    rows: [{ title: 'Deluxe', ...deluxe }, { title: 'Suite', ...suite }],
  });
  it('compare image_url and item_url; an empty cell means the card has none', () => {
    assert.ok(matches(rows({ image: 'https://hotel.test/deluxe.jpg', url: 'https://hotel.test/deluxe' }, { image: '', url: '' }), msg(ROOMS)));
    assert.ok(!matches(rows({ image: 'https://hotel.test/suite.jpg' }), msg(ROOMS)));
    assert.ok(!matches(rows({ url: '' }), msg(ROOMS)), 'Deluxe has a link');
    assert.ok(!matches(rows({}, { image: 'https://hotel.test/suite.jpg' }), msg(ROOMS)), 'Suite has no image');
  });
  it('a table row becomes a CardRow (placeholders filled); an unknown column is APICHAT_CARD_COLUMN listing the columns', () => {
    const fill = (v: string) => v.replace('{{room}}', 'deluxe');
    assert.deepEqual(cardRowFromTable({ title: 'Deluxe', buttons: 'Choose, Details,', image: ' https://x.test/{{room}}.jpg ', url: '' }, fill), {
      title: 'Deluxe',
      buttons: ['Choose', 'Details'],
      image: 'https://x.test/deluxe.jpg',
      url: '',
    });
    assert.throws(
      () => cardRowFromTable({ title: 'Deluxe', picture: 'x', link: 'y' }),
      (e: unknown) => isApiChatError(e, 'APICHAT_CARD_COLUMN') && e.message === 'unknown column "picture", "link" in the table of "the carousel has cards:": the columns are title, subtitle, buttons, image, url (every one but title is optional)',
    );
  });

  it('describe and explain the images and links', () => {
    const e = rows({ image: 'https://hotel.test/x.jpg' }, { url: '' });
    assert.match(describeExpectation(e), /"Deluxe" image "https:\/\/hotel.test\/x.jpg"; "Suite" no url/);
    assert.deepEqual(actualDetails(e, [msg(ROOMS)]), [
      'card "Deluxe": image "https://hotel.test/deluxe.jpg", url "https://hotel.test/deluxe"',
      'card "Suite": image none, url none',
    ]);
    assert.deepEqual(actualDetails({ kind: 'carousel', rows: [{ title: 'Deluxe' }] }, [msg(ROOMS)]), [], 'only when the columns are used');
  });
});

describe('private notes', () => {
  it('are matched only by note expectations, exact (trimmed) or containing', () => {
    const note = msg(r.note('New booking BK-1 for Ann'));
    assert.ok(matches({ kind: 'note', mode: 'containing', value: 'BK-1' }, note));
    assert.ok(matches({ kind: 'note', mode: 'exact', value: ' New booking BK-1 for Ann ' }, note));
    assert.ok(!matches({ kind: 'note', mode: 'exact', value: 'New booking' }, note));
    assert.ok(!matches({ kind: 'text', mode: 'containing', value: 'BK-1' }, note), 'a note is never a reply');
    assert.ok(!matches({ kind: 'note', mode: 'containing', value: 'BK-1' }, msg(r.text('BK-1'))), 'a reply is never a note');
    assert.deepEqual(actualDetails({ kind: 'note', mode: 'exact', value: 'x' }, [msg(r.text('hi')), note]), ['private note of this turn: "New booking BK-1 for Ann"']);
  });

  it('Conversation.expect claims a note of this turn and leaves "nothing more" untouched', async (t) => {
    const { c, bot } = await harness(t);
    bot.onNextSend((_a, b) => b.deliver(r.text('Booked.'), r.note('New booking for Ann')));
    await c.say('yes');
    await c.expect({ kind: 'text', mode: 'exact', value: 'Booked.' }, 'reply');
    await c.expect({ kind: 'note', mode: 'containing', value: 'for Ann' }, 'note');
    await c.expectNothingMore();
    const e = await rejectsWith(c.expect({ kind: 'note', mode: 'containing', value: 'for Ann' }, 'again'), 'APICHAT_REPLY_TIMEOUT');
    assert.match(e.message, /waiting for a private note containing "for Ann"/);
    assert.match(e.message, /private note of this turn: "New booking for Ann"/);
  });
});

describe('the test user profile', () => {
  it('goes out as sender.email / sender.phone_number on every message (empty when absent)', async (t) => {
    const store = new MemoryStore();
    const bot = new FakeBot(store);
    const open = (extra: { email?: string; phone?: string }) =>
      Conversation.open({ inbox: new LocalInbox(store), bot, senderId: `${SENDER}-${Math.random()}`, name: 'Ann', conversationId: CONV_ID, timing: FAST, ...extra });
    const c = await open({ email: 'ann@example.com', phone: '+15550100' });
    const plain = await open({});
    t.after(async () => {
      await c.close();
      await plain.close();
    });
    await c.say('hi');
    await c.sendAttachment('image', 'https://x.test/a.png');
    await plain.say('hi');
    const senders = bot.sent.map((s) => (s.message as Incoming).sender);
    assert.deepEqual(senders.map((s) => [s.email, s.phone_number]), [['ann@example.com', '+15550100'], ['ann@example.com', '+15550100'], ['', '']]);
  });

  it('a table takes email and phone; any other key is APICHAT_PROFILE_KEY naming the allowed ones', () => {
    assert.deepEqual(profileFromTable({ email: 'a@b.c', ' Phone ': '+1' }), { email: 'a@b.c', phone: '+1' });
    assert.throws(
      () => profileFromTable({ mail: 'a@b.c' }),
      (e: unknown) => isApiChatError(e, 'APICHAT_PROFILE_KEY') && /unknown profile field "mail".*allowed fields are email and phone/.test(e.message) && !e.message.includes('\n'),
    );
  });
});

describe('tapping a link button', () => {
  it('is APICHAT_NOT_POSTBACK naming the link-button step with the real URL', async (t) => {
    const { c, bot } = await harness(t);
    bot.onNextSend((_a, b) => b.deliver(MENU));
    await c.say('menu');
    const e = await rejectsWith(c.tap('Website'), 'APICHAT_NOT_POSTBACK');
    assert.match(e.message, /check its URL instead: Then the bot shows a link button "Website" to "https:\/\/hotel.test\/"$/);
    assert.ok(!e.message.includes('\n'));
  });
});
