// Two visits of the same path → the checks a feature makes. Replies of a turn are paired
// across the visits (equal first, then by shape: same kind, same buttons), so arrival order
// does not matter. Where the paired replies differ, the check is generalised: text becomes
// `matching /…/` (text-diff.ts) with named groups; a later text that quotes a captured value
// in both visits becomes an exact check with {{name}}; media keep the common URL prefix;
// carousels whose cards vary keep only their count. Replies that cannot be paired make the
// path unstable (UnstableError): the bot answered differently, not just with other values.
import { ApiChatError } from '../base/errors.ts';
import { buttonsOf, renderCompact, textOf, type BotMessage } from '../protocol/index.ts';
import type { CardCheck, LinkCheck, NoteCheck, ReplyCheck, ScenarioTurn, TextCheck } from './model.ts';
import type { Action, ObservedTurn } from './observe.ts';
import { commonUrlPrefix, diffWords, escapeRegex, generaliseTexts } from './text-diff.ts';

export const UNSTABLE_CODE = 'APICHAT_UNSTABLE_REPLY';

export class UnstableError extends ApiChatError {
  constructor(message: string) {
    super(UNSTABLE_CODE, message);
    this.name = 'UnstableError';
  }
}

/** A value captured by a named group: what it was in the first visit (a) and in the second (b). */
export interface Captured {
  name: string;
  a: string;
  b: string;
}

