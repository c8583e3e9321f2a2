// A transcript turned into what a chat view draws, shared by the HTML report and the SVG:
// each delivery with the time since the user's action, which buttons the user then tapped,
// and each failed check with its expectation and the replies no step had claimed.
import { describeEnd, TranscriptSchema, type SimulatedMark, type SimulationEvent, type TranscriptData, type TranscriptEvent } from '../conversation/transcript.ts';
import { DIFF_LABEL } from '../conversation/errors.ts';
import { buttonsOf, type BotMessage, type UserAction } from '../protocol/index.ts';

type BotEvent = Extract<TranscriptEvent, { type: 'bot' }>;
type UserEvent = Extract<TranscriptEvent, { type: 'user' }>;
type CheckEvent = Extract<TranscriptEvent, { type: 'check' }>;
type VerdictEvent = Extract<TranscriptEvent, { type: 'verdict' }>;

export interface UserItem {
  type: 'user';
  turn: number;
  at: number;
  action: UserAction;
  /** Chosen by a simulated user (a model): the card it tapped on, its reason. */
  simulated?: SimulatedMark;
}
/** A simulated user's start or end (how it ended, the goal's verdict, the feature written from it). */
export type SimulationItem = SimulationEvent;
export interface BotItem {
  type: 'bot';
  turn: number;
  at: number;
  /** Milliseconds since the user action that opened this turn (since the start for turn 0). */
  sinceActionMs: number;
  message: BotMessage;
  claimedBy?: string;
  /** Indexes into buttonsOf(message) of the buttons a later user action tapped. */
  tapped: number[];
}
export interface CheckItem {
  type: 'check';
  turn: number;
  at: number;
  step: string;
  ok: boolean;
  error?: string;
  /** First line of the error. */
  headline: string;
  /** The `expected:` line of the failure, when it has one. */
  expected?: string;
  /** Replies of this turn no step had claimed when the check failed (private notes excluded). */
  unclaimed: Array<{ message: BotMessage; sinceActionMs: number }>;
  /** The failure's diff against the nearest reply (src/conversation/diff.ts), when it has one. */
  diff?: { headline: string; lines: string[] };
}
/** A model's verdict for a step (judge or similarity), at its place in the chat. */
export interface VerdictItem {
  type: 'verdict';
  turn: number;
  at: number;
  step: string;
  verdict: VerdictEvent['verdict'];
}
export type ChatItem = UserItem | BotItem | CheckItem | VerdictItem | SimulationItem;

/**
 * For each user tap (index into events), the delivery and button it tapped: the newest
 * earlier non-private delivery offering a button with that title and payload (as `tap` picks it).
 */
export function attributeTaps(t: TranscriptData): Map<number, { event: number; button: number }> {
  const taps = new Map<number, { event: number; button: number }>();
  t.events.forEach((e, i) => {
    if (e.type !== 'user' || e.action.kind !== 'postback') return;
    const { title, payload } = e.action;
    for (let j = i - 1; j >= 0; j--) {
      const b = t.events[j];
      if (b?.type !== 'bot' || b.message.private) continue;
      const offered = buttonsOf(b.message);
      let k = offered.findIndex((o) => o.button.title === title && (o.button.payload ?? o.button.title) === payload);
      if (k < 0) k = offered.findIndex((o) => o.button.payload != null && o.button.payload === payload);
      if (k >= 0) {
        taps.set(i, { event: j, button: k });
        return;
      }
    }
  });
  return taps;
}

export function chatItems(t: TranscriptData): ChatItem[] {
  const taps = attributeTaps(t);
  const tappedByEvent = new Map<number, number[]>();
  for (const { event, button } of taps.values()) tappedByEvent.set(event, [...(tappedByEvent.get(event) ?? []), button]);
  const turnStart = new Map<number, number>([[0, t.startedAt]]);
  for (const e of t.events) if (e.type === 'user' && !turnStart.has(e.turn)) turnStart.set(e.turn, e.at);
  const since = (e: TranscriptEvent): number => Math.max(0, e.at - (turnStart.get(e.turn) ?? t.startedAt));

  return t.events.map((e, i): ChatItem => {
    if (e.type === 'user') return userItem(e);
    if (e.type === 'bot') return botItem(e, since(e), tappedByEvent.get(i) ?? []);
    if (e.type === 'simulation') return e;
    if (e.type === 'verdict') return { type: 'verdict', turn: e.turn, at: e.at, step: e.step, verdict: e.verdict };
    const unclaimed = t.events
      .slice(0, i)
      .filter((b): b is BotEvent => b.type === 'bot' && b.turn === e.turn && !b.claimedBy && !b.message.private)
      .map((b) => ({ message: b.message, sinceActionMs: since(b) }));
    return checkItem(e, unclaimed);
  });
}

