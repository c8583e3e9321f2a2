// `apichat-bdd doctor`: checks a LIVE setup end to end, in the order a reply travels, one line
// per check: "✓ <what>", "✗ <what> — <fix>" or "– <what> — <why it was skipped>".
//   1. the configuration parses (and is a live one)
//   2. the partner API answers and accepts the partner key          (needs the partner variables)
//   3. the workspace webhook is registered, verified, points at APICHAT_PUBLIC_URL and uses
//      APICHAT_WEBHOOK_SECRET                                         (needs the partner variables)
//   4. APICHAT_PUBLIC_URL reaches the listener: a signed test delivery is posted to it and must
//      arrive in a temporary local listener (or, when a listener already holds the port, be
//      answered 200 by it)
//   5. the bot URL accepts the flow key: a real text message "apichat-bdd doctor" is sent from a
//      throwaway bot user (the bot sees it)
//   6. the bot's reply comes back through the webhook (informational: a bot may not answer)
// Exit code 0 when every check passed, 1 when one failed, 2 when the configuration is missing or wrong.
import { randomBytes, randomInt, timingSafeEqual } from 'node:crypto';
import { BotClient, PartnerClient, TransportError } from '../client/index.ts';
import { hostPort, sendHttp, sharedAgent } from '../client/http.ts';
import { loadConfig, secretsOf, type Config } from '../config.ts';
import { isApiChatError, redact } from '../errors.ts';
import { MemoryStore, type RunningListener } from '../inbox/index.ts';
import { buildText, buildTextReply, sign, SIGNATURE_HEADER, type WebhookInfo } from '../protocol/index.ts';
import { bindListener, isAddressInUse, oneLine } from './common.ts';
import { EXIT, line, type CliContext } from './context.ts';

/** How long the test delivery and the bot's reply may take. */
export const DOCTOR_WAIT_MS = 5000;

type Mark = '✓' | '✗' | '–';

