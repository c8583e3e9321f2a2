// Conversation.tap(): which button is tapped, auto-waiting for it, falling back to earlier
// turns, and the errors for missing, ambiguous, unknown-card and non-postback buttons.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { PostbackIncoming } from '../../src/protocol/index.ts';
import { harness, rejectsWith, type Harness, type OnSend } from './harness.ts';

const ROOMS = [
  { title: 'Deluxe', buttons: [{ title: 'Choose', payload: 'ROOM_DELUXE' }, { title: 'Photos', type: 'web_url', url: 'https://hotel.test/deluxe' }] },
  { title: 'Suite', buttons: [{ title: 'Choose', payload: 'ROOM_SUITE' }, { title: 'Book now', payload: 'BOOK_SUITE' }] },
];

function postback(sent: { message: unknown }): PostbackIncoming {
  const m = sent.message as PostbackIncoming;
  assert.equal(m.event, 'message_postback');
  return m;
}

/** The user says "one" and "two" (answered by `first` and `second`), then taps `title`: what the tap submitted. */
async function tapInTurnTwo(h: Harness, title: string, first: OnSend, second: OnSend) {
  h.bot.onNextSend(first).onNextSend(second);
  await h.c.say('one');
  await h.c.say('two');
  await h.c.tap(title);
  return postback(h.bot.sent[2]!).submitted_values;
}

describe('tap(): which button', () => {
  it('posts message_postback with the button’s real title and payload', async (t) => {
    const { c, bot, r } = await harness(t);
    bot.onNextSend((_a, b) => b.deliver(r.buttons('Continue?', [{ title: 'Yes', payload: 'CONFIRM_YES' }, { title: 'No', payload: 'CONFIRM_NO' }])));
    await c.say('start');
    await c.tap('Yes');
    assert.equal(bot.sent.length, 2);
    const m = postback(bot.sent[1]!);
    assert.equal(m.content, 'Yes');
    assert.deepEqual(m.submitted_values, [{ title: 'Yes', payload: 'CONFIRM_YES' }]);
    assert.equal(c.currentTurn, 2);
    const user = c.transcript.events.filter((e) => e.type === 'user').at(-1);
    assert.deepEqual(user?.type === 'user' && user.action, { kind: 'postback', title: 'Yes', payload: 'CONFIRM_YES' });
  });

  it('picks the newest message of this turn that offers the title (and this turn over an earlier one)', async (t) => {
    const h = await harness(t);
    const { r } = h;
    const submitted = await tapInTurnTwo(
      h,
      'Yes',
      (_a, b) => b.deliver(r.buttons('Old', [{ title: 'Yes', payload: 'TURN1' }])),
      (_a, b) => b.deliver(r.buttons('First', [{ title: 'Yes', payload: 'TURN2_FIRST' }]), r.text('filler'), r.buttons('Second', [{ title: 'Yes', payload: 'TURN2_SECOND' }, { title: 'No' }]), r.buttons('Newest, no Yes', ['Maybe'])),
    );
    assert.deepEqual(submitted, [{ title: 'Yes', payload: 'TURN2_SECOND' }]);
  });

  it('auto-waits for a message offering the title: tap right after say, reply delivered later', async (t) => {
    const { c, bot, r } = await harness(t, { replyTimeoutMs: 2_000 });
    bot.onNextSend((_a, b) => {
      b.deliverSoon(r.text('Hi! Let me look…'));
      b.deliverAfter(15, r.buttons('Main menu', [{ title: 'Menu', payload: 'MENU' }]));
    });
    await c.say('hi');
    await c.tap('Menu');
    assert.deepEqual(postback(bot.sent[1]!).submitted_values, [{ title: 'Menu', payload: 'MENU' }]);
    assert.ok(bot.sent[1]!.at >= bot.lastDeliveryAt(), 'tapped after the button arrived');
  });

  it('waits for the first reply of the turn up to the reply timeout before falling back', async (t) => {
    const h = await harness(t, { replyTimeoutMs: 2_000, quietMs: 10 });
    const { r } = h;
    const submitted = await tapInTurnTwo(
      h,
      'Menu',
      (_a, b) => b.deliver(r.buttons('Old', [{ title: 'Menu', payload: 'OLD' }])),
      // the bot is slower than the quiet window: the tap must not fall back before the first reply
      (_a, b) => b.deliverAfter(40, r.buttons('New', [{ title: 'Menu', payload: 'NEW' }])),
    );
    assert.deepEqual(submitted, [{ title: 'Menu', payload: 'NEW' }]);
  });

  it('falls back to an earlier turn’s message once this turn has been quiet for the quiet window', async (t) => {
    const h = await harness(t, { quietMs: 40 });
    const { bot, r } = h;
    const submitted = await tapInTurnTwo(
      h,
      'A',
      (_a, b) => b.deliver(r.buttons('Pick one', [{ title: 'A', payload: 'PICK_A' }, 'B'])),
      (_a, b) => b.deliver(r.text('Sorry, I did not get that')),
    );
    assert.deepEqual(submitted, [{ title: 'A', payload: 'PICK_A' }]);
    assert.ok(bot.sent[2]!.at - bot.lastDeliveryAt() >= 40, 'waited the quiet window after the turn’s last reply');
  });

  it('a private note never offers buttons', async (t) => {
    const { c, bot, r } = await harness(t);
    bot.onNextSend((_a, b) => b.deliver({ ...r.buttons('internal', [{ title: 'Go', payload: 'SECRET' }]), private: true }));
    await c.say('x');
    const err = await rejectsWith(c.tap('Go'), 'APICHAT_BUTTON_NOT_FOUND');
    assert.match(err.message, /has not offered any button/);
  });
});

