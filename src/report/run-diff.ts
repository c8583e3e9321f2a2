// What the bot said differently in two runs (`apichat-bdd diff OLD.ndjson NEW.ndjson`): the
// scenarios of both runs paired by feature and scenario name, their conversations turn by turn.
// A turn's replies are paired regardless of arrival order (the platform does not keep it): equal
// ones first, then the most alike of the same kind. Values are not differences: a value a step
// captured with a named group becomes {{name}} wherever it appears in that scenario's replies,
// and numbers are volatile as the crawl/record generaliser treats them (volatileForm).
import { volatileForm } from '../base/text.ts';
import { describeAction, type TranscriptData } from '../conversation/transcript.ts';
import { renderCompact, type BotMessage, type Button } from '../protocol/index.ts';
import { statusGroup } from './html.ts';
import type { ReportModel, ScenarioReport } from './model.ts';

export interface ScenarioKey {
  feature: string;
  name: string;
  uri: string;
  line: number;
}

export interface Change {
  scenario: ScenarioKey;
  /** 1-based; absent for a change of the whole scenario (added, removed, status). */
  turn?: number;
  /** What changed: "text", "button 2", "buttons order", "card \"Suite\" image", "reply", "status"… */
  what: string;
  before: string | null;
  after: string | null;
}

export interface ScenarioDiff {
  key: ScenarioKey;
  old?: ScenarioReport;
  new?: ScenarioReport;
  changes: Change[];
  /**
   * Unclaimed replies of a conversation's last turn that only one run received: the scenario
   * ended without waiting for them, so they may have arrived after it. Listed, not counted.
   */
  uncertain: Change[];
}

export interface RunDiff {
  scenarios: ScenarioDiff[];
  changes: Change[];
  uncertain: Change[];
  compared: number;
}

interface Turn {
  turn: number;
  user: string | null;
  replies: BotMessage[];
  notes: BotMessage[];
  /** The conversation's last turn: it ended with the scenario, so a reply may have come after. */
  last: boolean;
  /** Replies a step claimed (they had arrived for sure). */
  claimed: Set<BotMessage>;
}

/** Each scenario's final attempt, keyed by feature + scenario name (#2, #3 for repeated names). */
function scenariosOf(model: ReportModel): Map<string, { key: ScenarioKey; s: ScenarioReport }> {
  const out = new Map<string, { key: ScenarioKey; s: ScenarioReport }>();
  for (const f of model.features) {
    for (const s of f.scenarios) {
      const base = `${f.name}\u0000${s.name}`;
      let id = base;
      for (let n = 2; out.has(id); n++) id = `${base}\u0000${n}`;
      out.set(id, { key: { feature: f.name, name: s.name, uri: s.uri, line: s.line }, s });
    }
  }
  return out;
}

/** Replaces every captured value with {{name}} (longest values first; values under 3 characters are too common to stand for a capture). */
export function placeholders(variables: Record<string, string>): (text: string) => string {
  const entries = Object.entries(variables)
    .filter(([, v]) => v.length >= 3)
    .sort((a, b) => b[1].length - a[1].length);
  return (text) => entries.reduce((t, [name, value]) => t.split(value).join(`{{${name}}}`), text);
}

function turnsOf(transcripts: TranscriptData[]): Turn[] {
  const turns: Turn[] = [];
  let offset = 0;
  for (const t of transcripts) {
    const sub = placeholders(t.variables ?? {});
    const byTurn = new Map<number, Turn>();
    const get = (n: number): Turn => {
      let turn = byTurn.get(n);
      if (!turn) {
        turn = { turn: offset + n, user: null, replies: [], notes: [], last: false, claimed: new Set() };
        byTurn.set(n, turn);
      }
      return turn;
    };
    for (const e of t.events) {
      if (e.type === 'user') get(e.turn).user = sub(describeAction(e.action));
      else if (e.type === 'bot') {
        const m = substituted(e.message, sub);
        const turn = get(e.turn);
        (e.message.private ? turn.notes : turn.replies).push(m);
        if (e.claimedBy) turn.claimed.add(m);
      }
    }
    const list = [...byTurn.values()].sort((a, b) => a.turn - b.turn);
    const end = list.at(-1);
    if (end) end.last = true;
    turns.push(...list);
    offset = end?.turn ?? offset;
  }
  return turns;
}

