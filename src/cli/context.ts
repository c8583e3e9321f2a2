// What every subcommand of `apichat-bdd` gets: the (merged) environment, where to write, and a
// signal that ends the long-running commands (`listen`, `simulate`). Injected, so tests run the
// command in-process with captured output and an explicit environment.
import { ApiChatError, type ErrorCode } from '../base/errors.ts';

export type Env = Record<string, string | undefined>;

/** Anything with a write(string), e.g. process.stdout. */
export interface Out {
  write(chunk: string): unknown;
}

export interface CliContext {
  /** The environment with .env underneath (the environment wins). */
  env: Env;
  stdout: Out;
  stderr: Out;
  /** Aborted on SIGINT/SIGTERM by bin/apichat-bdd.js; ends `listen` and `simulate`. */
  signal: AbortSignal;
  /** What `record` reads (default process.stdin). */
  stdin?: NodeJS.ReadableStream;
}

/** Exit codes: 0 ok, 1 a failure of the platform / a check, 2 a usage or configuration mistake. */
export const EXIT = { OK: 0, FAILURE: 1, USAGE: 2 } as const;

export const USAGE_ERROR = 'APICHAT_USAGE' satisfies ErrorCode;

/** A mistake on the command line (unknown command or option, missing argument): exit code 2. */
export class UsageError extends ApiChatError {
  constructor(message: string) {
    super(USAGE_ERROR, message);
    this.name = 'UsageError';
  }
}


export function line(out: Out, text: string): void {
  out.write(`${text}\n`);
}

/** Resolves when the signal is aborted (at once when it already is). */
export function untilAborted(signal: AbortSignal): Promise<void> {
  if (signal.aborted) return Promise.resolve();
  return new Promise((resolve) => signal.addEventListener('abort', () => resolve(), { once: true }));
}
