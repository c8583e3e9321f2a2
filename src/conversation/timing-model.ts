// The run's model of how the bot times its replies, learned from what arrives: the longest
// pause between two replies of one turn and the slowest first reply. The settle window (silence
// required before the next user action) and the quiet window (`says nothing more`, and how long
// a tap waits for a quiet turn) come from it. The rule, as docs/live-timing.md puts it:
//  - a window starts conservative and halves after every turn whose replies all came within a
//    quarter of it (it shrinks by a sixth after any other turn), but never goes below 1.5 × the
//    longest pause seen + 5 ms; a longer pause widens it at once;
//  - what was seen is kept between runs (src/run/timing-file.ts) and shared by --parallel
//    workers (src/run/timing-hub.ts): a second run starts where the first ended. A remembered
//    pause is forgotten after DECAY_TURNS turns in a row whose pauses all stayed under half of it.
//  - per conversation path (the user's actions so far, hashed) it remembers how many replies the
//    bot sent, counted after a full settle window. Once a path has given the same count
//    PATH_EVIDENCE times, under windows that still cover the longest pause seen, the next action
//    goes out as soon as that many replies are in: no settle wait (Botium never waits; this
//    waits only where the bot has shown what it sends). Another count, or a late reply after a
//    shortcut, turns the rule off for that path for good (it is kept so in the timing file).
// An explicit APICHAT_SETTLE_MS / APICHAT_QUIET_MS fixes a window. One instance serves every
// conversation of a process (see steps/support/world.ts), because one conversation rarely shows
// the bot's slowest habits, and the run as a whole does.
import { createHash } from 'node:crypto';

/** The timing settings of a run (plain data: it travels to --parallel workers as JSON). */
export interface Timing {
  /** How long a Then step waits for its reply. */
  replyTimeoutMs: number;
  /** The quiet window: fixed, or where the learned one starts (learnQuiet). */
  quietMs: number;
  /** The settle window: fixed, or where the learned one starts (learnSettle). */
  settleMs: number;
  /** Learn the settle window from the bot's timing (no APICHAT_SETTLE_MS). */
  learnSettle?: boolean;
  /** Learn the quiet window from the bot's timing (no APICHAT_QUIET_MS). */
  learnQuiet?: boolean;
  /** Learn each conversation path's reply count and send on once it is in (live mode, settle learned). */
  learnReplies?: boolean;
  /** The learned settle window never goes below this (simulated mode: the delivery spread + a margin). */
  settleFloorMs?: number;
  /**
   * Simulated mode: the simulator says when every reply of a turn is filed (TurnDone). Settling,
   * `says nothing more`, a tap's search and a judged answer wait for that instead of a window
   * of silence, which a loaded machine can outlast between two deliveries of one turn.
   */
  turnEnds?: boolean;
  /** Where the model starts: what earlier runs saw (live mode, the timing file), absent for a fresh start. */
  state?: TimingState;
}

/**
 * What the model has learned: kept between runs (the timing file), pushed to --parallel workers.
 * Plain numbers, so it is JSON as it is.
 */
export interface TimingState {
  /** Turns observed to the end (they had a reply and the next user action followed). */
  turns: number;
  /** The longest pause between two replies of one turn still remembered, and how many pauses were seen. */
  maxGapMs: number;
  gaps: number;
  /** The slowest first reply still remembered, and how many first replies were seen. */
  maxFirstReplyMs: number;
  firstReplies: number;
  /** Where the conservative windows have come to (they only shrink; the observations widen). */
  settleStartMs: number;
  quietAfterStartMs: number;
  quietBeforeStartMs: number;
  /** Turns in a row whose pauses all stayed under half of maxGapMs, and the longest pause among them. */
  quietGapTurns: number;
  recentGapMs: number;
  /** The same for first replies. */
  quietFirstTurns: number;
  recentFirstReplyMs: number;
  /** How many replies each conversation path has given (key: pathKey of the user's actions so far). */
  paths?: Record<string, PathMemo>;
}

