// The bot-file format as a JSON Schema, generated from the zod schema (BotSchema) with zod 4's
// z.toJSONSchema: editors with the YAML extension complete and check bots/*.yaml through the
// `# yaml-language-server: $schema=…` line. The build writes it to dist/schema/ (shipped in the
// package) and schema/ in the repository (test/simulator/bot-json-schema.test.ts keeps it current).
// What JSON Schema cannot say (placeholders, regex syntax, which match keys go together) is
// still checked when the simulator loads the file.
import { z } from 'zod';
import { BotSchema, REPLY_KINDS } from './bot-schema.ts';

export const BOT_SCHEMA_FILE = 'bot-file.schema.json';

export function botJsonSchema(): Record<string, unknown> {
  const schema = z.toJSONSchema(BotSchema, {
    target: 'draft-7', // what the YAML extension's language server knows best
    unrepresentable: 'any',
    override: (ctx) => {
      const s = ctx.jsonSchema as Record<string, unknown>;
      // A reply (validated with a refinement in zod) has exactly one kind key.
      const props = s.properties as Record<string, unknown> | undefined;
      if (props && REPLY_KINDS.every((k) => k in props) && 'delay_ms' in props) {
        s.oneOf = REPLY_KINDS.map((k) => ({ required: [k] }));
      }
    },
  }) as Record<string, unknown>;
  return {
    ...schema,
    title: 'apichat-bdd bot file',
    description: 'A scripted bot for the apichat-bdd simulator (APICHAT_SIMULATOR_BOT, `apichat-bdd simulate <file>`).',
  };
}
