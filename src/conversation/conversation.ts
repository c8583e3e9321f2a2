// One bot user talking to the bot: actions (say, tap, send media), turn bookkeeping, waiting
// assertions and the transcript. Every wait is resolved by an arriving reply or by one timer.
import { judge, loadLanguageDetector, languageCode, requireModel, sharedModels, similarity, type Models, type Similarity, type Verdict } from '../ai/index.ts';
import { buildIncoming, nowMs, renderCompact, textOf, type AttachmentKind, type BotMessage, type Button, type Incoming, type UserAction } from '../protocol/index.ts';
import type { ConversationFeed, Inbox, TurnDone } from '../inbox/index.ts';
import { duplicateNotes, warningsFor } from './notes.ts';
import { buttonNotFound, offers, pickButton } from './buttons.ts';
import { nearestDiff } from './diff.ts';
import { ConversationError, formatFailure, type FailureContext } from './errors.ts';
import { lateReplyNote, pathKey, TimingModel, type Timing } from './timing-model.ts';
import { actualDetails, captures, describeExpectation, hasStructureFor, isModelExpectation, isNote, isStructural, matches, type Expectation, type ModelExpectation } from './expectations.ts';
import { describeAction, type SimulatedMark, type SimulationEvent, type TranscriptData, type TranscriptEvent, type VerdictRecord } from './transcript.ts';

/** Anything that can POST a tester message to the bot URL (BotClient does). */
export interface BotSender {
  send(message: Incoming): Promise<unknown>;
}

export interface ConversationOptions {
  inbox: Inbox;
  bot: BotSender;
  senderId: string;
  name: string;
  /** The test user's profile, sent as sender.email / sender.phone_number (empty when absent). */
  email?: string;
  phone?: string;
  conversationId: number;
  timing: Timing;
  /** The run's timing model, shared by its conversations; default: one of this conversation's own. */
  model?: TimingModel;
  /** The models of the AI phrases; default: the process's, from the AI variables (read on first use). */
  models?: () => Models;
}

/** What `expect` found: the claimed message, named groups of a regex, and a model's verdict. */
export interface ExpectResult {
  message: BotMessage;
  captured: Record<string, string>;
  /** Set for the phrases a model decides (judge, similarity). */
  verdict?: Verdict;
}

function isSimilarity(v: Verdict): v is Similarity {
  return 'scores' in v;
}

interface Received {
  message: BotMessage;
  turn: number;
  /** When it reached this process (settling is measured on this clock). */
  localAt: number;
  event: Extract<TranscriptEvent, { type: 'bot' }>;
}

export class Conversation {
  readonly transcript: TranscriptData;
  private readonly received: Received[] = [];
  private readonly arrivalListeners = new Set<() => void>();
  private readonly turnStarts: number[] = [];
  private turn = 0;
  private turnStartedAt: number;
  private turnLabel = 'before any user action';
  /** The message the previous Then step claimed, and whether a buttons/carousel step claimed it. */
  private lastClaimed: (Received & { byStructural: boolean }) | undefined;
  private lastLocalArrival = 0;
  private lastSeen: { turn: number; at: number } | undefined;
  private ended = false;
  /** The settle window each action waited for, by the turn it started. */
  private readonly settledWith: number[] = [];
  /** The conversation path (pathKey of the user's actions so far), by turn; and the turns that went on once their known reply count was in. */
  private path = '';
  private readonly pathAt: string[] = [];
  private readonly shortcutAt: number[] = [];
  readonly model: TimingModel;
  private feed: ConversationFeed | undefined;
  /** Set when the feed broke for good (Redis went away): every wait fails with it at once. */
  private feedError: Error | undefined;
  private rejectionBaseline = 0;
  /** Simulated mode: the latest turn whose replies the simulator has all delivered, and when it said so. */
  private turnDone: { turn: number; replies: number; localAt: number } | undefined;

  private constructor(private readonly o: ConversationOptions) {
    this.turnStartedAt = nowMs();
    this.model = o.model ?? new TimingModel(o.timing);
    this.transcript = { senderId: o.senderId, name: o.name, conversationId: o.conversationId, startedAt: this.turnStartedAt, events: [] };
  }

