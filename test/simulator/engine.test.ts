import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { normalise, type UserAction } from '../../src/protocol/index.ts';
import { isApiChatError } from '../../src/base/errors.ts';
import { BotEngine, renderReply, type BotDefinition, type ResolvedReply } from '../../src/simulator/index.ts';

const ann = { id: 'u-ann', name: 'Ann' };
const bob = { id: 'u-bob', name: 'Bob' };
const say = (text: string): UserAction => ({ kind: 'text', text });
const tap = (title: string, payload: string): UserAction => ({ kind: 'postback', title, payload });

const texts = (replies: ResolvedReply[]) => replies.map((r) => (r.kind === 'text' ? r.text : r.kind));

const bot: BotDefinition = {
  name: 'unit',
  fallback: [{ text: 'Sorry, {{text}}?' }],
  rules: [
    { match: { text: 'hi' }, replies: [{ text: 'Hello {{user.name}}!' }, { text: 'second' }] },
    { match: { text: ['bye', 'see you'] }, replies: [{ text: 'Bye.' }] },
    { match: { regex: '^status (?<ref>BK-\\d+)$' }, replies: [{ text: 'Booking {{ref}} is confirmed.' }] },
    { match: { regex: '^shout (?<word>\\w+)$', flags: 'i' }, replies: [{ text: '{{word}}!' }] },
    { match: { payload: 'ROOMS' }, replies: [{ text: 'rooms via {{title}} ({{payload}})' }] },
    { match: { payload: ['A', 'B'] }, replies: [{ text: 'A or B' }] },
    { match: { attachment: 'image' }, replies: [{ text: 'photo {{url}}' }] },
    { match: { attachment: 'any' }, replies: [{ text: 'some upload' }] },
    { match: { text: 'book' }, set_state: 'confirming', replies: [{ text: 'Sure?' }] },
    { match: { text: 'yes', state: 'confirming' }, set_state: null, replies: [{ text: 'Booked.' }] },
    { match: { state: 'confirming' }, replies: [{ text: 'Please answer yes.' }] },
    { match: { text: 'yes' }, replies: [{ text: 'Yes to what?' }] },
    { match: { text: 'quiet' }, replies: [] },
  ],
};

