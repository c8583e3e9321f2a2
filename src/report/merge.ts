// One report from several runs' Cucumber message files (CI shards): every file's envelopes go
// through one ReportBuilder. Each run's ids are namespaced first (Cucumber's are random, but a
// file merged twice or another producer's counters must not mix two runs' test cases); the run
// boundaries are combined (the earliest start, the latest finish, success only if every run
// succeeded), and each feature's scenarios are put back in file order.
import { toMillis as toMs, type Envelope } from './envelopes.ts';
import { ReportBuilder, type ReportModel } from './model.ts';

export interface RunEnvelopes {
  /** Where they came from (a file name), for messages. */
  source: string;
  envelopes: Iterable<Envelope>;
}

export interface MergedReport {
  model: ReportModel;
  /** Sources without testRunFinished: a shard that crashed or was cancelled. */
  unfinished: string[];
}

export function mergeRuns(runs: Iterable<RunEnvelopes>, title = 'Conversation report'): MergedReport {
  const builder = new ReportBuilder(title);
  let started: Envelope['testRunStarted'];
  let finished: Envelope['testRunFinished'];
  const unfinished: string[] = [];
  let n = 0;
  for (const run of runs) {
    let sawFinish = false;
    const prefix = `r${++n}-`;
    for (const raw of run.envelopes) {
      const e = namespaced(raw, prefix);
      if (e.testRunStarted) {
        if (!started || toMs(e.testRunStarted.timestamp) < toMs(started.timestamp)) started = e.testRunStarted;
      } else if (e.testRunFinished) {
        sawFinish = true;
        const f = e.testRunFinished;
        const later = !finished || toMs(f.timestamp) > toMs(finished.timestamp);
        finished = { ...(later ? f : finished!), success: f.success && (finished?.success ?? true) };
      } else {
        builder.add(e);
      }
    }
    if (!sawFinish) unfinished.push(run.source);
  }
  if (started) builder.add({ testRunStarted: started });
  // A shard that never finished cannot have succeeded.
  if (finished) builder.add({ testRunFinished: { ...finished, success: finished.success && unfinished.length === 0 } });
  const model = builder.build();
  for (const f of model.features) f.scenarios.sort((a, b) => a.line - b.line);
  return { model, unfinished };
}

/** A copy of the envelope with every id reference (`id`, `…Id`, `…Ids`) prefixed; other values shared. */
export function namespaced<T>(value: T, prefix: string): T {
  if (Array.isArray(value)) return value.map((v) => namespaced(v, prefix)) as T;
  if (typeof value !== 'object' || value === null) return value;
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(value)) {
    if ((k === 'id' || k.endsWith('Id')) && typeof v === 'string') out[k] = prefix + v;
    else if (k.endsWith('Ids') && Array.isArray(v)) out[k] = v.map((x) => (typeof x === 'string' ? prefix + x : x));
    else if (k === 'body' || k === 'source' || k === 'data') out[k] = v; // attachment / source text: no ids inside
    else out[k] = namespaced(v, prefix);
  }
  return out as T;
}
