// What a Then step expects of one reply: a predicate plus a description for failures.
// Pure functions over BotMessage, unit-tested without Gherkin.
import { ApiChatError } from '../base/errors.ts';
import { detectLanguage, languageCode } from '../ai/language.ts';
import { buttonsOf, isMedia, textOf, type AttachmentKind, type BotMessage, type Card } from '../protocol/index.ts';

export interface CardRow {
  title: string;
  subtitle?: string;
  /** Button titles, in order. */
  buttons?: string[];
  /** The card's image_url; '' = the card has none. */
  image?: string;
  /** The card's item_url (where tapping the card leads); '' = the card has none. */
  url?: string;
}

export type Expectation =
  | { kind: 'text'; mode: 'exact' | 'containing' | 'regex'; value: string; /** set when mode is regex */ regex?: RegExp }
  | { kind: 'buttons'; titles: string[] }
  | { kind: 'carousel'; count?: number; titles?: string[]; rows?: CardRow[] }
  | { kind: 'media'; media: AttachmentKind; urlPart?: string }
  /** A button (of a button template or a carousel card) with this title that opens this URL. */
  | { kind: 'link'; title: string; url: string }
  /** A `private: true` agent note of this turn (notes are never replies). */
  | { kind: 'note'; mode: 'exact' | 'containing'; value: string }
  /** A reply whose text is exactly one of these (a bot that words its answer several ways). */
  | { kind: 'one-of'; values: string[] }
  /** A reply in this language, named in English ("Spanish"), detected offline. */
  | { kind: 'language'; language: string }
  /** A reply whose embedding's cosine similarity to this text is at least the threshold (default APICHAT_SIMILARITY). */
  | { kind: 'similar'; text: string; threshold?: number }
  /** The turn's answer (its unclaimed texts), judged by a model: it conveys the statement. */
  | { kind: 'effect'; statement: string }
  /** The turn's answer, judged by a model: it meets the criterion ("offers to help with anything else"). */
  | { kind: 'judge'; criterion: string };

/** Expectations a model decides over the turn's settled answer (never tested reply by reply). */
export type ModelExpectation = Extract<Expectation, { kind: 'similar' | 'effect' | 'judge' }>;

export function isModelExpectation(e: Expectation): e is ModelExpectation {
  return e.kind === 'similar' || e.kind === 'effect' || e.kind === 'judge';
}

/** Expectations about a message's buttons or cards, which first look at the message the previous step claimed. */
export function isStructural(e: Expectation): boolean {
  return e.kind === 'buttons' || e.kind === 'carousel' || e.kind === 'link';
}

/** Can this message be the one a structural expectation is about (whatever its details)? */
export function hasStructureFor(e: Expectation, m: BotMessage): boolean {
  if (e.kind === 'link') return buttonsOf(m).length > 0;
  return (e.kind === 'buttons' && m.kind === 'buttons') || (e.kind === 'carousel' && m.kind === 'carousel');
}

/** Expectations met by private agent notes rather than by replies. */
export function isNote(e: Expectation): boolean {
  return e.kind === 'note';
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
    case 'link':
      return `a link button ${q(e.title)} to ${q(e.url)}`;
    case 'note':
      return `a private note ${e.mode === 'exact' ? 'with the text' : 'containing'} ${q(e.value)}`;
    case 'one-of':
      return `a reply with one of the texts ${list(e.values)}`;
    case 'language':
      return `a reply in ${e.language}`;
    case 'similar':
      return `a reply similar to ${q(e.text)} (cosine similarity of embeddings${e.threshold !== undefined ? ` at least ${e.threshold}` : ''})`;
    case 'effect':
      return `an answer to the effect that ${q(e.statement)} (judged by a model)`;
    case 'judge':
      return `an answer that ${e.criterion} (judged by a model)`;
  }
}

function article(kind: string): string {
  return /^[aeiou]/.test(kind) ? 'an' : 'a';
}

