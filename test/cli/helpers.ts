// Running `apichat-bdd` in-process: captured output with event-driven line waits, explicit
// environments, and small loopback helpers. Not a test file.
import assert from 'node:assert/strict';
import { main } from '../../src/cli.ts';
import { Output } from '../support/process.ts';

export { closedPort } from '../client/helpers.ts';

/** A writable stream for main(): the text it was given, with waits for a line. */
export class Capture extends Output {
  write(chunk: string): boolean {
    this.append(chunk);
    return true;
  }

  lines(): string[] {
    return this.text.split('\n').filter((l) => l !== '');
  }

  /** The first line (already written or still to come) that satisfies `pred`; fails after timeoutMs. */
  waitForLine(pred: (line: string) => boolean, timeoutMs = 5000): Promise<string> {
    return this.waitFor((l) => l !== '' && pred(l), 'a matching line', timeoutMs);
  }
}

export interface Running {
  stdout: Capture;
  stderr: Capture;
  /** The exit code, once main() returns. */
  code: Promise<number>;
  /** Abort the signal (SIGINT) and wait for the exit code. */
  stop(): Promise<number>;
}

/** Start main() without waiting for it to end (for `listen` and `simulate`). */
export function start(argv: string[], env: Record<string, string>): Running {
  const stdout = new Capture();
  const stderr = new Capture();
  const ac = new AbortController();
  const code = main({ argv, env, stdout, stderr, signal: ac.signal });
  return {
    stdout,
    stderr,
    code,
    stop: () => {
      ac.abort();
      return code;
    },
  };
}

/** Run main() to completion. */
export async function run(argv: string[], env: Record<string, string> = {}): Promise<{ code: number; stdout: string; stderr: string }> {
  const r = start(argv, env);
  const code = await r.code;
  return { code, stdout: r.stdout.text, stderr: r.stderr.text };
}

export { freePort } from '../support/net.ts';

export function assertNoSecrets(outputs: string[], secrets: string[]): void {
  for (const s of secrets) {
    for (const o of outputs) assert.ok(!o.includes(s), `output leaks a secret (${s.slice(0, 4)}…): ${o}`);
  }
}

/** Exactly one non-empty line. */
export function oneLine(text: string): string {
  const lines = text.split('\n').filter((l) => l !== '');
  assert.equal(lines.length, 1, `expected one line, got:\n${text}`);
  assert.ok(!/\n\s+at /.test(text), `stack trace in output:\n${text}`);
  return lines[0]!;
}