  /** Registers the bot user with the run's listener before anything is sent. */
  static async open(options: ConversationOptions): Promise<Conversation> {
    const c = new Conversation(options);
    c.rejectionBaseline = (await options.inbox.rejections()).count;
    c.feed = await options.inbox.open(options.senderId, (m) => c.onMessage(m), (e) => c.onFeedError(e), (d) => c.onTurnDone(d));
    return c;
  }

  get senderId(): string {
    return this.o.senderId;
  }
  get currentTurn(): number {
    return this.turn;
  }
  get timing(): Timing {
    return this.o.timing;
  }
  /** The test user's name and profile, as every message sends them. */
  get profile(): { name: string; email?: string; phone?: string } {
    return { name: this.o.name, ...(this.o.email !== undefined ? { email: this.o.email } : {}), ...(this.o.phone !== undefined ? { phone: this.o.phone } : {}) };
  }

  /**
   * Ends the conversation. While the run learns its timing, the feed stays open a little longer,
   * unattended: a reply that comes after the scenario has ended still teaches the model the
   * bot's pauses (the scenario that asserted only a first reply would otherwise teach nothing).
   */
  async close(): Promise<void> {
    const feed = this.feed;
    this.feed = undefined;
    this.ended = true;
    const tail = this.model.watchAfterCloseMs();
    if (!feed || tail <= 0) return feed?.close();
    setTimeout(() => void feed.close().catch(() => undefined), tail).unref();
  }

  // ---------- arrivals ----------

  private onMessage(message: BotMessage): void {
    const localAt = nowMs();
    // A reply belongs to the turn during which it reached the listener, not the one during
    // which it reached this process (a worker sees it a fraction of a millisecond later).
    const turn = this.turnAt(message.arrived_at);
    // The bot's timing, on the listener's clock: pauses within a turn, and its first reply.
    const last = this.lastSeen;
    if (last && last.turn === turn) this.model.observeGap(message.arrived_at - last.at);
    else if (turn > 0) this.model.observeFirstReply(message.arrived_at - (this.turnStarts[turn - 1] ?? this.turnStartedAt));
    this.lastSeen = { turn, at: message.arrived_at };
    if (this.ended) return;
    const event: Received['event'] = { type: 'bot', turn, at: message.arrived_at, index: this.received.length, message };
    this.received.push({ message, turn, localAt, event });
    this.transcript.events.push(event);
    this.lastLocalArrival = localAt;
    this.wake();
  }

  private onTurnDone(done: TurnDone): void {
    this.turnDone = { turn: done.turn, replies: done.replies, localAt: nowMs() };
    this.wake();
  }

  /**
   * When this turn's replies are known to be complete (the simulator said so): the settle window
   * after that, else undefined (a live bot can always send later).
   */
  private knownEnd(): number | undefined {
    return this.turnOver() ? this.turnDone!.localAt + this.settleWindowMs() : undefined;
  }

  /** Simulated mode (Timing.turnEnds), a turn after a user action: the simulator will say when its replies are all in. */
  private turnEndsKnown(): boolean {
    return !!this.o.timing.turnEnds && this.turn > 0;
  }

  /** The simulator has said this turn's replies are all in (they precede its word on the feed). */
  private turnOver(): boolean {
    return this.turnDone?.turn === this.turn;
  }

  /**
   * Where the simulator will say so (turnEndsKnown), the deadline of a wait for "every reply of
   * this turn is in": now once it has; until then the reply timeout from the action, or
   * `otherwise` if later, should its word never come. Elsewhere: `otherwise`, a window of silence.
   */
  private turnEndDeadline(otherwise: () => number): () => number {
    if (!this.turnEndsKnown()) return otherwise;
    return () => (this.turnOver() ? 0 : Math.max(otherwise(), this.turnStartedAt + this.o.timing.replyTimeoutMs));
  }

  /** Simulated mode: waits (up to the reply timeout) until the simulator says this turn's replies are all in; false elsewhere. */
  async awaitTurnEnd(): Promise<boolean> {
    if (!this.turnEndsKnown()) return false;
    return (await this.waitFor(() => (this.turnOver() ? true : undefined), this.turnEndDeadline(() => 0))) === true;
  }

  private onFeedError(e: Error): void {
    this.feedError ??= e;
    this.wake();
  }

  /** Wakes every wait to re-check (a copy: a woken wait removes its own listener). */
  private wake(): void {
    for (const fn of [...this.arrivalListeners]) fn();
  }

