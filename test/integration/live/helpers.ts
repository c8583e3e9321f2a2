// Live mode as a new user meets it: a stand-in platform (the embedded simulator, started in the
// test process on loopback) that the step library knows nothing about, and Cucumber run as a
// child process from the repository root with the normal cucumber.js config and nothing but
// APICHAT_* variables to find it. Not a test file.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { rmSync } from 'node:fs';
import { Agent } from 'undici';
import { PartnerClient } from '../../../src/client/index.ts';
import { MemoryStore, startListener, type RunningListener } from '../../../src/inbox/index.ts';
import { startSimulator, type ReceivedRecord, type Simulator, type SimulatorOptions } from '../../../src/simulator/index.ts';
import { context, ROOT, start, type RunResult, type Started } from '../../support/process.ts';
import { freePort } from '../../support/net.ts';
import { timingPath } from '../../../src/run/timing-file.ts';

export { assertPassed, runCucumber, startCucumber } from '../../support/cucumber.ts';
export { context, Output, ROOT, stackLines, testEnv, type RunResult, type Started } from '../../support/process.ts';

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

export { freePort };

export const secret = (): string => randomBytes(18).toString('hex');

/**
 * A CI step's shell command, started as GitHub Actions starts a `run:` step (bash -eo pipefail),
 * with `args` appended to it.
 */
export function startShellStep(command: string, args: string[], vars: Record<string, string>, timeoutMs = 180_000): Started {
  return start('bash', ['--noprofile', '--norc', '-eo', 'pipefail', '-c', `${command} "$@"`, 'step', ...args], { vars, timeoutMs });
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

/** A listener of the run's own: its port, public URL and secret, and the variables naming them, with `vars` (bot side) on top. */
async function listenerVars(vars: Record<string, string>, extra: Record<string, string>): Promise<LiveVars> {
  const port = await freePort();
  const publicUrl = `http://127.0.0.1:${port}${HOOK_PATH}`;
  const webhookSecret = secret();
  return {
    port,
    publicUrl,
    webhookSecret,
    vars: { ...vars, APICHAT_WEBHOOK_SECRET: webhookSecret, APICHAT_LISTEN_PORT: String(port), APICHAT_PUBLIC_URL: publicUrl, ...TIMING, ...extra },
  };
}

/** Case a: the partner variables (no APICHAT_BOT_URL); the run registers and restores the webhook. */
export function partnerVars(p: Platform, extra: Record<string, string> = {}): Promise<LiveVars> {
  const { partnerBaseUrl, partnerKey, workspaceId, flowKey } = p.sim;
  return listenerVars({ APICHAT_PARTNER_BASE_URL: partnerBaseUrl, APICHAT_PARTNER_API_KEY: partnerKey, APICHAT_WORKSPACE_ID: workspaceId, APICHAT_FLOW_API_KEY: flowKey }, extra);
}

/**
 * Case b: no partner variables, so the webhook is registered beforehand, as a user does with
 * `apichat-bdd listen` and `apichat-bdd webhook set`: a listener on the run's port and path with
 * the same secret answers the handshake while the partner API sets it, then stops.
 */
export async function botUrlVars(p: Platform, extra: Record<string, string> = {}): Promise<LiveVars> {
  const v = await listenerVars({ APICHAT_BOT_URL: p.sim.botUrl, APICHAT_FLOW_API_KEY: p.sim.flowKey }, extra);
  const temporary = await startListener({ secret: v.webhookSecret, store: new MemoryStore(), path: HOOK_PATH, host: '127.0.0.1', port: v.port });
  try {
    await p.partner.set({ webhook_url: v.publicUrl, webhook_verification_key: v.webhookSecret });
  } finally {
    await temporary.close();
  }
  assert.deepEqual(p.sim.webhook, { url: v.publicUrl, key: v.webhookSecret });
  return v;
}
