// The scripted-bot format (YAML or JSON), validated with zod. No transforms and no defaults,
// so a validated definition is itself valid input (startSimulator accepts either).
//
//   name: demo
//   fallback: [ { text: "Sorry, I did not understand." } ]
//   rules:
//     - match: { text: ["hi", "hello"] }         # exact text, trimmed, case-insensitive
//       replies: [ { text: "Hello!" }, { buttons: { text: "Pick", buttons: [ { title: "A", payload: "A" } ] } } ]
//     - match: { regex: "^status (?<ref>BK-\\d+)$", flags: "i" }   # named groups -> {{ref}}
//     - match: { payload: "ROOMS" }             # a button postback's payload
//     - match: { attachment: image }            # image | audio | video | file | any
//     - match: { text: "when" }
//       replies: [ { one of: [ "Check-in is at 3 pm.", "You can check in from 3 pm." ] } ]   # a text, chosen at random
//     - match: { text: "yes", state: "confirming" }
//       set_state: null                         # string: move the user there; null: clear
//
// Rule order: when the user is in a state, the rules for that state are tried first (file
// order), then the rules without `state`. The first rule that matches answers; otherwise
// `fallback`. A rule whose match has only `state` catches every action in that state.
import { z } from 'zod';
import { ATTACHMENT_KINDS } from '../protocol/index.ts';
import { PLACEHOLDER } from '../base/text.ts';

export const REPLY_KINDS = ['text', 'one of', 'buttons', 'carousel', ...ATTACHMENT_KINDS, 'raw'] as const;
export type ReplyKind = (typeof REPLY_KINDS)[number];
const REPLY_OPTIONS = ['private', 'delay_ms'] as const;

/** Placeholders every reply string may use, beside the named groups of the rule's regex. */
export const BUILTIN_VARS = ['user.name', 'user.id', 'user.email', 'user.phone', 'text', 'payload', 'title', 'url'] as const;
export { PLACEHOLDER };
export const RANDOM_PLACEHOLDER = /^random\s+(\d+)\s*-\s*(\d+)$/;
/** randomInt's limit: the range must span fewer than 2^48 values. */
const RANDOM_SPAN_LIMIT = 2 ** 48;

const nonEmpty = z.string().min(1);

export const BotButtonSchema = z.strictObject({
  title: nonEmpty,
  /** postback (default) or any other platform type, e.g. web_url. */
  type: nonEmpty.optional(),
  /** The postback payload; defaults to the title. */
  payload: z.string().optional(),
  url: nonEmpty.optional(),
});

export const BotCardSchema = z.strictObject({
  title: nonEmpty,
  subtitle: z.string().optional(),
  image_url: z.string().optional(),
  item_url: z.string().nullable().optional(),
  buttons: z.array(BotButtonSchema).optional(),
});

const replyFields = {
  text: z.string(),
  /** Several wordings of one text reply, one chosen at random each time (a bot whose answers are generated). */
  oneOf: z.array(z.string()).min(2, 'one of: give at least two texts to choose from'),
  buttons: z.strictObject({ text: z.string(), buttons: z.array(BotButtonSchema).min(1) }),
  carousel: z.strictObject({ text: z.string().optional(), ratio: nonEmpty.optional(), cards: z.array(BotCardSchema).min(1) }),
  image: nonEmpty,
  audio: nonEmpty,
  video: nonEmpty,
  file: nonEmpty,
  raw: z.record(z.string(), z.unknown()),
};

const ReplyObjectSchema = z.strictObject({
  text: replyFields.text.optional(),
  'one of': replyFields.oneOf.optional(),
  buttons: replyFields.buttons.optional(),
  carousel: replyFields.carousel.optional(),
  image: replyFields.image.optional(),
  audio: replyFields.audio.optional(),
  video: replyFields.video.optional(),
  file: replyFields.file.optional(),
  raw: replyFields.raw.optional(),
  /** An internal agent note: delivered with `private: true`, never shown to the end user. */
  private: z.boolean().optional(),
  /** Wait this long (after the previous reply of the turn) before sending this one. */
  delay_ms: z.number().int().min(0).max(60_000).optional(),
});

function isPlainObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

const expectedKinds = `expected ${REPLY_KINDS.join(', ')}`;

/** Exactly one kind key per reply, with a message that names the culprit. */
export const BotReplySchema = z
  .any()
  .superRefine((v, ctx) => {
    if (!isPlainObject(v)) {
      ctx.addIssue({ code: 'custom', message: `a reply is a mapping with one kind (${expectedKinds}), e.g. { text: "Hello" }` });
      return;
    }
    const keys = Object.keys(v);
    for (const k of keys) {
      if (!(REPLY_KINDS as readonly string[]).includes(k) && !(REPLY_OPTIONS as readonly string[]).includes(k)) {
        ctx.addIssue({ code: 'custom', message: `unknown reply kind ${JSON.stringify(k)} (${expectedKinds})`, params: { key: k } });
        return;
      }
    }
    const kinds = keys.filter((k) => (REPLY_KINDS as readonly string[]).includes(k));
    if (kinds.length === 0) ctx.addIssue({ code: 'custom', message: `a reply needs one kind (${expectedKinds})` });
    else if (kinds.length > 1) {
      ctx.addIssue({ code: 'custom', message: `a reply has exactly one kind, found ${kinds.join(' and ')}`, params: { key: kinds[1] } });
    }
  })
  .pipe(ReplyObjectSchema);

const oneOrMany = z.union([nonEmpty, z.array(nonEmpty).min(1)]);
const ATTACHMENT_MATCH = [...ATTACHMENT_KINDS, 'any'] as const;