  private turnAt(at: number): number {
    for (let i = this.turnStarts.length - 1; i >= 0; i--) if (this.turnStarts[i]! <= at) return i + 1;
    return 0;
  }

  /** Resolves true on the next arrival, false after `ms` without one. One timer, no polling. */
  private nextArrival(ms: number): Promise<boolean> {
    return new Promise((resolve) => {
      const done = (arrived: boolean): void => {
        clearTimeout(timer);
        this.arrivalListeners.delete(onArrival);
        resolve(arrived);
      };
      const onArrival = (): void => done(true);
      const timer = setTimeout(() => done(false), Math.max(0, ms));
      this.arrivalListeners.add(onArrival);
    });
  }

  /** Re-checks on every arrival until `check` yields a value or `deadline()` (re-read each time) passes. */
  private async waitFor<T>(check: () => T | undefined, deadline: () => number): Promise<T | undefined> {
    for (;;) {
      if (this.feedError) throw this.feedError;
      const found = check();
      if (found !== undefined) return found;
      const left = deadline() - nowMs();
      if (left <= 0) return undefined;
      await this.nextArrival(left);
    }
  }

  /** Replies (or, with notes = true, private notes) of the current turn that no step has claimed yet. */
  private unclaimed(notes = false): Received[] {
    return this.received.filter((r) => r.turn === this.turn && !r.event.claimedBy && r.message.private === notes);
  }

  // ---------- user actions ----------

  settleWindowMs(): number {
    return this.model.settleWindowMs();
  }

  /**
   * Waits, as a person would, until the bot has been silent for the settle window; or, on a path
   * whose reply count the run knows (TimingModel.expectedReplies), until that many replies are
   * in. Returns the window waited for, 0 for such a shortcut.
   */
  async settle(): Promise<number> {
    const key = this.pathAt[this.turn];
    let expected = key === undefined ? undefined : this.model.expectedReplies(key);
    const count = (): number => this.deliveriesInTurn();
    /** The known count is in (a count above it ends the trust in this path). */
    const known = (): boolean => {
      if (expected === undefined) return false;
      if (count() > expected) {
        this.distrustPath(this.turn);
        expected = undefined;
        return false;
      }
      return count() === expected;
    };
    const shortcut = (): number => {
      this.shortcutAt[this.turn] = expected!;
      return 0;
    };
    if (known()) return shortcut();
    // Simulated: the simulator's word ends the turn, however long a loaded machine kept its deliveries apart.
    if (await this.awaitTurnEnd()) return this.settleWindowMs();
    // A turn that has had no reply yet may still get one, and the payload carries nothing to
    // tell it from a reply to the next message: give it the quiet window to start arriving.
    if (this.turn > 0 && count() === 0) {
      await this.waitFor(() => this.received.find((r) => r.turn === this.turn), () => this.turnStartedAt + this.model.quietWindowMs(false));
      if (known()) return shortcut();
    }
    const window = this.settleWindowMs();
    if (window <= 0) return window;
    for (;;) {
      const silentFor = nowMs() - this.lastLocalArrival;
      if (silentFor >= window) return window;
      await this.nextArrival(window - silentFor);
      if (known()) return shortcut();
    }
  }

  /** Path of `turn` is not to be trusted; nor the turn before, if it went on without waiting (its late reply may be what came). */
  private distrustPath(turn: number): void {
    const key = this.pathAt[turn];
    if (key !== undefined) this.model.observeMixed(key);
    const before = this.pathAt[turn - 1];
    if (before !== undefined && this.shortcutAt[turn - 1] !== undefined) this.model.observeMixed(before);
  }

  /** `simulated` marks an action a simulated user (a model) chose; the report shows it so. */
  async say(text: string, simulated?: SimulatedMark): Promise<void> {
    await this.act({ kind: 'text', text }, simulated);
  }

  async sendAttachment(kind: AttachmentKind, url: string): Promise<void> {
    await this.act({ kind, url });
  }

  /** Taps a postback button: of the newest message offering it, or of one card of a carousel. */
  async tap(title: string, card?: string, simulated?: SimulatedMark): Promise<void> {
    const button = await this.locateButton(title, card);
    await this.act({ kind: 'postback', title: button.title, payload: button.payload ?? button.title }, simulated);
  }