/** What one conversation path has shown: the same reply count `seen` times, or `mixed` counts. */
export interface PathMemo {
  replies: number;
  seen: number;
  /** The narrowest settle window among those observations: they count while it covers the longest pause seen. */
  windowMs: number;
  /** Counts differed, or a reply came late after a shortcut: never shortcut this path again. */
  mixed?: boolean;
}

/** One observation, as a --parallel worker reports it to the run (src/run/timing-hub.ts). */
export type TimingObservation =
  | { kind: 'gap'; ms: number }
  | { kind: 'first'; ms: number }
  | { kind: 'turn'; gapMs: number; firstMs?: number }
  /** A turn of path `key` ended after a full settle window of windowMs with `replies` deliveries. */
  | { kind: 'path'; key: string; replies: number; windowMs: number }
  /** Path `key` is not to be trusted (a late reply after a shortcut, or a count above its memo). */
  | { kind: 'mixed'; key: string };

/** A learned window is this many times the longest observation, plus MARGIN_MS. */
export const SAFETY_FACTOR = 1.5;
/** Timer and event-loop noise on top of an observed gap or latency. */
export const MARGIN_MS = 5;
/** A turn whose replies all came within this share of a window "agrees" with it: the window halves. */
export const AGREE_SHARE = 0.25;
/** After a turn that does not agree the conservative start still shrinks, by this factor (halving every 4 turns). */
export const SLOW_SHRINK = 2 ** -0.25;
/** A remembered pause (or first reply) is forgotten after this many turns in a row under half of it. */
export const DECAY_TURNS = 100;
/** A path's reply count is trusted after this many agreeing observations. */
export const PATH_EVIDENCE = 2;
/** At most this many paths are remembered (the oldest go first): the state travels to workers in an environment variable. */
export const MAX_PATHS = 400;

/**
 * The key of a conversation path: the previous key and the next user action, hashed (short: it
 * names a path in the timing file, it does not carry the user's texts there).
 */
export function pathKey(previous: string, action: unknown): string {
  return createHash('sha256').update(previous).update('\n').update(JSON.stringify(action)).digest('hex').slice(0, 16);
}

/** The fields of one remembered maximum (the longest pause, or the slowest first reply) and its forgetting streak. */
interface Memory {
  max: 'maxGapMs' | 'maxFirstReplyMs';
  streak: 'quietGapTurns' | 'quietFirstTurns';
  recent: 'recentGapMs' | 'recentFirstReplyMs';
}
const GAP_MEMORY: Memory = { max: 'maxGapMs', streak: 'quietGapTurns', recent: 'recentGapMs' };
const FIRST_REPLY_MEMORY: Memory = { max: 'maxFirstReplyMs', streak: 'quietFirstTurns', recent: 'recentFirstReplyMs' };

/** One turn's value against a remembered maximum: DECAY_TURNS turns in a row under half of it replace it by their longest. */
function forget(s: Record<Memory[keyof Memory], number>, m: Memory, observed: number): void {
  if (observed <= s[m.max] / 2) {
    s[m.streak]++;
    s[m.recent] = Math.max(s[m.recent], observed);
    if (s[m.streak] >= DECAY_TURNS) {
      s[m.max] = s[m.recent];
      s[m.streak] = 0;
      s[m.recent] = 0;
    }
  } else {
    s[m.streak] = 0;
    s[m.recent] = 0;
  }
}
/** The least a learned settle window is in live mode: replies of one turn travel concurrently. */
export const LIVE_SETTLE_FLOOR_MS = 10;

export interface TimingSnapshot {
  settleMs: number;
  /** The quiet window after a turn's latest reply. */
  quietAfterReplyMs: number;
  /** The quiet window of a turn that has had no reply yet (measured from the user's action). */
  quietBeforeReplyMs: number;
  /** Turns observed to the end (they had a reply and the next user action followed). */
  turns: number;
  gaps: number;
  maxGapMs: number;
  firstReplies: number;
  maxFirstReplyMs: number;
  learned: { settle: boolean; quiet: boolean };
}