function describeRow(r: CardRow): string {
  const bits = [q(r.title)];
  if (r.subtitle !== undefined) bits.push(`subtitle ${q(r.subtitle)}`);
  if (r.buttons) bits.push(`buttons [${list(r.buttons)}]`);
  if (r.image !== undefined) bits.push(r.image === '' ? 'no image' : `image ${q(r.image)}`);
  if (r.url !== undefined) bits.push(r.url === '' ? 'no url' : `url ${q(r.url)}`);
  return bits.join(' ');
}

function sameList(a: readonly string[], b: readonly string[]): boolean {
  return a.length === b.length && a.every((x, i) => x === b[i]);
}

export function matches(e: Expectation, m: BotMessage): boolean {
  if (m.private !== isNote(e)) return false;
  switch (e.kind) {
    case 'text':
    case 'note': {
      const text = textOf(m);
      if (text === null) return false;
      if (e.mode === 'exact') return text.trim() === e.value.trim();
      if (e.mode === 'containing') return text.includes(e.value);
      const re = (e.kind === 'text' ? e.regex : undefined) ?? parseRegex(e.value);
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
          if (row.image !== undefined && (card.image_url ?? '') !== row.image) return false;
          if (row.url !== undefined && (card.item_url ?? '') !== row.url) return false;
          return true;
        });
      }
      return true;
    }
    case 'media':
      return isMedia(m) && m.kind === e.media && (e.urlPart === undefined || m.url.includes(e.urlPart));
    case 'link':
      return buttonsOf(m).some(({ button }) => button.title === e.title && button.url === e.url);
    case 'one-of': {
      const text = textOf(m)?.trim();
      return text !== undefined && e.values.some((v) => v.trim() === text);
    }
    case 'language': {
      const text = textOf(m);
      return text !== null && text.trim() !== '' && detectLanguage(text).code === languageCode(e.language);
    }
    case 'similar':
    case 'effect':
    case 'judge':
      return false; // decided by a model over the settled turn (Conversation.expectByModel)
  }
}

/**
 * What the given messages hold for the details this expectation checks and a compact rendering
 * leaves out (link URLs, card images and links, private notes): extra lines for a failure.
 */
export function actualDetails(e: Expectation, messages: readonly BotMessage[]): string[] {
  if (e.kind === 'link') {
    const links = messages.filter((m) => !m.private).flatMap((m) => buttonsOf(m)).filter(({ button }) => button.url != null || button.title === e.title);
    if (links.length === 0) return ['no link button in these messages'];
    return links.map(({ button, card }) => `button ${q(button.title)}${card ? ` on card ${q(card.title)}` : ''} ${button.url != null ? `links to ${q(button.url)}` : `is a ${button.type} button`}`);
  }
  if (e.kind === 'carousel' && e.rows?.some((r) => r.image !== undefined || r.url !== undefined)) {
    const cards = messages.flatMap((m) => (m.kind === 'carousel' && !m.private ? m.cards : []));
    return cards.map((c) => `card ${q(c.title)}: image ${shown(c.image_url)}, url ${shown(c.item_url)}`);
  }
  if (e.kind === 'language') {
    const texts = messages.filter((m) => !m.private).flatMap((m) => textOf(m) ?? []);
    if (texts.length === 0) return ['no text reply in this turn'];
    return texts.map((t) => {
      const d = detectLanguage(t);
      return `${q(t)} is ${d.code === '' ? 'in no language the detector recognises' : `${d.name} (confidence ${d.confidence.toFixed(2)}${d.reliable ? '' : ', unreliable: short text'})`}`;
    });
  }
  if (e.kind === 'note') {
    const notes = messages.filter((m) => m.private);
    if (notes.length === 0) return ['no private note in this turn'];
    return notes.map((m) => `private note of this turn: ${q(textOf(m) ?? `(${m.kind})`)}`);
  }
  return [];
}

function shown(v: Card['image_url']): string {
  return v ? q(v) : 'none';
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