  private async act(action: UserAction, simulated?: SimulatedMark): Promise<void> {
    const settled = await this.settle();
    if (this.feedError) throw this.feedError;
    if (this.received.some((r) => r.turn === this.turn && r.turn > 0)) this.model.observeTurnEnd(); // one more turn of evidence
    this.countReplies(settled);
    this.turn++;
    this.path = pathKey(this.path, action);
    this.pathAt[this.turn] = this.path;
    this.settledWith[this.turn] = settled;
    this.turnStartedAt = nowMs();
    this.turnStarts.push(this.turnStartedAt);
    this.turnLabel = `after the user ${describeAction(action)}`;
    this.lastClaimed = undefined;
    this.transcript.events.push({ type: 'user', turn: this.turn, at: this.turnStartedAt, action, ...(simulated ? { simulated } : {}) });
    await this.o.bot.send(buildIncoming({ id: this.o.senderId, name: this.o.name, email: this.o.email, phone_number: this.o.phone }, this.o.conversationId, action));
  }

  /** Deliveries of the current turn so far, private notes included (what a path's reply count counts). */
  private deliveriesInTurn(): number {
    return this.received.filter((r) => r.turn === this.turn).length;
  }

  /** After a full settle window: how many replies this turn's path gave (a count unlike its memo ends the trust in it). */
  private countReplies(settledMs: number): void {
    const key = this.pathAt[this.turn];
    if (key === undefined || settledMs <= 0 || this.shortcutAt[this.turn] !== undefined) return;
    const wasMixed = this.model.pathMixed(key);
    this.model.observePath(key, this.deliveriesInTurn(), settledMs);
    if (!wasMixed && this.model.pathMixed(key)) this.distrustPath(this.turn);
  }

  private async locateButton(title: string, card: string | undefined): Promise<Button> {
    const offering = (r: Received): boolean => offers(r.message, title, card).length > 0;
    const inTurn = (): Received | undefined => this.received.filter((r) => r.turn === this.turn).reverse().find(offering);
    // Wait for this turn to offer it: until the first reply (reply timeout), then until the
    // turn has been quiet for the quiet window. Then fall back to earlier turns.
    const deadline = this.turnEndDeadline(() => {
      const last = this.received.filter((r) => r.turn === this.turn).at(-1);
      return last ? last.localAt + this.model.quietWindowMs(true) : this.turnStartedAt + this.o.timing.replyTimeoutMs;
    });
    const found = (await this.waitFor(inTurn, deadline)) ?? [...this.received].reverse().find(offering);
    if (!found) throw buttonNotFound(this.received.map((r) => r.message), title, card, `turn ${this.turn}, ${this.turnLabel}`);
    return pickButton(found.message, title, card);
  }

  /** Puts a simulated user's start or end at this place in the transcript (returned, so its end can be completed later). */
  recordSimulation(e: Omit<SimulationEvent, 'type' | 'turn' | 'at'>): SimulationEvent {
    const event: SimulationEvent = { type: 'simulation', turn: this.turn, at: nowMs(), ...e };
    this.transcript.events.push(event);
    return event;
  }

  /**
   * This turn's answer, once it is over as `says nothing more` would see it: the first reply
   * (up to the reply timeout), then the quiet window after the latest one. Claims nothing.
   * A silent turn fails as a Then step waiting for a reply does, expecting `expected`.
   */
  async awaitAnswer(expected: string, notes: string[] = [], o: { silentOk?: boolean } = {}): Promise<BotMessage[]> {
    const inTurn = (): Received[] => this.received.filter((r) => r.turn === this.turn);
    const first = await this.waitFor(() => inTurn().find((r) => !r.message.private), this.turnEndDeadline(() => this.turnStartedAt + this.o.timing.replyTimeoutMs));
    if (!first && o.silentOk) return inTurn().map((r) => r.message);
    if (!first) {
      const waitedMs = nowMs() - this.turnStartedAt;
      throw new ConversationError(
        'APICHAT_REPLY_TIMEOUT',
        formatFailure(`Timed out after ${Math.round(waitedMs)} ms waiting for ${expected}.`, { ...(await this.failureContext(expected)), waitedMs, notes: [...notes, ...this.turnDoneNote(waitedMs), ...this.lateNotes()] }),
      );
    }
    await this.quietAfterLatest();
    return inTurn().map((r) => r.message);
  }

