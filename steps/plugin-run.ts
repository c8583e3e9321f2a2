// The body of the Cucumber plugin (steps/plugin.mjs), in TypeScript.
import { formatUserError } from '../src/cli-output.ts';
import { loadConfig } from '../src/config.ts';
import { startRun, type RunHandle } from '../src/run.ts';

export const RUN_KEY = Symbol.for('apichat-bdd/run');
export const RUN_ENV = 'APICHAT_RUN';

interface PluginContext {
  environment: { env: Record<string, string | undefined>; stderr: NodeJS.WritableStream };
}

export async function startPluginRun(ctx: PluginContext): Promise<() => Promise<void>> {
  const say = (line: string): void => void ctx.environment.stderr.write(`${line}\n`);
  let run: RunHandle;
  try {
    run = await startRun(loadConfig(), say);
  } catch (e) {
    // A configuration mistake stops the run before any scenario, in one line, no stack.
    say(formatUserError(e));
    process.exit(2);
  }
  // Serial runs use the in-process store directly; --parallel workers inherit this variable.
  (globalThis as Record<symbol, unknown>)[RUN_KEY] = run;
  ctx.environment.env[RUN_ENV] = JSON.stringify(run.shared);

  let closed: Promise<void> | undefined;
  const close = (): Promise<void> =>
    (closed ??= run.close().then((notes) => {
      for (const n of notes) say(n);
      delete (globalThis as Record<symbol, unknown>)[RUN_KEY];
    }));
  // Put the previous webhook back also when the run is interrupted.
  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    process.once(signal, () => {
      say(`apichat-bdd: ${signal}: cleaning up`);
      void close().finally(() => process.exit(130));
    });
  }
  return close;
}