/** A copy of the message with every string it shows put through `sub`. */
function substituted(m: BotMessage, sub: (s: string) => string): BotMessage {
  const button = (b: Button): Button => ({ ...b, title: sub(b.title), ...(b.url ? { url: sub(b.url) } : {}), ...(b.payload ? { payload: sub(b.payload) } : {}) });
  switch (m.kind) {
    case 'text':
      return { ...m, text: sub(m.text) };
    case 'buttons':
      return { ...m, text: sub(m.text), buttons: m.buttons.map(button) };
    case 'carousel':
      return {
        ...m,
        text: sub(m.text),
        cards: m.cards.map((c) => ({
          ...c,
          title: sub(c.title),
          ...(c.subtitle ? { subtitle: sub(c.subtitle) } : {}),
          ...(c.image_url ? { image_url: sub(c.image_url) } : {}),
          ...(c.item_url ? { item_url: sub(c.item_url) } : {}),
          ...(c.buttons ? { buttons: c.buttons.map(button) } : {}),
        })),
      };
    case 'unknown':
      return m;
    default:
      return { ...m, url: sub(m.url) };
  }
}

const same = (a: string | null | undefined, b: string | null | undefined): boolean => volatileForm(a ?? '') === volatileForm(b ?? '');

/** Everything the diff compares of a reply, in its volatile form: equal forms are the same reply. */
function form(m: BotMessage): string {
  const button = (b: Button): unknown => [b.title, b.type ?? 'postback', b.url ?? null];
  switch (m.kind) {
    case 'text':
      return volatileForm(JSON.stringify(['text', m.text]));
    case 'buttons':
      return volatileForm(JSON.stringify(['buttons', m.text, m.buttons.map(button)]));
    case 'carousel':
      return volatileForm(JSON.stringify(['carousel', m.text, m.cards.map((c) => [c.title, c.subtitle ?? '', c.image_url ?? '', c.item_url ?? '', (c.buttons ?? []).map(button)])]));
    case 'unknown': {
      const { sender_id: _s, conv_id: _c, ...rest } = (m.raw ?? {}) as Record<string, unknown>;
      return JSON.stringify(['unknown', rest]);
    }
    default:
      return volatileForm(JSON.stringify([m.kind, m.url]));
  }
}

function words(m: BotMessage): Set<string> {
  return new Set(volatileForm(renderCompact(m)).toLowerCase().split(/\W+/).filter(Boolean));
}

function likeness(a: BotMessage, b: BotMessage): number {
  const wa = words(a);
  let n = 0;
  for (const w of words(b)) if (wa.has(w)) n++;
  return n + (a.kind === b.kind ? 1000 : 0);
}

/** Pairs the replies of one turn: equal first, then the most alike (same kind preferred); the rest unpaired. */
export function pairTurnReplies(a: readonly BotMessage[], b: readonly BotMessage[]): { pairs: Array<[BotMessage, BotMessage]>; removed: BotMessage[]; added: BotMessage[] } {
  const left = [...b];
  const pairs: Array<[BotMessage, BotMessage]> = [];
  const rest: BotMessage[] = [];
  for (const m of a) {
    const i = left.findIndex((x) => form(x) === form(m));
    if (i >= 0) pairs.push([m, left.splice(i, 1)[0]!]);
    else rest.push(m);
  }
  const removed: BotMessage[] = [];
  for (const m of rest) {
    let best = -1;
    left.forEach((x, i) => {
      if (likeness(m, x) > 0 && (best < 0 || likeness(m, x) > likeness(m, left[best]!))) best = i;
    });
    if (best >= 0) pairs.push([m, left.splice(best, 1)[0]!]);
    else removed.push(m);
  }
  return { pairs, removed, added: left };
}

