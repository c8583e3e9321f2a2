// `apichat-bdd doctor` against the real simulator on loopback: all ✓ for a correct setup (with
// its own temporary listener, and relying on a running `listen`), and each failure it claims
// to find, with the variable to fix. No secret ever appears in its output.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { closeSharedAgent, PartnerClient } from '../../src/client/index.ts';
import { MemoryStore, startListener } from '../../src/inbox/index.ts';
import { startSimulator, type Simulator } from '../../src/simulator/index.ts';
import { assertNoSecrets, closedPort, freePort, run, start } from './helpers.ts';

const SECRET = 'doctor-test-webhook-secret-0123456789';

describe('apichat-bdd doctor', () => {
  let sim: Simulator;
  let partner: PartnerClient;
  let port: number;
  let publicUrl: string;
  const outputs: string[] = [];
  const secrets = (): string[] => [SECRET, sim.partnerKey, sim.flowKey, 'wrong-partner-key-xyz', 'wrong-flow-key-xyz', 'another-secret-xyz'];

  /** A full live configuration pointing at the simulator; the doctor's listener binds `port`. */
  const liveEnv = (): Record<string, string> => ({
    APICHAT_FLOW_API_KEY: sim.flowKey,
    APICHAT_WEBHOOK_SECRET: SECRET,
    APICHAT_PUBLIC_URL: publicUrl,
    APICHAT_LISTEN_PORT: String(port),
    APICHAT_PARTNER_BASE_URL: sim.partnerBaseUrl,
    APICHAT_PARTNER_API_KEY: sim.partnerKey,
    APICHAT_WORKSPACE_ID: sim.workspaceId,
  });
  const doctor = async (env: Record<string, string>) => {
    const r = await run(['doctor'], env);
    outputs.push(r.stdout, r.stderr);
    assert.equal(r.stderr, '', 'doctor reports on stdout only');
    return { ...r, lines: r.stdout.split('\n').filter((l) => l !== '') };
  };
  /** Register `url` with `key` as the simulator's webhook (the handshake needs a listener there for a moment). */
  const registerWebhook = async (url: string, key: string): Promise<void> => {
    const u = new URL(url);
    const l = await startListener({ secret: key, store: new MemoryStore(), path: u.pathname, host: '127.0.0.1', port: Number(u.port) });
    try {
      await partner.set({ webhook_url: url, webhook_verification_key: key });
    } finally {
      await l.close();
    }
  };
  const line = (lines: string[], re: RegExp): string => {
    const found = lines.find((l) => re.test(l));
    assert.ok(found, `no line matching ${re} in:\n${lines.join('\n')}`);
    return found;
  };

  before(async () => {
    sim = await startSimulator({ jitterMs: 0 });
    partner = new PartnerClient({ baseUrl: sim.partnerBaseUrl, partnerKey: sim.partnerKey, workspaceId: sim.workspaceId });
    port = await freePort();
    publicUrl = `http://127.0.0.1:${port}/webhook`;
    await registerWebhook(publicUrl, SECRET);
  });

  after(async () => {
    await sim.close();
    await closeSharedAgent();
    assertNoSecrets(outputs, secrets());
  });

  it('APICHAT_SIMULATOR_BOT set in live mode: one "!" line saying it is ignored, right after the configuration', async () => {
    const r = await doctor({ ...liveEnv(), APICHAT_SIMULATOR_BOT: 'bots/shop.yaml' });
    assert.equal(r.code, 0, r.stdout);
    assert.match(r.lines[0] ?? '', /^✓ configuration parses/);
    assert.match(r.lines[1] ?? '', /^! APICHAT_SIMULATOR_BOT is ignored in live mode/);
    assert.equal(r.lines.filter((l) => l.startsWith('!')).length, 1);
  });

  it('a correct setup: every check ✓ (bot URL read from the partner API), exit 0', async () => {
    const r = await doctor(liveEnv());
    assert.equal(r.code, 0, r.stdout);
    assert.equal(r.lines.length, 6, r.stdout);
    for (const l of r.lines) assert.match(l, /^✓ /);
    assert.match(r.lines[0]!, /^✓ configuration parses \(live mode; bot URL from the partner API/);
    assert.match(r.lines[1]!, new RegExp(`^✓ the partner API answers and accepts the partner key \\(workspace ${sim.workspaceId}`));
    assert.match(r.lines[2]!, /^✓ the workspace webhook is registered, verified and points at APICHAT_PUBLIC_URL/);
    assert.match(r.lines[3]!, /^✓ APICHAT_PUBLIC_URL \(.*\) reaches the listener \(a signed test delivery arrived in \d+ ms\)$/);
    assert.match(r.lines[4]!, /^✓ the bot URL accepts the flow key \(HTTP 200 .*bot user doctor-[0-9a-f]+\)$/);
    assert.match(r.lines[5]!, /^✓ the bot's reply comes back through the webhook/);
    // The bot really got the doctor's message.
    assert.ok(sim.received.some((m) => m.body.sender.id.startsWith('doctor-') && m.body.content === 'apichat-bdd doctor'));
  });

  it('relies on an already running `apichat-bdd listen` on the port, exit 0', async () => {
    const listen = start(['listen'], { APICHAT_WEBHOOK_SECRET: SECRET, APICHAT_LISTEN_PORT: String(port), APICHAT_PUBLIC_URL: publicUrl });
    try {
      await listen.stderr.waitForLine((l) => l.includes('listening on'));
      const r = await doctor({ ...liveEnv(), APICHAT_BOT_URL: sim.botUrl });
      assert.equal(r.code, 0, r.stdout);
      assert.ok(r.lines.every((l) => /^[✓–] /.test(l)), r.stdout);
      assert.match(line(r.lines, /reaches the listener/), /a listener already running on 127\.0\.0\.1:\d+ answered 200 to a signed test delivery/);
      // The running listener printed the doctor's signed test delivery.
      const got = JSON.parse(await listen.stdout.waitForLine((l) => l.includes('apichat-bdd doctor: test delivery'))) as { sender_id: string };
      assert.match(got.sender_id, /^doctor-/);
    } finally {
      assert.equal(await listen.stop(), 0);
      outputs.push(listen.stdout.text, listen.stderr.text);
    }
  });

  it('a wrong partner key: ✗ names APICHAT_PARTNER_API_KEY, the webhook check is skipped, exit 1', async () => {
    const r = await doctor({ ...liveEnv(), APICHAT_BOT_URL: sim.botUrl, APICHAT_PARTNER_API_KEY: 'wrong-partner-key-xyz' });
    assert.equal(r.code, 1, r.stdout);
    assert.match(line(r.lines, /partner API answers/), /^✗ the partner API answers and accepts the partner key — .*HTTP 401.*check APICHAT_PARTNER_API_KEY/);
    assert.match(line(r.lines, /workspace webhook/), /^– .*skipped/);
    assert.match(line(r.lines, /bot URL accepts/), /^✓ /);
  });

  it('a webhook pointing elsewhere: ✗ says where it points, exit 1', async () => {
    const elsewhere = `http://127.0.0.1:${await freePort()}/elsewhere`;
    await registerWebhook(elsewhere, SECRET);
    try {
      const r = await doctor(liveEnv());
      assert.equal(r.code, 1, r.stdout);
      const l = line(r.lines, /workspace webhook/);
      assert.ok(l.startsWith('✗ '), l);
      assert.ok(l.includes(`it points at ${elsewhere}, not at APICHAT_PUBLIC_URL (${publicUrl})`), l);
      assert.match(l, /apichat-bdd webhook set/);
      assert.match(line(r.lines, /reaches the listener/), /^✓ /);
      assert.match(line(r.lines, /reply comes back/), /^– .* — not checked: the webhook does not point at APICHAT_PUBLIC_URL/);
    } finally {
      await registerWebhook(publicUrl, SECRET);
    }
  });

  it('a webhook registered with another key: ✗ says it differs from APICHAT_WEBHOOK_SECRET, exit 1', async () => {
    await registerWebhook(publicUrl, 'another-secret-xyz');
    try {
      const r = await doctor(liveEnv());
      assert.equal(r.code, 1, r.stdout);
      assert.match(line(r.lines, /workspace webhook/), /^✗ .*verification key differs from APICHAT_WEBHOOK_SECRET/);
    } finally {
      await registerWebhook(publicUrl, SECRET);
    }
  });

  it('an unreachable public URL: ✗ names APICHAT_PUBLIC_URL, exit 1', async () => {
    const closed = `http://127.0.0.1:${await closedPort()}/webhook`;
    const env = { APICHAT_BOT_URL: sim.botUrl, APICHAT_FLOW_API_KEY: sim.flowKey, APICHAT_WEBHOOK_SECRET: SECRET, APICHAT_PUBLIC_URL: closed, APICHAT_LISTEN_PORT: '0' };
    const r = await doctor(env);
    assert.equal(r.code, 1, r.stdout);
    assert.match(line(r.lines, /partner API/), /^– .*skipped/);
    const l = line(r.lines, /reaches the listener/);
    assert.match(l, /^✗ APICHAT_PUBLIC_URL \(http:\/\/127\.0\.0\.1:\d+\/webhook\) reaches the listener — connection refused at 127\.0\.0\.1:\d+.*check APICHAT_PUBLIC_URL and that the tunnel is up/);
    assert.match(line(r.lines, /bot URL accepts/), /^✓ /);
  });

  it('a wrong flow key: ✗ names APICHAT_FLOW_API_KEY, exit 1', async () => {
    const env = { APICHAT_BOT_URL: sim.botUrl, APICHAT_FLOW_API_KEY: 'wrong-flow-key-xyz', APICHAT_WEBHOOK_SECRET: SECRET, APICHAT_LISTEN_PORT: '0' };
    const r = await doctor(env);
    assert.equal(r.code, 1, r.stdout);
    assert.match(line(r.lines, /listener answers at/), /^✓ the listener answers at http:\/\/127\.0\.0\.1:\d+\/webhook \(APICHAT_PUBLIC_URL is not set\)/);
    assert.match(line(r.lines, /bot URL accepts/), /^✗ the bot URL accepts the flow key — the bot URL refused the flow key \(HTTP 401\): check APICHAT_FLOW_API_KEY/);
    assert.equal(r.lines.filter((l) => l.startsWith('✗')).length, 1, r.stdout);
  });

  it('a wrong bot URL: ✗ names APICHAT_BOT_URL, exit 1', async () => {
    const env = { APICHAT_BOT_URL: sim.botUrl.replace(/[0-9a-f]+$/, 'nope'), APICHAT_FLOW_API_KEY: sim.flowKey, APICHAT_WEBHOOK_SECRET: SECRET, APICHAT_LISTEN_PORT: '0' };
    const r = await doctor(env);
    assert.equal(r.code, 1, r.stdout);
    assert.match(line(r.lines, /bot URL accepts/), /^✗ .*HTTP 404.*check APICHAT_BOT_URL/);
  });
});