const finite = (x: number): boolean => Number.isFinite(x) && x >= 0;

/** A fresh state: nothing seen, the windows at the run's start values. */
function freshTimingState(t: Pick<Timing, 'settleMs' | 'quietMs'>): TimingState {
  return {
    turns: 0,
    maxGapMs: 0,
    gaps: 0,
    maxFirstReplyMs: 0,
    firstReplies: 0,
    settleStartMs: t.settleMs,
    quietAfterStartMs: t.quietMs,
    quietBeforeStartMs: t.quietMs,
    quietGapTurns: 0,
    recentGapMs: 0,
    quietFirstTurns: 0,
    recentFirstReplyMs: 0,
  };
}

export class TimingModel {
  private s: TimingState;
  /** This process's own observations in this run: a pushed state never lowers them (see adopt). */
  private ownMaxGap = 0;
  private ownMaxFirst = 0;
  /** The turn in progress: its longest pause and its first reply. */
  private turnGap = 0;
  private turnFirst: number | undefined;
  private readonly listeners = new Set<(o: TimingObservation) => void>();
  private applied = 0;

  constructor(readonly timing: Timing) {
    const fresh = freshTimingState(timing);
    // A remembered start never exceeds this run's (a user may have lowered APICHAT_* since).
    const st = timing.state;
    this.s = st
      ? { ...fresh, ...st, settleStartMs: Math.min(st.settleStartMs, fresh.settleStartMs), quietAfterStartMs: Math.min(st.quietAfterStartMs, fresh.quietAfterStartMs), quietBeforeStartMs: Math.min(st.quietBeforeStartMs, fresh.quietBeforeStartMs), ...(st.paths ? { paths: { ...st.paths } } : {}) }
      : fresh;
  }

  // ---------- observations ----------

  /** How long after the user's action a turn's first delivery came. */
  observeFirstReply(latencyMs: number): void {
    if (!finite(latencyMs)) return;
    this.ownMaxFirst = Math.max(this.ownMaxFirst, latencyMs);
    this.turnFirst = this.turnFirst === undefined ? latencyMs : Math.max(this.turnFirst, latencyMs);
    this.take({ kind: 'first', ms: latencyMs });
  }

  /** The pause between two consecutive deliveries of one turn. */
  observeGap(gapMs: number): void {
    if (!finite(gapMs)) return;
    this.ownMaxGap = Math.max(this.ownMaxGap, gapMs);
    this.turnGap = Math.max(this.turnGap, gapMs);
    this.take({ kind: 'gap', ms: gapMs });
  }

  /** A turn that had replies ended (the next user action is about to be sent). */
  observeTurnEnd(): void {
    const o: TimingObservation = this.turnFirst === undefined ? { kind: 'turn', gapMs: this.turnGap } : { kind: 'turn', gapMs: this.turnGap, firstMs: this.turnFirst };
    this.turnGap = 0;
    this.turnFirst = undefined;
    this.take(o);
  }

  /**
   * Applies one observation: a pause or first reply widens at once; a turn's end shrinks the
   * conservative windows (halving when the turn agreed with them) and counts toward forgetting.
   * The run's coordinator applies its workers' observations here too (src/run/timing-hub.ts).
   */
  apply(o: TimingObservation): void {
    const s = this.s;
    this.applied++;
    if (o.kind === 'gap') {
      if (!finite(o.ms)) return;
      s.gaps++;
      s.maxGapMs = Math.max(s.maxGapMs, o.ms);
      return;
    }
    if (o.kind === 'first') {
      if (!finite(o.ms)) return;
      s.firstReplies++;
      s.maxFirstReplyMs = Math.max(s.maxFirstReplyMs, o.ms);
      return;
    }
    if (o.kind === 'path' || o.kind === 'mixed') {
      this.applyPath(o);
      return;
    }
    if (!finite(o.gapMs) || (o.firstMs !== undefined && !finite(o.firstMs))) return;
    // Judged against the windows as they were during the turn.
    const settle = this.learnedSettle();
    const quietAfter = this.learnedQuietAfter();
    const quietBefore = this.learnedQuietBefore();
    s.turns++;
    s.settleStartMs *= o.gapMs <= AGREE_SHARE * settle ? 0.5 : SLOW_SHRINK;
    s.quietAfterStartMs *= o.gapMs <= AGREE_SHARE * quietAfter ? 0.5 : SLOW_SHRINK;
    s.quietBeforeStartMs *= o.firstMs !== undefined && o.firstMs <= AGREE_SHARE * quietBefore ? 0.5 : SLOW_SHRINK;
    // Forgetting: a streak of turns well under the remembered pause replaces it by the streak's longest.
    forget(s, GAP_MEMORY, o.gapMs);
    if (o.firstMs !== undefined) forget(s, FIRST_REPLY_MEMORY, o.firstMs);
  }

