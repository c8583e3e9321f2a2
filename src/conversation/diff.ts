// The difference between what a failed Then step expected and the nearest reply the bot did
// send, printed with jest-diff (the printer `expect` uses) so a tester reads the changed field
// instead of comparing rows by eye. Colours stay off: the same text goes to the console, the
// JUnit XML, Cucumber's HTML report and the conversation report.
import { diffLinesRaw, diffLinesUnified, diffStringsRaw, DIFF_DELETE, DIFF_EQUAL, DIFF_INSERT, type DiffOptions } from 'jest-diff';
import { buttonsOf, isMedia, textOf, type BotMessage, type Card } from '../protocol/index.ts';
import type { CardRow, Expectation } from './expectations.ts';

export interface NearestDiff {
  /** One line naming the reply compared against (e.g. 'carousel "Our rooms" (3 cards), card 2 differs'). */
  headline: string;
  /** The diff itself, one entry per line, without indentation. */
  lines: string[];
}

const plain = (s: string): string => s;
const OPTIONS: DiffOptions = {
  aAnnotation: 'expected',
  bAnnotation: 'actual',
  aColor: plain,
  bColor: plain,
  changeColor: plain,
  commonColor: plain,
  patchColor: plain,
  changeLineTrailingSpaceColor: plain,
  commonLineTrailingSpaceColor: plain,
  expand: true,
};

/** Texts at least this alike (0–1, by characters in common) get a character diff. */
export const CLOSE_TEXT = 0.6;

const q = (s: string): string => JSON.stringify(s);
const list = (xs: readonly string[]): string => (xs.length ? xs.map(q).join(', ') : '(none)');

/** jest-diff's unified diff of two line lists, split back into lines. */
export function diffLines(expected: readonly string[], actual: readonly string[]): string[] {
  return diffLinesUnified([...expected], [...actual], OPTIONS).split('\n');
}

/**
 * The diff against the candidate nearest to the expectation, or null when no candidate is of
 * the expected kind (the compact list of replies then says everything there is to say).
 * Candidates are this turn's unclaimed deliveries (private notes included), or the one message a
 * previous step claimed.
 */
export function nearestDiff(e: Expectation, candidates: readonly BotMessage[]): NearestDiff | null {
  // Private agent notes are never replies: only a note expectation compares against them.
  const replies = candidates.filter((m) => !m.private);
  switch (e.kind) {
    case 'text':
      return e.mode === 'exact' ? textDiff(e.value, replies) : null;
    case 'note':
      return e.mode === 'exact' ? textDiff(e.value, candidates.filter((m) => m.private)) : null;
    case 'link':
      return linkDiff(e.title, e.url, replies);
    case 'buttons':
      return best(replies.filter((m) => m.kind === 'buttons'), (m) => buttonsDiff(e.titles, m));
    case 'carousel':
      return best(replies.filter((m) => m.kind === 'carousel'), (m) => carouselDiff(e, m));
    case 'media':
      return mediaDiff(e.media, e.urlPart, replies);
    default:
      return null; // a kind without a diff of its own: the compact list of replies says it all
  }
}

interface Scored extends NearestDiff {
  /** Higher is nearer. */
  score: number;
}

function best<M extends BotMessage>(candidates: M[], diff: (m: M) => Scored | null): NearestDiff | null {
  let found: Scored | null = null;
  for (const m of candidates) {
    const d = diff(m);
    if (d && (!found || d.score > found.score)) found = d;
  }
  return found && { headline: found.headline, lines: found.lines };
}

// ---------- text ----------

/** 0–1: characters the two texts share (in order), over their mean length. */
export function similarity(a: string, b: string): number {
  if (a === b) return 1;
  const same = diffStringsRaw(a, b, false).reduce((n, d) => (d[0] === DIFF_EQUAL ? n + d[1].length : n), 0);
  return (2 * same) / (a.length + b.length);
}

function textDiff(expected: string, candidates: readonly BotMessage[]): NearestDiff | null {
  let found: { m: BotMessage; text: string; score: number } | null = null;
  for (const m of candidates) {
    const text = textOf(m);
    if (text === null) continue;
    const score = similarity(expected.trim(), text.trim());
    if (!found || score > found.score) found = { m, text, score };
  }
  if (!found || found.score < CLOSE_TEXT) return null;
  return {
    headline: `${describe(found.m)}, ${Math.floor(found.score * 100)}% alike`,
    lines: charDiff(expected.trim(), found.text.trim()),
  };
}

