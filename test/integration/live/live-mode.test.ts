// Live mode, end to end, as a new user meets it: the step library must drive a bot on any
// platform implementation that follows the documented wire format, configured through the APICHAT_* variables
// alone. The stand-in platform is the embedded simulator started here, in the test process, on
// 127.0.0.1; Cucumber runs as a child process with the normal cucumber.js config and only
// learns where the platform is from the environment. The listener serves a non-default path
// (APICHAT_PUBLIC_URL = http://127.0.0.1:<port>/hooks/apichat) on a port chosen here.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, test, type TestContext } from 'node:test';
import { parse } from 'yaml';
import { SIGNAL_EXIT } from '../../../src/base/error-codes.ts';
import { readTimingState } from '../../../src/run/timing-file.ts';
import type { SimulatorOptions } from '../../../src/simulator/index.ts';
import {
  assertNoSecrets,
  assertPassed,
  botUrlVars,
  context,
  LEARNED,
  partnerVars,
  ROOT,
  runCucumber,
  stackLines,
  startCucumber,
  startPlatform,
  startShellStep,
  waitForReceived,
  type LiveVars,
  type Platform,
  type RunResult,
} from './helpers.ts';

const FEATURES = ['features/greeting.feature', 'features/booking.feature', 'features/media.feature'];
const HELLO = 'test/fixtures/live/hello.feature';
const SLOW = 'test/fixtures/live/slow.feature';

async function withPlatform(options: SimulatorOptions, fn: (p: Platform) => Promise<void>): Promise<void> {
  const p = await startPlatform(options);
  try {
    await fn(p);
  } finally {
    await p.close();
  }
}

/** The run said it registered our listener in place of the previous webhook. */
function assertRegistered(run: RunResult, p: Platform, v: LiveVars): void {
  const line = `apichat-bdd: webhook of workspace ${p.sim.workspaceId} set to ${v.publicUrl} (was ${p.previous.url})`;
  assert.ok(run.stderr.includes(line), `stderr should say: ${line}${context(run)}`);
}

/** After the run the workspace's webhook is the previous one again, and the run said so. */
function assertRestored(run: RunResult, p: Platform): void {
  assert.deepEqual(p.sim.webhook, p.previous, `the previous webhook is back${context(run)}`);
  const line = `apichat-bdd: webhook restored to ${p.previous.url}`;
  assert.ok(run.stderr.includes(line), `stderr should say: ${line}${context(run)}`);
}

/** The platform took user messages at its bot URL and delivered the replies to APICHAT_PUBLIC_URL. */
function assertTraffic(run: RunResult, p: Platform, v: LiveVars): void {
  assert.ok(p.sim.received.length > 0, `the bot URL received user messages${context(run)}`);
  const ours = p.sim.deliveries.filter((d) => d.url === v.publicUrl);
  assert.ok(ours.length > 0, `replies were delivered to ${v.publicUrl}${context(run)}`);
  // (A straggler may find the listener closed after the run: only what it answered counts.)
  const refused = ours.filter((d) => d.status !== undefined && d.status !== 200);
  assert.deepEqual(refused.map((d) => d.status), [], `the run's listener accepted every reply it answered${context(run)}`);
}

/** Case a: only the partner variables (no APICHAT_BOT_URL); the run registers and restores the webhook. */
async function partnerRun(t: TestContext, p: Platform, features: string[], args: string[] = [], extra: Record<string, string> = {}): Promise<RunResult> {
  const v = await partnerVars(p, extra);
  const run = await runCucumber([...args, ...features], v.vars);
  t.diagnostic(`${features.length} feature file(s)${args.length ? ` ${args.join(' ')}` : ''}: ${Math.round(run.ms)} ms`);
  assertPassed(run);
  assertRegistered(run, p, v);
  assertRestored(run, p);
  assertTraffic(run, p, v);
  assertNoSecrets(run, [...p.secrets, v.webhookSecret]);
  return run;
}

