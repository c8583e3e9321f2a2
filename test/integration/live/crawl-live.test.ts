// `apichat-bdd crawl` in live mode against the stand-in platform, configured through the
// APICHAT_* variables alone: it registers its webhook and puts the previous one back, and it
// never sends faster than its rate (5 messages/s by default against a live bot, or --rate).
import assert from 'node:assert/strict';
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { assertNoSecrets, context, partnerVars, startPlatform, startShellStep, type Platform } from './helpers.ts';

async function crawlLive(p: Platform, args: string[]) {
  const out = await mkdtemp(join(tmpdir(), 'apichat-crawl-live-'));
  try {
    const v = await partnerVars(p, { APICHAT_QUIET_MS: '100' });
    const run = await startShellStep('node bin/apichat-bdd.js crawl', [...args, '--out', out], v.vars).done;
    assert.equal(run.code, 0, `exit code${context(run)}`);
    assert.deepEqual(p.sim.webhook, p.previous, `the previous webhook is back${context(run)}`);
    assert.ok(run.stderr.includes(`apichat-bdd: webhook restored to ${p.previous.url}`), context(run));
    assertNoSecrets(run, [...p.secrets, v.webhookSecret]);
    return { run, files: await readdir(out) };
  } finally {
    await rm(out, { recursive: true, force: true });
  }
}

/** Gaps between the user messages the bot URL received, in arrival order. */
function gaps(p: Platform): number[] {
  const at = p.sim.received.map((r) => r.at).sort((a, b) => a - b);
  return at.slice(1).map((t, i) => t - at[i]!);
}

describe('crawl against a live bot', () => {
  test('the default rate is 5 messages per second, across the two visits of a path', async () => {
    const p = await startPlatform();
    try {
      const { run, files } = await crawlLive(p, ['--start', 'menu', '--depth', '0']);
      assert.deepEqual(files, ['menu.feature'], context(run));
      assert.equal(p.sim.received.length, 2);
      // Both visits start at once; the limiter holds the second for one 200 ms slot (measured
      // where the platform received them, so a little of it may be lost to request latency).
      assert.ok(gaps(p)[0]! >= 120, `second message ${gaps(p)[0]} ms after the first${context(run)}`);
    } finally {
      await p.close();
    }
  });

  test('--rate 20/s spaces every message of the crawl', async () => {
    const p = await startPlatform();
    try {
      const { run } = await crawlLive(p, ['--start', 'menu', '--depth', '1', '--rate', '20/s']);
      assert.match(run.stdout, /^apichat-bdd crawl: 4 paths, 4 scenarios written in 4 files, postback buttons: 3 found, 3 tapped/, context(run));
      const n = p.sim.received.length;
      assert.equal(n, 2 + 3 * 2 * 2, 'menu twice, then menu + a tap twice for each of three buttons');
      const span = p.sim.received.at(-1)!.at - p.sim.received[0]!.at;
      // The platform sees arrivals: one request's latency can bunch two of them up (the sender's
      // own spacing is pinned in test/author/rate.test.ts), but never the whole run by a slot.
      assert.ok(span >= (n - 2) * 50, `${n} messages in ${Math.round(span)} ms (gaps ${gaps(p).map(Math.round).join(', ')} ms)${context(run)}`);
    } finally {
      await p.close();
    }
  });
});
