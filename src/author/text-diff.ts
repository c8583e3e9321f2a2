// Two observations of the same reply → one regular expression: the parts both share stay
// literal (escaped), each part that differs becomes a pattern general enough for a third
// visit (digits → \d+, a differing word → a letter class), and a varying single word is a
// named group, so a later step can quote it as {{name}}.
//   "Your booking reference is BK-20417." + "… BK-63001." → /^Your booking reference is (?<reference>BK-\d+)\.$/

import { createRequire } from 'node:module';

// Loaded as CommonJS: the package's types describe its CommonJS build, whose default export is the function.
const { default: diffSequence } = createRequire(import.meta.url)('@jest/diff-sequences') as typeof import('@jest/diff-sequences');

export type Segment = { same: string } | { a: string; b: string };

/** Escapes every character that means something in a JavaScript regular expression (and the / delimiter). */
export function escapeRegex(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&').replace(/\n/g, '\\n').replace(/\r/g, '\\r').replace(/\t/g, '\\t');
}

const tokenise = (s: string): string[] => s.split(/(\s+)/).filter((t) => t !== '');
/** Longer texts are compared as one varying block (the LCS table grows with the square). */
const MAX_TOKENS = 400;

/**
 * Word-level diff (words and the spaces between them), by Jest's diff-sequences (Myers'
 * O(ND) algorithm, the one expect's diffs use) rather than a hand-written LCS table.
 */
export function diffWords(a: string, b: string): Segment[] {
  const x = tokenise(a);
  const y = tokenise(b);
  if (x.length > MAX_TOKENS || y.length > MAX_TOKENS) return a === b ? [{ same: a }] : [{ a, b }];
  const out: Segment[] = [];
  const push = (seg: Segment): void => {
    const last = out.at(-1);
    if (last && 'same' in last && 'same' in seg) last.same += seg.same;
    else if (last && 'a' in last && 'a' in seg) {
      last.a += seg.a;
      last.b += seg.b;
    } else out.push(seg);
  };
  let i = 0;
  let j = 0;
  // What lies between two common runs is one changed segment (either side may be empty).
  const changedUpTo = (toI: number, toJ: number): void => {
    if (toI > i || toJ > j) push({ a: x.slice(i, toI).join(''), b: y.slice(j, toJ).join('') });
  };
  diffSequence(x.length, y.length, (ai, bi) => x[ai] === y[bi], (n, ai, bi) => {
    changedUpTo(ai, bi);
    push({ same: x.slice(ai, ai + n).join('') });
    i = ai + n;
    j = bi + n;
  });
  changedUpTo(x.length, y.length);
  return out;
}

type Run = { cls: 'digit' | 'upper' | 'lower' | 'letter' | 'other'; text: string };

function runsOf(word: string): Run[] {
  const runs: Run[] = [];
  for (const m of word.matchAll(/\d+|[A-Z]+|[a-z]+|[A-Za-z]+|[^A-Za-z\d]/g)) {
    const t = m[0];
    const cls = /^\d/.test(t) ? 'digit' : /^[A-Z]+$/.test(t) ? 'upper' : /^[a-z]+$/.test(t) ? 'lower' : /^[A-Za-z]/.test(t) ? 'letter' : 'other';
    const last = runs.at(-1);
    // "Monday" is one word: capitalised words are merged into one letter run.
    if (last && (cls === 'lower' || cls === 'upper') && (last.cls === 'upper' || last.cls === 'lower' || last.cls === 'letter')) {
      last.cls = last.cls === cls ? cls : 'letter';
      last.text += t;
    } else runs.push({ cls, text: t });
  }
  return runs;
}

const CLASS_PATTERN = { digit: '\\d+', upper: '[A-Z]+', lower: '[a-z]+', letter: '[A-Za-z]+' } as const;

