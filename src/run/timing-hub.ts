// The run's one timing model, as the coordinator holds it: serial runs use it directly (the
// World of the plugin's process); --parallel workers report their observations to it through the
// worker channel (src/inbox/control.ts, /v1/timing) and are pushed the aggregate, so a pause one
// worker sees widens every worker's windows. At the end of the run it is what the timing file
// keeps (src/run/timing-file.ts).
import { z } from 'zod';
import { TimingModel, type Timing, type TimingObservation } from '../conversation/index.ts';
import type { TimingHub } from '../inbox/index.ts';
import { RemoteTimingLink } from '../inbox/remote-timing.ts';
import type { SharedRun } from './shared.ts';
import { PathKeySchema, TimingStateSchema, timingPath, writeTimingState } from './timing-file.ts';

const ms = z.number().finite().nonnegative();
const TimingObservationSchema = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('gap'), ms }),
  z.object({ kind: z.literal('first'), ms }),
  z.object({ kind: z.literal('turn'), gapMs: ms, firstMs: ms.optional() }),
  z.object({ kind: z.literal('path'), key: PathKeySchema, replies: z.number().int().nonnegative(), windowMs: ms }),
  z.object({ kind: z.literal('mixed'), key: PathKeySchema }),
]) satisfies z.ZodType<TimingObservation>;
/** One report: the observations a worker queued since its last one. */
const ReportSchema = z.array(TimingObservationSchema).max(10_000);

export class RunTiming implements TimingHub {
  readonly model: TimingModel;
  private readonly listeners = new Set<() => void>();

  constructor(timing: Timing) {
    this.model = new TimingModel(timing);
  }

  report(body: unknown): boolean {
    const parsed = ReportSchema.safeParse(body);
    if (!parsed.success) return false;
    for (const o of parsed.data) this.model.apply(o);
    if (parsed.data.length > 0) for (const fn of this.listeners) fn();
    return true;
  }

  state(): unknown {
    return this.model.state();
  }

  subscribe(fn: () => void): () => void {
    this.listeners.add(fn);
    return () => void this.listeners.delete(fn);
  }
}

/**
 * A --parallel worker's model: it starts from the run's (APICHAT_RUN carries what earlier runs
 * saw), reports what this worker observes to the coordinator, and takes in what every worker saw.
 * Without a worker channel (none in the description) the worker learns on its own.
 */
export function workerTiming(shared: Pick<SharedRun, 'timing' | 'inboxUrl' | 'inboxToken'>): { model: TimingModel; link?: RemoteTimingLink } {
  const model = new TimingModel(shared.timing);
  if (!shared.inboxUrl) return { model };
  // What the run is known to hold: a pause or first reply within it changes nothing there, so
  // it is not sent (ends of turns always are: they shrink the starts and count for decay).
  let known = { gap: -1, first: -1 };
  const link = new RemoteTimingLink(shared.inboxUrl, shared.inboxToken, (json) => {
    const state = TimingStateSchema.safeParse(json);
    if (!state.success) return;
    model.adopt(state.data);
    known = { gap: state.data.gaps > 0 ? state.data.maxGapMs : -1, first: state.data.firstReplies > 0 ? state.data.maxFirstReplyMs : -1 };
  });
  model.onObservation((o) => {
    if (o.kind === 'gap' && o.ms <= known.gap) return;
    if (o.kind === 'first' && o.ms <= known.first) return;
    if (o.kind === 'gap') known.gap = o.ms;
    if (o.kind === 'first') known.first = o.ms;
    link.report(o);
  });
  return { model, link };
}

/**
 * The cleanup that writes what the run learned of the bot's timing for the next run (live and
 * runner modes; simulated mode knows its spread). A failure to write is a note, not an error.
 */
export function keepTiming(botUrl: string, timing: RunTiming, dir?: string): () => Promise<string | void> {
  return async () => {
    if (!timing.model.observedAny) return; // nothing seen: the file (if any) stays as it was
    try {
      writeTimingState(botUrl, timing.model.state(), dir);
    } catch (e) {
      return `apichat-bdd: could not keep the learned timing in ${timingPath(botUrl, dir)}: ${(e as Error).message}; the next run starts conservative`;
    }
  };
}
