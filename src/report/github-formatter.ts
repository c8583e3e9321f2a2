// `apichat-bdd/github-formatter` (steps/github-formatter.mjs): active when GITHUB_ACTIONS=true,
// silent elsewhere, so one configuration serves a laptop and CI. When the run finishes it prints
// the annotations on the job's stdout (where the runner reads workflow commands; Cucumber gives
// stdout to one formatter only, usually progress, so this one has a file target and writes a
// copy there) and appends the job summary to $GITHUB_STEP_SUMMARY.
import { appendFileSync } from 'node:fs';
import type { FormatterContext } from './formatter.ts';
import { annotationLines, jobSummary } from './github.ts';
import { ReportBuilder, type ReportModel } from './model.ts';

export function githubFormatter(ctx: FormatterContext, env: Record<string, string | undefined> = process.env, stdout: NodeJS.WritableStream = process.stdout): () => void {
  if (env.GITHUB_ACTIONS !== 'true') return () => {};
  const builder = new ReportBuilder();
  let done = false;
  const finish = (): void => {
    if (done) return;
    done = true;
    const model = builder.build();
    const text = annotationLines(model).map((l) => `${l}\n`).join('');
    if (!text) return writeSummary(model);
    // A workflow command counts only at the start of a line; progress leaves its dots unterminated.
    stdout.write(`\n${text}`);
    if (ctx.stream !== stdout) ctx.write(text);
    writeSummary(model);
  };
  const writeSummary = (model: ReportModel): void => {
    const file = env.GITHUB_STEP_SUMMARY?.trim();
    if (!file) return;
    try {
      appendFileSync(file, jobSummary(model));
    } catch (e) {
      ctx.logger.error(`apichat-bdd: could not append the job summary to GITHUB_STEP_SUMMARY (${file}): ${(e as Error).message}`);
    }
  };
  ctx.on('message', (envelope) => {
    builder.add(envelope);
    if (envelope.testRunFinished) finish();
  });
  return finish;
}
