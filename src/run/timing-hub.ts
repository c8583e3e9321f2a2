// The run's one timing model, as the coordinator holds it: serial runs use it directly (the
// World of the plugin's process); --parallel workers report their observations to it through the
// worker channel (src/inbox/control.ts, /v1/timing) and are pushed the aggregate, so a pause one
// worker sees widens every worker's windows. At the end of the run it is what the timing file
// keeps (src/run/timing-file.ts).
import { z } from 'zod';
import { TimingModel, type Timing, type TimingObservation } from '../conversation/index.ts';
import type { TimingHub } from '../inbox/index.ts';

const ms = z.number().finite().nonnegative();
export const TimingObservationSchema = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('gap'), ms }),
  z.object({ kind: z.literal('first'), ms }),
  z.object({ kind: z.literal('turn'), gapMs: ms, firstMs: ms.optional() }),
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
