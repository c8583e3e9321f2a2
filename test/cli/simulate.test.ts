// `apichat-bdd simulate`: the embedded platform on its own, described by ONE JSON object.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { main } from '../../src/cli.ts';
import { Capture, start } from './helpers.ts';

describe('apichat-bdd simulate', () => {
  it('prints one JSON object whose bot URL answers 401 without the flow key and 200 with it; stops on the signal', async () => {
    const sim = start(['simulate'], {});
    try {
      const l = await sim.stdout.waitForLine(() => true);
      const info = JSON.parse(l) as Record<string, string>;
      assert.deepEqual(Object.keys(info), ['bot_url', 'partner_base_url', 'workspace_id', 'flow_api_key', 'partner_api_key']);
      assert.match(info.bot_url!, /^http:\/\/127\.0\.0\.1:\d+\/api\/apichat\/[0-9a-f]+$/);
      assert.match(info.partner_base_url!, /^http:\/\/127\.0\.0\.1:\d+\/api$/);

      const message = JSON.stringify({ content: 'hi', message_type: 'incoming', sender: { id: 'sim-cli', name: 'A', email: '', phone_number: '', type: 'contact' }, conversation_id: 1, event: 'message_created' });
      const anonymous = await fetch(info.bot_url!, { method: 'POST', headers: { 'content-type': 'application/json' }, body: message });
      assert.equal(anonymous.status, 401);
      const authed = await fetch(info.bot_url!, { method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${info.flow_api_key}` }, body: message });
      assert.equal(authed.status, 200);
      const partner = await fetch(`${info.partner_base_url}/partner/workspace/${info.workspace_id}/apichat-webhook`, { headers: { authorization: `Bearer ${info.partner_api_key}` } });
      assert.equal(partner.status, 200);

      // The hint on stderr shows the exports for live mode.
      const hint = await sim.stderr.waitForLine((x) => x.includes('export'));
      for (const v of ['APICHAT_BOT_URL', 'APICHAT_FLOW_API_KEY', 'APICHAT_PARTNER_BASE_URL', 'APICHAT_PARTNER_API_KEY', 'APICHAT_WORKSPACE_ID', 'APICHAT_WEBHOOK_SECRET', 'APICHAT_PUBLIC_URL']) {
        assert.ok(hint.includes(v), `hint names ${v}`);
      }
      assert.equal(sim.stdout.lines().length, 1);
    } finally {
      assert.equal(await sim.stop(), 0);
    }
    assert.match(sim.stderr.text, /simulator stopped/);
  });

  it('plays the given bot file', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'apichat-bdd-cli-'));
    const file = join(dir, 'echo.yaml');
    await writeFile(file, 'name: echo\nfallback:\n  - text: "echo bot here"\nrules: []\n');
    const sim = start(['simulate', file, '--port', '0'], {});
    try {
      const info = JSON.parse(await sim.stdout.waitForLine(() => true)) as Record<string, string>;
      assert.match(info.bot_url!, /^http:\/\/127\.0\.0\.1:\d+\//);
      assert.ok((await sim.stderr.waitForLine((x) => x.includes('simulator running'))).includes(file));
    } finally {
      assert.equal(await sim.stop(), 0);
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('--jitter-ms sets the delivery spread; a bad value is one usage line, exit 2', async () => {
    const sim = start(['simulate', '--jitter-ms', '0'], {});
    try {
      await sim.stdout.waitForLine(() => true);
      assert.match(await sim.stderr.waitForLine((x) => x.includes('simulator running')), /each reply up to 0 ms late/);
    } finally {
      assert.equal(await sim.stop(), 0);
    }
    const stdout = new Capture();
    const stderr = new Capture();
    assert.equal(await main({ argv: ['simulate', '--jitter-ms', 'soon'], env: {}, stdout, stderr }), 2);
    assert.match(stderr.text, /--jitter-ms: expected a whole number of milliseconds from 0 to 60000, got "soon"/);
    assert.equal(stdout.text, '');
  });
});
