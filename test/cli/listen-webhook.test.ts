// `apichat-bdd listen` and `apichat-bdd webhook get|set|remove`, end to end against the real
// simulator on loopback: signed deliveries become JSON lines, rejected ones stderr lines, and
// `webhook set` performs the platform's handshake against the running `listen`.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { BotClient, closeSharedAgent } from '../../src/client/index.ts';
import { buildText, buildTextReply, sign, SIGNATURE_HEADER } from '../../src/protocol/index.ts';
import { startSimulator, type Simulator } from '../../src/simulator/index.ts';
import { assertNoSecrets, oneLine, run, start, type Running } from './helpers.ts';

const SECRET = 'listen-test-webhook-secret-0123456789';

describe('apichat-bdd listen + webhook', () => {
  let sim: Simulator;
  let listen: Running;
  let url: string;
  const outputs: string[] = [];
  const partnerEnv = (): Record<string, string> => ({
    APICHAT_PARTNER_BASE_URL: sim.partnerBaseUrl,
    APICHAT_PARTNER_API_KEY: sim.partnerKey,
    APICHAT_WORKSPACE_ID: sim.workspaceId,
  });
  const cli = async (argv: string[], env: Record<string, string>) => {
    const r = await run(argv, env);
    outputs.push(r.stdout, r.stderr);
    return r;
  };
  const post = (body: string, signature: string) =>
    fetch(url, { method: 'POST', headers: { 'content-type': 'application/json', [SIGNATURE_HEADER]: signature }, body });

  before(async () => {
    sim = await startSimulator({ jitterMs: 0 });
    listen = start(['listen'], { APICHAT_WEBHOOK_SECRET: SECRET, APICHAT_LISTEN_PORT: '0' });
    const started = await listen.stderr.waitForLine((l) => l.includes('listening on'));
    const m = /listening on (http:\/\/127\.0\.0\.1:\d+\/webhook)/.exec(started);
    assert.ok(m, started);
    url = m[1]!;
  });

  after(async () => {
    const code = await listen.stop();
    await sim.close();
    await closeSharedAgent();
    assert.equal(code, 0);
    assert.match(listen.stderr.text, /listener stopped/);
    // No secret of the live configuration in anything any command printed.
    assertNoSecrets([...outputs, listen.stdout.text, listen.stderr.text], [SECRET, sim.partnerKey, sim.flowKey]);
  });

  it('prints a startup line on stderr and nothing on stdout', () => {
    assert.match(listen.stderr.lines()[0]!, /^apichat-bdd: listening on http:\/\/127\.0\.0\.1:\d+\/webhook; Ctrl-C to stop$/);
    assert.equal(listen.stdout.text, '');
  });

  it('a signed delivery becomes one JSON line on stdout', async () => {
    const body = JSON.stringify(buildTextReply({ sender_id: 'cli-user-1', conv_id: 42 }, 'Hello from the bot'));
    const res = await post(body, sign(body, SECRET));
    assert.equal(res.status, 200);
    const l = await listen.stdout.waitForLine((x) => x.includes('cli-user-1'));
    const m = JSON.parse(l) as Record<string, unknown>;
    assert.equal(m.kind, 'text');
    assert.equal(m.sender_id, 'cli-user-1');
    assert.equal(m.conv_id, 42);
    assert.equal(m.text, 'Hello from the bot');
    assert.equal(m.private, false);
    assert.deepEqual(m.raw, JSON.parse(body));
    assert.equal(typeof m.arrived_at, 'number');
    assert.equal(Object.keys(m)[0], 'kind');
  });

  it('a bad signature becomes one line on stderr naming APICHAT_WEBHOOK_SECRET', async () => {
    const body = JSON.stringify(buildTextReply({ sender_id: 'cli-forged', conv_id: 1 }, 'forged'));
    const res = await post(body, sign(body, 'some-other-key'));
    assert.equal(res.status, 401);
    const l = await listen.stderr.waitForLine((x) => x.includes('rejected'));
    assert.match(l, /^apichat-bdd: rejected 401 bad signature — check APICHAT_WEBHOOK_SECRET/);
    assert.ok(!listen.stdout.text.includes('cli-forged'));
  });

  it('webhook set with another secret fails the handshake: exit 1, one line saying to start listen', async () => {
    const r = await cli(['webhook', 'set'], { ...partnerEnv(), APICHAT_PUBLIC_URL: url, APICHAT_WEBHOOK_SECRET: 'not-the-listeners-secret' });
    assert.equal(r.code, 1);
    assert.equal(r.stdout, '');
    const l = oneLine(r.stderr);
    assert.match(l, /partner API rejected set .*start `apichat-bdd listen` first/);
    assert.ok(!l.includes('not-the-listeners-secret'));
    assert.match(await listen.stderr.waitForLine((x) => x.includes('handshake')), /rejected 403 wrong handshake token — check APICHAT_WEBHOOK_SECRET/);
    assert.equal(sim.webhook, null);
  });

  it('webhook set registers the listener (handshake answered by listen) and prints the result with the key masked', async () => {
    const r = await cli(['webhook', 'set'], { ...partnerEnv(), APICHAT_PUBLIC_URL: url, APICHAT_WEBHOOK_SECRET: SECRET });
    assert.equal(r.code, 0, r.stderr);
    const info = JSON.parse(oneLine(r.stdout)) as Record<string, unknown>;
    assert.equal(info.webhook_url, url);
    assert.equal(info.webhook_status, 'verified');
    assert.equal(info.webhook_verification_key, '***');
    assert.equal(info.bot_url, sim.botUrl);
    assert.match(oneLine(r.stderr), new RegExp(`webhook of workspace ${sim.workspaceId} set to ${url.replace(/\./g, '\\.')} \\(was none\\)`));
    assert.deepEqual(sim.webhook, { url, key: SECRET });
  });

  it('webhook get shows the URL, never the key', async () => {
    const r = await cli(['webhook', 'get'], partnerEnv());
    assert.equal(r.code, 0, r.stderr);
    const info = JSON.parse(oneLine(r.stdout)) as Record<string, unknown>;
    assert.equal(info.webhook_url, url);
    assert.equal(info.webhook_verification_key, '***');
    assert.ok(!r.stdout.includes(SECRET));
  });

  it('webhook get with a wrong partner key: exit 1, one line naming APICHAT_PARTNER_API_KEY', async () => {
    const r = await cli(['webhook', 'get'], { ...partnerEnv(), APICHAT_PARTNER_API_KEY: 'wrong-partner-key' });
    assert.equal(r.code, 1);
    assert.equal(r.stdout, '');
    assert.match(oneLine(r.stderr), /refused the partner key \(HTTP 401 on get\): check APICHAT_PARTNER_API_KEY/);
    assert.ok(!r.stderr.includes('wrong-partner-key'));
  });

  it("the bot's replies to a message sent to the bot URL appear as JSON lines from listen", async () => {
    const bot = new BotClient({ botUrl: sim.botUrl, flowKey: sim.flowKey });
    await bot.send(buildText({ id: 'cli-user-2', name: 'Ann' }, 7, 'hi'));
    const convId = sim.conversationIdOf('cli-user-2');
    // "hi" answers with a greeting text and a button template (in any order).
    const text = JSON.parse(await listen.stdout.waitForLine((x) => x.includes('"cli-user-2"') && x.startsWith('{"kind":"text"'))) as Record<string, unknown>;
    const buttons = JSON.parse(await listen.stdout.waitForLine((x) => x.includes('"cli-user-2"') && x.startsWith('{"kind":"buttons"'))) as Record<string, unknown>;
    for (const m of [text, buttons]) {
      assert.equal(m.sender_id, 'cli-user-2');
      assert.equal(m.conv_id, convId);
    }
    assert.ok(Array.isArray(buttons.buttons) && buttons.buttons.length > 0);
  });

  it('listen on a port that is in use: exit 1, one line naming APICHAT_LISTEN_PORT', async () => {
    const port = new URL(url).port;
    const r = await cli(['listen'], { APICHAT_WEBHOOK_SECRET: SECRET, APICHAT_LISTEN_PORT: port });
    assert.equal(r.code, 1);
    assert.match(oneLine(r.stderr), new RegExp(`APICHAT_LISTEN_PORT: port ${port} on 127\\.0\\.0\\.1 is in use`));
  });

  it('webhook remove removes it', async () => {
    const r = await cli(['webhook', 'remove'], partnerEnv());
    assert.equal(r.code, 0, r.stderr);
    assert.match(oneLine(r.stderr), new RegExp(`webhook of workspace ${sim.workspaceId} removed \\(was ${url.replace(/\./g, '\\.')}\\)`));
    assert.equal(sim.webhook, null);
    const g = await cli(['webhook', 'get'], partnerEnv());
    assert.equal((JSON.parse(g.stdout) as { webhook_url: unknown }).webhook_url, null);
  });
});