  /** Waits until this turn has had no reply for the quiet window. */
  private async quietAfterLatest(): Promise<void> {
    await this.waitFor(() => undefined, this.turnEndDeadline(() => (this.received.filter((r) => r.turn === this.turn).at(-1)?.localAt ?? this.turnStartedAt) + this.model.quietWindowMs(true)));
  }

  // ---------- assertions ----------

  /**
   * Claims the first unclaimed reply of this turn that meets the expectation, waiting for it.
   * Buttons/carousel expectations first look at the message the previous step claimed.
   */
  async expect(e: Expectation, step: string): Promise<ExpectResult> {
    if (isModelExpectation(e)) return this.expectByModel(e, step);
    if (e.kind === 'language') {
      await loadLanguageDetector();
      languageCode(e.language); // an unknown language name fails now, not after the reply timeout
    }
    const previous = this.lastClaimed;
    // "shows buttons …" then "replies 'text'" reads as one message too, when its text matches.
    if (!isStructural(e) && previous?.byStructural && matches(e, previous.message)) {
      return { message: previous.message, captured: captures(e, previous.message) };
    }
    if (isStructural(e) && previous && hasStructureFor(e, previous.message)) {
      if (matches(e, previous.message)) return { message: previous.message, captured: {} };
      throw new ConversationError(
        'APICHAT_REPLY_MISMATCH',
        formatFailure('The message claimed by the previous step does not match.', {
          ...(await this.failureContext(describeExpectation(e))),
          notes: [`the previous step claimed ${renderCompact(previous.message)}`, ...actualDetails(e, [previous.message]), ...this.lateNotes()],
          diff: nearestDiff(e, [previous.message]),
        }),
      );
    }
    const started = nowMs();
    const timeout = started + this.o.timing.replyTimeoutMs;
    const deadline = (): number => Math.min(timeout, this.knownEnd() ?? Infinity);
    const found = await this.waitFor(() => this.unclaimed(isNote(e)).find((r) => matches(e, r.message)), deadline);
    if (!found) throw await this.timeoutFailure(e, nowMs() - started);
    found.event.claimedBy = step;
    this.lastClaimed = { ...found, byStructural: isStructural(e) };
    return { message: found.message, captured: captures(e, found.message) };
  }

  private async timeoutFailure(e: Expectation, waitedMs: number): Promise<ConversationError> {
    const notes: string[] = [];
    const stale = this.received.find((r) => r.turn < this.turn && !r.event.claimedBy && matches(e, r.message));
    if (stale) {
      notes.push(`a reply of turn ${stale.turn} matches (${renderCompact(stale.message)}), but replies of earlier turns never satisfy a later turn's assertions: assert it before the next user action`);
    }
    const taken = this.received.find((r) => r.turn === this.turn && r.event.claimedBy && matches(e, r.message));
    if (taken) notes.push(`a matching reply was already claimed by "${taken.event.claimedBy}"`);
    notes.push(...actualDetails(e, this.received.filter((r) => r.turn === this.turn).map((r) => r.message)));
    notes.push(...this.turnDoneNote(waitedMs));
    return new ConversationError(
      'APICHAT_REPLY_TIMEOUT',
      formatFailure(`Timed out after ${Math.round(waitedMs)} ms waiting for ${describeExpectation(e)}.`, {
        ...(await this.failureContext(describeExpectation(e))),
        waitedMs,
        notes: [...notes, ...this.lateNotes()],
        diff: nearestDiff(e, this.received.filter((r) => r.turn === this.turn && !r.event.claimedBy).map((r) => r.message)),
      }),
    );
  }

