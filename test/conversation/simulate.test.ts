// The simulated user's loop (src/conversation/simulate.ts) against a fake bot and a scripted
// player: actions go through the Conversation, the model sees the conversation and the offers,
// an unknown tap is told back once, the ends (stop, turn limit), a silent bot, the failure shape.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { chatTurns, goalFailure, latestSimulation, offersOf, resolveTap, simulateUser, type UserPlayer } from '../../src/conversation/simulate.ts';
import { userTurnMessages, type UserDecision, type UserTurnInput } from '../../src/ai/user-model.ts';
import { renderTranscript } from '../../src/conversation/index.ts';
import { CONV_ID, harness, NAME, rejectsWith, SENDER, type Harness } from './harness.ts';

/** A player from a function of what it is shown; records every input. */
function player(fn: (input: UserTurnInput, call: number) => UserDecision): UserPlayer & { inputs: UserTurnInput[] } {
  const inputs: UserTurnInput[] = [];
  return {
    inputs,
    async decide(input) {
      inputs.push(input);
      return { decision: fn(input, inputs.length), cached: false };
    },
  };
}

/** A small hotel bot: hi → menu; Book → carousel; Choose → Yes/No; Yes → a reference. */
function hotel(h: Harness): void {
  h.bot.script = (action, b) => {
    const r = h.r;
    const key = action.kind === 'postback' ? action.payload : action.kind === 'text' ? action.text.toLowerCase() : '';
    if (key === 'hi') b.deliverSoon(r.text('Hello!'), r.buttons('What would you like?', [{ title: 'Rooms', payload: 'ROOMS' }, { title: 'Book', payload: 'BOOK' }, { title: 'Website', type: 'web_url', url: 'https://x.test' }]));
    else if (key === 'BOOK')
      b.deliverSoon(
        r.carousel('Our rooms', [
          { title: 'Deluxe', buttons: [{ title: 'Choose', payload: 'CHOOSE_DELUXE' }] },
          { title: 'Suite', buttons: [{ title: 'Choose', payload: 'CHOOSE_SUITE' }] },
        ]),
      );
    else if (key === 'CHOOSE_DELUXE') b.deliverSoon(r.buttons('Book the Deluxe?', [{ title: 'Yes', payload: 'YES' }, { title: 'No', payload: 'NO' }]));
    else if (key === 'YES') b.deliverSoon(r.text('Booked: BK-12345.'), r.note('agent: new booking'));
    else b.deliverSoon(r.text('Sorry?'));
  };
}

/** Fixed rules read from what the player is shown: hi, Book, Choose on Deluxe, Yes, stop. */
function booker(): (input: UserTurnInput) => UserDecision {
  return (input) => {
    const seen = input.turns.flatMap((t) => t.bot).map((m) => ('text' in m ? m.text : ''));
    if (seen.some((t) => t.startsWith('Booked'))) return { action: 'stop', reason: 'booked' };
    const has = (title: string, card?: string): boolean => input.offers.some((o) => o.title === title && o.card === card);
    if (has('Yes')) return { action: 'tap', title: 'Yes', reason: 'confirm' };
    if (has('Choose', 'Deluxe')) return { action: 'tap', title: 'Choose', card: 'Deluxe', reason: 'the Deluxe room' };
    if (has('Book')) return { action: 'tap', title: 'Book' };
    return { action: 'say', text: 'hi', reason: 'greet' };
  };
}

