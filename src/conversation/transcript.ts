// Everything that happened in one conversation, in order: what the user sent, every delivery
// (replies, private notes, unknown shapes), which step claimed what, and failed checks.
// Structured, so the text log, the SVG chat and the HTML report are all drawn from it.
import { z } from 'zod';
import { renderCompact, type BotMessage, type UserAction } from '../protocol/index.ts';

export type TranscriptEvent =
  | { type: 'user'; turn: number; at: number; action: UserAction }
  | { type: 'bot'; turn: number; at: number; index: number; message: BotMessage; claimedBy?: string }
  | { type: 'check'; turn: number; at: number; step: string; ok: boolean; error?: string };

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

/** The plain-text transcript attached to every scenario. */
export function renderTranscript(t: TranscriptData): string {
  const lines = [`Conversation ${t.senderId} (${t.name}), conversation_id ${t.conversationId}`];
  let turnStart = t.startedAt;
  for (const e of t.events) {
    const rel = `+${Math.max(0, e.at - turnStart).toFixed(0)} ms`;
    if (e.type === 'user') {
      turnStart = e.at;
      lines.push(`turn ${e.turn}  user ${describeAction(e.action)}`);
    } else if (e.type === 'bot') {
      const claim = e.claimedBy ? `  ✓ ${e.claimedBy}` : '';
      lines.push(`        bot  ${renderCompact(e.message)}  (${rel})${claim}`);
    } else if (!e.ok) {
      lines.push(`        ✗ ${e.step}: ${(e.error ?? '').split('\n')[0]}`);
    }
  }
  return lines.join('\n');
}