describe('live mode through the APICHAT_* variables alone', () => {
  test('a) partner variables: the run registers its webhook, reads the bot URL, passes and restores the previous webhook (learned windows)', (t) =>
    withPlatform({}, async (p) => {
      await partnerRun(t, p, FEATURES, [], LEARNED);
    }));

  test('a) partner variables with --parallel 2: the workers\' observations reach the run, which keeps one timing file', (t) =>
    withPlatform({}, async (p) => {
      await partnerRun(t, p, FEATURES, ['--parallel', '2']);
      // The coordinator runs no scenario: every turn in the file came from a worker, over the worker channel.
      const lines: string[] = [];
      const state = readTimingState(p.sim.botUrl, (l) => lines.push(l), ROOT);
      assert.equal(lines.length, 0, lines.join('\n'));
      assert.ok(state && state.turns > 0 && state.firstReplies > 0, `the timing file holds the workers' turns: ${JSON.stringify(state)}`);
      assert.ok(Object.keys(state.paths ?? {}).length > 0, `and the reply counts of their conversation paths: ${JSON.stringify(state)}`);
    }));

  test('b) no partner variables: APICHAT_BOT_URL and a webhook registered beforehand (listen + webhook set)', (t) =>
    withPlatform({}, async (p) => {
      const v = await botUrlVars(p);
      const run = await runCucumber(FEATURES, v.vars);
      t.diagnostic(`${Math.round(run.ms)} ms`);
      assertPassed(run);
      assert.doesNotMatch(run.stderr, /webhook (of workspace|restored|removed)/, `without partner variables the run leaves the webhook alone${context(run)}`);
      assert.deepEqual(p.sim.webhook, { url: v.publicUrl, key: v.webhookSecret }, 'the webhook the user registered is still set');
      assertTraffic(run, p, v);
      assertNoSecrets(run, [...p.secrets, v.webhookSecret]);
    }));

  test('c) replies strongly out of order (jitterMs 40) still pass, with the learned windows', (t) =>
    withPlatform({ jitterMs: 40 }, async (p) => {
      await partnerRun(t, p, FEATURES, [], LEARNED);
      // Evidence that the order really was shuffled: greetings whose menu arrived before their text.
      const byConversation = new Map<number, string[]>();
      for (const d of p.sim.deliveries) {
        const body = d.body as { conv_id: number; text?: string };
        byConversation.set(body.conv_id, [...(byConversation.get(body.conv_id) ?? []), body.text ?? '']);
      }
      let greetings = 0;
      let reversed = 0;
      for (const texts of byConversation.values()) {
        texts.forEach((text, i) => {
          if (text !== 'Hello! I am the Grand Demo Hotel bot.') return;
          greetings++;
          if (texts[i - 1] === 'What would you like to do?') reversed++;
        });
      }
      t.diagnostic(`${reversed} of ${greetings} greetings arrived menu first`);
    }));

  // Two at a time: these runs mostly wait (settle and quiet windows). One greeting each: the
  // handshake, a message, two replies and the restore go through the variant's encoding.
  describe('d) other encodings and revisions of the platform (case a, one greeting)', { concurrency: 2 }, () => {
    const variants: Array<[string, SimulatorOptions]> = [
      ['handshake parameters as JSON', { handshakeEncoding: 'json' }],
      ['handshake parameters in the query string', { handshakeEncoding: 'query' }],
      ['the older partner API (set is POST …/apichat-webhook)', { legacyPartnerApi: true }],
      ['pretty-printed JSON bodies', { prettyJson: true }],
    ];
    for (const [name, options] of variants) {
      test(name, (t) =>
        withPlatform(options, async (p) => {
          await partnerRun(t, p, [HELLO]);
        }));
    }
  });

  test('e) wrong APICHAT_WEBHOOK_SECRET: exit 1, the rejections are explained, no secret is printed', (t) =>
    withPlatform({}, async (p) => {
      const v = await botUrlVars(p); // registered with v.webhookSecret
      const wrong = `${v.webhookSecret.slice(0, -6)}000000`; // a near miss: one typo away
      const run = await runCucumber([HELLO], { ...v.vars, APICHAT_WEBHOOK_SECRET: wrong, APICHAT_REPLY_TIMEOUT_MS: '800' });
      t.diagnostic(`${Math.round(run.ms)} ms`);
      assert.equal(run.code, 1, `exit code${context(run)}`);
      assert.ok(run.output.includes('rejected: '), `output names the rejections${context(run)}`);
      assert.ok(run.output.includes('bad signature — check APICHAT_WEBHOOK_SECRET'), `output says what to check${context(run)}`);
      assertNoSecrets(run, [...p.secrets, v.webhookSecret, wrong]);
    }));

  test('f) wrong APICHAT_FLOW_API_KEY: exit 1, the variable is named, no key is printed; the webhook is still restored', (t) =>
    withPlatform({}, async (p) => {
      const v = await partnerVars(p);
      const wrong = `${p.sim.flowKey.slice(0, -6)}ffffff`;
      const run = await runCucumber([HELLO], { ...v.vars, APICHAT_FLOW_API_KEY: wrong });
      t.diagnostic(`${Math.round(run.ms)} ms`);
      assert.equal(run.code, 1, `exit code${context(run)}`);
      assert.ok(run.output.includes('APICHAT_FLOW_API_KEY'), `output names APICHAT_FLOW_API_KEY${context(run)}`);
      assertNoSecrets(run, [...p.secrets, v.webhookSecret, wrong]);
      assertRestored(run, p);
    }));

  describe('g) an interrupted run puts the previous webhook back', () => {
    // The Cucumber process alone gets the signal, as from a CI runner cancelling the job (a
    // terminal's Ctrl-C would reach the workers too). The last step of the fixture would wait
    // ten minutes: the run ends only because it was interrupted.
    const interrupted = async (t: TestContext, p: Platform, args: string[], signal: NodeJS.Signals, when: 'registered' | 'waiting'): Promise<void> => {
      const v = await partnerVars(p, { APICHAT_REPLY_TIMEOUT_MS: '600000' });
      const c = startCucumber([...args, SLOW], v.vars);
      // On a test timeout (say, a worker that outlives the run), end the whole run at once.
      const onAbort = (): void => void c.kill();
      t.signal.addEventListener('abort', onAbort, { once: true });
      try {
        if (when === 'registered') {
          await c.stderr.waitFor((l) => l.includes(`set to ${v.publicUrl}`), 'the line saying the webhook was set');
          assert.deepEqual(p.sim.webhook, { url: v.publicUrl, key: v.webhookSecret }, "the webhook points at the run's listener");
        } else {
          await waitForReceived(p.sim, (r) => r.action.kind === 'text' && r.action.text === 'slow');
        }
        c.signal(signal);
        // 'close': every process of the run, workers included, has let go of the output.
        const run = await c.done;
        t.diagnostic(`${Math.round(run.ms)} ms`);
        assert.equal(run.code, SIGNAL_EXIT[signal as keyof typeof SIGNAL_EXIT], `exit code${context(run)}`);
        assert.ok(run.stderr.includes(`apichat-bdd: ${signal}: cleaning up`), `stderr${context(run)}`);
        assertRestored(run, p);
        assert.deepEqual(stackLines(run.output), [], `no stack trace${context(run)}`);
        assertNoSecrets(run, [...p.secrets, v.webhookSecret]);
      } finally {
        t.signal.removeEventListener('abort', onAbort);
        await c.kill();
      }
    };

    test('SIGINT right after the run registered its webhook', { timeout: 60_000 }, (t) =>
      withPlatform({}, (p) => interrupted(t, p, [], 'SIGINT', 'registered')));

    test('SIGTERM while a scenario waits for a reply', { timeout: 60_000 }, (t) =>
      withPlatform({}, (p) => interrupted(t, p, [], 'SIGTERM', 'waiting')));

    test('SIGINT while a scenario waits for a reply, with --parallel 2 (the workers stop too)', { timeout: 60_000 }, (t) =>
      withPlatform({}, (p) => interrupted(t, p, ['--parallel', '2', HELLO], 'SIGINT', 'waiting')));

    // The run step of examples/ci/github-actions.yml, cancelled as GitHub Actions cancels a step:
    // SIGINT to the step's shell process only. (Through plain `npx cucumber-js` the signal would
    // stop at npm's `sh -c` and the webhook would stay on the runner's tunnel.)
    test('the GitHub Actions example\'s run step, cancelled as the runner cancels it', { timeout: 60_000 }, (t) =>
      withPlatform({}, async (p) => {
        const workflow = parse(readFileSync(join(ROOT, 'examples/ci/github-actions.yml'), 'utf8')) as {
          jobs: Record<string, { steps: Array<{ run?: string }> }>;
        };
        const command = Object.values(workflow.jobs)[0]!.steps.map((s) => s.run ?? '').find((r) => r.includes('--profile ci'));
        assert.ok(command, 'the example has a run step with --profile ci');
        const v = await partnerVars(p, { APICHAT_REPLY_TIMEOUT_MS: '600000' });
        const c = startShellStep(command, [SLOW], v.vars);
        const onAbort = (): void => void c.kill();
        t.signal.addEventListener('abort', onAbort, { once: true });
        try {
          await waitForReceived(p.sim, (r) => r.action.kind === 'text' && r.action.text === 'slow');
          c.signal('SIGINT');
          const run = await c.done;
          t.diagnostic(`${command}: ${Math.round(run.ms)} ms`);
          assert.equal(run.code, 130, `exit code${context(run)}`);
          assertRestored(run, p);
          assertNoSecrets(run, [...p.secrets, v.webhookSecret]);
        } finally {
          t.signal.removeEventListener('abort', onAbort);
          await c.kill();
        }
      }));
  });
});
