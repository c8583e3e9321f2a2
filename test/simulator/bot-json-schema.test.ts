// The bot-file JSON Schema (generated from the zod schema) is what an editor checks bots/*.yaml
// against: the demo bot validates, broken bot files do not, and the committed copy is current.
// ajv (a dev dependency) is the validator, as the YAML extension's language server would be.
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, it } from 'node:test';
import { Ajv } from 'ajv';
import { parse } from 'yaml';
import { BOT_SCHEMA_FILE, botJsonSchema } from '../../src/simulator/bot-json-schema.ts';
import { DEMO_BOT_PATH } from '../../src/simulator/index.ts';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const validate = new Ajv({ allErrors: true }).compile(botJsonSchema());

function errorsOf(bot: unknown): string[] {
  return validate(bot) ? [] : (validate.errors ?? []).map((e) => `${e.instancePath} ${e.message}`);
}

describe('the bot-file JSON Schema', () => {
  it('the demo bot validates, and its first line points the YAML extension at the schema', () => {
    const text = readFileSync(DEMO_BOT_PATH, 'utf8');
    assert.deepEqual(errorsOf(parse(text)), []);
    const m = /^# yaml-language-server: \$schema=(\S+)\n/.exec(text);
    assert.ok(m, 'first line');
    assert.ok(existsSync(join(dirname(DEMO_BOT_PATH), m[1]!)), `${m[1]} exists beside the bot file`);
  });

  for (const [what, bot] of [
    ['a misspelt key', { rules: [{ match: { text: 'hi' }, replys: [{ text: 'Hello' }] }] }],
    ['a reply with two kinds', { rules: [{ match: { text: 'hi' }, replies: [{ text: 'Hello', image: 'https://x/y.png' }] }] }],
    ['a reply with no kind', { rules: [{ match: { text: 'hi' }, replies: [{ delay_ms: 10 }] }] }],
    ['an unknown attachment kind', { rules: [{ match: { attachment: 'sticker' }, replies: [] }] }],
    ['no rules', { name: 'empty' }],
    ['a negative delay', { rules: [{ match: { text: 'hi' }, replies: [{ text: 'x', delay_ms: -1 }] }] }],
  ] as const) {
    it(`rejects ${what}`, () => assert.notDeepEqual(errorsOf(bot), []));
  }

  it('schema/ holds the current schema (npm run build writes it, and dist/schema/ for the package)', () => {
    const committed = JSON.parse(readFileSync(join(ROOT, 'schema', BOT_SCHEMA_FILE), 'utf8')) as unknown;
    assert.deepEqual(committed, botJsonSchema(), 'schema/bot-file.schema.json is stale: run npm run build');
  });
});