export const BotMatchSchema = z
  .strictObject({
    /** Exact text (trimmed, case-insensitive); a list means any of them. */
    text: oneOrMany.optional(),
    /** A regular expression tested against the trimmed text; named groups become {{name}}. */
    regex: nonEmpty.optional(),
    /** Flags for `regex`, e.g. "i". */
    flags: z.string().optional(),
    /** A button postback's payload (exact); a list means any of them. */
    payload: oneOrMany.optional(),
    /** An upload of this kind, or any upload. */
    attachment: z.enum(ATTACHMENT_MATCH).optional(),
    /** The rule applies only while the user is in this state. */
    state: nonEmpty.optional(),
  })
  .superRefine((m, ctx) => {
    const what = ['text', 'regex', 'payload', 'attachment'].filter((k) => m[k as keyof typeof m] !== undefined);
    if (what.length === 0 && m.state === undefined) {
      ctx.addIssue({ code: 'custom', message: 'a match needs text, regex, payload, attachment or state' });
    }
    const forText = what.some((k) => k === 'text' || k === 'regex');
    const forPostback = what.includes('payload');
    const forUpload = what.includes('attachment');
    if (Number(forText) + Number(forPostback) + Number(forUpload) > 1) {
      ctx.addIssue({
        code: 'custom',
        message: `text/regex match typed text, payload matches a button tap, attachment matches an upload: ${what.join(' and ')} can never match together`,
      });
    }
    if (m.flags !== undefined && m.regex === undefined) {
      ctx.addIssue({ code: 'custom', path: ['flags'], message: 'flags only apply to regex' });
    }
    if (m.regex !== undefined) {
      try {
        new RegExp(m.regex, m.flags ?? '');
      } catch (e) {
        ctx.addIssue({ code: 'custom', path: ['regex'], message: `invalid regular expression: ${(e as Error).message.replace(/^Invalid regular expression:\s*/, '')}` });
      }
    }
  });

export const BotRuleSchema = z
  .strictObject({
    match: BotMatchSchema,
    replies: z.array(BotReplySchema),
    /** After replying, move the user to this state (null clears it; absent leaves it). */
    set_state: z.string().min(1).nullable().optional(),
  })
  .superRefine((rule, ctx) => {
    const groups = rule.match.regex ? groupNames(rule.match.regex) : [];
    checkPlaceholders(rule.replies, ['replies'], [...BUILTIN_VARS, ...groups], ctx);
  });

export const BotSchema = z
  .strictObject({
    name: z.string().optional(),
    description: z.string().optional(),
    /** Replies when no rule matches (none when absent: the bot stays silent). */
    fallback: z.array(BotReplySchema).optional(),
    rules: z.array(BotRuleSchema),
  })
  .superRefine((bot, ctx) => {
    if (bot.fallback) checkPlaceholders(bot.fallback, ['fallback'], [...BUILTIN_VARS], ctx);
  });

/** What a bot author writes (and what the parsers return). */
export type BotDefinition = z.infer<typeof BotSchema>;
export type BotRule = z.infer<typeof BotRuleSchema>;
export type BotMatch = z.infer<typeof BotMatchSchema>;
export type BotReply = z.infer<typeof ReplyObjectSchema>;
export type BotButton = z.infer<typeof BotButtonSchema>;
export type BotCard = z.infer<typeof BotCardSchema>;

export function groupNames(regex: string): string[] {
  return [...regex.matchAll(/\(\?<([A-Za-z_$][\w$]*)>/g)].flatMap((m) => (m[1] === undefined ? [] : [m[1]]));
}

/** Every string inside a value, with its path (for placeholder checks and templating). */
export function* stringsIn(value: unknown, path: PropertyKey[] = []): Generator<[PropertyKey[], string]> {
  if (typeof value === 'string') yield [path, value];
  else if (Array.isArray(value)) for (let i = 0; i < value.length; i++) yield* stringsIn(value[i], [...path, i]);
  else if (isPlainObject(value)) for (const [k, v] of Object.entries(value)) yield* stringsIn(v, [...path, k]);
}

function checkPlaceholders(replies: unknown[], base: PropertyKey[], known: string[], ctx: z.RefinementCtx): void {
  for (const [path, s] of stringsIn(replies, base)) {
    for (const m of s.matchAll(PLACEHOLDER)) {
      const name = m[1];
      if (name === undefined) continue;
      const random = randomProblem(name);
      if (random !== undefined) {
        if (random) ctx.addIssue({ code: 'custom', path, message: random });
        continue;
      }
      if (!known.includes(name)) {
        ctx.addIssue({
          code: 'custom',
          path,
          message: `unknown placeholder {{${name}}} (known here: ${['random MIN-MAX', ...known].map((k) => `{{${k}}}`).join(', ')})`,
        });
      }
    }
  }
}

/** undefined: not a random placeholder; '': a valid one; otherwise what is wrong with it. */
function randomProblem(name: string): string | undefined {
  if (!/^random\b/.test(name)) return undefined;
  const m = RANDOM_PLACEHOLDER.exec(name);
  if (!m) return `{{${name}}}: write a random number as {{random MIN-MAX}}, e.g. {{random 10000-99999}}`;
  const [min, max] = [Number(m[1]), Number(m[2])];
  if (min > max) return `{{${name}}}: the range must go from the smaller number to the larger, e.g. {{random ${max}-${min}}}`;
  if (max - min + 1 >= RANDOM_SPAN_LIMIT || !Number.isSafeInteger(max)) return `{{${name}}}: the range is too large (at most 2^48 - 1 values)`;
  return '';
}
