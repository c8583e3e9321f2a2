// What crosses the process boundary on the worker channel, checked rather than cast: a worker
// trusts nothing it reads from a socket, even its own run's (a stale or foreign server on the
// port, a version mismatch). Unknown fields pass through, as everywhere else.
import { z } from 'zod';
import { ButtonSchema, CardSchema } from '../protocol/index.ts';
import type { BotMessage } from '../protocol/index.ts';

/** The worker channel's path prefix (control.ts serves it; remote.ts and remote-timing.ts call it). */
export const CONTROL_PREFIX = '/v1';
/** The SSE event name of a turn-done signal (messages are unnamed events). */
export const TURN_DONE_EVENT = 'turn-done';
/** The server's reconnect hint to clients (SSE `retry:`), in ms. */
export const CONTROL_RETRY_MS = 200;

const base = {
  sender_id: z.string().nullable(),
  conv_id: z.union([z.number(), z.string()]).nullable(),
  private: z.boolean(),
  arrived_at: z.number(),
  raw: z.unknown(),
};

export const WireMessageSchema = z.discriminatedUnion('kind', [
  z.looseObject({ ...base, kind: z.literal('text'), text: z.string() }),
  z.looseObject({ ...base, kind: z.literal('buttons'), text: z.string(), buttons: z.array(ButtonSchema) }),
  z.looseObject({ ...base, kind: z.literal('carousel'), text: z.string(), ratio: z.string().nullable(), cards: z.array(CardSchema) }),
  z.looseObject({ ...base, kind: z.enum(['image', 'audio', 'video', 'file']), url: z.string() }),
  z.looseObject({ ...base, kind: z.literal('unknown'), reason: z.string() }),
]);
export type WireMessage = z.infer<typeof WireMessageSchema>;

export const RejectionSchema = z.looseObject({
  at: z.number(),
  status: z.number(),
  reason: z.string(),
  excerpt: z.string().optional(),
});

export const RejectionSummarySchema = z.looseObject({
  count: z.number().int().nonnegative(),
  byReason: z.record(z.string(), z.number()),
  last: z.array(RejectionSchema),
});

export const TurnDoneSchema = z.looseObject({
  senderId: z.string(),
  turn: z.number().int().positive(),
  replies: z.number().int().nonnegative(),
  at: z.number(),
});

/** JSON.parse that answers undefined for text that is not JSON (a schema then says what is wrong). */
export function jsonOrUndefined(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

/** A message read from the feed, or a one-line reason why it is not one. */
export function parseWireMessage(data: string): { ok: true; message: BotMessage } | { ok: false; reason: string } {
  let json: unknown;
  try {
    json = JSON.parse(data);
  } catch {
    return { ok: false, reason: `an event that is not JSON (${data.slice(0, 60)})` };
  }
  const parsed = WireMessageSchema.safeParse(json);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    return { ok: false, reason: `an event that is not a message (${issue ? `${issue.path.join('.') || 'body'}: ${issue.message}` : 'unexpected shape'})` };
  }
  return { ok: true, message: parsed.data as BotMessage };
}