export async function doctorCommand(ctx: CliContext): Promise<number> {
  let failed = false;
  const say = (mark: Mark, what: string, detail?: string): void => line(ctx.stdout, `${mark} ${what}${detail ? ` — ${detail}` : ''}`);
  const pass = (what: string): void => say('✓', what);
  const fail = (what: string, fix: string): void => {
    failed = true;
    say('✗', what, fix);
  };
  const skip = (what: string, why: string): void => say('–', what, why);

  // 1. configuration
  let config: Config;
  try {
    config = loadConfig(ctx.env);
  } catch (e) {
    if (!isApiChatError(e)) throw e;
    fail('configuration', e.message);
    return EXIT.USAGE;
  }
  if (config.mode === 'simulated') {
    fail('live configuration', 'no live configuration: set APICHAT_* (see README): APICHAT_BOT_URL (or the partner variables), APICHAT_FLOW_API_KEY, APICHAT_WEBHOOK_SECRET, APICHAT_PUBLIC_URL');
    return EXIT.USAGE;
  }
  if (!config.webhookSecret) {
    // Runner mode (APICHAT_REDIS_URL) needs no secret, but the doctor checks a listener's setup.
    fail('live configuration', 'APICHAT_WEBHOOK_SECRET: is not set; the doctor checks the webhook and the listener, so run it where `apichat-bdd listen` runs, with its variables');
    return EXIT.USAGE;
  }
  const secret = config.webhookSecret;
  const secrets = secretsOf(config);
  pass(`configuration parses (live mode; bot URL ${config.botUrl ? `${hostOf(config.botUrl)} from APICHAT_BOT_URL` : 'from the partner API'}; listener ${config.listenHost}:${config.listenPort}${config.webhookPath})`);

  // 2. partner API
  let info: WebhookInfo | undefined;
  const partnerWhat = 'the partner API answers and accepts the partner key';
  if (!config.partner) {
    skip(partnerWhat, 'skipped: APICHAT_PARTNER_BASE_URL, APICHAT_PARTNER_API_KEY, APICHAT_WORKSPACE_ID are not set');
  } else {
    const p = config.partner;
    try {
      info = await new PartnerClient({ baseUrl: p.baseUrl, partnerKey: p.apiKey, workspaceId: p.workspaceId }).get();
      pass(`${partnerWhat} (workspace ${p.workspaceId} at ${hostOf(p.baseUrl)})`);
    } catch (e) {
      if (!isApiChatError(e)) throw e;
      fail(partnerWhat, e.message);
    }
  }

  // 3. the registered webhook
  let webhookFailed = false;
  const webhookWhat = 'the workspace webhook is registered, verified and points at APICHAT_PUBLIC_URL';
  if (!config.partner) {
    skip(webhookWhat, 'skipped: no partner variables (the webhook cannot be read)');
  } else if (!info) {
    skip(webhookWhat, 'skipped: the partner API did not answer');
  } else {
    const problem = webhookProblem(info, config, secret);
    webhookFailed = problem !== undefined;
    if (problem) fail(webhookWhat, problem);
    else pass(`${webhookWhat} (${config.publicUrl})`);
  }

  const store = new MemoryStore();
  let listener: RunningListener | undefined;
  try {
    // 4. the public URL reaches the listener
    let runningElsewhere = false;
    let bindError: string | undefined;
    try {
      listener = await bindListener({ secret, store, path: config.webhookPath, host: config.listenHost, port: config.listenPort });
    } catch (e) {
      if (isAddressInUse(e)) runningElsewhere = true;
      else if (isApiChatError(e)) bindError = e.message;
      else throw e;
    }
    const local = listener?.localUrl ?? `http://${config.listenHost}:${config.listenPort}${config.webhookPath}`;
    const target = config.publicUrl ?? local;
    const deliveryWhat = config.publicUrl ? `APICHAT_PUBLIC_URL (${config.publicUrl}) reaches the listener` : `the listener answers at ${local} (APICHAT_PUBLIC_URL is not set)`;
    let deliveryOk = false;
    if (bindError) fail(deliveryWhat, bindError);
    if (listener || runningElsewhere) {
      const outcome = await checkDelivery(store, target, secret, secrets, runningElsewhere);
      deliveryOk = outcome.ok;
      const behind = local;
      const tunnel = config.publicUrl ? `check APICHAT_PUBLIC_URL and that the tunnel is up and forwards to ${behind}` : `check APICHAT_LISTEN_HOST and APICHAT_LISTEN_PORT`;
      if (outcome.ok) {
        pass(runningElsewhere ? `${deliveryWhat} (a listener already running on ${config.listenHost}:${config.listenPort} answered 200 to a signed test delivery; the doctor used it)` : `${deliveryWhat} (a signed test delivery arrived in ${outcome.ms} ms)`);
      } else if (outcome.kind === 'unreachable') {
        fail(deliveryWhat, `${outcome.detail}: the platform could not deliver replies either — ${tunnel}`);
      } else if (outcome.kind === 'status') {
        const whose = runningElsewhere ? `the listener already running on ${config.listenHost}:${config.listenPort}` : 'the listener';
        const why =
          outcome.status === 401 || outcome.status === 403
            ? `it was signed with APICHAT_WEBHOOK_SECRET, so what answers is not ${whose} or runs with another secret — ${tunnel}${runningElsewhere ? ', and restart that listener with the same APICHAT_WEBHOOK_SECRET' : ''}`
            : tunnel;
        fail(deliveryWhat, `${target} answered HTTP ${outcome.status} (${outcome.detail}) to a signed test delivery instead of 200: ${why}`);
      } else {
        fail(deliveryWhat, `${target} answered 200, but the signed test delivery did not reach this machine's listener (${behind}) within ${DOCTOR_WAIT_MS} ms: something else answers there — ${tunnel}`);
      }
    }

    // 5. the bot URL and the flow key
    const botWhat = 'the bot URL accepts the flow key';
    const botUrl = config.botUrl ?? info?.bot_url ?? undefined;
    let botSender: string | undefined;
    let sentAt = 0;
    if (!botUrl) {
      if (info) fail(botWhat, 'the partner API returned no bot_url for the workspace: set APICHAT_BOT_URL');
      else skip(botWhat, 'skipped: no bot URL (APICHAT_BOT_URL is not set and the partner API did not answer)');
    } else {
      botSender = `doctor-${randomBytes(6).toString('hex')}`;
      store.register(botSender);
      try {
        const bot = new BotClient({ botUrl, flowKey: config.flowKey! });
        sentAt = performance.now();
        const res = await bot.send(buildText({ id: botSender, name: 'apichat-bdd doctor' }, randomInt(1, 2 ** 31), 'apichat-bdd doctor'));
        pass(`${botWhat} (HTTP ${res.status} from ${hostOf(botUrl)} for a text "apichat-bdd doctor" from bot user ${botSender})`);
      } catch (e) {
        if (!isApiChatError(e)) throw e;
        fail(botWhat, e.message);
        botSender = undefined;
      }
    }

    // 6. the bot's reply comes back (informational)
    const replyWhat = "the bot's reply comes back through the webhook";
    if (botSender && listener && (!deliveryOk || webhookFailed)) {
      skip(replyWhat, `not checked: ${deliveryOk ? 'the webhook does not point at APICHAT_PUBLIC_URL' : 'the test delivery did not reach the listener'} (see above)`);
    } else if (botSender && listener) {
      try {
        await store.waitFor(botSender, () => true, { timeoutMs: DOCTOR_WAIT_MS });
        pass(`${replyWhat} (${Math.round(performance.now() - sentAt)} ms)`);
      } catch {
        skip(replyWhat, `no reply within ${DOCTOR_WAIT_MS} ms; fine if the bot does not answer "apichat-bdd doctor", otherwise the platform delivers elsewhere (see the webhook check)`);
      }
    } else if (botSender) {
      skip(replyWhat, 'not checked: the already running listener receives it (look at its output)');
    }
  } finally {
    await listener?.close();
  }
  return failed ? EXIT.FAILURE : EXIT.OK;
}

