// `apichat-bdd diff OLD.ndjson NEW.ndjson [--out diff.html]`: what the bot says differently
// between two runs (src/report/run-diff.ts). One line per difference on stdout; exit 0 when
// nothing differs, 1 when something does, 2 for a missing or non-message file (one line).
import { writeWhole } from '../base/files.ts';
import { buildReport, changeLine, diffRuns, renderRunDiffHtml } from '../report/index.ts';
import { EXIT, line, UsageError, type CliContext } from './context.ts';
import { readRun } from './report.ts';

export interface DiffOptions {
  files: string[];
  out: string | undefined;
}

export async function diffCommand(ctx: CliContext, o: DiffOptions): Promise<number> {
  if (o.files.length !== 2) {
    throw new UsageError(`diff: name two message files, the old run's and the new one's, e.g. \`apichat-bdd diff last-green/messages.ndjson reports/messages.ndjson\` (got ${o.files.length})`);
  }
  const [oldFile, newFile] = o.files as [string, string];
  const oldRun = readRun(oldFile);
  const newRun = readRun(newFile);
  const diff = diffRuns(buildReport(oldRun.envelopes), buildReport(newRun.envelopes));
  for (const c of diff.changes) line(ctx.stdout, changeLine(c));
  if (diff.uncertain.length) {
    line(ctx.stderr, `apichat-bdd: not counted: ${diff.uncertain.length} unclaimed repl${diff.uncertain.length === 1 ? 'y' : 'ies'} of a last turn only one run received (the scenario ended without waiting for ${diff.uncertain.length === 1 ? 'it' : 'them'}; end with "the bot says nothing more" or check every reply to compare ${diff.uncertain.length === 1 ? 'it' : 'them'}):`);
    for (const c of diff.uncertain) line(ctx.stderr, `  ${changeLine(c)}`);
  }
  const n = diff.changes.length;
  const scenarios = diff.scenarios.filter((s) => s.changes.length > 0).length;
  line(ctx.stderr, n === 0 ? `apichat-bdd: no difference in ${diff.compared} scenario${diff.compared === 1 ? '' : 's'}` : `apichat-bdd: ${n} difference${n === 1 ? '' : 's'} in ${scenarios} scenario${scenarios === 1 ? '' : 's'} (${diff.compared} compared)`);
  if (o.out) {
    writeWhole(o.out, renderRunDiffHtml(diff, oldFile, newFile));
    line(ctx.stderr, `apichat-bdd: wrote ${o.out}`);
  }
  return n === 0 ? EXIT.OK : EXIT.FAILURE;
}
