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
// An explicit APICHAT_SETTLE_MS / APICHAT_QUIET_MS fixes a window. One instance serves every
// conversation of a process (see steps/support/world.ts), because one conversation rarely shows
// the bot's slowest habits, and the run as a whole does.

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
  /** The learned settle window never goes below this (simulated mode: the delivery spread + a margin). */
  settleFloorMs?: number;
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
}

/** One observation, as a --parallel worker reports it to the run (src/run/timing-hub.ts). */
export type TimingObservation =
  | { kind: 'gap'; ms: number }
  | { kind: 'first'; ms: number }
  | { kind: 'turn'; gapMs: number; firstMs?: number };

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
      ? { ...fresh, ...st, settleStartMs: Math.min(st.settleStartMs, fresh.settleStartMs), quietAfterStartMs: Math.min(st.quietAfterStartMs, fresh.quietAfterStartMs), quietBeforeStartMs: Math.min(st.quietBeforeStartMs, fresh.quietBeforeStartMs) }
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
    return { ...this.s };
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

  private learnedSettle(): number {
    const floor = this.timing.settleFloorMs ?? LIVE_SETTLE_FLOOR_MS;
    return Math.ceil(Math.min(this.cap, Math.max(floor, this.s.settleStartMs, TimingModel.justified(this.s.maxGapMs, this.s.gaps))));
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
): string | undefined {
  if (turn < 2 || previousTurnLastAt === undefined) return undefined;
  const pause = reply.at - previousTurnLastAt;
  if (pause <= 0 || model.longestPauseMs <= 0 || pause > SAFETY_FACTOR * model.longestPauseMs + MARGIN_MS) return undefined;
  const after = Math.max(0, Math.round(reply.at - turnStartedAt));
  const window = settledMs === undefined ? '' : ` (the next message waited for ${settledMs} ms of silence)`;
  return (
    `${reply.rendered} may be a late reply of turn ${turn - 1}: it arrived ${after} ms after your next message; ` +
    `the bot has paused up to ${Math.round(model.longestPauseMs)} ms between replies in this run${window}. ` +
    `If it belongs to turn ${turn - 1}, assert it there, or set APICHAT_SETTLE_MS above the bot's longest pause`
  );
}