describe('BotEngine matching', () => {
  test('exact text is trimmed and case-insensitive; a list means any of them', () => {
    const e = new BotEngine(bot);
    assert.deepEqual(texts(e.respond(ann, say('  HI ')).replies), ['Hello Ann!', 'second']);
    assert.deepEqual(texts(e.respond(ann, say('See You')).replies), ['Bye.']);
    assert.equal(e.respond(ann, say('hi there')).matched, 'fallback');
  });

  test('regex named groups fill {{placeholders}}; flags apply', () => {
    const e = new BotEngine(bot);
    const t = e.respond(ann, say('status BK-20417'));
    assert.deepEqual(texts(t.replies), ['Booking BK-20417 is confirmed.']);
    assert.equal(t.vars.ref, 'BK-20417');
    assert.equal(e.respond(ann, say('STATUS BK-1')).matched, 'fallback', 'no i flag: case matters');
    assert.deepEqual(texts(e.respond(ann, say('SHOUT hey')).replies), ['hey!']);
  });

  test('payload matches a postback only, never typed text', () => {
    const e = new BotEngine(bot);
    assert.deepEqual(texts(e.respond(ann, tap('Rooms', 'ROOMS')).replies), ['rooms via Rooms (ROOMS)']);
    assert.deepEqual(texts(e.respond(ann, tap('Whatever', 'B')).replies), ['A or B']);
    assert.equal(e.respond(ann, say('ROOMS')).matched, 'fallback');
    assert.equal(e.respond(ann, tap('hi', 'NOPE')).matched, 'fallback', 'a text rule does not match a button title');
  });

  test('attachment matches by kind, "any" catches the rest', () => {
    const e = new BotEngine(bot);
    assert.deepEqual(texts(e.respond(ann, { kind: 'image', url: 'https://x/p.jpg' }).replies), ['photo https://x/p.jpg']);
    assert.deepEqual(texts(e.respond(ann, { kind: 'video', url: 'https://x/v.mp4' }).replies), ['some upload']);
    assert.deepEqual(texts(e.respond(ann, { kind: 'file', url: 'https://x/f.pdf' }).replies), ['some upload']);
  });

  test('state: rules for the current state come first; set_state moves and clears it; per user', () => {
    const e = new BotEngine(bot);
    assert.deepEqual(texts(e.respond(ann, say('yes')).replies), ['Yes to what?'], 'without state');
    const t = e.respond(ann, say('book'));
    assert.equal(t.stateAfter, 'confirming');
    assert.equal(e.stateOf(ann.id), 'confirming');
    assert.equal(e.stateOf(bob.id), null, 'state is per user');
    assert.deepEqual(texts(e.respond(bob, say('yes')).replies), ['Yes to what?']);
    assert.deepEqual(texts(e.respond(ann, say('whatever')).replies), ['Please answer yes.'], 'state-only rule catches all');
    assert.equal(e.stateOf(ann.id), 'confirming', 'no set_state: unchanged');
    const done = e.respond(ann, say('yes'));
    assert.deepEqual(texts(done.replies), ['Booked.']);
    assert.deepEqual([done.stateBefore, done.stateAfter], ['confirming', null]);
    assert.deepEqual(texts(e.respond(ann, say('yes')).replies), ['Yes to what?']);
  });

  test('state rules outrank earlier stateless rules; a stateless rule keeps the state', () => {
    const e = new BotEngine(bot);
    e.setState(ann.id, 'confirming');
    assert.deepEqual(texts(e.respond(ann, say('hi')).replies), ['Please answer yes.']);
    e.reset();
    assert.equal(e.stateOf(ann.id), null);
  });

  test('fallback fills {{text}}; no fallback means silence; empty replies are allowed', () => {
    const e = new BotEngine(bot);
    const t = e.respond(ann, say('gibberish'));
    assert.equal(t.matched, 'fallback');
    assert.deepEqual(texts(t.replies), ['Sorry, gibberish?']);
    assert.deepEqual(e.respond(ann, say('quiet')).replies, []);
    const silent = new BotEngine({ rules: [] });
    assert.deepEqual(silent.respond(ann, say('x')).replies, []);
  });

  test('templating reaches every string: buttons, cards, urls, raw', () => {
    const e = new BotEngine({
      rules: [
        {
          match: { regex: '^go (?<x>\\w+)$' },
          replies: [
            { buttons: { text: 'B {{x}}', buttons: [{ title: 'T {{x}}', payload: 'P_{{x}}' }, { title: 'Web', url: 'https://e.com/{{x}}' }] } },
            { carousel: { cards: [{ title: 'C {{x}}', subtitle: '{{user.name}}', buttons: [{ title: 'Pick', payload: '{{x}}' }] }] } },
            { image: 'https://e.com/{{x}}.png', private: true, delay_ms: 5 },
            { raw: { type: 'weird', nested: { list: ['{{x}}', 1] } } },
          ],
        },
      ],
    });
    const [b, c, i, r] = e.respond(ann, say('go up')).replies;
    assert.deepEqual(b, {
      private: false,
      delayMs: 0,
      kind: 'buttons',
      text: 'B up',
      buttons: [
        { title: 'T up', type: 'postback', payload: 'P_up' },
        { title: 'Web', type: 'web_url', url: 'https://e.com/up' },
      ],
    });
    assert.equal(c?.kind === 'carousel' && c.cards[0]?.title, 'C up');
    assert.equal(c?.kind === 'carousel' && c.cards[0]?.subtitle, 'Ann');
    assert.deepEqual(i, { private: true, delayMs: 5, kind: 'image', url: 'https://e.com/up.png' });
    assert.deepEqual(r, { private: false, delayMs: 0, kind: 'raw', body: { type: 'weird', nested: { list: ['up', 1] } } });
  });

  test('an invalid definition is refused with APICHAT_BOT_FILE', () => {
    assert.throws(
      () => new BotEngine({ rules: [{ match: { text: 'x' }, replies: [{ txt: 'y' } as never] }] }),
      (e) => isApiChatError(e, 'APICHAT_BOT_FILE') && /rules\[0\]\.replies\[0\]: unknown reply kind "txt"/.test(e.message),
    );
  });
});

