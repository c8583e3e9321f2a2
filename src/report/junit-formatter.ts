// `apichat-bdd/junit-formatter` (steps/junit-formatter.mjs): the JUnit XML of src/report/junit.ts
// as a Cucumber formatter plugin, written once when the run finishes.
import type { FormatterContext } from './formatter.ts';
import { renderJunitXml } from './junit.ts';
import { ReportBuilder } from './model.ts';

export function junitFormatter(ctx: FormatterContext & { options: { suiteName?: string } | undefined }): () => void {
  const builder = new ReportBuilder();
  let written = false;
  const flush = (): void => {
    if (written) return;
    written = true;
    try {
      ctx.write(renderJunitXml(builder.build(), ctx.options?.suiteName));
    } catch (e) {
      ctx.logger.error(`apichat-bdd: could not write the JUnit report: ${(e as Error).message}`);
    }
  };
  ctx.on('message', (envelope) => {
    builder.add(envelope);
    if (envelope.testRunFinished) flush();
  });
  return flush;
}