  /**
   * The phrases a model decides. They look at the turn's answer: its unclaimed text replies
   * (texts of text, button and carousel messages) in arrival order, once the turn has settled
   * (a first reply within the reply timeout, then the quiet window without another). A judge
   * that passes claims them all; a similarity that passes claims the most similar reply.
   */
  private async expectByModel(e: ModelExpectation, step: string): Promise<ExpectResult> {
    const models = this.o.models?.() ?? sharedModels();
    const model = requireModel(models.config, e.kind === 'similar' ? 'APICHAT_EMBEDDINGS_MODEL' : 'APICHAT_JUDGE_MODEL'); // one line, before any wait or request
    const started = nowMs();
    const answer = await this.settledAnswer(started + this.o.timing.replyTimeoutMs);
    if (answer.length === 0) throw await this.timeoutFailure(e, nowMs() - started);
    const texts = answer.map((r) => textOf(r.message) ?? '');
    const callsBefore = models.client.calls;
    const asked = nowMs();
    let verdict: Verdict | Similarity;
    try {
      verdict = e.kind === 'similar' ? await similarity(models, e.text, texts, e.threshold) : await judge(models, e.kind === 'effect' ? 'effect' : 'criterion', e.kind === 'effect' ? e.statement : e.criterion, texts);
    } catch (err) {
      this.recordNoVerdict(step, e.kind === 'similar' ? 'similar' : 'judge', model, err, models.client.calls - callsBefore, nowMs() - asked);
      throw err;
    }
    this.recordVerdict(step, verdict);
    if (verdict.pass) {
      const claimed = isSimilarity(verdict) ? [answer[verdict.best]!] : answer;
      for (const r of claimed) r.event.claimedBy = step;
      this.lastClaimed = { ...claimed.at(-1)!, byStructural: false };
      return { message: claimed[0]!.message, captured: {}, verdict };
    }
    throw new ConversationError(e.kind === 'similar' ? 'APICHAT_NOT_SIMILAR' : 'APICHAT_JUDGE_DISAGREES', formatFailure(this.verdictHeadline(verdict), {
      ...(await this.failureContext(describeExpectation(e.kind === 'similar' ? { ...e, threshold: verdict.threshold } : e))),
      waitedMs: nowMs() - started,
      notes: [...this.verdictNotes(e, verdict, texts), ...this.lateNotes()],
    }));
  }

  private verdictHeadline(v: Verdict | Similarity): string {
    if (isSimilarity(v)) return `No reply is similar enough: the best scores ${v.score.toFixed(3)}, below the threshold ${v.threshold}.`;
    return `The judge disagrees: ${v.reason}`;
  }

  private verdictNotes(e: ModelExpectation, v: Verdict | Similarity, texts: string[]): string[] {
    const how = `${v.model}, ${v.cached ? 'cached verdict' : `${v.calls} model call${v.calls === 1 ? '' : 's'}`}, ${Math.round(v.ms)} ms`;
    if (isSimilarity(v)) {
      return [
        `most similar reply: ${JSON.stringify(texts[v.best] ?? '')} (score ${v.score.toFixed(3)}; threshold ${v.threshold}${e.kind === 'similar' && e.threshold === undefined ? ', APICHAT_SIMILARITY' : ''})`,
        ...texts.flatMap((t, i) => (i === v.best ? [] : [`also compared: ${JSON.stringify(t)} (score ${(v.scores[i] ?? 0).toFixed(3)})`])),
        `embeddings: ${how}`,
      ];
    }
    const criterion = e.kind === 'effect' ? `statement: ${JSON.stringify(e.statement)}` : e.kind === 'judge' ? `criterion: the bot's reply ${JSON.stringify(e.criterion)}` : '';
    return [criterion, `the bot's answer: ${texts.map((t) => JSON.stringify(t)).join(' / ')}`, `judge's reason: ${v.reason} (score ${v.score.toFixed(2)}; ${how})`];
  }

  /** Why a wait that failed did not last the reply timeout: the simulator had said the turn was over. */
  private turnDoneNote(waitedMs: number): string[] {
    if (!this.turnOver() || waitedMs >= this.o.timing.replyTimeoutMs) return [];
    const { replies } = this.turnDone!;
    const n = `${replies} repl${replies === 1 ? 'y' : 'ies'}`;
    return [`the simulator had delivered all ${n} of this turn: no need to wait the ${this.o.timing.replyTimeoutMs} ms reply timeout`];
  }

  /** The unclaimed text replies of this turn once it has settled; [] when none came within the deadline. */
  private async settledAnswer(deadline: number): Promise<Received[]> {
    const texts = (): Received[] => this.unclaimed().filter((r) => textOf(r.message) !== null);
    if (!(await this.waitFor(() => texts()[0], this.turnEndDeadline(() => deadline)))) return [];
    await this.quietAfterLatest();
    return texts();
  }

  /** A model fault is no verdict, but the report shows it beside the step and the run counts the calls. */
  recordNoVerdict(step: string, kind: Verdict['kind'], model: string, err: unknown, calls: number, ms: number): void {
    const reason = `no verdict: ${(err as Error).message.split('\n')[0]}`;
    this.recordVerdict(step, { kind, pass: false, reason, score: 0, model, calls, hits: 0, cached: false, ms });
  }

