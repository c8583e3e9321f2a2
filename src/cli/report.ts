// `apichat-bdd report FILE.ndjson… --out FILE.html`: one conversation report and one bot-coverage
// summary from the Cucumber `message` files of several runs (CI shards on several machines).
// The page is written whole (a temporary file, then a rename): never half a report.
import { readFileSync } from 'node:fs';
import { ApiChatError } from '../base/errors.ts';
import { writeWhole } from '../base/files.ts';
import { formatCoverageLine, mergeRuns, renderReportHtml, type Envelope, type RunEnvelopes } from '../report/index.ts';
import { EXIT, line, UsageError, type CliContext } from './context.ts';

export const REPORT_INPUT = 'APICHAT_REPORT_INPUT';
export const DEFAULT_REPORT_OUT = 'reports/conversations.html';

export interface ReportOptions {
  files: string[];
  out: string | undefined;
}

export async function reportCommand(ctx: CliContext, o: ReportOptions): Promise<number> {
  if (o.files.length === 0) {
    throw new UsageError('report: name the message files to merge, e.g. `apichat-bdd report shard-1/messages.ndjson shard-2/messages.ndjson --out reports/conversations.html` (each written by `cucumber-js --format message:FILE`)');
  }
  const runs = o.files.map(readRun);
  const { model, unfinished } = mergeRuns(runs);
  for (const source of unfinished) line(ctx.stderr, `apichat-bdd: warning: ${source} has no end of run (testRunFinished): that run crashed or was cancelled; its finished scenarios are in the report`);
  const out = o.out ?? DEFAULT_REPORT_OUT;
  writeWhole(out, renderReportHtml(model));
  const c = model.counts;
  const tally = (['passed', 'failed', 'skipped', 'pending', 'undefined', 'ambiguous'] as const).filter((s) => c[s] > 0).map((s) => `${c[s]} ${s}`);
  line(ctx.stdout, `apichat-bdd: wrote ${out}: ${c.total} scenario${c.total === 1 ? '' : 's'} from ${runs.length} file${runs.length === 1 ? '' : 's'}${tally.length ? ` (${tally.join(', ')})` : ''}`);
  if (model.coverage.conversations > 0) line(ctx.stdout, `apichat-bdd: ${formatCoverageLine(model.coverage)}`);
  return EXIT.OK;
}

/** A message file (NDJSON of Cucumber envelopes), or a one-line error naming the file and line. */
export function readRun(file: string): RunEnvelopes {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    const why = code === 'ENOENT' ? 'no such file' : code === 'EISDIR' ? 'is a directory' : (e as Error).message;
    throw new ApiChatError(REPORT_INPUT, `${file}: ${why}; pass the files written by \`cucumber-js --format message:FILE\``);
  }
  const envelopes: Envelope[] = [];
  let cucumber = false;
  const lines = text.split('\n');
  for (const [i, line] of lines.entries()) {
    const l = line.trim();
    if (l === '') continue;
    let e: unknown;
    try {
      e = JSON.parse(l);
    } catch {
      throw new ApiChatError(REPORT_INPUT, `${file}:${i + 1}: not JSON — a Cucumber message file has one JSON envelope per line; pass the files written by \`cucumber-js --format message:FILE\` (not the HTML or JUnit report)`);
    }
    if (typeof e !== 'object' || e === null || Array.isArray(e)) {
      throw new ApiChatError(REPORT_INPUT, `${file}:${i + 1}: not a Cucumber message envelope (expected a JSON object per line)`);
    }
    cucumber ||= 'meta' in e || 'pickle' in e || 'testRunStarted' in e || 'gherkinDocument' in e;
    envelopes.push(e as Envelope);
  }
  if (!cucumber) {
    throw new ApiChatError(REPORT_INPUT, `${file}: holds no Cucumber messages (no meta, gherkinDocument, pickle or testRunStarted envelope); pass the files written by \`cucumber-js --format message:FILE\``);
  }
  return { source: file, envelopes };
}
