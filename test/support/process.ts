// The one way tests start a command and collect what it prints: output with event-driven waits
// for a line (no polling), an explicit environment (inherited APICHAT_* settings dropped, so a
// developer's live configuration cannot change what a test sees), and a kill that ends the
// command's whole process group. Not a test file.
import { spawn, type ChildProcess } from 'node:child_process';
import { EventEmitter } from 'node:events';
import { fileURLToPath } from 'node:url';
import { REPORT_DIR } from './report-dir.ts';

export const ROOT = fileURLToPath(new URL('../../', import.meta.url));

/** Text that grows, with event-driven waits for a line. */
export class Output {
  text = '';
  private readonly events = new EventEmitter();

  append(chunk: string): void {
    this.text += chunk;
    this.events.emit('data');
  }

  end(): void {
    this.events.emit('end');
  }

  /** Resolves with the first line matching `pred`; rejects if the stream ends without one, or after `timeoutMs`. */
  waitFor(pred: (line: string) => boolean, what: string, timeoutMs?: number): Promise<string> {
    const find = (): string | undefined => this.text.split('\n').find(pred);
    const now = find();
    if (now !== undefined) return Promise.resolve(now);
    return new Promise((resolve, reject) => {
      const onData = (): void => {
        const line = find();
        if (line === undefined) return;
        cleanup();
        resolve(line);
      };
      const fail = (why: string) => (): void => {
        cleanup();
        reject(new Error(`${why} without ${what}:\n${this.text}`));
      };
      const onEnd = fail('the output ended');
      const timer = timeoutMs === undefined ? undefined : setTimeout(fail(`${timeoutMs} ms went by`), timeoutMs);
      const cleanup = (): void => {
        clearTimeout(timer);
        this.events.off('data', onData);
        this.events.off('end', onEnd);
      };
      this.events.on('data', onData);
      this.events.once('end', onEnd);
    });
  }
}

export interface RunResult {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
  /** stdout then stderr. */
  output: string;
  ms: number;
}

export interface Started {
  child: ChildProcess;
  stdout: Output;
  stderr: Output;
  done: Promise<RunResult>;
  /** Sends `signal` to the command only (as a CI runner does on cancel), not to its children. */
  signal(signal: NodeJS.Signals): void;
  /** SIGTERM, then the result. */
  stop(): Promise<RunResult>;
  /** Kills whatever is left of the command (its process group) and waits for it. */
  kill(): Promise<void>;
}

export interface StartOptions {
  /** Added to the environment (see `testEnv`). */
  vars?: Record<string, string>;
  cwd?: string;
  /** Written to stdin, which is then closed; without it stdin is /dev/null. */
  input?: string;
  /** A hung command gets SIGTERM (a cucumber run then also puts the previous webhook back). */
  timeoutMs?: number;
  /** Inherited variables to leave out besides APICHAT_* (package tests drop npm_*). */
  drop?: RegExp;
}

/**
 * This process's environment minus inherited APICHAT_* (and `drop`), no colours, plus `vars`.
 * A command run in the repository writes its reports to a temp dir (`npm test` leaves the
 * working tree as it found it); one run elsewhere (`cwd`) writes them where a user's would go.
 */
// GitHub's variables too: this repository's own CI must not get annotations or a job summary from must-fail fixtures.
const INHERITED_NOT = new Set(['NODE_TEST_CONTEXT', 'GITHUB_ACTIONS', 'GITHUB_STEP_SUMMARY']);

export function testEnv(vars: Record<string, string> = {}, drop?: RegExp, cwd?: string): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [k, v] of Object.entries(process.env)) if (!k.startsWith('APICHAT_') && !INHERITED_NOT.has(k) && !drop?.test(k)) env[k] = v;
  return { ...env, NO_COLOR: '1', FORCE_COLOR: '0', ...(cwd === undefined ? { APICHAT_REPORT_DIR: REPORT_DIR } : {}), ...vars };
}

/** Starts `file argv…` (from the repository root unless `cwd`), collecting its output. */
export function start(file: string, argv: string[], options: StartOptions = {}): Started {
  const started = performance.now();
  const child = spawn(file, argv, {
    cwd: options.cwd ?? ROOT,
    env: testEnv(options.vars, options.drop, options.cwd),
    stdio: [options.input === undefined ? 'ignore' : 'pipe', 'pipe', 'pipe'],
    // Its own process group, so that kill() can end the command's children too.
    detached: true,
    timeout: options.timeoutMs ?? 180_000,
  });
  const stdout = new Output();
  const stderr = new Output();
  child.stdout!.setEncoding('utf8').on('data', (d: string) => stdout.append(d));
  child.stderr!.setEncoding('utf8').on('data', (d: string) => stderr.append(d));
  if (options.input !== undefined) child.stdin!.end(options.input);
  let closed = false;
  const done = new Promise<RunResult>((resolve, reject) => {
    child.on('error', reject);
    child.on('close', (code, signal) => {
      closed = true;
      stdout.end();
      stderr.end();
      resolve({ code, signal, stdout: stdout.text, stderr: stderr.text, output: `${stdout.text}${stderr.text}`, ms: performance.now() - started });
    });
  });
  const group = child.pid;
  return {
    child,
    stdout,
    stderr,
    done,
    signal: (signal) => void child.kill(signal),
    stop: () => (child.kill('SIGTERM'), done),
    async kill() {
      // Once 'close' has fired, no process of the command holds its output any more: nothing to
      // end (and the group id may no longer be ours). Before that, the group id is still in use.
      if (!closed && group !== undefined) {
        try {
          process.kill(-group, 'SIGKILL');
        } catch {
          // ESRCH: nothing is left
        }
      }
      await done.catch(() => undefined);
    },
  };
}

/** Runs `file argv…` to its end. */
export function run(file: string, argv: string[], options: StartOptions = {}): Promise<RunResult> {
  return start(file, argv, options).done;
}

/** `node <args>`: this Node, as the tests' child processes run it. */
export const startNode = (argv: string[], options?: StartOptions): Started => start(process.execPath, argv, options);

/** `apichat-bdd <args>` through bin/apichat-bdd.js. */
export const startCli = (args: string[], options?: StartOptions): Started => startNode(['bin/apichat-bdd.js', ...args], options);

/** Lines that look like a JavaScript stack frame ("    at fn (file.ts:1:2)"). */
export function stackLines(text: string): string[] {
  return text.split('\n').filter((l) => /^\s+at\s/.test(l) || l.includes('    at '));
}

export function context(run: RunResult): string {
  return `\n--- exit ${run.code ?? run.signal} after ${Math.round(run.ms)} ms; output ---\n${run.output}`;
}
