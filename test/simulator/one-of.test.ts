// Bot files: a reply given as `one of:` several texts is a text reply, one wording chosen at
// random each time (from the engine's random source, so the choice is testable).
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { isApiChatError } from '../../src/base/errors.ts';
import { BotEngine, parseBot, type ResolvedReply } from '../../src/simulator/index.ts';

const FILE = `rules:
  - match: { text: when }
    replies:
      - one of:
          - "Check-in is at 3 pm, {{user.name}}."
          - "You can check in from 3 pm."
          - "Our check-in time is 3 pm."
`;

const textOfReply = (r: ResolvedReply | undefined): string => (r?.kind === 'text' ? r.text : `(${r?.kind})`);

describe('one of: replies', () => {
  test('each reply picks one wording with the random source, placeholders filled', () => {
    const picks: Array<[number, number]> = [];
    let next = 0;
    const engine = new BotEngine(parseBot(FILE, 'bots/x.yaml'), (min, max) => {
      picks.push([min, max]);
      return [0, 2, 1][next++ % 3]!;
    });
    const say = (): string => textOfReply(engine.respond({ id: 'u1', name: 'Ann' }, { kind: 'text', text: 'when' }).replies[0]);
    assert.deepEqual([say(), say(), say()], ['Check-in is at 3 pm, Ann.', 'Our check-in time is 3 pm.', 'You can check in from 3 pm.']);
    assert.deepEqual(picks, [[0, 2], [0, 2], [0, 2]]);
  });

  test('with the real random source every wording turns up', () => {
    const engine = new BotEngine(parseBot(FILE, 'bots/x.yaml'));
    const seen = new Set<string>();
    for (let i = 0; i < 200 && seen.size < 3; i++) seen.add(textOfReply(engine.respond({ id: 'u1', name: 'Ann' }, { kind: 'text', text: 'when' }).replies[0]));
    assert.equal(seen.size, 3);
  });

  test('fewer than two texts, or a text mixed with one of, is a bot-file error naming the line', () => {
    const one = 'rules:\n  - match: { text: a }\n    replies:\n      - one of: ["only"]\n';
    assert.throws(() => parseBot(one, 'bots/x.yaml'), (e: Error) => isApiChatError(e, 'APICHAT_BOT_FILE') && /bots\/x\.yaml:4: .*at least two texts/.test(e.message));
    const both = 'rules:\n  - match: { text: a }\n    replies:\n      - { text: "x", one of: ["a", "b"] }\n';
    assert.throws(() => parseBot(both, 'bots/x.yaml'), (e: Error) => isApiChatError(e, 'APICHAT_BOT_FILE') && /exactly one kind, found text and one of/.test(e.message));
  });
});