describe('tap(): errors', () => {
  it('missing title: APICHAT_BUTTON_NOT_FOUND listing the existing buttons; nothing is sent', async (t) => {
    const { c, bot, r } = await harness(t, { quietMs: 20 });
    bot.onNextSend((_a, b) => b.deliver(r.buttons('Continue?', ['Yes', 'No'])));
    await c.say('start');
    const err = await rejectsWith(c.tap('Maybe'), 'APICHAT_BUTTON_NOT_FOUND');
    assert.match(err.message, /cannot tap "Maybe": no message offers it; the latest message with buttons \(buttons "Continue\?" \["Yes", "No"\]\) offers "Yes", "No"/);
    assert.equal(bot.sent.length, 1, 'a failed tap sends nothing');
    assert.equal(c.currentTurn, 1, 'and starts no turn');
  });

  it('no button at all in the conversation', async (t) => {
    const { c, bot, r } = await harness(t, { quietMs: 20 });
    bot.onNextSend((_a, b) => b.deliver(r.text('Hello')));
    await c.say('hi');
    const err = await rejectsWith(c.tap('Yes'), 'APICHAT_BUTTON_NOT_FOUND');
    assert.match(err.message, /cannot tap "Yes": the bot has not offered any button in this conversation \(turn 1, after the user says "hi"\)/);
  });

  it('same title on several carousel cards: APICHAT_BUTTON_AMBIGUOUS naming the cards', async (t) => {
    const { c, bot, r } = await harness(t);
    bot.onNextSend((_a, b) => b.deliver(r.carousel('Rooms', ROOMS)));
    await c.say('rooms');
    const err = await rejectsWith(c.tap('Choose'), 'APICHAT_BUTTON_AMBIGUOUS');
    assert.match(err.message, /2 buttons are titled "Choose" \(on cards "Deluxe", "Suite"\); say which one: When the user taps "Choose" on card "Deluxe"/);
    assert.equal(bot.sent.length, 1);
  });

  it('tap(title, card) picks that card’s button', async (t) => {
    const { c, bot, r } = await harness(t);
    bot.script = (a, b) => {
      if (a.kind === 'text') b.deliver(r.carousel('Rooms', ROOMS));
    };
    await c.say('rooms');
    await c.tap('Choose', 'Suite');
    assert.deepEqual(postback(bot.sent[1]!).submitted_values, [{ title: 'Choose', payload: 'ROOM_SUITE' }]);
    await c.say('rooms');
    await c.tap('Choose', 'Deluxe');
    assert.deepEqual(postback(bot.sent[3]!).submitted_values, [{ title: 'Choose', payload: 'ROOM_DELUXE' }]);
  });

  it('unknown card: APICHAT_CARD_NOT_FOUND listing the cards', async (t) => {
    const { c, bot, r } = await harness(t, { quietMs: 20 });
    bot.onNextSend((_a, b) => b.deliver(r.carousel('Rooms', ROOMS)));
    await c.say('rooms');
    const err = await rejectsWith(c.tap('Choose', 'Penthouse'), 'APICHAT_CARD_NOT_FOUND');
    assert.match(err.message, /cannot tap "Choose" on card "Penthouse": the latest carousel has cards "Deluxe", "Suite"/);
  });

  it('a card that exists but lacks the button: APICHAT_BUTTON_NOT_FOUND with every card’s buttons', async (t) => {
    const { c, bot, r } = await harness(t, { quietMs: 20 });
    bot.onNextSend((_a, b) => b.deliver(r.carousel('Rooms', ROOMS)));
    await c.say('rooms');
    const err = await rejectsWith(c.tap('Book now', 'Deluxe'), 'APICHAT_BUTTON_NOT_FOUND');
    assert.match(err.message, /cannot tap "Book now" on card "Deluxe": no message offers it/);
    assert.match(err.message, /offers "Choose" on card "Deluxe", "Photos" on card "Deluxe", "Choose" on card "Suite", "Book now" on card "Suite"/);
  });

  it('a web_url button: APICHAT_NOT_POSTBACK naming its URL', async (t) => {
    const { c, bot, r } = await harness(t);
    bot.onNextSend((_a, b) => b.deliver(r.carousel('Rooms', ROOMS)));
    await c.say('rooms');
    const err = await rejectsWith(c.tap('Photos'), 'APICHAT_NOT_POSTBACK');
    assert.match(err.message, /"Photos" is a web_url button \(it opens https:\/\/hotel\.test\/deluxe\)/);
    assert.equal(bot.sent.length, 1);
  });
});