  /** Puts a model's verdict beside its step (the report shows it; the run's last line counts its calls). */
  recordVerdict(step: string, v: Omit<Verdict, 'threshold'> & { threshold?: number }): void {
    const verdict: VerdictRecord = { kind: v.kind, pass: v.pass, reason: v.reason, score: v.score, model: v.model, cached: v.cached, ms: Math.round(v.ms), calls: v.calls, hits: v.hits, ...(v.threshold !== undefined ? { threshold: v.threshold } : {}) };
    this.transcript.events.push({ type: 'verdict', turn: this.turn, at: nowMs(), step, verdict });
  }

  /** No unclaimed reply in this turn now, nor within the quiet window. */
  async expectNothingMore(): Promise<void> {
    const started = nowMs();
    const lastInTurn = (): Received | undefined => this.received.filter((r) => r.turn === this.turn).at(-1);
    const extra = await this.waitFor(() => this.unclaimed()[0], this.turnEndDeadline(() => this.model.quietDeadline(started, this.turnStartedAt, lastInTurn()?.localAt)));
    if (!extra) return;
    throw new ConversationError(
      'APICHAT_UNEXPECTED_REPLY',
      formatFailure('The bot said more.', {
        ...(await this.failureContext(
          this.turnEndsKnown()
            ? 'no further reply in this turn (waited until the simulator had delivered all of its replies)'
            : `no further reply within ${this.model.describeQuiet(this.received.some((r) => r.turn === this.turn && r !== extra))}`,
        )),
        waitedMs: nowMs() - started,
        notes: [...duplicateNotes(this.unclaimed(), this.received), ...this.lateNotes()],
      }),
    );
  }

  /** The first reply of this turn arrived within `limitMs` of the user's action. Claims nothing. */
  async expectReplyWithin(limitMs: number): Promise<number> {
    const first = (): Received | undefined => this.received.find((r) => r.turn === this.turn && !r.message.private);
    const r = await this.waitFor(first, () => this.turnStartedAt + limitMs);
    const latency = r ? r.message.arrived_at - this.turnStartedAt : undefined;
    if (latency !== undefined && latency <= limitMs) return latency;
    throw new ConversationError(
      'APICHAT_TOO_SLOW',
      formatFailure(latency === undefined ? `No reply within ${limitMs} ms.` : `The first reply took ${Math.round(latency)} ms.`, {
        ...(await this.failureContext(`a reply within ${limitMs} ms of the user's action`)),
        waitedMs: nowMs() - this.turnStartedAt,
      }),
    );
  }

  /** Records a step's outcome at its place in the transcript (the report draws failures there). */
  recordCheck(step: string, ok: boolean, error?: string): void {
    this.transcript.events.push({ type: 'check', turn: this.turn, at: nowMs(), step, ok, ...(error ? { error } : {}) });
  }

  /** What every failure in this turn shows: the turn, its unclaimed replies, rejected deliveries. */
  private async failureContext(expected: string): Promise<FailureContext> {
    const unclaimed = this.unclaimed().map((r) => ({ message: r.message, at: r.message.arrived_at }));
    return { expected, turn: this.turn, turnLabel: this.turnLabel, unclaimed, turnStartedAt: this.turnStartedAt, rejections: await this.rejectionNote() };
  }

  /**
   * Notes for unclaimed replies of this turn that may be late replies of the turn before. When
   * that turn went on without waiting (its path's known reply count was in), the path is not
   * trusted again: the next run waits for silence there.
   */
  private lateNotes(): string[] {
    const previousLast = this.received.filter((r) => r.turn === this.turn - 1).at(-1)?.message.arrived_at;
    const shortcut = this.shortcutAt[this.turn - 1];
    const notes = this.unclaimed().flatMap(
      (r) => lateReplyNote({ rendered: renderCompact(r.message), at: r.message.arrived_at }, this.turn, this.turnStartedAt, previousLast, this.settledWith[this.turn], this.model, shortcut) ?? [],
    );
    if (notes.length > 0 && shortcut !== undefined) this.distrustPath(this.turn);
    return notes;
  }

  /** Rejected deliveries since the conversation opened, and a worker feed that gave up. */
  private rejectionNote(): Promise<string | null> {
    return warningsFor(this.o.inbox, this.feed, this.rejectionBaseline);
  }
}
