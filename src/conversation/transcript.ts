// Everything that happened in one conversation, in order: what the user sent, every delivery
// (replies, private notes, unknown shapes), which step claimed what, and failed checks.
// Structured, so the text log, the SVG chat and the HTML report are all drawn from it.
import { z } from 'zod';
import { renderCompact, type BotMessage, type UserAction } from '../protocol/index.ts';

export type TranscriptEvent =
  | { type: 'user'; turn: number; at: number; action: UserAction; simulated?: SimulatedMark }
  | { type: 'bot'; turn: number; at: number; index: number; message: BotMessage; claimedBy?: string }
  | { type: 'check'; turn: number; at: number; step: string; ok: boolean; error?: string }
  /** What a model decided for a step (judge or similarity), with what it cost. */
  | { type: 'verdict'; turn: number; at: number; step: string; verdict: VerdictRecord }
  | SimulationEvent;

/** A model's verdict as the transcript keeps it (the report and the run's last line read it). */
export interface VerdictRecord {
  kind: 'judge' | 'similar';
  pass: boolean;
  reason: string;
  score: number;
  model: string;
  cached: boolean;
  ms: number;
  /** Model requests made (0 when every answer came from the cache). */
  calls: number;
  /** Answers taken from the cache. */
  hits: number;
  threshold?: number;
}

/** A user action a simulated user (a model) chose: the card of a tapped carousel button, and the model's reason. */
export interface SimulatedMark {
  card?: string;
  reason?: string;
  /** The model's answer came from the cache. */
  cached?: boolean;
}

/** How a simulation ended: the model said stop, or it used up its turns. */
export type SimulationEnd = { kind: 'stop'; reason?: string } | { kind: 'limit' } | { kind: 'failed'; error: string };

/** The judge's verdict on the goal (`Then the user's goal is met`). */
export interface GoalVerdict {
  pass: boolean;
  reason: string;
  score?: number;
  cached?: boolean;
}

/**
 * A simulated user's start ('start') and end ('end'), at their places in the conversation.
 * The end carries how it ended, and later the goal's verdict and the feature written from it.
 */
export interface SimulationEvent {
  type: 'simulation';
  phase: 'start' | 'end';
  turn: number;
  at: number;
  goal: string;
  maxTurns: number;
  /** Actions the simulated user took (end only). */
  turns?: number;
  end?: SimulationEnd;
  verdict?: GoalVerdict;
  /** Where the conversation was written as a scripted scenario (relative to the report directory, and as written). */
  feature?: { href: string; path: string };
  /** The user model's requests and cache hits over the simulation (end only). */
  usage?: { calls: number; hits: number };
}

export interface TranscriptData {
  senderId: string;
  name: string;
  conversationId: number;
  startedAt: number;
  events: TranscriptEvent[];
  /**
   * The scenario's variables when the conversation ended (named groups a step captured): what the
   * run diff (`apichat-bdd diff`) puts back as {{name}} so a new booking code is no difference.
   */
  variables?: Record<string, string>;
}

// The transcript crosses a process boundary (a worker attaches it as JSON, the report reads it):
// checked on the way in. Messages and actions are checked only for their kind (they were
// normalised when recorded); unknown fields pass through.
const at = { turn: z.number(), at: z.number() };
const TranscriptEventSchema = z.discriminatedUnion('type', [
  z.looseObject({ type: z.literal('user'), ...at, action: z.looseObject({ kind: z.string() }) }),
  z.looseObject({ type: z.literal('bot'), ...at, index: z.number(), message: z.looseObject({ kind: z.string() }), claimedBy: z.string().optional() }),
  z.looseObject({ type: z.literal('check'), ...at, step: z.string(), ok: z.boolean(), error: z.string().optional() }),
  z.looseObject({ type: z.literal('simulation'), ...at, phase: z.enum(['start', 'end']), goal: z.string(), maxTurns: z.number() }),
  z.looseObject({
    type: z.literal('verdict'),
    ...at,
    step: z.string(),
    verdict: z.looseObject({ kind: z.enum(['judge', 'similar']), pass: z.boolean(), reason: z.string(), score: z.number(), model: z.string(), cached: z.boolean(), ms: z.number(), calls: z.number(), hits: z.number(), threshold: z.number().optional() }),
  }),
]);
export const TranscriptSchema = z.looseObject({
  senderId: z.string(),
  name: z.string(),
  conversationId: z.number(),
  startedAt: z.number(),
  events: z.array(TranscriptEventSchema),
  variables: z.record(z.string(), z.string()).optional(),
});

