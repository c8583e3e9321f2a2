// Live-mode hardening (issue 9), with real cucumber-js runs: a bot URL that never answers fails
// the step with our one-line reason naming APICHAT_BOT_URL before Cucumber's own step timeout
// (not "function timed out" and a stack); --dry-run contacts nothing.
import assert from 'node:assert/strict';
import { createServer, type ServerResponse } from 'node:http';
import { test } from 'node:test';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { botUrlVars, context, partnerVars, runCucumber, stackLines, startCucumber, startPlatform, waitForReceived } from './helpers.ts';

const HELLO = 'test/fixtures/live/hello.feature';

test('a hanging bot URL fails the step with APICHAT_BOT_URL named, before Cucumber\'s timeout', { timeout: 60_000 }, async () => {
  const p = await startPlatform();
  const held: ServerResponse[] = [];
  const hanging = createServer((_req, res) => void held.push(res)); // accepts, never answers
  await new Promise<void>((r) => hanging.listen(0, '127.0.0.1', r));
  try {
    const port = (hanging.address() as { port: number }).port;
    const v = await botUrlVars(p, { APICHAT_BOT_URL: `http://127.0.0.1:${port}/api/apichat/hang`, APICHAT_REPLY_TIMEOUT_MS: '1500' });
    const run = await runCucumber([HELLO], v.vars);
    assert.equal(run.code, 1, context(run));
    assert.ok(held.length >= 1, 'the message reached the hanging bot URL');
    assert.doesNotMatch(run.output, /function timed out/, context(run));
    assert.match(run.output, /no answer within \d+ ms from 127\.0\.0\.1:\d+; the message was not re-sent \(the bot may have received it\) — is the bot URL right \(APICHAT_BOT_URL\) and the platform up\?/, context(run));
    assert.deepEqual(stackLines(run.output), [], `no stack trace${context(run)}`);
  } finally {
    hanging.closeAllConnections();
    await new Promise<void>((r) => hanging.close(() => r()));
    await p.close();
  }
});

test('--dry-run in live mode contacts nothing: no partner call, no bot message, the webhook untouched', { timeout: 60_000 }, async () => {
  const p = await startPlatform();
  let requests = 0;
  const count = (): void => void requests++;
  p.sim.app.server.on('request', count);
  try {
    const before = p.sim.webhook;
    const v = await partnerVars(p);
    const run = await runCucumber(['--dry-run', HELLO], v.vars);
    assert.equal(run.code, 0, context(run));
    assert.match(run.stderr, /apichat-bdd: --dry-run: no listener, simulator or webhook started; nothing is contacted/, context(run));
    assert.match(run.stdout, /1 scenario \(1 skipped\)/, context(run));
    assert.equal(requests, 0, `the platform got ${requests} requests${context(run)}`);
    assert.deepEqual(p.sim.webhook, before);
    assert.doesNotMatch(run.stderr, /webhook (of workspace|restored|removed)/, context(run));
  } finally {
    p.sim.app.server.off('request', count);
    await p.close();
  }
});

test('Ctrl-C leaves a whole conversation report, never an empty file', { timeout: 60_000 }, async (t) => {
  const p = await startPlatform();
  const dir = mkdtempSync(join(tmpdir(), 'apichat-sigint-report-'));
  const file = join(dir, 'conversations.html');
  const v = await partnerVars(p, { APICHAT_REPLY_TIMEOUT_MS: '600000' });
  const c = startCucumber(['--format', `./steps/report-formatter.mjs:${file}`, 'test/fixtures/live/slow.feature'], v.vars);
  t.signal.addEventListener('abort', () => void c.kill(), { once: true });
  try {
    await waitForReceived(p.sim, (r) => r.action.kind === 'text' && r.action.text === 'slow');
    c.signal('SIGINT');
    const run = await c.done;
    assert.equal(run.code, 130, context(run));
    const html = readFileSync(file, 'utf8');
    assert.ok(html.startsWith('<!doctype html>'), `a page: ${html.slice(0, 80)}${context(run)}`);
    assert.doesNotMatch(html, /still going, or was killed/, 'the report of the interrupted run, not the placeholder');
    assert.ok(html.trimEnd().endsWith('</html>'), 'written whole');
  } finally {
    await c.kill();
    await p.close();
    rmSync(dir, { recursive: true, force: true });
  }
});
