// The scripted bot's brain: rule matching, per-user state and {{placeholder}} filling.
// No I/O and no clocks; randomness ({{random MIN-MAX}}) comes from an injectable source, so
// tests can fix it. The server turns its replies into wire payloads.
import { randomInt } from 'node:crypto';
import { ATTACHMENT_KINDS, type AttachmentKind, type ButtonInput, type CardInput, type UserAction } from '../protocol/index.ts';
import { BOT_FILE_ERROR, validateBot } from './bot-file.ts';
import { PLACEHOLDER, RANDOM_PLACEHOLDER, type BotButton, type BotDefinition, type BotMatch, type BotReply, type BotRule } from './bot-schema.ts';
import { ApiChatError } from '../base/errors.ts';

export interface BotUser {
  id: string;
  name?: string;
  /** sender.email / sender.phone_number of the message ('' when the tester gave none). */
  email?: string;
  phone?: string;
}

interface ReplyCommon {
  private: boolean;
  /** Wait this long after the previous reply of the turn. */
  delayMs: number;
}
export type ResolvedReply = ReplyCommon &
  (
    | { kind: 'text'; text: string }
    | { kind: 'buttons'; text: string; buttons: ButtonInput[] }
    | { kind: 'carousel'; text: string; ratio?: string; cards: CardInput[] }
    | { kind: AttachmentKind; url: string }
    | { kind: 'raw'; body: Record<string, unknown> }
  );

export interface Turn {
  replies: ResolvedReply[];
  /** Index of the rule in `rules` that answered, or 'fallback'. */
  matched: number | 'fallback';
  stateBefore: string | null;
  stateAfter: string | null;
  /** The values available to {{placeholders}} in this turn. */
  vars: Record<string, string>;
}

interface CompiledRule {
  index: number;
  rule: BotRule;
  texts: string[] | null;
  regex: RegExp | null;
  payloads: string[] | null;
}

function list(v: string | string[] | undefined): string[] | null {
  return v === undefined ? null : Array.isArray(v) ? v : [v];
}

const norm = (s: string) => s.trim().toLowerCase();

/** Draws a whole number from min to max inclusive. */
export type RandomSource = (min: number, max: number) => number;

const cryptoRandom: RandomSource = (min, max) => randomInt(min, max + 1);

export class BotEngine {
  readonly bot: BotDefinition;
  private readonly rules: CompiledRule[];
  private readonly states = new Map<string, string>();

  constructor(bot: BotDefinition, private readonly random: RandomSource = cryptoRandom) {
    this.bot = validateBot(bot);
    this.rules = this.bot.rules.map((rule, index) => {
      const m = rule.match;
      let regex: RegExp | null = null;
      if (m.regex !== undefined) {
        try {
          regex = new RegExp(m.regex, (m.flags ?? '').replace(/[gy]/g, ''));
        } catch (e) {
          throw new ApiChatError(BOT_FILE_ERROR, `rules[${index}].match.regex: ${(e as Error).message}`);
        }
      }
      return { index, rule, texts: list(m.text)?.map(norm) ?? null, regex, payloads: list(m.payload), };
    });
  }

  get name(): string {
    return this.bot.name ?? 'bot';
  }

  /** The user's current state (null: none). */
  stateOf(userId: string): string | null {
    return this.states.get(userId) ?? null;
  }

  setState(userId: string, state: string | null): void {
    if (state === null) this.states.delete(userId);
    else this.states.set(userId, state);
  }

  /** Forget every user's state (or one user's). */
  reset(userId?: string): void {
    if (userId === undefined) this.states.clear();
    else this.states.delete(userId);
  }

  /** One turn: picks the rule, fills the replies, moves the user's state. */
  respond(user: BotUser, action: UserAction): Turn {
    const stateBefore = this.stateOf(user.id);
    const base = baseVars(user, action, this.random);
    const candidates =
      stateBefore === null
        ? this.rules.filter((r) => r.rule.match.state === undefined)
        : [
            ...this.rules.filter((r) => r.rule.match.state === stateBefore),
            ...this.rules.filter((r) => r.rule.match.state === undefined),
          ];
    for (const c of candidates) {
      const groups = matches(c, action);
      if (groups === null) continue;
      const vars = withRandom({ ...base, ...groups }, this.random);
      if (c.rule.set_state !== undefined) this.setState(user.id, c.rule.set_state);
      return {
        replies: c.rule.replies.map((r) => resolveReply(r, vars)),
        matched: c.index,
        stateBefore,
        stateAfter: this.stateOf(user.id),
        vars,
      };
    }
    return {
      replies: (this.bot.fallback ?? []).map((r) => resolveReply(r, base)),
      matched: 'fallback',
      stateBefore,
      stateAfter: stateBefore,
      vars: base,
    };
  }
}

/** Random values are drawn on first use and kept in `vars`, so one turn quotes one value per range. */
const RANDOM_SOURCE = Symbol('random');
type Vars = Record<string, string> & { [RANDOM_SOURCE]?: RandomSource };