  /** One path observation: a first count, an agreeing one, or the end of trusting the path. */
  private applyPath(o: Extract<TimingObservation, { kind: 'path' | 'mixed' }>): void {
    const paths = (this.s.paths ??= {}); // state() hands out copies; entries are replaced, never changed
    const memo = paths[o.key];
    if (memo?.mixed) return;
    let next: PathMemo;
    if (o.kind === 'mixed' || (memo && memo.replies !== o.replies)) next = { replies: memo?.replies ?? 0, seen: memo?.seen ?? 0, windowMs: memo?.windowMs ?? 0, mixed: true };
    else if (!finite(o.replies) || !finite(o.windowMs)) return;
    else if (!memo) next = { replies: o.replies, seen: 1, windowMs: o.windowMs };
    // Observations made under a window the longest pause has since outgrown count as one, renewed.
    else next = { replies: o.replies, seen: memo.seen + 1, windowMs: memo.windowMs >= this.justifiedSettle() ? Math.min(memo.windowMs, o.windowMs) : o.windowMs };
    delete paths[o.key]; // re-inserted last: the oldest-touched path is the first to go
    paths[o.key] = next;
    if (memo) return;
    const keys = Object.keys(paths);
    for (const k of keys.slice(0, Math.max(0, keys.length - MAX_PATHS))) delete paths[k];
  }

  /** A full settle window ended turn of path `key` with `replies` deliveries. */
  observePath(key: string, replies: number, windowMs: number): void {
    if (!this.timing.learnReplies) return;
    this.take({ kind: 'path', key, replies, windowMs });
  }

  /** Path `key` sent more than it had shown, or a reply of it came late after a shortcut. */
  observeMixed(key: string): void {
    if (!this.timing.learnReplies || this.s.paths?.[key]?.mixed) return;
    this.take({ kind: 'mixed', key });
  }

  /** Whether path `key` has been found not to keep to one reply count. */
  pathMixed(key: string): boolean {
    return this.s.paths?.[key]?.mixed === true;
  }

  /**
   * How many replies path `key` is known to send, or undefined while that is not trusted: too
   * few agreeing observations, counts that differed, or observations made under a settle window
   * shorter than the longest pause seen since would justify.
   */
  expectedReplies(key: string): number | undefined {
    if (!this.timing.learnReplies) return undefined;
    const memo = this.s.paths?.[key];
    if (!memo || memo.mixed || memo.seen < PATH_EVIDENCE || memo.windowMs < this.justifiedSettle()) return undefined;
    return memo.replies;
  }

  /**
   * Takes in the run's shared state (pushed by the coordinator to a --parallel worker): what any
   * worker saw widens this one's windows, and any worker's agreeing turns shrink them. This
   * process's own observations in this run still count (the push may predate them).
   */
  adopt(shared: TimingState): void {
    const s = this.s;
    this.s = {
      ...shared,
      maxGapMs: Math.max(shared.maxGapMs, this.ownMaxGap),
      maxFirstReplyMs: Math.max(shared.maxFirstReplyMs, this.ownMaxFirst),
      gaps: Math.max(shared.gaps, s.gaps),
      firstReplies: Math.max(shared.firstReplies, s.firstReplies),
      settleStartMs: Math.min(shared.settleStartMs, s.settleStartMs),
      quietAfterStartMs: Math.min(shared.quietAfterStartMs, s.quietAfterStartMs),
      quietBeforeStartMs: Math.min(shared.quietBeforeStartMs, s.quietBeforeStartMs),
      paths: mergePaths(s.paths, shared.paths),
    };
  }