describe('simulateUser(): a model plays the user', () => {
  it('taps through a booking by the offered buttons and stops with its reason', async (t) => {
    const h = await harness(t);
    hotel(h);
    const p = player(booker());
    const result = await simulateUser(h.c, { goal: 'book the Deluxe room', maxTurns: 8, player: p });
    assert.deepEqual(result.end, { kind: 'stop', reason: 'booked' });
    assert.equal(result.actions, 4);
    assert.deepEqual(
      h.bot.sent.map((s) => s.action),
      [
        { kind: 'text', text: 'hi' },
        { kind: 'postback', title: 'Book', payload: 'BOOK' },
        { kind: 'postback', title: 'Choose', payload: 'CHOOSE_DELUXE' },
        { kind: 'postback', title: 'Yes', payload: 'YES' },
      ],
    );
    // What the model was shown: nothing first, then the offers of the newest turn with buttons (no link buttons).
    assert.equal(p.inputs.length, 5);
    assert.deepEqual(p.inputs[0]?.turns, []);
    assert.deepEqual(p.inputs[1]?.offers, [{ title: 'Rooms' }, { title: 'Book' }]);
    assert.deepEqual(p.inputs[2]?.offers, [{ title: 'Choose', card: 'Deluxe' }, { title: 'Choose', card: 'Suite' }]);
    assert.deepEqual(p.inputs[0]?.profile, { name: NAME });
    // The transcript marks the simulated actions, and the end.
    const users = h.c.transcript.events.filter((e) => e.type === 'user');
    assert.ok(users.every((e) => e.type === 'user' && e.simulated));
    assert.deepEqual(users[2]?.type === 'user' && users[2].simulated, { card: 'Deluxe', reason: 'the Deluxe room' });
    const end = latestSimulation(h.c.transcript);
    assert.equal(end?.turns, 4);
    assert.match(renderTranscript(h.c.transcript), /simulated user ended: the simulated user stopped after 4 turns \("booked"\)/);
  });

  it('never shows the model the random sender or conversation id, nor private notes', async (t) => {
    const h = await harness(t);
    hotel(h);
    const p = player(booker());
    await simulateUser(h.c, { goal: 'book the Deluxe room', maxTurns: 8, player: p });
    for (const input of p.inputs) {
      const sent = JSON.stringify(userTurnMessages(input));
      assert.ok(!sent.includes(SENDER) && !sent.includes(String(CONV_ID)), 'no ids in the request');
      assert.ok(!sent.includes('agent: new booking'), 'no private notes');
    }
    const last = userTurnMessages(p.inputs.at(-1)!);
    assert.match(last[1]!.content, /you: tapped "Choose" on card "Deluxe"\nbot: Book the Deluxe\? \[buttons: "Yes", "No"\]\nyou: tapped "Yes"\nbot: Booked: BK-12345\./);
  });

  it('ends at the turn limit when the user never stops (not a failure by itself)', async (t) => {
    const h = await harness(t);
    hotel(h);
    const p = player(() => ({ action: 'say', text: 'hi' }));
    const result = await simulateUser(h.c, { goal: 'chat forever', maxTurns: 3, player: p });
    assert.deepEqual(result.end, { kind: 'limit' });
    assert.equal(h.bot.sent.length, 3);
    assert.equal(p.inputs.length, 3, 'one model call per user turn, none after the limit');
    assert.match(renderTranscript(h.c.transcript), /the turn limit: 3 turns of up to 3, and the simulated user had not stopped/);
  });

  it('tells an unknown tap back once, with the offered titles, and goes on', async (t) => {
    const h = await harness(t);
    hotel(h);
    const p = player((input, call) => {
      if (input.turns.length === 0) return { action: 'say', text: 'hi' };
      if (call === 2) return { action: 'tap', title: 'Reserve' };
      if (input.turns.length === 1) return { action: 'tap', title: 'book' }; // case differs: still the Book button
      return { action: 'stop', reason: 'saw the rooms' };
    });
    const result = await simulateUser(h.c, { goal: 'see the rooms', maxTurns: 5, player: p });
    assert.equal(p.inputs[2]?.miss?.answer, JSON.stringify({ action: 'tap', title: 'Reserve' }));
    assert.equal(p.inputs[2]?.miss?.problem, 'There is no button "Reserve" to tap now. The buttons you can tap are: "Rooms", "Book".');
    assert.deepEqual(h.bot.sent[1]?.action, { kind: 'postback', title: 'Book', payload: 'BOOK' });
    assert.equal(result.end.kind, 'stop');
    const retry = userTurnMessages(p.inputs[2]!);
    assert.deepEqual(retry.slice(2).map((m) => m.role), ['assistant', 'user']);
  });

  it('fails on a second miss in one line listing the offered buttons', async (t) => {
    const h = await harness(t);
    hotel(h);
    const p = player((input) => (input.turns.length === 0 ? { action: 'say', text: 'hi' } : { action: 'tap', title: 'Reserve', card: 'Penthouse' }));
    const e = await rejectsWith(simulateUser(h.c, { goal: 'book', maxTurns: 5, player: p }), 'APICHAT_SIMULATED_TAP');
    assert.equal(e.message.split('\n').length, 1);
    assert.match(e.message, /\("Reserve" on card "Penthouse", then "Reserve" on card "Penthouse"\); the buttons offered are "Rooms", "Book" \(simulated user with the goal "book", turn 2 of up to 5\)/);
    assert.equal(h.bot.sent.length, 1, 'nothing was tapped');
    assert.equal(latestSimulation(h.c.transcript)?.end?.kind, 'failed');
  });

  it('asks which card when a title is on several cards', () => {
    const offers = [{ title: 'Choose', card: 'Deluxe' }, { title: 'Choose', card: 'Suite' }];
    assert.deepEqual(resolveTap('Choose', 'suite', offers), { title: 'Choose', card: 'Suite' });
    const r = resolveTap('Choose', undefined, offers);
    assert.ok('problem' in r);
    assert.match(r.problem, /is on several cards \("Deluxe", "Suite"\): say which one in "card"/);
    assert.ok('problem' in resolveTap('Yes', undefined, []));
    assert.deepEqual(resolveTap('Choose on Deluxe', undefined, offers), { title: 'Choose', card: 'Deluxe' });
    assert.deepEqual(resolveTap('Choose on card "Suite"', undefined, offers), { title: 'Choose', card: 'Suite' });
    assert.ok('problem' in resolveTap('Choose on Penthouse', undefined, offers));
  });

  it('a bot that stops answering fails as a silent turn does', async (t) => {
    const h = await harness(t, { replyTimeoutMs: 60 });
    h.bot.script = (action, b) => {
      if (action.kind === 'text' && action.text === 'hi') b.deliverSoon(h.r.buttons('Menu', [{ title: 'Rooms', payload: 'ROOMS' }]));
    };
    const p = player((input) => (input.turns.length === 0 ? { action: 'say', text: 'hi' } : { action: 'tap', title: 'Rooms' }));
    const e = await rejectsWith(simulateUser(h.c, { goal: 'see rooms', maxTurns: 5, player: p }), 'APICHAT_REPLY_TIMEOUT');
    assert.match(e.message, /^Timed out after \d+ ms waiting for a reply to the simulated user's action\./);
    assert.match(e.message, /waited: +\d+ ms in turn 2 \(after the user taps "Rooms"/);
    assert.match(e.message, /note: +simulated user with the goal "see rooms", turn 2 of up to 5/);
    const end = latestSimulation(h.c.transcript);
    assert.equal(end?.end?.kind, 'failed');
    assert.equal(end?.turns, 2);
  });

  it('starts after written steps: their turn is part of what the model sees', async (t) => {
    const h = await harness(t);
    hotel(h);
    await h.c.say('hi');
    const p = player(booker());
    await simulateUser(h.c, { goal: 'book', maxTurns: 8, player: p });
    assert.equal(p.inputs[0]?.turns.length, 1);
    assert.deepEqual(p.inputs[0]?.turns[0]?.user, { kind: 'text', text: 'hi' });
    assert.deepEqual(p.inputs[0]?.offers, [{ title: 'Rooms' }, { title: 'Book' }]);
  });
});

describe('the goal failure', () => {
  it('shows the goal, how it ended, the last three turns and the judge’s reason', async (t) => {
    const h = await harness(t);
    hotel(h);
    const p = player(() => ({ action: 'say', text: 'hi' }));
    const { event } = await simulateUser(h.c, { goal: 'book a room', maxTurns: 4, player: p });
    const e = goalFailure(event, { reason: 'The user only greeted the bot.', score: 0.1 }, h.c.transcript);
    assert.equal(e.code, 'APICHAT_GOAL_NOT_MET');
    const lines = e.message.split('\n');
    assert.equal(lines[0], "The user's goal was not met.");
    assert.match(e.message, /expected: the goal "book a room" reached/);
    assert.match(e.message, /ended: +the turn limit: 4 turns of up to 4/);
    assert.match(e.message, /judge: +The user only greeted the bot\. \(score 0\.1\)/);
    assert.deepEqual(
      lines.filter((l) => /^ +turn \d/.test(l)).map((l) => l.trim().split(/\s+/).slice(0, 2).join(' ')),
      ['turn 2', 'turn 3', 'turn 4'],
    );
  });

  it('chatTurns and offersOf read the transcript as the user saw it', () => {
    const turns = chatTurns({ senderId: 's', name: 'n', conversationId: 1, startedAt: 0, events: [] });
    assert.deepEqual(turns, []);
    assert.deepEqual(offersOf(turns), []);
  });
});
