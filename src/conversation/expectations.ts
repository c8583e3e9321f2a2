// What a Then step expects of one reply: a predicate plus a description for failures.
// Pure functions over BotMessage, unit-tested without Gherkin.
import { ApiChatError } from '../errors.ts';
import { isMedia, textOf, type AttachmentKind, type BotMessage } from '../protocol/index.ts';

export interface CardRow {
  title: string;
  subtitle?: string;
  /** Button titles, in order. */
  buttons?: string[];
}

export type Expectation =
  | { kind: 'text'; mode: 'exact' | 'containing' | 'regex'; value: string; /** set when mode is regex */ regex?: RegExp }
  | { kind: 'buttons'; titles: string[] }
  | { kind: 'carousel'; count?: number; titles?: string[]; rows?: CardRow[] }
  | { kind: 'media'; media: AttachmentKind; urlPart?: string };

/** Expectations about a message's buttons or cards, which first look at the message the previous step claimed. */
export function isStructural(e: Expectation): boolean {
  return e.kind === 'buttons' || e.kind === 'carousel';
}

/** Can this message be the one a structural expectation is about (whatever its details)? */
export function hasStructureFor(e: Expectation, m: BotMessage): boolean {
  return (e.kind === 'buttons' && m.kind === 'buttons') || (e.kind === 'carousel' && m.kind === 'carousel');
}

const q = (s: string): string => JSON.stringify(s);
const list = (xs: readonly string[]): string => xs.map(q).join(', ');

export function describeExpectation(e: Expectation): string {
  switch (e.kind) {
    case 'text':
      if (e.mode === 'exact') return `a reply with the text ${q(e.value)}`;
      if (e.mode === 'containing') return `a reply containing ${q(e.value)}`;
      return `a reply matching ${e.regex ?? e.value}`;
    case 'buttons':
      return `buttons ${list(e.titles)} (exactly these, in this order)`;
    case 'carousel': {
      const parts: string[] = [];
      if (e.count !== undefined) parts.push(`${e.count} card${e.count === 1 ? '' : 's'}`);
      if (e.titles) parts.push(`cards ${list(e.titles)} in this order`);
      if (e.rows) parts.push(`cards ${e.rows.map((r) => describeRow(r)).join('; ')}`);
      return `a carousel with ${parts.join(', ') || 'any cards'}`;
    }
    case 'media':
      return `${article(e.media)} ${e.media}${e.urlPart ? ` whose URL contains ${q(e.urlPart)}` : ''}`;
  }
}

function article(kind: string): string {
  return /^[aeiou]/.test(kind) ? 'an' : 'a';
}

function describeRow(r: CardRow): string {
  const bits = [q(r.title)];
  if (r.subtitle !== undefined) bits.push(`subtitle ${q(r.subtitle)}`);
  if (r.buttons) bits.push(`buttons [${list(r.buttons)}]`);
  return bits.join(' ');
}

function sameList(a: readonly string[], b: readonly string[]): boolean {
  return a.length === b.length && a.every((x, i) => x === b[i]);
}

export function matches(e: Expectation, m: BotMessage): boolean {
  if (m.private) return false;
  switch (e.kind) {
    case 'text': {
      const text = textOf(m);
      if (text === null) return false;
      if (e.mode === 'exact') return text.trim() === e.value.trim();
      if (e.mode === 'containing') return text.includes(e.value);
      const re = e.regex ?? parseRegex(e.value);
      re.lastIndex = 0;
      return re.test(text);
    }
    case 'buttons':
      return m.kind === 'buttons' && sameList(m.buttons.map((b) => b.title), e.titles);
    case 'carousel': {
      if (m.kind !== 'carousel') return false;
      if (e.count !== undefined && m.cards.length !== e.count) return false;
      if (e.titles && !sameList(m.cards.map((c) => c.title), e.titles)) return false;
      if (e.rows) {
        if (m.cards.length !== e.rows.length) return false;
        return e.rows.every((row, i) => {
          const card = m.cards[i];
          if (card === undefined || card.title !== row.title) return false;
          if (row.subtitle !== undefined && (card.subtitle ?? '') !== row.subtitle) return false;
          if (row.buttons && !sameList((card.buttons ?? []).map((b) => b.title), row.buttons)) return false;
          return true;
        });
      }
      return true;
    }
    case 'media':
      return isMedia(m) && m.kind === e.media && (e.urlPart === undefined || m.url.includes(e.urlPart));
  }
}

/** Named groups of a regex expectation's match, to become scenario variables. */
export function captures(e: Expectation, m: BotMessage): Record<string, string> {
  if (e.kind !== 'text' || e.mode !== 'regex') return {};
  const text = textOf(m);
  if (text === null) return {};
  const re = e.regex ?? parseRegex(e.value);
  re.lastIndex = 0;
  const groups = re.exec(text)?.groups ?? {};
  return Object.fromEntries(Object.entries(groups).filter((kv): kv is [string, string] => kv[1] !== undefined));
}

/** "/^Hello (?<name>\w+)/i" → RegExp; a bad pattern is a user mistake with a one-line message. */
export function parseRegex(source: string): RegExp {
  const m = /^\/(.*)\/([a-z]*)$/s.exec(source.trim());
  const [pattern, flags] = m ? [m[1] ?? '', m[2] ?? ''] : [source, ''];
  try {
    return new RegExp(pattern, flags.replace(/g|y/g, ''));
  } catch (e) {
    throw new ApiChatError('APICHAT_BAD_REGEX', `invalid regular expression ${source}: ${(e as Error).message}`);
  }
}
