import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { isApiChatError } from '../../src/base/errors.ts';
import type { UserAction } from '../../src/protocol/index.ts';
import { BotEngine, DEMO_BOT_PATH, loadBotFile, parseBot, validateBot, type ResolvedReply } from '../../src/simulator/index.ts';

/** The message of the APICHAT_BOT_FILE error that parsing `text` throws. */
function errorOf(text: string, file = 'bots/x.yaml'): string {
  try {
    parseBot(text, file);
  } catch (e) {
    assert.ok(isApiChatError(e, 'APICHAT_BOT_FILE'), `expected APICHAT_BOT_FILE, got ${String(e)}`);
    return e.message;
  }
  assert.fail('expected the bot file to be refused');
}

describe('bot files: one clear error with file, line and path', () => {
  test('unknown reply kind, pointing at the offending key', () => {
    const text = [
      'name: x', //                        1
      'rules:', //                         2
      '  - match: { text: hi }', //        3
      '    replies:', //                   4
      '      - text: fine', //             5
      '  - match: { text: bye }', //       6
      '    replies:', //                   7
      '      - private: true', //          8
      '        txt: "oops"', //            9
    ].join('\n');
    assert.equal(
      errorOf(text),
      'bots/x.yaml:9: rules[1].replies[0]: unknown reply kind "txt" (expected text, one of, buttons, carousel, image, audio, video, file, raw)',
    );
  });

  test('wrong types, missing fields, unknown fields', () => {
    assert.equal(
      errorOf('name: x\nrules:\n  - match: { text: hi }\n    replies:\n      - buttons: { text: a, buttons: [ { title: 1 } ] }\n'),
      'bots/x.yaml:5: rules[0].replies[0].buttons.buttons[0].title: expected string, received number',
    );
    assert.equal(errorOf('name: x\nrules:\n  - match: { text: hi }\n'), 'bots/x.yaml:3: rules[0].replies: missing (expected array)');
    assert.equal(errorOf('name: x\nrules:\n  - match: { text: hi }\n    bogus: 1\n    replies: []\n'), 'bots/x.yaml:4: rules[0]: unknown field "bogus"');
    assert.equal(errorOf('name: x\n'), 'bots/x.yaml:1: rules: missing (expected array)');
    assert.equal(errorOf('- a\n- b\n'), 'bots/x.yaml:1: (top level): expected object, received array');
  });

  test('match mistakes: empty, contradictory, bad regex, bad attachment kind', () => {
    assert.equal(errorOf('rules:\n  - match: {}\n    replies: []\n'), 'bots/x.yaml:2: rules[0].match: a match needs text, regex, payload, attachment or state');
    assert.match(errorOf('rules:\n  - match: { text: a, payload: B }\n    replies: []\n'), /^bots\/x\.yaml:2: rules\[0\]\.match: .*text and payload can never match together$/);
    assert.match(errorOf('rules:\n  - replies: []\n    match:\n      regex: "(unclosed"\n'), /^bots\/x\.yaml:4: rules\[0\]\.match\.regex: invalid regular expression: .*Unterminated group/);
    assert.match(errorOf('rules:\n  - match: { attachment: photo }\n    replies: []\n'), /^bots\/x\.yaml:2: rules\[0\]\.match\.attachment: expected one of "image"\|"audio"\|"video"\|"file"\|"any"$/);
  });

  test('reply mistakes: two kinds, no kind, unknown placeholder, negative delay', () => {
    assert.equal(
      errorOf('rules:\n  - match: { text: hi }\n    replies:\n      - text: a\n        image: b\n'),
      'bots/x.yaml:5: rules[0].replies[0]: a reply has exactly one kind, found text and image',
    );
    assert.match(errorOf('rules:\n  - match: { text: hi }\n    replies:\n      - private: true\n'), /^bots\/x\.yaml:4: rules\[0\]\.replies\[0\]: a reply needs one kind/);
    assert.match(
      errorOf('rules:\n  - match: { regex: "^(?<ref>\\\\d+)$" }\n    replies:\n      - text: "{{ref}} {{reff}}"\n'),
      /^bots\/x\.yaml:4: rules\[0\]\.replies\[0\]\.text: unknown placeholder \{\{reff\}\} \(known here: .*\{\{ref\}\}\)$/,
    );
    assert.match(errorOf('fallback:\n  - text: "{{ref}}"\nrules: []\n'), /^bots\/x\.yaml:2: fallback\[0\]\.text: unknown placeholder \{\{ref\}\}/);
    assert.match(errorOf('rules:\n  - match: { text: hi }\n    replies:\n      - { text: a, delay_ms: -5 }\n'), /^bots\/x\.yaml:4: rules\[0\]\.replies\[0\]\.delay_ms: /);
  });

  test('the first mistake in the file is the one reported', () => {
    const text = 'rules:\n  - match: { text: hi }\n    replies: [ { txt: a } ]\n  - match: {}\n    replies: [ { text: 5 } ]\n';
    assert.match(errorOf(text), /^bots\/x\.yaml:3: rules\[0\]\.replies\[0\]: unknown reply kind "txt"/);
  });

  test('YAML syntax errors, duplicate keys and empty files', () => {
    assert.match(errorOf('rules:\n  - match: { text: hi\n    replies: []\n'), /^bots\/x\.yaml:\d+: syntax error: /);
    assert.match(errorOf('name: a\nname: b\nrules: []\n'), /^bots\/x\.yaml:2: syntax error: .*unique/i);
    assert.equal(errorOf('  \n# only a comment\n'), 'bots/x.yaml: the file is empty (expected a mapping with name, fallback and rules)');
  });

  test('JSON works too, with lines', () => {
    const json = '{\n  "rules": [\n    { "match": { "text": "hi" },\n      "replies": [ { "text": 5 } ] }\n  ]\n}\n';
    assert.equal(errorOf(json, 'bots/x.json'), 'bots/x.json:4: rules[0].replies[0].text: expected string, received number');
    const ok = parseBot('{"name":"j","rules":[{"match":{"payload":"P"},"replies":[{"text":"ok"}]}]}', 'j.json');
    assert.equal(ok.name, 'j');
  });

  test('loadBotFile names the file; a missing file is one clear error', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'apichat-bot-'));
    try {
      const file = join(dir, 'bad.yaml');
      await writeFile(file, 'rules:\n  - match: { text: hi }\n    replies: [ { txt: a } ]\n');
      await assert.rejects(loadBotFile(file), (e) => isApiChatError(e, 'APICHAT_BOT_FILE') && e.message.startsWith(`${file}:3: rules[0].replies[0]: unknown reply kind "txt"`));
      await assert.rejects(loadBotFile(join(dir, 'nope.yaml')), (e) => isApiChatError(e, 'APICHAT_BOT_FILE') && e.message === `${join(dir, 'nope.yaml')}: file not found`);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  test('validateBot checks objects (no line to report)', () => {
    assert.throws(() => validateBot({ rules: [{ match: { text: 'x' }, replies: 'nope' }] }), {
      message: 'bot definition: rules[0].replies: expected array, received string',
    });
  });
});