/** Two lines, expected and actual, each followed by a `?` line marking the characters that differ. */
export function charDiff(expected: string, actual: string): string[] {
  const show = (s: string): string => s.replace(/\r?\n/g, '⏎');
  let a = '';
  let b = '';
  let aMarks = '';
  let bMarks = '';
  for (const d of diffStringsRaw(show(expected), show(actual), true)) {
    const [op, text] = [d[0], d[1]];
    if (op !== DIFF_INSERT) {
      a += text;
      aMarks += (op === DIFF_DELETE ? '^' : ' ').repeat(text.length);
    }
    if (op !== DIFF_DELETE) {
      b += text;
      bMarks += (op === DIFF_INSERT ? '^' : ' ').repeat(text.length);
    }
  }
  const lines = ['- expected', '+ actual', '', `- ${a}`];
  if (aMarks.trim()) lines.push(`? ${aMarks.trimEnd()}`);
  lines.push(`+ ${b}`);
  if (bMarks.trim()) lines.push(`? ${bMarks.trimEnd()}`);
  return lines;
}

// ---------- buttons ----------

/** The two title lists through jest-diff, then what is missing, extra or moved. */
export function listDiff(expected: readonly string[], actual: readonly string[]): { lines: string[]; same: number; summary: string } {
  const raw = diffLinesRaw([...expected], [...actual]);
  const same = raw.filter((d) => d[0] === DIFF_EQUAL).length;
  const deleted = raw.filter((d) => d[0] === DIFF_DELETE).map((d) => d[1]);
  const inserted = new Set(raw.filter((d) => d[0] === DIFF_INSERT).map((d) => d[1]));
  const moved = deleted.filter((t) => inserted.has(t));
  const missing = deleted.filter((t) => !moved.includes(t));
  const extra = [...inserted].filter((t) => !moved.includes(t));
  const parts: string[] = [];
  if (missing.length) parts.push(`missing ${list(missing)}`);
  if (extra.length) parts.push(`extra ${list(extra)}`);
  if (moved.length) parts.push(`moved ${list(moved)}`);
  return { lines: diffLines(expected.map(q), actual.map(q)), same, summary: parts.join('; ') };
}

function buttonsDiff(expected: readonly string[], m: BotMessage): Scored | null {
  if (m.kind !== 'buttons') return null;
  const d = listDiff(expected, m.buttons.map((b) => b.title));
  return { score: d.same, headline: `${describe(m)}${d.summary ? `: ${d.summary}` : ''}`, lines: d.lines };
}

// ---------- carousel ----------

/**
 * The card fields a data table can check, in print order. A column the table leaves out is
 * not compared (expected() returns undefined); new columns slot in here.
 */
export interface CardField {
  name: string;
  expected(row: CardRow): string | undefined;
  actual(card: Card): string;
}

/** An optional URL column: '' in the table means the card has none. */
const urlCell = (v: string | null | undefined): string => (v ? q(v) : 'none');

export const CARD_FIELDS: CardField[] = [
  { name: 'title', expected: (r) => q(r.title), actual: (c) => q(c.title) },
  { name: 'subtitle', expected: (r) => (r.subtitle === undefined ? undefined : q(r.subtitle)), actual: (c) => q(c.subtitle ?? '') },
  { name: 'image', expected: (r) => (r.image === undefined ? undefined : urlCell(r.image)), actual: (c) => urlCell(c.image_url) },
  { name: 'url', expected: (r) => (r.url === undefined ? undefined : urlCell(r.url)), actual: (c) => urlCell(c.item_url) },
  { name: 'buttons', expected: (r) => (r.buttons ? list(r.buttons) : undefined), actual: (c) => list((c.buttons ?? []).map((b) => b.title)) },
];