const titles = (bs: readonly Button[] | null | undefined): string => (bs ?? []).map((b) => b.title).join(', ');

/** The differences between two paired replies, as (what, before, after). */
function replyChanges(a: BotMessage, b: BotMessage): Array<[string, string | null, string | null]> {
  if (form(a) === form(b)) return [];
  if (a.kind !== b.kind) return [['reply', renderCompact(a), renderCompact(b)]];
  const out: Array<[string, string | null, string | null]> = [];
  const textA = 'text' in a ? a.text : null;
  const textB = 'text' in b ? b.text : null;
  if (!same(textA, textB)) out.push(['text', textA, textB]);
  if (a.kind === 'buttons' && b.kind === 'buttons') out.push(...buttonChanges(a.buttons, b.buttons, ''));
  else if (a.kind === 'carousel' && b.kind === 'carousel') {
    if (a.cards.length !== b.cards.length) out.push(['cards', a.cards.map((c) => c.title).join(', '), b.cards.map((c) => c.title).join(', ')]);
    a.cards.forEach((ca, i) => {
      const cb = b.cards[i];
      if (!cb) return;
      const at = `card ${i + 1}`;
      if (!same(ca.title, cb.title)) out.push([`${at} title`, ca.title, cb.title]);
      if (!same(ca.subtitle, cb.subtitle)) out.push([`${at} subtitle`, ca.subtitle ?? null, cb.subtitle ?? null]);
      if (!same(ca.image_url, cb.image_url)) out.push([`${at} image`, ca.image_url ?? null, cb.image_url ?? null]);
      if (!same(ca.item_url, cb.item_url)) out.push([`${at} url`, ca.item_url ?? null, cb.item_url ?? null]);
      out.push(...buttonChanges(ca.buttons ?? [], cb.buttons ?? [], `${at} `));
    });
  } else if ('url' in a && 'url' in b && !same(a.url, b.url)) out.push([`${a.kind} url`, a.url, b.url]);
  return out.length ? out : [['reply', renderCompact(a), renderCompact(b)]];
}

function buttonChanges(a: readonly Button[], b: readonly Button[], at: string): Array<[string, string | null, string | null]> {
  const out: Array<[string, string | null, string | null]> = [];
  const ta = a.map((x) => volatileForm(x.title));
  const tb = b.map((x) => volatileForm(x.title));
  if (ta.length === tb.length && [...ta].sort().join('\u0000') === [...tb].sort().join('\u0000') && ta.join('\u0000') !== tb.join('\u0000')) {
    out.push([`${at}buttons order`, titles(a), titles(b)]);
  } else if (ta.length !== tb.length) {
    out.push([`${at}buttons`, titles(a), titles(b)]);
  } else {
    a.forEach((x, i) => {
      const y = b[i]!;
      if (!same(x.title, y.title)) out.push([`${at}button ${i + 1}`, x.title, y.title]);
    });
  }
  // Link URLs, for buttons present in both by title.
  for (const x of a) {
    const y = b.find((o) => same(o.title, x.title));
    if (y && (x.url || y.url) && !same(x.url, y.url)) out.push([`${at}button "${x.title}" url`, x.url ?? null, y.url ?? null]);
  }
  return out;
}

