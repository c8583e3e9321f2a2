// What a run hands to its workers (APICHAT_RUN) and to whoever started it (RunHandle). Its own
// file so that run.ts and redis.ts both import it without importing each other.
import { z } from 'zod';
import { ApiChatError } from '../base/errors.ts';
import { MODES, type Config } from '../config.ts';
import type { Inbox, MemoryStore, RedisRunInfo, RunningControl, RunningListener } from '../inbox/index.ts';
import type { Simulator } from '../simulator/index.ts';
import type { Timing, TimingModel } from '../conversation/index.ts';
import { TimingStateSchema } from './timing-file.ts';

/** The variable that hands the run's description (SharedRun, JSON) to --parallel workers. */
export const RUN_ENV = 'APICHAT_RUN';

/** Everything a worker needs, passed through the environment as APICHAT_RUN (JSON). */
export interface SharedRun {
  mode: Config['mode'];
  inboxUrl: string;
  /** The worker channel's per-run token: every request to inboxUrl carries it. */
  inboxToken: string;
  /** Runner mode (APICHAT_REDIS_URL): replies are read from Redis instead of inboxUrl. */
  redis?: RedisRunInfo;
  botUrl: string;
  flowKey: string;
  timing: Timing;
}

/** APICHAT_RUN as a worker reads it: checked, since it crosses a process boundary (and is an env variable). */
export const SharedRunSchema = z.looseObject({
  mode: z.enum(MODES),
  // The worker channel is loopback only (src/inbox/control.ts), and every request carries the token.
  // Empty in runner mode (APICHAT_REDIS_URL), where replies come from Redis instead.
  inboxUrl: z.string().regex(/^http:\/\/(127\.0\.0\.1|localhost):\d+$/).or(z.literal('')),
  inboxToken: z.string().min(16).or(z.literal('')),
  redis: z.object({ url: z.string().regex(/^rediss?:\/\//), deliveriesAtStart: z.number() }).optional(),
  botUrl: z.string().min(1),
  flowKey: z.string().min(1),
  timing: z.looseObject({
    replyTimeoutMs: z.number(),
    quietMs: z.number(),
    settleMs: z.number(),
    learnSettle: z.boolean().optional(),
    learnQuiet: z.boolean().optional(),
    learnReplies: z.boolean().optional(),
    settleFloorMs: z.number().optional(),
    turnEnds: z.boolean().optional(),
    state: TimingStateSchema.optional(),
  }),
}) satisfies z.ZodType<SharedRun>;

/** The run description a --parallel worker inherits; a one-line error when it is not one. */
export function parseSharedRun(json: string): SharedRun {
  let value: unknown;
  try {
    value = JSON.parse(json);
  } catch {
    value = undefined;
  }
  const parsed = SharedRunSchema.safeParse(value);
  if (!parsed.success) {
    throw new ApiChatError('APICHAT_RUN_INVALID', 'APICHAT_RUN: is not the run description the apichat-bdd plugin writes; it is set by the plugin for its workers — unset it in your environment', { variable: 'APICHAT_RUN' });
  }
  return parsed.data;
}

export interface RunHandle {
  readonly shared: SharedRun;
  /** This process's inbox (serial runs use it directly). */
  readonly inbox: Inbox;
  readonly simulator: Simulator | undefined;
  /** Absent in runner mode (APICHAT_REDIS_URL): the listener runs elsewhere. */
  readonly store?: MemoryStore;
  readonly listener?: RunningListener;
  readonly control?: RunningControl;
  /** The run's timing model: serial runs use it directly; --parallel workers report to it (src/run/timing-hub.ts). */
  readonly timing: TimingModel;
  /** The webhook URL registered with (or assumed by) the platform. */
  readonly webhookUrl?: string;
  /** Stops everything and, in live mode with partner variables, puts the previous webhook back. */
  close(): Promise<string[]>;
}