function carouselDiff(e: Extract<Expectation, { kind: 'carousel' }>, m: BotMessage): Scored | null {
  if (m.kind !== 'carousel') return null;
  const expected: string[] = [];
  const actual: string[] = [];
  let score = 0;
  const differing: number[] = [];
  if (e.count !== undefined) {
    if (e.count === m.cards.length) score++;
    else {
      expected.push(`${e.count} card${e.count === 1 ? '' : 's'}`);
      actual.push(`${m.cards.length} card${m.cards.length === 1 ? '' : 's'}`);
    }
  }
  if (e.titles) {
    const d = listDiff(e.titles, m.cards.map((c) => c.title));
    score += d.same;
    if (d.summary) {
      expected.push(...e.titles.map((t) => `card title ${q(t)}`));
      actual.push(...m.cards.map((c) => `card title ${q(c.title)}`));
    }
  }
  for (let i = 0; e.rows && i < Math.max(e.rows.length, m.cards.length); i++) {
    const row = e.rows[i];
    const card = m.cards[i];
    const head = `card ${i + 1}`;
    if (!card || !row) {
      differing.push(i + 1);
      if (row) expected.push(`${head} ${q(row.title)}`);
      if (card) actual.push(`${head} ${q(card.title)}`);
      continue;
    }
    const fields = CARD_FIELDS.flatMap((f) => {
      const want = f.expected(row);
      return want === undefined ? [] : [{ name: f.name, want, got: f.actual(card) }];
    });
    const wrong = fields.filter((f) => f.want !== f.got);
    score += fields.length - wrong.length;
    if (wrong.length === 0) continue;
    differing.push(i + 1);
    // The title names the card on both sides when it matches; otherwise it is one of the changes.
    const title = fields[0];
    const named = title && title.want === title.got ? `${head} ${title.want}` : head;
    expected.push(named, ...wrong.map((f) => `  ${f.name} ${f.want}`));
    actual.push(named, ...wrong.map((f) => `  ${f.name} ${f.got}`));
  }
  if (expected.length === 0 && actual.length === 0) return null;
  const where = differing.length ? `, card${differing.length === 1 ? '' : 's'} ${differing.join(', ')} differ${differing.length === 1 ? 's' : ''}` : '';
  return { score, headline: `${describe(m)}${where}`, lines: diffLines(expected, actual) };
}

// ---------- link buttons ----------

/** The URL of the button with that title (the nearest URL when several): a character diff when close. */
function linkDiff(title: string, url: string, candidates: readonly BotMessage[]): NearestDiff | null {
  let found: { m: BotMessage; actual: string; card?: string; score: number } | null = null;
  for (const m of candidates) {
    for (const { button, card } of buttonsOf(m)) {
      if (button.title !== title) continue;
      const actual = button.url ?? '';
      const score = similarity(url, actual);
      if (!found || score > found.score) found = { m, actual, score, ...(card ? { card: card.title } : {}) };
    }
  }
  if (!found) return null;
  const where = `button ${q(title)}${found.card !== undefined ? ` on card ${q(found.card)}` : ''} of ${describe(found.m)}`;
  if (!found.actual) return { headline: `${where} opens no URL (a postback button)`, lines: diffLines([`url ${q(url)}`], ['no url']) };
  const lines = found.score >= CLOSE_TEXT ? charDiff(url, found.actual) : diffLines([`url ${q(url)}`], [`url ${q(found.actual)}`]);
  return { headline: `${where} links elsewhere`, lines };
}

// ---------- media ----------

function mediaDiff(kind: string, urlPart: string | undefined, candidates: readonly BotMessage[]): NearestDiff | null {
  const media = candidates.filter(isMedia);
  const same = media.find((m) => m.kind === kind);
  if (same && urlPart !== undefined) {
    return { headline: `${describe(same)}: its URL does not contain ${q(urlPart)}`, lines: diffLines([`url containing ${q(urlPart)}`], [`url ${q(same.url)}`]) };
  }
  const other = media[0];
  if (!same && other) return { headline: describe(other), lines: diffLines([kind], [other.kind]) };
  return null;
}

function describe(m: BotMessage): string {
  switch (m.kind) {
    case 'text':
      return `text ${q(m.text)}`;
    case 'buttons':
      return `buttons ${q(m.text)}`;
    case 'carousel':
      return `carousel ${q(m.text)} (${m.cards.length} card${m.cards.length === 1 ? '' : 's'})`;
    case 'unknown':
      return 'an unknown delivery';
    default:
      return `${m.kind} ${m.url}`;
  }
}
