// A simulated user: a model plays the user toward a goal, one action per turn, through the same
// Conversation as written steps (settling, turns, transcript and report work the same). The
// model sees the conversation so far and the buttons offered now; a tap on a title that is not
// offered is told back once; it ends when the model says stop or the turn limit is reached.
// The model is behind UserPlayer (src/ai/), so this loop is tested with a scripted player.
import { renderCompact, buttonsOf } from '../protocol/index.ts';
import { describeOffer, type ChatTurn, type Offer, type UserDecision, type UserProfile, type UserTurnInput } from '../ai/user-model.ts';
import type { Conversation } from './conversation.ts';
import { ConversationError } from './errors.ts';
import { describeAction, describeEnd, type SimulationEnd, type SimulationEvent, type TranscriptData } from './transcript.ts';

/** Decides the simulated user's next action (the model, or a test's script). */
export interface UserPlayer {
  decide(input: UserTurnInput): Promise<{ decision: UserDecision; cached: boolean }>;
  /** Model requests and cache hits so far (a model player keeps them; the report and the run's last line count them). */
  readonly usage?: { calls: number; hits: number };
}

export interface SimulationOptions {
  goal: string;
  maxTurns: number;
  player: UserPlayer;
}

export interface SimulationResult {
  /** The transcript's end event: the goal step adds the verdict and the written feature to it. */
  event: SimulationEvent;
  end: SimulationEnd;
  /** Actions the simulated user took. */
  actions: number;
  /** The conversation's turn before the simulated user's first action. */
  firstTurn: number;
}

const q = (s: string): string => JSON.stringify(s);

/** The conversation as the user saw it: turn 0's replies, then each action with its replies (notes left out). */
export function chatTurns(t: TranscriptData, fromTurn = 0): ChatTurn[] {
  const turns: ChatTurn[] = [];
  let current: ChatTurn | undefined;
  for (const e of t.events) {
    if (e.type === 'user') {
      current = { user: { ...e.action, ...(e.simulated?.card !== undefined ? { card: e.simulated.card } : {}) }, bot: [] };
      if (e.turn > fromTurn) turns.push(current);
    } else if (e.type === 'bot' && !e.message.private && e.turn >= fromTurn) {
      if (!current) {
        current = { user: null, bot: [] };
        turns.push(current);
      }
      if (e.turn === 0 || current.user) current.bot.push(e.message);
    }
  }
  return turns;
}

/** The postback buttons of the newest turn that offered any: what the user may tap now. */
export function offersOf(turns: readonly ChatTurn[]): Offer[] {
  for (const t of [...turns].reverse()) {
    const offers: Offer[] = [];
    for (const m of t.bot) {
      for (const { button, card } of buttonsOf(m)) {
        if ((button.type ?? 'postback') !== 'postback') continue;
        const o: Offer = card ? { title: button.title, card: card.title } : { title: button.title };
        if (!offers.some((x) => x.title === o.title && x.card === o.card)) offers.push(o);
      }
    }
    if (offers.length) return offers;
  }
  return [];
}

/** The offer a tap means, or what to tell the model (not offered; on several cards). */
export function resolveTap(title: string, card: string | undefined, offers: readonly Offer[]): Offer | { problem: string } {
  const fits = (same: (a: string, b: string) => boolean): Offer[] =>
    offers.filter((o) => same(o.title, title) && (card === undefined || o.card === undefined || same(o.card, card)));
  let found = fits((a, b) => a === b);
  if (found.length === 0) found = fits((a, b) => a.trim().toLowerCase() === b.trim().toLowerCase());
  // A model may write the card into the title: "Choose on Deluxe", "Choose on card \"Deluxe\"".
  const split = card === undefined && found.length === 0 ? /^(.+?) on (?:card )?"?([^"]+)"?$/.exec(title) : null;
  if (split?.[1] && split[2]) {
    const again = resolveTap(split[1], split[2], offers);
    if (!('problem' in again)) return again;
  }
  const [only] = found;
  if (only && found.length === 1) return only;
  const list = offers.map(describeOffer).join(', ');
  if (found.length > 1) return { problem: `The button ${q(title)} is on several cards (${found.map((o) => q(o.card ?? '')).join(', ')}): say which one in "card". The buttons you can tap are: ${list}.` };
  const what = card === undefined ? q(title) : `${q(title)} on card ${q(card)}`;
  return { problem: offers.length ? `There is no button ${what} to tap now. The buttons you can tap are: ${list}.` : `There is no button ${what} to tap now: no button is offered. Type a message or stop.` };
}

/**
 * Plays the user until the model says stop or `maxTurns` actions were taken. Fails (and records
 * how it ended) when the bot stays silent after an action, or when the model taps a button that
 * is not offered twice in one turn.
 */
