// "Did you mean": for a step no definition matches, the nearest built-in phrases of the
// catalogue, written out with the step's own arguments (`Then the bot shows the buttons "Rooms",
// "Book"` → `Then the bot shows buttons "Rooms", "Book"`). Words are compared as words (a
// misspelt word counts less than a missing one); quoted strings, numbers and /regex/ are the
// arguments, and only phrases that take them, in that order, are offered.
import { QUOTED_PATTERN as QUOTED } from './parameter-types.ts';
import { PHRASES, type Phrase } from './phrases.ts';

type Arg = { kind: 'string'; text: string } | { kind: 'strings'; text: string } | { kind: 'number'; text: string } | { kind: 'regex'; text: string };
type StepToken = { word: string } | { arg: Arg } | { subject: 'user' | 'bot'; text: string } | { media: string };

type Slot = 'string' | 'strings' | 'int' | 'float' | 'regex';
// {language} is a bare word ("in Spanish"), not a quoted argument: it fits any word of the step.
type PhraseToken = { words: string[] } | { slot: Slot } | { subject: 'user' | 'bot' } | { media: true } | { language: true };

const MEDIA = ['image', 'audio', 'video', 'file'];
const ARG = new RegExp(String.raw`((?:${QUOTED})(?:\s*(?:, and|,|and)\s*(?:${QUOTED}))*)|(\/.*\/[dgimsuvy]*)(?=\s|$)|(?<=^|\s)(-?\d+(?:\.\d+)?)(?=\s|$)`, 'g');

function stepTokens(text: string): StepToken[] {
  const tokens: StepToken[] = [];
  const words = (s: string): void => {
    for (const w of s.toLowerCase().split(/\s+/).filter(Boolean)) tokens.push({ word: w });
  };
  let at = 0;
  for (const m of text.matchAll(ARG)) {
    words(text.slice(at, m.index));
    at = m.index + m[0].length;
    if (m[1] !== undefined) tokens.push({ arg: { kind: new RegExp(`^(?:${QUOTED})$`).test(m[1]) ? 'string' : 'strings', text: m[1] } });
    else if (m[2] !== undefined) tokens.push({ arg: { kind: 'regex', text: m[2] } });
    else tokens.push({ arg: { kind: 'number', text: m[3]! } });
  }
  words(text.slice(at));
  return subjectsAndMedia(tokens);
}

/** "the user"/"user"/"I" and "the bot"/"bot" at the start; "an image", "a video", … anywhere. */
function subjectsAndMedia(tokens: StepToken[]): StepToken[] {
  const out: StepToken[] = [];
  const word = (i: number): string | undefined => {
    const t = tokens[i];
    return t && 'word' in t ? t.word : undefined;
  };
  for (let i = 0; i < tokens.length; i++) {
    const w = word(i);
    if (i === 0 && w === 'the' && (word(1) === 'user' || word(1) === 'bot')) {
      out.push({ subject: word(1) as 'user' | 'bot', text: `the ${word(1)}` });
      i++;
    } else if (i === 0 && (w === 'user' || w === 'bot')) out.push({ subject: w, text: w });
    else if (i === 0 && w === 'i') out.push({ subject: 'user', text: 'I' });
    else if ((w === 'a' || w === 'an') && MEDIA.includes(word(i + 1) ?? '')) {
      out.push({ media: `${w} ${word(i + 1)}` });
      i++;
    } else if (w !== undefined && MEDIA.includes(w) && i > 0) out.push({ media: w });
    else out.push(tokens[i]!);
  }
  return out;
}

function phraseTokens(pattern: string): PhraseToken[] {
  return pattern.split(/\s+/).flatMap((part): PhraseToken[] => {
    const slot = /^\{(\w+)\}(:|'s)?$/.exec(part);
    // "{bot}'s" inside a phrase ("the judge agrees that the bot's reply"): plain words to compare.
    if (slot && slot[2] === "'s") return [{ words: ['the'] }, { words: [`${slot[1]}'s`] }];
    if (slot) {
      const name = slot[1]!;
      const t: PhraseToken = name === 'user' || name === 'bot' ? { subject: name } : name === 'media' ? { media: true } : name === 'language' ? { language: true } : { slot: name as Slot };
      return slot[2] ? [t, { words: [':'] }] : [t];
    }
    const optional = /^(\w+)\((\w+)\)(:?)$/.exec(part);
    if (optional) return [{ words: [optional[1]!, optional[1]! + optional[2]!].map((w) => w + optional[3]!) }];
    return [{ words: part.toLowerCase().split('/') }];
  });
}

/** Levenshtein distance of two words, as a share of the longer one (0 = equal, 1 = nothing alike). */
function wordDistance(a: string, b: string): number {
  const d = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    let prev = d[0]!;
    d[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const tmp = d[j]!;
      d[j] = Math.min(d[j]! + 1, d[j - 1]! + 1, prev + (a[i - 1] === b[j - 1] ? 0 : 1));
      prev = tmp;
    }
  }
  return d[b.length]! / Math.max(a.length, b.length, 1);
}

function fits(arg: Arg, slot: Slot): boolean {
  if (arg.kind === 'number') return slot === 'int' ? /^-?\d+$/.test(arg.text) : slot === 'float';
  if (arg.kind === 'string') return slot === 'string' || slot === 'strings';
  return arg.kind === slot;
}