describe('the demo bot (bots/demo.yaml)', () => {
  const user = { id: 'demo-user', name: 'Ann' };
  const say = (text: string): UserAction => ({ kind: 'text', text });
  const tap = (title: string, payload: string): UserAction => ({ kind: 'postback', title, payload });
  const show = (r: ResolvedReply): string => {
    const p = r.private ? ' (private)' : '';
    switch (r.kind) {
      case 'text':
        return `text: ${r.text}${p}`;
      case 'buttons':
        return `buttons: ${r.text} [${r.buttons.map((b) => `${b.title}${b.type === 'postback' ? `=${b.payload}` : ` ${b.type} ${b.url}`}`).join(', ')}]`;
      case 'carousel':
        return `carousel: ${r.text} ${r.cards.map((c) => `${c.title}[${(c.buttons ?? []).map((b) => `${b.title}=${b.payload}`).join(', ')}]`).join(' ')}`;
      case 'raw':
        return `raw: ${JSON.stringify(r.body)}`;
      default:
        return `${r.kind}: ${r.url}${r.delayMs ? ` after ${r.delayMs} ms` : ''}`;
    }
  };

  test('loads from DEMO_BOT_PATH and answers every command as documented', async () => {
    const e = new BotEngine(await loadBotFile(DEMO_BOT_PATH), (min, max) => (min === 10000 && max === 99999 ? 20417 : Number.NaN));
    const turn = (a: UserAction) => e.respond(user, a).replies.map(show);
    const menu =
      'buttons: What would you like to do? [Rooms=ROOMS, Book=BOOK, Help=HELP, Website web_url https://example.com/grand-demo-hotel]';
    const rooms =
      'carousel: Our rooms Deluxe[Choose=CHOOSE_DELUXE, Details=DETAILS_DELUXE] Suite[Choose=CHOOSE_SUITE, Details=DETAILS_SUITE] ' +
      'Standard[Choose=CHOOSE_STANDARD, Details=DETAILS_STANDARD]';
    const sorry = 'text: Sorry, I did not understand. Type "help" to see what I can do.';
    assert.deepEqual(turn(say('Hi')), ['text: Hello! I am the Grand Demo Hotel bot.', menu]);
    assert.deepEqual(turn(say('hello')), ['text: Hello! I am the Grand Demo Hotel bot.', menu]);
    assert.deepEqual(turn(say('menu')), [menu]);
    assert.deepEqual(turn(say('bye')), ['buttons: Thanks for visiting the Grand Demo Hotel. [Menu=MENU]']);
    assert.deepEqual(turn(tap('Menu', 'MENU')), [menu]);
    assert.deepEqual(turn(tap('Rooms', 'ROOMS')), [rooms]);
    assert.deepEqual(turn(say('book')), [rooms]);
    assert.deepEqual(turn(tap('Details', 'DETAILS_SUITE')), ['text: Suite: 55 m², separate living room, bathtub, breakfast included.']);
    assert.deepEqual(turn(say('yes')), [sorry], 'yes outside the booking flow');
    assert.deepEqual(turn(tap('Choose', 'CHOOSE_DELUXE')), ['text: You chose the Deluxe room.', 'buttons: Shall I book it? [Yes=CONFIRM_YES, No=CONFIRM_NO]']);
    assert.equal(e.stateOf(user.id), 'confirming');
    assert.deepEqual(turn(tap('Yes', 'CONFIRM_YES')), [
      'text: Your booking reference is BK-20417.',
      'text: New booking BK-20417 for Ann (agent note). (private)',
    ]);
    assert.equal(e.stateOf(user.id), null);
    assert.deepEqual(turn(tap('Choose', 'CHOOSE_STANDARD')), ['text: You chose the Standard room.', 'buttons: Shall I book it? [Yes=CONFIRM_YES, No=CONFIRM_NO]']);
    assert.deepEqual(turn(say('No')), ['text: No problem, nothing was booked.']);
    assert.deepEqual(turn(say('status BK-20417')), ['text: Booking BK-20417 is confirmed.']);
    assert.equal(turn(say('help')).length, 1);
    assert.deepEqual(turn(say('help')), turn(tap('Help', 'HELP')));
    assert.deepEqual(turn(say('who am i')), ['text: You are Ann.']);
    assert.deepEqual(turn(say('photo')), ['image: https://example.com/grand-demo-hotel/lobby.jpg']);
    assert.deepEqual(turn(say('tour')), ['video: https://example.com/grand-demo-hotel/tour.mp4']);
    assert.deepEqual(turn(say('jingle')), ['audio: https://example.com/grand-demo-hotel/jingle.mp3']);
    assert.deepEqual(turn(say('anthem')), ['audio: https://example.com/grand-demo-hotel/jingle.mp3']);
    assert.deepEqual(turn(say('brochure')), ['file: https://example.com/grand-demo-hotel/brochure.pdf']);
    assert.deepEqual(turn({ kind: 'image', url: 'https://x/p.jpg' }), ['text: Thanks for the photo!']);
    assert.deepEqual(turn({ kind: 'audio', url: 'https://x/a.mp3' }), ['text: Thanks for the voice message!']);
    assert.deepEqual(turn({ kind: 'video', url: 'https://x/v.mp4' }), ['text: Thanks for the video!']);
    assert.deepEqual(turn({ kind: 'file', url: 'https://x/f.pdf' }), ['text: Thanks, we received your file.']);
    const slow = e.respond(user, say('slow')).replies;
    assert.deepEqual(slow.map((r) => [show(r), r.delayMs]), [['text: Sorry for the wait, here I am.', 300]]);
    assert.deepEqual(turn(say('html')), ['text: <script>alert(1)</script>']);
    assert.deepEqual(turn(say('unknown')), ['raw: {"type":"location","latitude":-33.8688,"longitude":151.2093,"title":"Grand Demo Hotel"}']);
    assert.deepEqual(turn(say('what?')), [sorry]);
  });

  test('uses every reply kind', async () => {
    const bot = await loadBotFile(DEMO_BOT_PATH);
    const replies = [...(bot.fallback ?? []), ...bot.rules.flatMap((r) => r.replies)];
    for (const kind of ['text', 'buttons', 'carousel', 'image', 'audio', 'video', 'file', 'raw'] as const) {
      assert.ok(replies.some((r) => r[kind] !== undefined), `demo bot has no ${kind} reply`);
    }
    assert.ok(replies.some((r) => r.private === true), 'a private note');
    assert.ok(replies.some((r) => (r.delay_ms ?? 0) >= 300), 'a delayed reply');
    const carousel = replies.find((r) => r.carousel)!.carousel!;
    assert.ok(carousel.cards.length >= 3 && carousel.cards.every((c) => (c.buttons ?? []).length > 0));
  });
});