/** A pattern for one word seen as `a` and as `b`: runs of the same class line up, else any non-space. */
export function wordPattern(a: string, b: string): string {
  const ra = runsOf(a);
  const rb = runsOf(b);
  // The runs of the two words side by side (none when their run counts differ).
  const pairs = ra.length === rb.length ? ra.flatMap((r, i) => { const o = rb[i]; return o ? [[r, o] as const] : []; }) : [];
  const loose = (c: Run['cls']): boolean => c !== 'other' && c !== 'digit';
  const sameShape = pairs.length === ra.length && pairs.every(([r, o]) => r.cls === o.cls || (loose(r.cls) && loose(o.cls)));
  if (!sameShape) return '\\S+';
  return pairs
    .map(([r, other]) => {
      if (r.cls === 'digit') return CLASS_PATTERN.digit; // numbers change (years, counters, times): never literal
      if (r.text === other.text) return escapeRegex(r.text);
      if (r.cls === 'other') return '\\S';
      return r.cls === other.cls ? CLASS_PATTERN[r.cls] : CLASS_PATTERN.letter;
    })
    .join('');
}

const STOP_WORDS = new Set(['the', 'and', 'for', 'your', 'you', 'are', 'was', 'this', 'that', 'with', 'has', 'have', 'from', 'its', 'our', 'will', 'been', 'not']);

/** A group name from the nearest meaningful word before the value ("reference is BK-1" → reference). */
export function nameHint(before: string): string {
  const words = before.toLowerCase().match(/[a-z]{3,}/g) ?? [];
  return words.findLast((w) => !STOP_WORDS.has(w)) ?? 'value';
}

export interface Generalised {
  /** The pattern without delimiters, anchored with ^ and $. */
  source: string;
  /** Named groups, in order. */
  groups: string[];
}

/**
 * The regex for two different texts. `takeName` turns a hint into a name unique in the
 * scenario. Leading and trailing punctuation of a varying word stays outside its group.
 */
export function generaliseTexts(a: string, b: string, takeName: (hint: string) => string): Generalised {
  let source = '';
  let before = '';
  const groups: string[] = [];
  for (const seg of diffWords(a, b)) {
    if ('same' in seg) {
      source += escapeRegex(seg.same);
      before += seg.same;
      continue;
    }
    if (seg.a === '' || seg.b === '') {
      source += '.*?';
    } else if (/\s/.test(seg.a) || /\s/.test(seg.b)) {
      source += '.+?';
    } else {
      const lead = commonEdge(seg.a, seg.b, 'start');
      const trail = commonEdge(seg.a.slice(lead.length), seg.b.slice(lead.length), 'end');
      const coreA = seg.a.slice(lead.length, seg.a.length - trail.length);
      const coreB = seg.b.slice(lead.length, seg.b.length - trail.length);
      const name = takeName(nameHint(before));
      groups.push(name);
      source += `${escapeRegex(lead)}(?<${name}>${wordPattern(coreA, coreB)})${escapeRegex(trail)}`;
    }
    before += seg.a;
  }
  return { source: `^${source}$`, groups };
}

/** Punctuation both words start (or end) with, e.g. the "." of "BK-1." and "BK-2.". */
function commonEdge(a: string, b: string, side: 'start' | 'end'): string {
  const punct = side === 'start' ? /^[("'[{«¿¡]+/ : /[.,;:!?)"'\]}»]+$/;
  const pa = punct.exec(a)?.[0] ?? '';
  const pb = punct.exec(b)?.[0] ?? '';
  if (pa !== pb || pa.length >= a.length || pb.length >= b.length) return '';
  return pa;
}

/** The longest common prefix of two URLs, cut back to a path boundary ("https://cdn/x/"), or null. */
export function commonUrlPrefix(a: string, b: string): string | null {
  let n = 0;
  while (n < a.length && n < b.length && a[n] === b[n]) n++;
  const prefix = a.slice(0, n);
  const cut = prefix.lastIndexOf('/');
  const kept = cut >= 0 ? prefix.slice(0, cut + 1) : '';
  return /^[a-z]+:\/\/[^/]+\//i.test(kept) ? kept : null;
}
