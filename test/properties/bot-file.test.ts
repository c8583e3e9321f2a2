// Property-based tests (fast-check) of bot-file parsing: any valid definition written as YAML
// or JSON parses back to itself; any text at all is either a bot or ONE APICHAT_BOT_FILE error
// naming the file (and a line), never another exception.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { stringify } from 'yaml';
import { isApiChatError } from '../../src/base/errors.ts';
import { parseBot } from '../../src/simulator/index.ts';

// Plain words: braces would be placeholders, which have rules of their own.
const word = fc.stringMatching(/^[A-Za-z][A-Za-z0-9 ,.!?'-]{0,20}$/);
const button = fc.record({ title: word, payload: fc.option(word, { nil: undefined }) }, { requiredKeys: ['title'] });
const replyOf = fc.oneof(
  word.map((text) => ({ text })),
  fc.record({ text: word, buttons: fc.array(button, { minLength: 1, maxLength: 3 }) }).map((buttons) => ({ buttons })),
  fc.array(fc.record({ title: word, subtitle: word }), { minLength: 1, maxLength: 3 }).map((cards) => ({ carousel: { text: 'Cards', cards } })),
  fc.constantFrom('image', 'audio', 'video', 'file').map((k) => ({ [k]: `https://example.com/${k}.bin` })),
);
const rule = fc.record({
  match: fc.oneof(
    fc.array(word, { minLength: 1, maxLength: 3 }).map((text) => ({ text })),
    word.map((payload) => ({ payload })),
    fc.constantFrom('image', 'audio', 'video', 'file', 'any').map((attachment) => ({ attachment })),
  ),
  replies: fc.array(replyOf, { minLength: 1, maxLength: 3 }),
});
const bot = fc.record({ name: word, fallback: fc.array(replyOf, { minLength: 1, maxLength: 2 }), rules: fc.array(rule, { maxLength: 5 }) });

describe('properties: bot files', () => {
  it('a valid definition written as YAML or JSON parses back to itself', () => {
    fc.assert(
      fc.property(bot, fc.boolean(), (def, asJson) => {
        const text = asJson ? JSON.stringify(def, null, 2) : stringify(def);
        assert.deepEqual(parseBot(text, 'bots/p.yaml'), JSON.parse(JSON.stringify(def)));
      }),
      { numRuns: 100 },
    );
  });

  it('any text is a bot or one APICHAT_BOT_FILE error naming the file, never another exception', () => {
    const yamlish = fc.oneof(
      fc.string({ maxLength: 200 }),
      bot.map((d) => stringify(d)).chain((t) => fc.nat({ max: t.length }).map((cut) => t.slice(0, cut))), // truncated
      fc.jsonValue().map((v) => stringify(v)),
      fc.array(fc.constantFrom('name: x\n', 'rules:\n', '  - match: {text: hi}\n', '    replies: []\n', 'fallback: [{text: a}]\n', '  - &a {text: b}\n', '*a\n', '\t\n', 'rules: 3\n'), { maxLength: 8 }).map((l) => l.join('')),
    );
    fc.assert(
      fc.property(yamlish, (text) => {
        try {
          parseBot(text, 'bots/p.yaml');
        } catch (e) {
          assert.ok(isApiChatError(e, 'APICHAT_BOT_FILE'), `not a bot-file error: ${String(e)}`);
          assert.match(e.message, /^bots\/p\.yaml(:\d+)?: /);
          assert.doesNotMatch(e.message, /\n/);
        }
      }),
      { numRuns: 200 },
    );
  });
});