export function describeAction(a: UserAction): string {
  switch (a.kind) {
    case 'text':
      return `says ${JSON.stringify(a.text)}`;
    case 'postback':
      return `taps ${JSON.stringify(a.title)} (payload ${JSON.stringify(a.payload)})`;
    default:
      return `sends ${/^[aeiou]/.test(a.kind) ? 'an' : 'a'} ${a.kind} ${a.url}`;
  }
}

/** "the user stopped after 3 turns (\"booked\")", "the turn limit (8 turns)". */
export function describeEnd(e: Pick<SimulationEvent, 'end' | 'turns' | 'maxTurns'>): string {
  const turns = e.turns ?? 0;
  const n = `${turns} turn${turns === 1 ? '' : 's'}`;
  switch (e.end?.kind) {
    case 'stop':
      return `the simulated user stopped after ${n}${e.end.reason ? ` (${JSON.stringify(e.end.reason)})` : ''}`;
    case 'limit':
      return `the turn limit: ${n} of up to ${e.maxTurns}, and the simulated user had not stopped`;
    case 'failed':
      return `a failure after ${n}: ${e.end.error}`;
    default:
      return `still running after ${n}`;
  }
}

/** The plain-text transcript attached to every scenario. */
export function renderTranscript(t: TranscriptData): string {
  const lines = [`Conversation ${t.senderId} (${t.name}), conversation_id ${t.conversationId}`];
  let turnStart = t.startedAt;
  for (const e of t.events) {
    const rel = `+${Math.max(0, e.at - turnStart).toFixed(0)} ms`;
    if (e.type === 'user') {
      turnStart = e.at;
      const sim = e.simulated ? `  (simulated${e.simulated.reason ? `: ${e.simulated.reason}` : ''})` : '';
      lines.push(`turn ${e.turn}  user ${describeAction(e.action)}${sim}`);
    } else if (e.type === 'simulation') {
      if (e.phase === 'start') lines.push(`        simulated user: goal ${JSON.stringify(e.goal)}, up to ${e.maxTurns} turns`);
      else {
        lines.push(`        simulated user ended: ${describeEnd(e)}`);
        if (e.verdict) lines.push(`        goal ${e.verdict.pass ? 'met' : 'not met'}: ${e.verdict.reason}`);
      }
    } else if (e.type === 'bot') {
      const claim = e.claimedBy ? `  ✓ ${e.claimedBy}` : '';
      lines.push(`        bot  ${renderCompact(e.message)}  (${rel})${claim}`);
    } else if (e.type === 'verdict') {
      lines.push(`        ${describeVerdict(e.verdict)}  [${e.step}]`);
    } else if (!e.ok) {
      lines.push(`        ✗ ${e.step}: ${(e.error ?? '').split('\n')[0]}`);
    }
  }
  return lines.join('\n');
}

/** "⚖ pass 0.92 (judge gpt-4o-mini, cached, 3 ms): the answer gives the check-in time" */
function describeVerdict(v: VerdictRecord): string {
  const how = [`${v.kind === 'judge' ? 'judge' : 'embeddings'} ${v.model}`, v.cached ? 'cached' : `${v.calls} model call${v.calls === 1 ? '' : 's'}`, `${Math.round(v.ms)} ms`];
  const score = v.threshold !== undefined ? `${v.score.toFixed(3)} vs ${v.threshold}` : v.score.toFixed(2);
  return `⚖ ${v.pass ? 'pass' : 'fail'} ${score} (${how.join(', ')}): ${v.reason}`;
}

/** Model calls and cache hits of the verdicts in these transcripts (the run's last line). */
export function modelUsage(transcripts: Iterable<TranscriptData>): { verdicts: number; calls: number; hits: number } {
  const u = { verdicts: 0, calls: 0, hits: 0 };
  for (const t of transcripts) {
    for (const e of t.events) {
      // A simulated user's turns cost user-model calls (or cache hits) too.
      if (e.type === 'simulation' && e.usage) {
        u.verdicts++;
        u.calls += e.usage.calls;
        u.hits += e.usage.hits;
      }
      if (e.type !== 'verdict') continue;
      u.verdicts++;
      u.calls += e.verdict.calls;
      u.hits += e.verdict.hits;
    }
  }
  return u;
}
