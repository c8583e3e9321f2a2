// Live mode as a new user meets it: a stand-in platform (the embedded simulator, started in the
// test process on loopback) that the step library knows nothing about, and Cucumber run as a
// child process from the repository root with the normal cucumber.js config and nothing but
// APICHAT_* variables to find it. Not a test file.
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { EventEmitter } from 'node:events';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { rmSync } from 'node:fs';
import net from 'node:net';
import { Agent } from 'undici';
import { PartnerClient } from '../../../src/client/index.ts';
import { MemoryStore, startListener, type RunningListener } from '../../../src/inbox/index.ts';
import { startSimulator, type ReceivedRecord, type Simulator, type SimulatorOptions } from '../../../src/simulator/index.ts';
import { CUCUMBER_BIN, ROOT, stackLines } from '../features/helpers.ts';
import { REPORT_DIR } from '../report-dir.ts';
import { timingPath } from '../../../src/run/timing-file.ts';

export { ROOT, stackLines };

/** The path the run's listener serves in these tests: not the default /webhook. */
export const HOOK_PATH = '/hooks/apichat';

/**
 * Live mode learns its settle and quiet windows during each run, starting at 200 ms and 1000 ms
 * (src/conversation/timing-model.ts). Most runs here fix the quiet window at 300 ms to stay
 * quick (settling stays learned); LEARNED lifts that, for the runs that test the default path.
 */
const TIMING = { APICHAT_QUIET_MS: '300' };
/** Blank counts as unset: every window learned, as a user gets by default. */
export const LEARNED = { APICHAT_QUIET_MS: '' };

/** A loopback port that was free a moment ago (bound, then closed). */
export async function freePort(): Promise<number> {
  const srv = net.createServer();
  await new Promise<void>((resolve, reject) => srv.once('error', reject).listen(0, '127.0.0.1', resolve));
  const { port } = srv.address() as net.AddressInfo;
  await new Promise<void>((resolve) => srv.close(() => resolve()));
  return port;
}

export const secret = (): string => randomBytes(18).toString('hex');

/** Text that grows, with event-driven waits for a line (no polling). */
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

  /** Resolves with the first line matching `pred`; rejects if the stream ends without one. */
  waitFor(pred: (line: string) => boolean, what: string): Promise<string> {
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
      const onEnd = (): void => {
        cleanup();
        reject(new Error(`the output ended without ${what}:\n${this.text}`));
      };
      const cleanup = (): void => {
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

export interface CucumberChild {
  child: ChildProcess;
  stdout: Output;
  stderr: Output;
  done: Promise<RunResult>;
  /** Sends `signal` to the Cucumber process only (as a CI runner does on cancel), not to its workers. */
  signal(signal: NodeJS.Signals): void;
  /** Kills whatever is left of the run (its process group: the Cucumber process and any worker) and waits for it. */
  kill(): Promise<void>;
}

/** The environment of a run: this process's, minus every inherited APICHAT_* variable, plus `vars`. */
export function runEnv(vars: Record<string, string>): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [k, v] of Object.entries(process.env)) if (!k.startsWith('APICHAT_')) env[k] = v;
  return { ...env, NO_COLOR: '1', FORCE_COLOR: '0', APICHAT_REPORT_DIR: REPORT_DIR, ...vars };
}

/** `node node_modules/@cucumber/cucumber/bin/cucumber.js <args>` from the repository root (cucumber.js config). */
export function startCucumber(args: string[], vars: Record<string, string>, timeoutMs = 180_000): CucumberChild {
  return startRun(process.execPath, [CUCUMBER_BIN, ...args], vars, timeoutMs);
}

/**
 * A CI step's shell command, started as GitHub Actions starts a `run:` step (bash -eo pipefail),
 * with `args` appended to it.
 */
export function startShellStep(command: string, args: string[], vars: Record<string, string>, timeoutMs = 180_000): CucumberChild {
  return startRun('bash', ['--noprofile', '--norc', '-eo', 'pipefail', '-c', `${command} "$@"`, 'step', ...args], vars, timeoutMs);
}

function startRun(file: string, argv: string[], vars: Record<string, string>, timeoutMs: number): CucumberChild {
  const started = performance.now();
  const child = spawn(file, argv, {
    cwd: ROOT,
    env: runEnv(vars),
    stdio: ['ignore', 'pipe', 'pipe'],
    // Its own process group, so that kill() can end the workers too, should any outlive it.
    detached: true,
    // A hung run gets SIGTERM, which also makes it put the previous webhook back.
    timeout: timeoutMs,
  });
  const stdout = new Output();
  const stderr = new Output();
  child.stdout!.setEncoding('utf8').on('data', (d: string) => stdout.append(d));
  child.stderr!.setEncoding('utf8').on('data', (d: string) => stderr.append(d));
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
    async kill() {
      // Once 'close' has fired, no process of the run holds its output any more: nothing to end
      // (and the group id may no longer be ours). Before that, the group id is still in use.
      if (!closed && group !== undefined) {
        try {
          process.kill(-group, 'SIGKILL');
        } catch {
          // ESRCH: nothing of the run is left
        }
      }
      await done.catch(() => undefined);
    },
  };
}

export function runCucumber(args: string[], vars: Record<string, string>): Promise<RunResult> {
  return startCucumber(args, vars).done;
}

/** Resolves once the platform's bot URL has accepted a user message matching `pred` (event-driven: on each finished request). */
export function waitForReceived(sim: Simulator, pred: (r: ReceivedRecord) => boolean): Promise<ReceivedRecord> {
  const found = (): ReceivedRecord | undefined => sim.received.find(pred);
  const now = found();
  if (now) return Promise.resolve(now);
  return new Promise((resolve) => {
    const onRequest = (_req: IncomingMessage, res: ServerResponse): void => {
      res.once('finish', () => {
        const r = found();
        if (!r) return;
        sim.app.server.off('request', onRequest);
        resolve(r);
      });
    };
    sim.app.server.on('request', onRequest);
  });
}

