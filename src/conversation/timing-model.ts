// The run's model of how the bot times its replies, learned from what arrives: the longest
// pause between two replies of one turn and the slowest first reply. The settle window (silence
// required before the next user action) and the quiet window (`says nothing more`, and how long
// a tap waits for a quiet turn) come from it. It starts conservative (the old fixed defaults)
// and shrinks as turns are observed, but never below what the observations justify; a longer
// pause widens it at once. An explicit APICHAT_SETTLE_MS / APICHAT_QUIET_MS fixes a window.
// One instance serves every conversation of a process (see steps/support/world.ts), because
// one conversation rarely shows the bot's slowest habits, and the run as a whole does.

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
}

/** A learned window is this many times the longest observation, plus MARGIN_MS. */
export const SAFETY_FACTOR = 1.5;
/** Timer and event-loop noise on top of an observed gap or latency. */
export const MARGIN_MS = 5;
/** The conservative start halves with every this many observed turns. */
export const HALF_LIFE_TURNS = 4;
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

export class TimingModel {
  private turns = 0;
  private gaps = 0;
  private maxGap = 0;
  private firstReplies = 0;
  private maxFirstReply = 0;

  constructor(readonly timing: Timing) {}

  // ---------- observations ----------

  /** How long after the user's action a turn's first delivery came. */
  observeFirstReply(latencyMs: number): void {
    if (!Number.isFinite(latencyMs)) return;
    this.firstReplies++;
    this.maxFirstReply = Math.max(this.maxFirstReply, latencyMs);
  }

  /** The pause between two consecutive deliveries of one turn. */
  observeGap(gapMs: number): void {
    if (!Number.isFinite(gapMs)) return;
    this.gaps++;
    this.maxGap = Math.max(this.maxGap, gapMs);
  }

  /** A turn that had replies ended (the next user action is about to be sent). */
  observeTurnEnd(): void {
    this.turns++;
  }

  /** The longest pause seen between replies of one turn in this run (0 before any). */
  get longestPauseMs(): number {
    return this.maxGap;
  }

  // ---------- windows ----------

  private get cap(): number {
    return this.timing.replyTimeoutMs;
  }

  /** The conservative start, halved every HALF_LIFE_TURNS observed turns. */
  private conservative(start: number): number {
    return start * 2 ** (-this.turns / HALF_LIFE_TURNS);
  }

  /** What one observation justifies: SAFETY_FACTOR × it + MARGIN_MS (0 without any). */
  private static justified(observed: number, count: number): number {
    return count === 0 ? 0 : SAFETY_FACTOR * observed + MARGIN_MS;
  }

  /** How long the bot must have been silent before the next user action is sent. */
  settleWindowMs(): number {
    const t = this.timing;
    if (!t.learnSettle) return t.settleMs;
    const floor = t.settleFloorMs ?? LIVE_SETTLE_FLOOR_MS;
    const w = Math.max(floor, this.conservative(t.settleMs), TimingModel.justified(this.maxGap, this.gaps));
    return Math.ceil(Math.min(this.cap, w));
  }

  /**
   * How long to listen for more: after the turn's latest reply (hasReply) the longest pause
   * justifies it; before any reply, the slowest first reply does. Fixed: APICHAT_QUIET_MS.
   */
  quietWindowMs(hasReply: boolean): number {
    const t = this.timing;
    if (!t.learnQuiet) return t.quietMs;
    const justified = hasReply ? Math.max(this.settleWindowMs(), TimingModel.justified(this.maxGap, this.gaps)) : TimingModel.justified(this.maxFirstReply, this.firstReplies);
    return Math.ceil(Math.min(this.cap, Math.max(this.conservative(t.quietMs), justified)));
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
      turns: this.turns,
      gaps: this.gaps,
      maxGapMs: this.maxGap,
      firstReplies: this.firstReplies,
      maxFirstReplyMs: this.maxFirstReply,
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
