// SIGKILL recovery (issue 9): a live run killed with SIGKILL cannot put the workspace's webhook
// back; the record it wrote before the takeover (.apichat-bdd/previous-webhook-<workspace>.json,
// 0600, gitignored) lets the next run, or `apichat-bdd webhook restore`, restore the real
// previous webhook instead of the dead listener. Real processes, real SIGKILL.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync, statSync } from 'node:fs';
import { relative } from 'node:path';
import { describe, test, type TestContext } from 'node:test';
import { recordPath } from '../../../src/run/webhook-record.ts';
import { assertNoSecrets, context, partnerVars, ROOT, startCucumber, startPlatform, startShellStep, type Platform } from './helpers.ts';

const SLOW = 'test/fixtures/live/slow.feature';
const HELLO = 'test/fixtures/live/hello.feature';

async function withPlatform(fn: (p: Platform) => Promise<void>): Promise<void> {
  const p = await startPlatform();
  try {
    await fn(p);
  } finally {
    await p.close();
  }
}

/** Starts a run that takes the webhook over, checks the record, and kills the run with SIGKILL. */
async function killedRun(t: TestContext, p: Platform): Promise<{ deadUrl: string; path: string }> {
  const v = await partnerVars(p, { APICHAT_REPLY_TIMEOUT_MS: '600000' });
  const c = startCucumber([SLOW], v.vars);
  t.signal.addEventListener('abort', () => void c.kill(), { once: true });
  await c.stderr.waitFor((l) => l.includes(`set to ${v.publicUrl}`), 'the line saying the webhook was set');
  const path = recordPath(p.sim.workspaceId, ROOT);
  assert.ok(existsSync(path), `the record ${path} exists while the run holds the webhook`);
  assert.equal(statSync(path).mode & 0o777, 0o600, 'the record holds a verification key: mode 0600');
  const record = JSON.parse(readFileSync(path, 'utf8')) as { previous: { webhook_url: string }; ours: string };
  assert.equal(record.previous.webhook_url, p.previous.url);
  assert.equal(record.ours, v.publicUrl);
  // gitignored: `git check-ignore` exits 0 for an ignored path.
  execFileSync('git', ['check-ignore', '-q', relative(ROOT, path)], { cwd: ROOT });
  await c.kill(); // SIGKILL to the whole process group: no cleanup runs
  assert.deepEqual(p.sim.webhook, { url: v.publicUrl, key: v.webhookSecret }, 'after SIGKILL the webhook still points at the dead listener');
  return { deadUrl: v.publicUrl, path };
}

describe('SIGKILL recovery of the workspace webhook', () => {
  test('the next run restores the recorded previous webhook, not the dead listener', { timeout: 60_000 }, (t) =>
    withPlatform(async (p) => {
      const { path } = await killedRun(t, p);
      const v = await partnerVars(p);
      const run = await startCucumber([HELLO], v.vars).done;
      assert.equal(run.code, 0, `the next run passes${context(run)}`);
      assert.match(run.stderr, /an earlier run was killed before it put the webhook of workspace .* back; this run restores /, context(run));
      assert.deepEqual(p.sim.webhook, p.previous, `the original webhook is back${context(run)}`);
      assert.ok(run.stderr.includes(`apichat-bdd: webhook restored to ${p.previous.url}`), context(run));
      assert.equal(existsSync(path), false, 'the record is gone once restored');
      assertNoSecrets(run, [...p.secrets, v.webhookSecret]);
    }));

  test('`apichat-bdd webhook restore` puts it back; a second call has nothing to do', { timeout: 60_000 }, (t) =>
    withPlatform(async (p) => {
      const { path } = await killedRun(t, p);
      const vars = {
        APICHAT_PARTNER_BASE_URL: p.sim.partnerBaseUrl,
        APICHAT_PARTNER_API_KEY: p.sim.partnerKey,
        APICHAT_WORKSPACE_ID: p.sim.workspaceId,
      };
      const first = await startShellStep('node bin/apichat-bdd.js webhook restore', [], vars).done;
      assert.equal(first.code, 0, context(first));
      assert.ok(first.stderr.includes(`apichat-bdd: webhook restored to ${p.previous.url}`), context(first));
      assert.deepEqual(p.sim.webhook, p.previous);
      assert.equal(existsSync(path), false);
      assertNoSecrets(first, p.secrets);
      const again = await startShellStep('node bin/apichat-bdd.js webhook restore', [], vars).done;
      assert.equal(again.code, 0, context(again));
      assert.match(again.stderr, /no webhook record for workspace .*: nothing to restore/);
    }));

  test('restore when the previous webhook\'s own listener is down names that listener, and keeps the record', { timeout: 60_000 }, (t) =>
    withPlatform(async (p) => {
      const { path } = await killedRun(t, p);
      await p.stopPrevious();
      const vars = { APICHAT_PARTNER_BASE_URL: p.sim.partnerBaseUrl, APICHAT_PARTNER_API_KEY: p.sim.partnerKey, APICHAT_WORKSPACE_ID: p.sim.workspaceId };
      const run = await startShellStep('node bin/apichat-bdd.js webhook restore', [], vars).done;
      assert.equal(run.code, 1, context(run));
      assert.match(run.stderr, new RegExp(`the previous webhook's own listener at ${p.previous.url.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')} did not answer the platform's handshake`), context(run));
      assert.doesNotMatch(run.stderr, /APICHAT_WEBHOOK_SECRET/);
      assert.equal(existsSync(path), true, 'the record is kept for a later restore');
      execFileSync('rm', ['-f', path]);
    }));
});