  /** Calls fn with every observation this process makes (a --parallel worker reports them to the run). */
  onObservation(fn: (o: TimingObservation) => void): () => void {
    this.listeners.add(fn);
    return () => void this.listeners.delete(fn);
  }

  /** One observation of this process's own: applied here, and told to the listeners. */
  private take(o: TimingObservation): void {
    this.apply(o);
    for (const fn of this.listeners) fn(o);
  }

  /** Whether this model has taken in any observation (a run that saw no reply has nothing to keep). */
  get observedAny(): boolean {
    return this.applied > 0;
  }

  /** What the model has learned (a copy): for the timing file and for --parallel workers. */
  state(): TimingState {
    return { ...this.s, ...(this.s.paths ? { paths: { ...this.s.paths } } : {}) };
  }

  /** The longest pause seen between replies of one turn (0 before any). */
  get longestPauseMs(): number {
    return this.s.maxGapMs;
  }

  // ---------- windows ----------

  private get cap(): number {
    return this.timing.replyTimeoutMs;
  }

  /** What one observation justifies: SAFETY_FACTOR × it + MARGIN_MS (0 without any). */
  private static justified(observed: number, count: number): number {
    return count === 0 ? 0 : SAFETY_FACTOR * observed + MARGIN_MS;
  }

  /** What the observations alone justify for settling: the floor, or 1.5 × the longest pause + margin. */
  private justifiedSettle(): number {
    return Math.max(this.timing.settleFloorMs ?? LIVE_SETTLE_FLOOR_MS, TimingModel.justified(this.s.maxGapMs, this.s.gaps));
  }

  private learnedSettle(): number {
    return Math.ceil(Math.min(this.cap, Math.max(this.s.settleStartMs, this.justifiedSettle())));
  }

  private learnedQuietAfter(): number {
    const justified = Math.max(this.settleWindowMs(), TimingModel.justified(this.s.maxGapMs, this.s.gaps));
    return Math.ceil(Math.min(this.cap, Math.max(this.s.quietAfterStartMs, justified)));
  }

  private learnedQuietBefore(): number {
    return Math.ceil(Math.min(this.cap, Math.max(this.s.quietBeforeStartMs, TimingModel.justified(this.s.maxFirstReplyMs, this.s.firstReplies))));
  }

  /** How long the bot must have been silent before the next user action is sent. */
  settleWindowMs(): number {
    return this.timing.learnSettle ? this.learnedSettle() : this.timing.settleMs;
  }

  /**
   * How long to listen for more: after the turn's latest reply (hasReply) the longest pause
   * justifies it; before any reply, the slowest first reply does. Fixed: APICHAT_QUIET_MS.
   */
  quietWindowMs(hasReply: boolean): number {
    if (!this.timing.learnQuiet) return this.timing.quietMs;
    return hasReply ? this.learnedQuietAfter() : this.learnedQuietBefore();
  }

  /**
   * When `says nothing more` may pass. A fixed window counts from the step (`calledAt`); a
   * learned one from the turn's latest delivery, or from the user's action when there is none.
   */
  quietDeadline(calledAt: number, turnStartedAt: number, lastArrivalInTurn: number | undefined): number {
    if (!this.timing.learnQuiet) return calledAt + this.timing.quietMs;
    return lastArrivalInTurn === undefined ? turnStartedAt + this.quietWindowMs(false) : lastArrivalInTurn + this.quietWindowMs(true);
  }