/** Text an exact step cannot carry as it is ({{ would be read as a variable; a step is one line). */
const needsRegex = (t: string): boolean => /[\n\r]|\{\{|\\/.test(t);

function content(m: BotMessage): unknown {
  switch (m.kind) {
    case 'text':
      return ['text', m.text];
    case 'buttons':
      return ['buttons', m.text, m.buttons.map((b) => [b.title, b.type, b.payload ?? null, b.url ?? null])];
    case 'carousel':
      return ['carousel', m.text, m.cards.map((c) => [c.title, c.subtitle ?? '', (c.buttons ?? []).map((b) => [b.title, b.type, b.payload ?? null])])];
    case 'unknown': {
      const { sender_id: _s, conv_id: _c, ...rest } = (m.raw ?? {}) as Record<string, unknown>;
      return ['unknown', rest];
    }
    default:
      return [m.kind, m.url];
  }
}

const canon = (m: BotMessage): string => JSON.stringify(content(m));

/** What must be equal for two replies to be "the same reply with other values". */
function shape(m: BotMessage): string {
  if (m.kind === 'buttons') return JSON.stringify(['buttons', m.buttons.map((b) => b.title)]);
  if (m.kind === 'carousel') return JSON.stringify(['carousel', m.cards.map((c) => (c.buttons ?? []).map((b) => b.title))]);
  return m.kind;
}

/** How much of two texts is the same, word for word (to pair replies that arrived in another order). */
function likeness(x: BotMessage, y: BotMessage): number {
  const tx = textOf(x) ?? ('url' in x ? x.url : '');
  const ty = textOf(y) ?? ('url' in y ? y.url : '');
  return diffWords(tx, ty).reduce((n, seg) => n + ('same' in seg ? seg.same.length : 0), 0);
}

/** Pairs each reply of `a` with one of `b`: equal ones first, then the most alike of the same shape. */
export function pairReplies(a: readonly BotMessage[], b: readonly BotMessage[]): Array<[BotMessage, BotMessage]> | null {
  if (a.length !== b.length) return null;
  const left = [...b];
  const pairs = new Map<BotMessage, BotMessage>();
  for (const m of a) {
    const i = left.findIndex((x) => canon(x) === canon(m));
    const [taken] = i >= 0 ? left.splice(i, 1) : [];
    if (taken) pairs.set(m, taken);
  }
  for (const m of a) {
    if (pairs.has(m)) continue;
    let best: number | undefined;
    left.forEach((x, i) => {
      const current = best === undefined ? undefined : left[best];
      if (shape(x) === shape(m) && (current === undefined || likeness(m, x) > likeness(m, current))) best = i;
    });
    const [taken] = best === undefined ? [] : left.splice(best, 1);
    if (taken) pairs.set(m, taken);
  }
  const paired = a.flatMap((m): Array<[BotMessage, BotMessage]> => {
    const other = pairs.get(m);
    return other ? [[m, other]] : [];
  });
  return paired.length === a.length ? paired : null;
}

export class Generaliser {
  readonly captured: Captured[] = [];
  /** Replies that differed between the visits and were generalised. */
  volatile = 0;
  private readonly names = new Set<string>();

  takeName = (hint: string): string => {
    let name = hint;
    for (let n = 2; this.names.has(name); n++) name = `${hint}${n}`;
    this.names.add(name);
    return name;
  };

  /** The action of the second visit: values captured in the first replaced by the second's. */
  forReplay(action: Action): Action {
    if (action.kind !== 'say') return action;
    return { ...action, text: this.replaceValues(action.text, (c) => c.b) };
  }

  /** The action as the feature writes it: captured values become {{name}}. */
  written(action: Action): Action {
    if (action.kind !== 'say' || needsRegex(action.text)) return action;
    return { ...action, text: this.replaceValues(action.text, (c) => `{{${c.name}}}`) };
  }

  /** The checks of one turn from its two visits; throws UnstableError when they cannot be paired. */
  turn(a: ObservedTurn, b: ObservedTurn, index: number): ScenarioTurn {
    const pairs = pairReplies(a.replies, b.replies);
    if (!pairs) {
      const list = (ms: BotMessage[]): string => (ms.length ? ms.map(renderCompact).join('; ') : 'nothing');
      throw new UnstableError(`turn ${index + 1} answered differently on a second visit: first ${list(a.replies)}; then ${list(b.replies)}`);
    }
    const checks = pairs.map(([ma, mb]) => this.check(ma, mb));
    orderChecks(checks, a.replies);
    // Notes after replies: a value a reply captured can then be quoted as {{name}}.
    return { action: this.written(a.action), checks: sortStructuralLast(checks), notes: this.notes(a.notes, b.notes) };
  }

  /** Notes checked like texts where both visits sent them alike; a note only one visit sent stays a comment. */
  private notes(a: readonly BotMessage[], b: readonly BotMessage[]): NoteCheck[] {
    const pairs = pairReplies(a, b);
    if (!pairs) return a.map((n) => ({ mode: 'comment', value: textOf(n) ?? renderCompact(n) }));
    return pairs.map(([na, nb]) => {
      const ta = textOf(na);
      const tb = textOf(nb);
      if (ta === null || tb === null || needsRegex(ta)) return { mode: 'comment', value: ta ?? renderCompact(na) };
      if (ta === tb) return { mode: 'exact', value: ta };
      const withVars = this.replaceValues(ta, (c) => `{{${c.name}}}`);
      if (withVars !== ta && withVars === this.replaceValues(tb, (c) => `{{${c.name}}}`, 'b')) return { mode: 'exact', value: withVars };
      const part = longestSame(ta, tb);
      return part.trim().length >= 3 ? { mode: 'containing', value: part.trim() } : { mode: 'comment', value: ta };
    });
  }

  private check(a: BotMessage, b: BotMessage): ReplyCheck {
    switch (a.kind) {
      case 'text':
        return { kind: 'text', text: this.text(a.text, textOf(b) ?? '') };
      case 'buttons': {
        const text = a.text.trim() === '' ? null : this.text(a.text, textOf(b) ?? '');
        return { kind: 'buttons', text, titles: a.buttons.map((x) => x.title), ...linksOf(a, b) };
      }
      case 'carousel': {
        const cards = cardsOf(a);
        const same = b.kind === 'carousel' && JSON.stringify(cardsOf(b)) === JSON.stringify(cards);
        if (!same) this.volatile++;
        const text = a.text.trim() === '' ? null : this.text(a.text, textOf(b) ?? '');
        return { kind: 'carousel', text, count: a.cards.length, cards: same ? cards : null, ...linksOf(a, b) };
      }
      case 'unknown': {
        // Without the address fields, which differ per conversation and say nothing to a reader.
        const { sender_id: _s, conv_id: _c, message_type: _t, private: _p, ...rest } = (isRecord(a.raw) ? a.raw : { body: a.raw }) as Record<string, unknown>;
        return { kind: 'unknown', summary: `${a.reason}: ${JSON.stringify(rest)}` };
      }
      default: {
        const urlB = 'url' in b ? b.url : '';
        if (a.url === urlB) return { kind: 'media', media: a.kind, urlPart: a.url };
        this.volatile++;
        return { kind: 'media', media: a.kind, urlPart: commonUrlPrefix(a.url, urlB) };
      }
    }
  }

  private text(a: string, b: string): TextCheck {
    if (a === b) return needsRegex(a) ? { regex: `^${escapeRegex(a)}$` } : { exact: a };
    this.volatile++;
    // A value captured earlier, quoted again: an exact check that uses the variable.
    const withVarsA = this.replaceValues(a, (c) => `{{${c.name}}}`);
    if (withVarsA !== a && withVarsA === this.replaceValues(b, (c) => `{{${c.name}}}`, 'b') && !needsRegex(a) && !needsRegex(b)) {
      return { exact: withVarsA };
    }
    const g = generaliseTexts(a, b, this.takeName);
    const re = new RegExp(g.source);
    const ga = re.exec(a)?.groups;
    const gb = re.exec(b)?.groups;
    if (!ga || !gb) throw new UnstableError(`could not generalise ${JSON.stringify(a)} and ${JSON.stringify(b)} into one pattern`);
    for (const name of g.groups) {
      const value = ga[name];
      if (value && value !== gb[name]) this.captured.push({ name, a: value, b: gb[name] ?? '' });
    }
    return { regex: g.source };
  }

  /** Replaces each captured value (of visit `side`, longest first) with `by(captured)`. */
  private replaceValues(text: string, by: (c: Captured) => string, side: 'a' | 'b' = 'a'): string {
    const sorted = [...this.captured].sort((x, y) => y[side].length - x[side].length);
    let out = text;
    for (const c of sorted) if (c[side].length >= 3) out = out.split(c[side]).join(by(c));
    return out;
  }
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function cardsOf(m: BotMessage): CardCheck[] {
  if (m.kind !== 'carousel') return [];
  return m.cards.map((c) => ({ title: c.title, subtitle: c.subtitle ?? '', buttons: (c.buttons ?? []).map((b) => b.title), image: c.image_url ?? '', url: c.item_url ?? '' }));
}

/** URL buttons whose URL both visits agree on (a URL that varies is left unchecked). */
function linksOf(a: BotMessage, b: BotMessage): { links?: LinkCheck[] } {
  const urls = (m: BotMessage): Array<{ title: string; url: string | null | undefined }> =>
    buttonsOf(m)
      .filter((x) => x.button.type !== 'postback')
      .map((x) => ({ title: x.button.title, url: x.button.url }));
  const other = urls(b);
  const links = urls(a).filter((l, i): l is LinkCheck => typeof l.url === 'string' && l.url !== '' && other[i]?.url === l.url);
  // One step per title: a title that two URL buttons share cannot say which one it means.
  const unique = links.filter((l) => links.filter((x) => x.title === l.title).length === 1);
  return unique.length ? { links: unique } : {};
}

/** The longest run the two texts share word for word. */
function longestSame(a: string, b: string): string {
  return diffWords(a, b).reduce((best, seg) => ('same' in seg && seg.same.length > best.length ? seg.same : best), '');
}

/** A structural check whose text is not unique in the turn names its structure first (turn semantics). */
function orderChecks(checks: ReplyCheck[], replies: readonly BotMessage[]): void {
  for (const c of checks) {
    if ((c.kind !== 'buttons' && c.kind !== 'carousel') || c.text === null) continue;
    const t = c.text;
    const re = 'regex' in t ? new RegExp(t.regex) : null;
    const hits = replies.filter((m) => {
      const text = textOf(m);
      if (text === null) return false;
      return re ? re.test(text) : text.trim() === ('exact' in t ? t.exact : '').trim();
    }).length;
    if (hits > 1) c.structureFirst = true;
  }
}

/** Plain texts and media first, then messages with buttons or cards (see orderChecks). */
function sortStructuralLast(checks: ReplyCheck[]): ReplyCheck[] {
  const structural = (c: ReplyCheck): boolean => c.kind === 'buttons' || c.kind === 'carousel';
  return [...checks.filter((c) => !structural(c)), ...checks.filter(structural)];
}

/** The postback buttons of a turn a crawler can tap unambiguously: title (and card) unique in the turn. */
export function tappable(replies: readonly BotMessage[]): { taps: Action[]; links: number } {
  const offers = replies.flatMap((m) => buttonsOf(m).map((o) => ({ ...o, m })));
  const count = (title: string, card: string | undefined): number => offers.filter((o) => o.button.title === title && o.card?.title === card).length;
  const taps: Action[] = [];
  let links = 0;
  for (const o of offers) {
    if (o.button.type !== 'postback') {
      links++;
      continue;
    }
    const card = o.card?.title;
    if (count(o.button.title, card) !== 1 || /\{\{|\\/.test(o.button.title + (card ?? ''))) continue;
    // A title on one card only still names its card: the step reads as the user sees it.
    taps.push(card === undefined ? { kind: 'tap', title: o.button.title } : { kind: 'tap', title: o.button.title, card });
  }
  return { taps, links };
}