function webhookProblem(info: WebhookInfo, config: Config, secret: string): string | undefined {
  const ws = config.partner!.workspaceId;
  const setIt = 'run `apichat-bdd webhook set` while `apichat-bdd listen` runs (a test run sets it for its own duration)';
  if (!info.webhook_url) return `no webhook is set on workspace ${ws}: ${setIt}`;
  const problems: string[] = [];
  if (!sameUrl(info.webhook_url, config.publicUrl!)) problems.push(`it points at ${info.webhook_url}, not at APICHAT_PUBLIC_URL (${config.publicUrl})`);
  if (info.webhook_status !== 'verified') problems.push(`its webhook_status is ${JSON.stringify(info.webhook_status ?? null)}, not "verified"`);
  if (info.webhook_verification_key && !sameSecret(info.webhook_verification_key, secret)) {
    problems.push('its verification key differs from APICHAT_WEBHOOK_SECRET, so every reply would be rejected as "bad signature"');
  }
  return problems.length ? `${problems.join('; ')}: ${setIt}` : undefined;
}

type DeliveryOutcome =
  | { ok: true; ms: number }
  | { ok: false; kind: 'unreachable'; detail: string }
  | { ok: false; kind: 'status'; status: number; detail: string }
  | { ok: false; kind: 'not-arrived' };

/** POST a signed, normalisable test delivery to `target`; with our own listener, wait for it to arrive. */
async function checkDelivery(store: MemoryStore, target: string, secret: string, secrets: string[], runningElsewhere: boolean): Promise<DeliveryOutcome> {
  const senderId = `doctor-${randomBytes(6).toString('hex')}`;
  const body = JSON.stringify(buildTextReply({ sender_id: senderId, conv_id: 0 }, 'apichat-bdd doctor: test delivery'));
  const started = performance.now();
  const stop = new AbortController();
  let arrived: Promise<unknown> | undefined;
  if (!runningElsewhere) {
    store.register(senderId);
    arrived = store.waitFor(senderId, () => true, { timeoutMs: DOCTOR_WAIT_MS, signal: stop.signal });
    arrived.catch(() => undefined);
  }
  try {
    let res;
    try {
      res = await sendHttp({
        url: new URL(target),
        method: 'POST',
        headers: { 'content-type': 'application/json', [SIGNATURE_HEADER]: sign(body, secret) },
        body,
        timeoutMs: DOCTOR_WAIT_MS,
        dispatcher: sharedAgent(),
        secrets,
      });
    } catch (e) {
      if (e instanceof TransportError) return { ok: false, kind: 'unreachable', detail: e.message };
      throw e;
    }
    if (res.status !== 200) {
      return { ok: false, kind: 'status', status: res.status, detail: oneLine(redact(res.text, secrets), 80) || 'empty body' };
    }
    if (!arrived) return { ok: true, ms: Math.round(performance.now() - started) };
    try {
      await arrived;
      return { ok: true, ms: Math.round(performance.now() - started) };
    } catch {
      return { ok: false, kind: 'not-arrived' };
    }
  } finally {
    stop.abort();
    store.unregister(senderId);
  }
}

function hostOf(url: string): string {
  try {
    return hostPort(new URL(url));
  } catch {
    return 'an invalid URL';
  }
}

function sameUrl(a: string, b: string): boolean {
  try {
    return new URL(a).href === new URL(b).href;
  } catch {
    return a === b;
  }
}

function sameSecret(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}