  /** How long a closed conversation keeps listening, only to learn from late replies (0 = not learning). */
  watchAfterCloseMs(): number {
    const t = this.timing;
    return t.learnSettle || t.learnQuiet ? Math.max(t.quietMs, t.settleMs) : 0;
  }

  /** Says where a window came from, for failure messages. */
  describeQuiet(hasReply: boolean): string {
    const ms = this.quietWindowMs(hasReply);
    if (!this.timing.learnQuiet) return `${ms} ms (APICHAT_QUIET_MS)`;
    return `${ms} ms (the quiet window learned in this run${hasReply ? ', after the latest reply' : ''}; APICHAT_QUIET_MS fixes it)`;
  }

  snapshot(): TimingSnapshot {
    return {
      settleMs: this.settleWindowMs(),
      quietAfterReplyMs: this.quietWindowMs(true),
      quietBeforeReplyMs: this.quietWindowMs(false),
      turns: this.s.turns,
      gaps: this.s.gaps,
      maxGapMs: this.s.maxGapMs,
      firstReplies: this.s.firstReplies,
      maxFirstReplyMs: this.s.maxFirstReplyMs,
      learned: { settle: !!this.timing.learnSettle, quiet: !!this.timing.learnQuiet },
    };
  }
}

/** A worker's paths under the run's: the run's entry wins (it holds every worker's), a path mixed on either side stays mixed. */
function mergePaths(own: Record<string, PathMemo> | undefined, shared: Record<string, PathMemo> | undefined): Record<string, PathMemo> | undefined {
  if (!own) return shared && { ...shared };
  const merged = { ...own, ...shared };
  for (const [k, memo] of Object.entries(own)) if (memo.mixed && !merged[k]!.mixed) merged[k] = { ...merged[k]!, mixed: true };
  return merged;
}

/**
 * The longest a step can wait by these settings: a tap's wait for a quiet turn plus its reply
 * timeout, then settling (a silent turn's quiet window and the settle window). Learned windows
 * are capped at the reply timeout. Cucumber's step timeout sits above it.
 */
export function longestStepMs(t: Timing): number {
  const quiet = t.learnQuiet ? Math.max(t.quietMs, t.replyTimeoutMs) : t.quietMs;
  const settle = t.learnSettle ? Math.max(t.settleMs, t.replyTimeoutMs) : t.settleMs;
  return t.replyTimeoutMs + 2 * quiet + settle;
}

/**
 * A note for a failure in turn `turn` when an unclaimed reply of it may really belong to the
 * turn before: it came after that turn's latest reply within a pause the model finds plausible
 * for this bot (what it would settle for), so it was probably still in flight when the next
 * message went out.
 */
export function lateReplyNote(
  reply: { rendered: string; at: number },
  turn: number,
  turnStartedAt: number,
  previousTurnLastAt: number | undefined,
  settledMs: number | undefined,
  model: TimingModel,
  /** The previous turn went on once this many replies were in (its path's known count), without waiting for silence. */
  shortcutReplies?: number,
): string | undefined {
  if (turn < 2 || previousTurnLastAt === undefined) return undefined;
  const pause = reply.at - previousTurnLastAt;
  if (pause <= 0 || model.longestPauseMs <= 0 || pause > SAFETY_FACTOR * model.longestPauseMs + MARGIN_MS) return undefined;
  const after = Math.max(0, Math.round(reply.at - turnStartedAt));
  const window =
    shortcutReplies !== undefined
      ? ` (the next message went out once the ${shortcutReplies} repl${shortcutReplies === 1 ? 'y' : 'ies'} this path had always given were in; from now on it waits for silence there)`
      : settledMs === undefined
        ? ''
        : ` (the next message waited for ${settledMs} ms of silence)`;
  return (
    `${reply.rendered} may be a late reply of turn ${turn - 1}: it arrived ${after} ms after your next message; ` +
    `the bot has paused up to ${Math.round(model.longestPauseMs)} ms between replies in this run${window}. ` +
    `If it belongs to turn ${turn - 1}, assert it there, or set APICHAT_SETTLE_MS above the bot's longest pause`
  );
}