describe('renderReply: the exact wire JSON', () => {
  const to = { sender_id: 'u-ann', conv_id: 123 };
  const r = (reply: ResolvedReply) => JSON.stringify(renderReply(reply, to));

  test('text, media and private notes match the platform page byte for byte', () => {
    assert.equal(
      r({ kind: 'text', text: 'Hi', private: false, delayMs: 0 }),
      '{"sender_id":"u-ann","conv_id":123,"text":"Hi","type":"text","message_type":"outgoing","private":false}',
    );
    assert.equal(
      r({ kind: 'audio', url: 'https://x/a.mp3', private: false, delayMs: 0 }),
      '{"sender_id":"u-ann","conv_id":123,"url":"https://x/a.mp3","type":"audio","message_type":"outgoing","private":false}',
    );
    assert.match(r({ kind: 'text', text: 'note', private: true, delayMs: 0 }), /"private":true/);
  });

  test('button and generic templates', () => {
    assert.equal(
      r({ kind: 'buttons', text: 'Pick', buttons: [{ title: 'A', payload: 'PA' }], private: false, delayMs: 0 }),
      '{"sender_id":"u-ann","conv_id":123,"text":"Pick","type":"text","message_type":"outgoing","private":false,' +
        '"content_type":"button_template","content_attributes":{"text":"Pick","buttons":[{"type":"postback","title":"A","payload":"PA"}]}}',
    );
    assert.equal(
      r({ kind: 'carousel', text: 'Rooms', cards: [{ title: 'D', subtitle: 's', image_url: 'i', buttons: [{ title: 'C', payload: 'P' }] }], private: false, delayMs: 0 }),
      '{"sender_id":"u-ann","conv_id":123,"text":"Rooms","type":"text","message_type":"outgoing","private":false,' +
        '"content_type":"generic_template","content_attributes":{"ratio":"horizontal","items":[{"title":"D","image_url":"i",' +
        '"item_url":null,"subtitle":"s","default_action":null,"buttons":[{"type":"postback","title":"C","payload":"P"}]}]}}',
    );
  });

  test('the listener-side normaliser reads every kind back; raw becomes unknown', () => {
    const kinds = (
      [
        { kind: 'text', text: 't' },
        { kind: 'buttons', text: 'b', buttons: [{ title: 'x' }] },
        { kind: 'carousel', text: 'c', cards: [{ title: 'x' }] },
        { kind: 'image', url: 'u' },
        { kind: 'audio', url: 'u' },
        { kind: 'video', url: 'u' },
        { kind: 'file', url: 'u' },
        { kind: 'raw', body: { type: 'location', latitude: 1 } },
      ] as const
    ).map((x) => normalise(renderReply({ ...x, private: false, delayMs: 0 } as ResolvedReply, to)));
    assert.deepEqual(
      kinds.map((m) => m.kind),
      ['text', 'buttons', 'carousel', 'image', 'audio', 'video', 'file', 'unknown'],
    );
    assert.ok(kinds.every((m) => m.sender_id === 'u-ann' && m.conv_id === 123));
  });
});

describe('{{random MIN-MAX}}', () => {
  const booking: BotDefinition = {
    rules: [
      {
        match: { text: 'book' },
        replies: [{ text: 'Ref BK-{{random 10000-99999}}.' }, { text: 'Note BK-{{ random 10000 - 99999 }} / {{random 1-6}}', private: true }],
      },
    ],
  };

  test('draws from the injected source within the range, once per range and turn', () => {
    const calls: Array<[number, number]> = [];
    let next = 20417;
    const e = new BotEngine(booking, (min, max) => {
      calls.push([min, max]);
      return min === 1 ? 4 : next++;
    });
    assert.deepEqual(texts(e.respond(ann, say('book')).replies), ['Ref BK-20417.', 'Note BK-20417 / 4']);
    assert.deepEqual(texts(e.respond(ann, say('book')).replies), ['Ref BK-20418.', 'Note BK-20418 / 4'], 'a new value each turn');
    assert.deepEqual(calls, [[10000, 99999], [1, 6], [10000, 99999], [1, 6]]);
  });

  test('the default source is random and stays in the range', () => {
    const e = new BotEngine(booking);
    const refs = new Set<string>();
    for (let i = 0; i < 20; i++) {
      const [first] = e.respond(ann, say('book')).replies;
      const m = /^Ref BK-(\d+)\.$/.exec(first?.kind === 'text' ? first.text : '');
      assert.ok(m && Number(m[1]) >= 10000 && Number(m[1]) <= 99999, `in range: ${m?.[1]}`);
      refs.add(m[1]!);
    }
    assert.ok(refs.size > 1, 'not a constant');
  });

  for (const [placeholder, why] of [
    ['{{random}}', /write a random number as \{\{random MIN-MAX\}\}/],
    ['{{random 9-1}}', /from the smaller number to the larger/],
    ['{{random 0-999999999999999999}}', /too large/],
  ] as const) {
    test(`a malformed ${placeholder} is a bot-file error`, () => {
      assert.throws(
        () => new BotEngine({ rules: [{ match: { text: 'x' }, replies: [{ text: `n ${placeholder}` }] }] }),
        (e) => isApiChatError(e, 'APICHAT_BOT_FILE') && why.test(e.message),
      );
    });
  }
});