function compareScenario(key: ScenarioKey, a: ScenarioReport, b: ScenarioReport): { changes: Change[]; uncertain: Change[] } {
  const changes: Change[] = [];
  const uncertain: Change[] = [];
  const push = (turn: number | undefined, what: string, before: string | null, after: string | null, to = changes): void => {
    to.push({ scenario: key, ...(turn !== undefined ? { turn } : {}), what, before, after });
  };
  const ga = statusGroup(a.status);
  const gb = statusGroup(b.status);
  if (ga !== gb) push(undefined, 'status', a.status, b.status);
  const ta = turnsOf(a.transcripts);
  const tb = turnsOf(b.transcripts);
  const n = Math.max(ta.length, tb.length);
  for (let i = 0; i < n; i++) {
    const x = ta[i];
    const y = tb[i];
    const turn = x?.turn ?? y?.turn ?? i;
    if (!x || !y) {
      push(turn, 'turn', x ? describeTurn(x) : null, y ? describeTurn(y) : null);
      continue;
    }
    if (!same(x.user, y.user)) push(turn, 'user', x.user, y.user);
    for (const [list, label] of [['replies', ''], ['notes', 'private note ']] as const) {
      const { pairs, removed, added } = pairTurnReplies(x[list], y[list]);
      for (const [ma, mb] of pairs) for (const [what, before, after] of replyChanges(ma, mb)) push(turn, `${label}${what}`, before, after);
      const late = (t: Turn, m: BotMessage): Change[] => (t.last && !t.claimed.has(m) ? uncertain : changes);
      for (const m of removed) push(turn, `${label || 'reply'}`.trim(), renderCompact(m), null, late(x, m));
      for (const m of added) push(turn, `${label || 'reply'}`.trim(), null, renderCompact(m), late(y, m));
    }
  }
  return { changes, uncertain };
}

function describeTurn(t: Turn): string {
  return [t.user ?? '(no user action)', ...t.replies.map(renderCompact)].join(' → ');
}

export function diffRuns(oldModel: ReportModel, newModel: ReportModel): RunDiff {
  const a = scenariosOf(oldModel);
  const b = scenariosOf(newModel);
  const scenarios: ScenarioDiff[] = [];
  for (const [id, { key, s }] of b) {
    const o = a.get(id);
    if (!o) scenarios.push({ key, new: s, changes: [{ scenario: key, what: 'scenario', before: null, after: 'only in the new run' }], uncertain: [] });
    else scenarios.push({ key, old: o.s, new: s, ...compareScenario(key, o.s, s) });
  }
  for (const [id, { key, s }] of a) {
    if (!b.has(id)) scenarios.push({ key, old: s, changes: [{ scenario: key, what: 'scenario', before: 'only in the old run', after: null }], uncertain: [] });
  }
  return { scenarios, changes: scenarios.flatMap((s) => s.changes), uncertain: scenarios.flatMap((s) => s.uncertain), compared: [...b.keys()].filter((k) => a.has(k)).length };
}

const short = (s: string | null, max = 40): string => (s === null ? '(none)' : s.length > max ? `${JSON.stringify(s.slice(0, max).trimEnd()).slice(0, -1)} …"` : JSON.stringify(s));

const WHOLE = new Set(['reply', 'private note', 'turn']);

/** `greeting 7: turn 1 text "Hello Ann! I am …" → "Hi Ann! Welcome …"` */
export function changeLine(c: Change): string {
  const where = `${c.scenario.name} ${c.scenario.line}`;
  if (c.what === 'scenario') return `${where}: ${c.before ?? c.after}`;
  const turn = c.turn !== undefined ? ` turn ${c.turn}` : '';
  // A whole reply (already rendered compactly, with its own quotes) that only one run had.
  const cut = (s: string): string => (s.length > 80 ? `${s.slice(0, 80).trimEnd()} …` : s);
  if (WHOLE.has(c.what) && c.before === null && c.after !== null) return `${where}:${turn} ${c.what} added: ${cut(c.after)}`;
  if (WHOLE.has(c.what) && c.after === null && c.before !== null) return `${where}:${turn} ${c.what} missing: ${cut(c.before)}`;
  return `${where}:${turn} ${c.what} ${short(c.before)} → ${short(c.after)}`;
}