function userItem(e: UserEvent): UserItem {
  return { type: 'user', turn: e.turn, at: e.at, action: e.action, ...(e.simulated ? { simulated: e.simulated } : {}) };
}

function botItem(e: BotEvent, sinceActionMs: number, tapped: number[]): BotItem {
  return { type: 'bot', turn: e.turn, at: e.at, sinceActionMs, message: e.message, ...(e.claimedBy ? { claimedBy: e.claimedBy } : {}), tapped: [...new Set(tapped)].sort((a, b) => a - b) };
}

function checkItem(e: CheckEvent, unclaimed: CheckItem['unclaimed']): CheckItem {
  const error = e.error ?? '';
  const expected = /^\s*expected:\s*(.*)$/m.exec(error)?.[1];
  return {
    type: 'check',
    turn: e.turn,
    at: e.at,
    step: e.step,
    ok: e.ok,
    ...(e.error !== undefined ? { error: e.error } : {}),
    headline: error.split('\n')[0] ?? '',
    ...(expected !== undefined ? { expected } : {}),
    unclaimed,
    ...diffOf(error),
  };
}

/** The diff block of a failure message: its `diff:` line and the indented lines under it. */
export function diffOf(error: string): Pick<CheckItem, 'diff'> {
  const lines = error.split('\n');
  const start = lines.findIndex((l) => l.startsWith(DIFF_LABEL));
  if (start < 0) return {};
  const body: string[] = [];
  for (const l of lines.slice(start + 1)) {
    if (l !== '' && !l.startsWith('    ')) break; // the next `  label:` line
    body.push(l.slice(4));
  }
  return { diff: { headline: (lines[start] ?? '').slice(DIFF_LABEL.length), lines: body } };
}

/** What a chat view writes for a simulated user's start or end: one line each, in order. */
export function simulationLines(e: SimulationItem): Array<{ kind: 'head' | 'end' | 'pass' | 'fail' | 'feature'; text: string }> {
  if (e.phase === 'start') return [{ kind: 'head', text: `Simulated user · goal ${JSON.stringify(e.goal)} · up to ${e.maxTurns} turn${e.maxTurns === 1 ? '' : 's'}` }];
  const lines: ReturnType<typeof simulationLines> = [{ kind: 'end', text: `Simulation ended: ${describeEnd(e)}` }];
  const v = e.verdict;
  if (v) {
    const extra = [v.score === undefined ? '' : `score ${v.score}`, v.cached ? 'cached' : ''].filter(Boolean).join(', ');
    lines.push({ kind: v.pass ? 'pass' : 'fail', text: `Goal ${v.pass ? 'met ✓' : 'not met ✗'}: ${v.reason}${extra ? ` (${extra})` : ''}` });
  }
  if (e.feature) lines.push({ kind: 'feature', text: `Written as a scripted scenario: ${e.feature.path}` });
  return lines;
}

/** "+12 ms", "+1.3 s". */
export function formatSince(ms: number): string {
  return ms < 1000 ? `+${Math.round(ms)} ms` : `+${(ms / 1000).toFixed(ms < 10_000 ? 2 : 1)} s`;
}

/** "840 ms", "2.41 s", "1 min 3 s". */
export function formatDuration(ms: number): string {
  if (ms < 1000) return `${Math.round(ms)} ms`;
  if (ms < 60_000) return `${(ms / 1000).toFixed(2)} s`;
  const m = Math.floor(ms / 60_000);
  return `${m} min ${Math.round((ms % 60_000) / 1000)} s`;
}

/** Parses a transcript attachment body; null when it is not one. */
export function parseTranscript(json: string): TranscriptData | null {
  try {
    const t = TranscriptSchema.safeParse(JSON.parse(json));
    // The schema checks the shape and each event's kind; the messages were normalised when recorded.
    return t.success ? (t.data as TranscriptData) : null;
  } catch {
    return null;
  }
}