export function context(run: RunResult): string {
  return `\n--- exit ${run.code ?? run.signal} after ${Math.round(run.ms)} ms; output ---\n${run.output}`;
}

/** Exit 0, every scenario passed, no stack trace. */
export function assertPassed(run: RunResult): void {
  assert.equal(run.code, 0, `exit code${context(run)}`);
  const summary = /^(\d+) scenarios? \((\d+) passed\)$/m.exec(run.stdout);
  assert.ok(summary, `summary "N scenarios (N passed)"${context(run)}`);
  assert.ok(Number(summary[1]) > 0, `some scenarios ran${context(run)}`);
  assert.deepEqual(stackLines(run.output), [], `no stack trace${context(run)}`);
}

export function assertNoSecrets(run: RunResult, secrets: string[]): void {
  for (const s of secrets) assert.ok(!run.output.includes(s), `the output shows a secret (${s.slice(0, 4)}…)${context(run)}`);
}

/**
 * The stand-in platform: the simulator, and the workspace's "previous" webhook, a listener of
 * someone else's (its own secret, its own path) that answers the handshake, registered before
 * any run as it would be on a real workspace.
 */
export interface Platform {
  sim: Simulator;
  previous: { url: string; key: string };
  /** The partner API, as a user's own script would call it. */
  partner: PartnerClient;
  /** Every key the platform or the previous webhook holds (must never be printed). */
  secrets: string[];
  /** Stops the previous webhook's own listener (its handshake then goes unanswered). */
  stopPrevious(): Promise<void>;
  close(): Promise<void>;
}

export async function startPlatform(options: SimulatorOptions = {}): Promise<Platform> {
  const sim = await startSimulator({ host: '127.0.0.1', ...options });
  const agent = new Agent();
  const previousKey = secret();
  let previousListener: RunningListener | undefined;
  try {
    previousListener = await startListener({ secret: previousKey, store: new MemoryStore(), path: '/previous-owner/hook', host: '127.0.0.1', port: 0 });
    const partner = new PartnerClient({ baseUrl: sim.partnerBaseUrl, partnerKey: sim.partnerKey, workspaceId: sim.workspaceId, dispatcher: agent });
    await partner.set({ webhook_url: previousListener.localUrl, webhook_verification_key: previousKey });
    const previous = { url: previousListener.localUrl, key: previousKey };
    assert.deepEqual(sim.webhook, previous, 'the previous webhook is registered before the run');
    const l = previousListener;
    return {
      sim,
      previous,
      partner,
      secrets: [sim.flowKey, sim.partnerKey, previousKey],
      stopPrevious: () => l.close(),
      async close() {
        await sim.close();
        await l.close();
        await agent.close();
        // A live run keeps what it learned of this bot in the repository's .apichat-bdd/; this bot is gone.
        rmSync(timingPath(sim.botUrl, ROOT), { force: true });
      },
    };
  } catch (e) {
    await sim.close();
    await previousListener?.close();
    await agent.close();
    throw e;
  }
}

export interface LiveVars {
  vars: Record<string, string>;
  port: number;
  publicUrl: string;
  webhookSecret: string;
}

/** Case a: the partner variables (no APICHAT_BOT_URL); the run registers and restores the webhook. */
export async function partnerVars(p: Platform, extra: Record<string, string> = {}): Promise<LiveVars> {
  const port = await freePort();
  const publicUrl = `http://127.0.0.1:${port}${HOOK_PATH}`;
  const webhookSecret = secret();
  return {
    port,
    publicUrl,
    webhookSecret,
    vars: {
      APICHAT_PARTNER_BASE_URL: p.sim.partnerBaseUrl,
      APICHAT_PARTNER_API_KEY: p.sim.partnerKey,
      APICHAT_WORKSPACE_ID: p.sim.workspaceId,
      APICHAT_FLOW_API_KEY: p.sim.flowKey,
      APICHAT_WEBHOOK_SECRET: webhookSecret,
      APICHAT_LISTEN_PORT: String(port),
      APICHAT_PUBLIC_URL: publicUrl,
      ...TIMING,
      ...extra,
    },
  };
}

/**
 * Case b: no partner variables, so the webhook is registered beforehand, as a user does with
 * `apichat-bdd listen` and `apichat-bdd webhook set`: a listener on the run's port and path with
 * the same secret answers the handshake while the partner API sets it, then stops.
 */
export async function botUrlVars(p: Platform, extra: Record<string, string> = {}): Promise<LiveVars> {
  const port = await freePort();
  const publicUrl = `http://127.0.0.1:${port}${HOOK_PATH}`;
  const webhookSecret = secret();
  const temporary = await startListener({ secret: webhookSecret, store: new MemoryStore(), path: HOOK_PATH, host: '127.0.0.1', port });
  try {
    await p.partner.set({ webhook_url: publicUrl, webhook_verification_key: webhookSecret });
  } finally {
    await temporary.close();
  }
  assert.deepEqual(p.sim.webhook, { url: publicUrl, key: webhookSecret });
  return {
    port,
    publicUrl,
    webhookSecret,
    vars: {
      APICHAT_BOT_URL: p.sim.botUrl,
      APICHAT_FLOW_API_KEY: p.sim.flowKey,
      APICHAT_WEBHOOK_SECRET: webhookSecret,
      APICHAT_LISTEN_PORT: String(port),
      APICHAT_PUBLIC_URL: publicUrl,
      ...TIMING,
      ...extra,
    },
  };
}