export async function simulateUser(c: Conversation, o: SimulationOptions): Promise<SimulationResult> {
  const { goal, maxTurns, player } = o;
  const firstTurn = c.currentTurn;
  c.recordSimulation({ phase: 'start', goal, maxTurns });
  let actions = 0;
  const finish = (end: SimulationEnd): SimulationEvent => c.recordSimulation({ phase: 'end', goal, maxTurns, turns: actions, end, ...(player.usage ? { usage: { ...player.usage } } : {}) });
  const where = (): string => `simulated user with the goal ${q(goal)}, turn ${actions + 1} of up to ${maxTurns}`;
  try {
    // An earlier written step may have just acted: the model sees its answer once it is over.
    if (c.currentTurn > 0) await c.awaitAnswer('the answer to the previous step', [], { silentOk: true });
    for (;;) {
      if (actions >= maxTurns) {
        const end: SimulationEnd = { kind: 'limit' };
        return { event: finish(end), end, actions, firstTurn };
      }
      const input: UserTurnInput = { goal, profile: c.profile satisfies UserProfile, turns: chatTurns(c.transcript), offers: [] };
      input.offers = offersOf(input.turns);
      let { decision, cached } = await player.decide(input);
      let tap = decision.action === 'tap' ? resolveTap(decision.title, decision.card, input.offers) : undefined;
      if (tap && 'problem' in tap && decision.action === 'tap') {
        // Told back once, with the titles that are offered.
        const missed = decision;
        ({ decision, cached } = await player.decide({ ...input, miss: { answer: JSON.stringify(missed), problem: tap.problem } }));
        tap = decision.action === 'tap' ? resolveTap(decision.title, decision.card, input.offers) : undefined;
        if (tap && 'problem' in tap && decision.action === 'tap') {
          const offered = input.offers.length ? `the buttons offered are ${input.offers.map(describeOffer).join(', ')}` : 'no button is offered';
          throw new ConversationError(
            'APICHAT_SIMULATED_TAP',
            `The simulated user tapped a button that is not offered twice (${describeOffer(missed)}, then ${describeOffer(decision)}); ${offered} (${where()}).`,
          );
        }
      }
      const reason = decision.reason === undefined ? {} : { reason: decision.reason };
      const note = `${where()}; a bot that stops answering fails the simulation as it fails a written step`;
      if (decision.action === 'stop') {
        const end: SimulationEnd = { kind: 'stop', ...reason };
        return { event: finish(end), end, actions, firstTurn };
      }
      if (decision.action === 'say') await c.say(decision.text, { ...reason, ...(cached ? { cached } : {}) });
      else if (tap && !('problem' in tap)) await c.tap(tap.title, tap.card, { ...(tap.card !== undefined ? { card: tap.card } : {}), ...reason, ...(cached ? { cached } : {}) });
      actions++;
      await c.awaitAnswer("a reply to the simulated user's action", [note]);
    }
  } catch (e) {
    finish({ kind: 'failed', error: (e instanceof Error ? e.message : String(e)).split('\n')[0] ?? '' });
    throw e;
  }
}

/** The last `n` turns, as failure lines: the user's action, then each reply compactly. */
function lastTurnLines(t: TranscriptData, n = 3): string[] {
  const users = t.events.filter((e) => e.type === 'user');
  const from = users.at(-n)?.turn ?? 0;
  const lines: string[] = [];
  for (const e of t.events) {
    if (e.turn < from) continue;
    if (e.type === 'user') {
      const card = e.simulated?.card === undefined ? '' : ` on card ${q(e.simulated.card)}`;
      lines.push(`    turn ${e.turn}  user ${describeAction(e.action)}${card}${e.simulated ? ' (simulated)' : ''}`);
    }
    else if (e.type === 'bot' && !e.message.private) lines.push(`            bot  ${renderCompact(e.message)}`);
  }
  return lines.length ? lines : ['    (no turn yet)'];
}

/** The failure of `Then the user's goal is met`: the goal, how the simulation ended, the last three turns, the judge's reason. */
export function goalFailure(event: SimulationEvent, verdict: { reason: string; score?: number; cached?: boolean }, t: TranscriptData): ConversationError {
  return new ConversationError('APICHAT_GOAL_NOT_MET', judgedFailure("The user's goal was not met.", `the goal ${q(event.goal)} reached (the judge reads the whole conversation)`, verdict, t, describeEnd(event)));
}

/** The failure of a judgement over a whole conversation, in the one failure shape. */
export function judgedFailure(headline: string, expected: string, verdict: { reason: string; score?: number; cached?: boolean }, t: TranscriptData, ended?: string): string {
  const score = verdict.score === undefined ? '' : `score ${verdict.score}`;
  const extra = [score, verdict.cached ? 'from the cache' : ''].filter(Boolean).join(', ');
  return [
    headline,
    `  expected: ${expected}`,
    ...(ended ? [`  ended:    ${ended}`] : []),
    `  judge:    ${verdict.reason}${extra ? ` (${extra})` : ''}`,
    '  last turns:',
    ...lastTurnLines(t),
    "  transcript: the chat picture is attached to this step (Cucumber's HTML report); every conversation is in reports/conversations.html",
  ].join('\n');
}

/** The end event of the latest simulated user of this conversation, if any. */
export function latestSimulation(t: TranscriptData): SimulationEvent | undefined {
  return t.events.findLast((e): e is SimulationEvent => e.type === 'simulation' && e.phase === 'end');
}