function baseVars(user: BotUser, action: UserAction, random: RandomSource): Record<string, string> {
  const vars = withRandom(
    {
      'user.id': user.id,
      'user.name': user.name ?? '',
      'user.email': user.email ?? '',
      'user.phone': user.phone ?? '',
      text: '',
      payload: '',
      title: '',
      url: '',
    },
    random,
  );
  if (action.kind === 'text') vars.text = action.text;
  else if (action.kind === 'postback') {
    vars.payload = action.payload;
    vars.title = action.title;
  } else vars.url = action.url;
  return vars;
}

/** The named groups captured (empty when none) if the rule matches, else null. */
function matches(c: CompiledRule, action: UserAction): Record<string, string> | null {
  const m: BotMatch = c.rule.match;
  if (c.texts || c.regex) {
    if (action.kind !== 'text') return null;
    const text = action.text.trim();
    if (c.texts && !c.texts.includes(text.toLowerCase())) return null;
    if (c.regex) {
      const found = c.regex.exec(text);
      if (!found) return null;
      const groups: Record<string, string> = {};
      for (const [k, v] of Object.entries(found.groups ?? {})) groups[k] = v ?? '';
      return groups;
    }
    return {};
  }
  if (c.payloads) return action.kind === 'postback' && c.payloads.includes(action.payload) ? {} : null;
  if (m.attachment !== undefined) {
    if (action.kind === 'text' || action.kind === 'postback') return null;
    return m.attachment === 'any' || m.attachment === action.kind ? {} : null;
  }
  return {}; // state-only rule: any action in that state
}

export function fillTemplate(s: string, vars: Record<string, string>): string {
  return s.replace(PLACEHOLDER, (_all, name: string) => vars[name] ?? drawRandom(vars as Vars, name));
}

function withRandom(vars: Record<string, string>, random: RandomSource): Vars {
  return Object.defineProperty(vars, RANDOM_SOURCE, { value: random, enumerable: false });
}

function drawRandom(vars: Vars, name: string): string {
  const m = RANDOM_PLACEHOLDER.exec(name);
  if (!m) return '';
  const key = `random ${m[1]}-${m[2]}`;
  vars[key] ??= String((vars[RANDOM_SOURCE] ?? cryptoRandom)(Number(m[1]), Number(m[2])));
  return vars[key];
}

function fillDeep(v: unknown, vars: Record<string, string>): unknown {
  if (typeof v === 'string') return fillTemplate(v, vars);
  if (Array.isArray(v)) return v.map((x) => fillDeep(x, vars));
  if (typeof v === 'object' && v !== null) return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, fillDeep(x, vars)]));
  return v;
}

function resolveButton(b: BotButton, vars: Record<string, string>): ButtonInput {
  const f = (s: string | undefined) => (s === undefined ? undefined : fillTemplate(s, vars));
  // A button with a url and no type is a URL button, as the platform's web_url.
  const type = b.type ?? (b.url !== undefined ? 'web_url' : 'postback');
  const out: ButtonInput = { title: fillTemplate(b.title, vars), type };
  const payload = f(b.payload);
  const url = f(b.url);
  if (payload !== undefined) out.payload = payload;
  if (url !== undefined) out.url = url;
  return out;
}

export function resolveReply(r: BotReply, vars: Record<string, string>): ResolvedReply {
  const common: ReplyCommon = { private: r.private ?? false, delayMs: r.delay_ms ?? 0 };
  const f = (s: string) => fillTemplate(s, vars);
  if (r.text !== undefined) return { ...common, kind: 'text', text: f(r.text) };
  const wordings = r['one of'];
  if (wordings !== undefined) {
    const v = vars as Vars;
    return { ...common, kind: 'text', text: f(wordings[(v[RANDOM_SOURCE] ?? cryptoRandom)(0, wordings.length - 1)] ?? '') };
  }
  if (r.buttons !== undefined) {
    return { ...common, kind: 'buttons', text: f(r.buttons.text), buttons: r.buttons.buttons.map((b) => resolveButton(b, vars)) };
  }
  if (r.carousel !== undefined) {
    const c = r.carousel;
    return {
      ...common,
      kind: 'carousel',
      text: f(c.text ?? ''),
      ...(c.ratio !== undefined ? { ratio: c.ratio } : {}),
      cards: c.cards.map((card) => {
        const out: CardInput = { title: f(card.title) };
        if (card.subtitle !== undefined) out.subtitle = f(card.subtitle);
        if (card.image_url !== undefined) out.image_url = f(card.image_url);
        if (card.item_url !== undefined) out.item_url = card.item_url === null ? null : f(card.item_url);
        if (card.buttons !== undefined) out.buttons = card.buttons.map((b) => resolveButton(b, vars));
        return out;
      }),
    };
  }
  for (const kind of ATTACHMENT_KINDS) {
    const url = r[kind];
    if (url !== undefined) return { ...common, kind, url: f(url) };
  }
  if (r.raw !== undefined) return { ...common, kind: 'raw', body: fillDeep(r.raw, vars) as Record<string, unknown> };
  // Unreachable for a validated reply.
  throw new ApiChatError(BOT_FILE_ERROR, `a reply has no kind: ${JSON.stringify(r)}`);
}
