// The body of the Cucumber plugin (steps/plugin.mjs), in TypeScript.
import { formatUserError } from '../src/cli/output.ts';
import { loadConfig } from '../src/config.ts';
import { exitCodeOf, SIGNAL_EXIT } from '../src/base/error-codes.ts';
import { isApiChatError } from '../src/base/errors.ts';
import { processState } from '../src/run/process-state.ts';
import { startRun, type RunHandle } from '../src/run/run.ts';
import { ReportBuilder, failOnFlaky, flakyLines, formatCoverageLine, type Envelope, type ReportModel } from '../src/report/index.ts';
import { modelUsage } from '../src/conversation/transcript.ts';
import { RUN_ENV } from '../src/run/shared.ts';

interface PluginContext {
  environment: { env: Record<string, string | undefined>; stderr: NodeJS.WritableStream };
  /** Every message of the run, workers' included (the transcripts feed the coverage line). */
  on?(event: 'message', handler: (envelope: Envelope) => void): void;
}

/**
 * Cucumber tells a plugin nothing about --dry-run (its context has no runtime options), and a
 * dry run executes no step or hook: read the command line, so that it contacts nothing.
 */
export function isDryRun(argv: readonly string[] = process.argv): boolean {
  return argv.some((a) => a === '--dry-run' || a === '-d' || a === '--dry-run=true');
}

export async function startPluginRun(ctx: PluginContext): Promise<() => Promise<void>> {
  const say = (line: string): void => void ctx.environment.stderr.write(`${line}\n`);
  if (isDryRun()) {
    say('apichat-bdd: --dry-run: no listener, simulator or webhook started; nothing is contacted');
    return async () => {};
  }
  let starting: Promise<RunHandle>;
  try {
    starting = startRun(loadConfig(), say);
  } catch (e) {
    say(formatUserError(e));
    process.exit(startExitCode(e));
  }
  let closed: Promise<void> | undefined;
  const close = (): Promise<void> =>
    (closed ??= starting
      .then((r) => r.close(), () => [] as string[]) // a failed start has closed what it opened
      .then((notes) => {
        for (const n of notes) say(n);
        delete processState().run;
        delete process.env[RUN_ENV];
      }));
  // Put the previous webhook back also when the run is interrupted, even while it is starting
  // (the webhook may be registered already): the handlers are in place before registration.
  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    process.once(signal, () => {
      say(`apichat-bdd: ${signal}: cleaning up`);
      void close().finally(() => process.exit(SIGNAL_EXIT[signal]));
    });
  }
  let run: RunHandle;
  try {
    run = await starting;
  } catch (e) {
    // A configuration mistake (exit 2) or an unreachable platform (exit 1) stops the run before
    // any scenario, in one line, no stack.
    say(formatUserError(e));
    process.exit(startExitCode(e));
  }
  // Serial runs use the in-process store directly; --parallel workers inherit this variable.
  processState().run = run;
  ctx.environment.env[RUN_ENV] = JSON.stringify(run.shared);
  // Cucumber 12 gives plugins a copy of the environment (ctx.environment.env = { ...env }), but
  // forks workers with the run's own env object, which for the CLI is process.env: set it there.
  process.env[RUN_ENV] = JSON.stringify(run.shared);

  // Bot coverage across the run, from the transcripts the After hook attaches: one line at the end.
  const report = new ReportBuilder();
  delete processState().reportPath; // set again by this run's formatter, if configured
  ctx.on?.('message', (envelope) => report.add(envelope));
  const sayCoverage = ({ coverage, features }: ReportModel): void => {
    if (coverage.conversations === 0) return;
    const path = processState().reportPath;
    const where = path !== undefined && coverage.exercised < coverage.total ? ` (never-tapped buttons are listed in ${path})` : '';
    // The AI phrases' cost: model calls made and verdicts or embeddings taken from the cache.
    const usage = modelUsage(features.flatMap((f) => f.scenarios.flatMap((s) => s.transcripts)));
    const ai = usage.verdicts > 0 ? `; model calls: ${usage.calls}, cache hits: ${usage.hits}` : '';
    say(`apichat-bdd: ${formatCoverageLine(coverage)}${where}${ai}`);
  };

  // Flaky scenarios (--retry): named in the run's last lines; with APICHAT_FAIL_ON_FLAKY=1 they fail it.
  const sayFlaky = (model: ReportModel): void => {
    const failing = failOnFlaky(ctx.environment.env);
    const lines = flakyLines(model, failing);
    for (const l of lines) say(l);
    if (failing && lines.length > 0) failRunOnExit();
  };

  return async () => {
    // The run's model, built once for the last lines (each build re-reads every transcript).
    let model: ReportModel;
    try {
      model = report.build();
    } catch (e) {
      say(`apichat-bdd: could not read the run's transcripts: ${(e as Error).message}`);
      await close();
      return;
    }
    try {
      for (const line of didYouMeanLines(model)) say(line);
    } catch (e) {
      say(`apichat-bdd: could not look for similar steps: ${(e as Error).message}`);
    }
    try {
      sayCoverage(model);
    } catch (e) {
      say(`apichat-bdd: could not compute bot coverage: ${(e as Error).message}`);
    }
    try {
      sayFlaky(model);
    } catch (e) {
      say(`apichat-bdd: could not list flaky scenarios: ${(e as Error).message}`);
    }
    await close();
  };
}

/**
 * Cucumber's plugin API has no say in the run's result: its CLI sets process.exitCode (or calls
 * process.exit with --exit) from the run's success after every plugin has cleaned up. An 'exit'
 * listener runs after both, and the code Node exits with is process.exitCode as it leaves it.
 */
function failRunOnExit(): void {
  process.once('exit', (code) => {
    if (code === 0) process.exitCode = 1;
  });
}

/**
 * After Cucumber's snippets for undefined steps: the built-in phrases each was probably meant to
 * be, with its own arguments. Once per step of a feature file (an outline's rows share it).
 */
export function didYouMeanLines(model: ReportModel): string[] {
  const lines: string[] = [];
  const seen = new Set<string>();
  for (const f of model.features) {
    for (const s of f.scenarios) {
      for (const st of s.steps) {
        const where = `${s.uri}:${st.line ?? s.line}`;
        if (!st.didYouMean || seen.has(where)) continue;
        seen.add(where);
        lines.push(`apichat-bdd: undefined step ${where}: ${st.keyword.trim()} ${st.text}`, ...st.didYouMean.map((l) => `  ${l}`));
      }
    }
  }
  return lines;
}

/** As the command line: 2 for the user's input (configuration), 1 for the platform or anything unexpected. */
function startExitCode(e: unknown): number {
  return isApiChatError(e) ? exitCodeOf(e.code) : 1;
}