/** Cost of reading step token `s` as phrase token `p` (0 = the same). */
function substitution(s: StepToken, p: PhraseToken): number {
  if ('words' in p) {
    if (!('word' in s)) return 2;
    const w = s.word;
    if (p.words.includes(w)) return 0;
    const near = Math.min(...p.words.map((x) => wordDistance(w, x)));
    return near <= 0.34 ? 0.5 : 1;
  }
  if ('slot' in p) return 'arg' in s ? (fits(s.arg, p.slot) ? 0 : 1.5) : 2;
  if ('language' in p) return 'word' in s ? 0.25 : 2;
  if ('subject' in p) return 'subject' in s && s.subject === p.subject ? 0 : 2;
  return 'media' in s ? 0 : 2;
}

/** Weighted edit distance of the step's tokens to the phrase's; inserting or dropping an argument costs more than a word. */
function distance(step: StepToken[], phrase: PhraseToken[]): number {
  const gap = (t: StepToken | PhraseToken): number => ('word' in t || 'words' in t || 'language' in t ? 1 : 2);
  let row = [0];
  for (let j = 1; j <= phrase.length; j++) row[j] = row[j - 1]! + gap(phrase[j - 1]!);
  for (let i = 1; i <= step.length; i++) {
    const next = [row[0]! + gap(step[i - 1]!)];
    for (let j = 1; j <= phrase.length; j++) {
      next[j] = Math.min(row[j]! + gap(step[i - 1]!), next[j - 1]! + gap(phrase[j - 1]!), row[j - 1]! + substitution(step[i - 1]!, phrase[j - 1]!));
    }
    row = next;
  }
  return row[phrase.length]!;
}

/** The phrase written out with the step's own subject, media and arguments; undefined when the arguments do not fit it. */
function rewrite(phrase: Phrase, step: StepToken[]): string | undefined {
  const args = step.flatMap((t) => ('arg' in t ? [t.arg] : []));
  const subject = step.find((t): t is Extract<StepToken, { subject: string }> => 'subject' in t);
  const media = step.find((t): t is Extract<StepToken, { media: string }> => 'media' in t);
  const firstPerson = subject?.text === 'I';
  const used = new Set(step.flatMap((t) => ('word' in t ? [t.word] : [])));
  let next = 0;
  let lastNumber: string | undefined;
  const out: string[] = [];
  for (const part of phrase.pattern.split(/\s+/)) {
    const slot = /^\{(\w+)\}(:|'s)?$/.exec(part);
    if (slot) {
      const name = slot[1]!;
      if (name === 'user' || name === 'bot') out.push(subject?.subject === name ? subject.text : `the ${name}`);
      else if (name === 'media') out.push(media ? (media.media.includes(' ') ? media.media : `${/^[aeiou]/.test(media.media) ? 'an' : 'a'} ${media.media}`) : 'an image');
      else if (name === 'language') {
        // The word after the step's last "in" ("replies in spanish" → Spanish).
        const words = step.flatMap((t) => ('word' in t ? [t.word] : []));
        const at = words.lastIndexOf('in');
        const language = at >= 0 ? words[at + 1] : undefined;
        if (language === undefined) return undefined;
        out.push(language.charAt(0).toUpperCase() + language.slice(1));
      } else {
        const arg = args[next++];
        if (!arg || !fits(arg, name as Slot)) return undefined;
        if (arg.kind === 'number') lastNumber = arg.text;
        out.push(arg.text);
      }
      if (slot[2]) out[out.length - 1] += slot[2];
      continue;
    }
    const optional = /^(\w+)\((\w+)\)(:?)$/.exec(part);
    if (optional) {
      out.push(`${optional[1]}${lastNumber === '1' ? '' : optional[2]}${optional[3]}`);
      continue;
    }
    const forms = part.split('/');
    // The form the step used, else "says" after "the user"/"the bot" and "say" after "I".
    out.push(forms.find((f) => used.has(f.toLowerCase())) ?? (firstPerson && forms[1] ? forms[1] : forms[0]!));
  }
  return next === args.length ? out.join(' ') : undefined;
}

export interface Suggestion {
  /** The step as it would match the phrase: the keyword the step used, then the text. */
  step: string;
  phrase: Phrase;
  distance: number;
}

/**
 * Up to `max` built-in phrases nearest to an undefined step, each rewritten with the step's
 * arguments, nearest first; none when nothing is close (a step of the project's own).
 */
export function suggestSteps(text: string, keyword = '', max = 3, phrases: readonly Phrase[] = PHRASES): Suggestion[] {
  const step = stepTokens(text.trim());
  if (step.length === 0) return [];
  const found: Suggestion[] = [];
  for (const phrase of phrases) {
    const tokens = phraseTokens(phrase.pattern);
    const d = distance(step, tokens);
    // Close: a couple of words off, and never more than a third of the phrase.
    if (d > Math.max(1.5, tokens.length / 3)) continue;
    const rewritten = rewrite(phrase, step);
    if (rewritten === undefined) continue;
    found.push({ step: `${keyword.trim() ? `${keyword.trim()} ` : ''}${rewritten}`, phrase, distance: d });
  }
  const seen = new Set<string>();
  const best = Math.min(...found.map((s) => s.distance));
  // Only the nearest and those about as near: a second guess far behind the first is noise.
  return found
    .sort((a, b) => a.distance - b.distance)
    .filter((s) => s.distance <= best + 0.5 && !seen.has(s.step) && seen.add(s.step))
    .slice(0, max);
}

/** "did you mean: …" lines (first "did you mean:", then "         or:"), or [] when there is nothing near. */
export function didYouMean(text: string, keyword = ''): string[] {
  return suggestSteps(text, keyword).map((s, i) => `${i === 0 ? 'did you mean:' : '         or:'} ${s.step}`);
}
