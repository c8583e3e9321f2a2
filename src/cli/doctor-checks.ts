// The doctor's checks of the partner API, the registered webhook, the bot URL and the bot's
// reply (the listener check is doctor-delivery.ts), and the checklist they write to.
import { randomBytes, randomInt } from 'node:crypto';
import { BotClient, PartnerClient } from '../client/index.ts';
import { hostPort } from '../client/http.ts';
import type { LiveConfig } from '../config.ts';
import { isApiChatError } from '../base/errors.ts';
import type { MemoryStore } from '../inbox/index.ts';
import { buildText, safeEqual, type WebhookInfo } from '../protocol/index.ts';
import { line, type Out } from './context.ts';

/** How long the test delivery and the bot's reply may take. */
export const DOCTOR_WAIT_MS = 5000;

/** One line per check: "✓ what", "✗ what — fix", "– what — why skipped". */
export class Checklist {
  failed = false;

  constructor(private readonly out: Out) {}

  pass(what: string): void {
    this.say('✓', what);
  }

  fail(what: string, fix: string): void {
    this.failed = true;
    this.say('✗', what, fix);
  }

  skip(what: string, why: string): void {
    this.say('–', what, why);
  }

  /** A remark that is not a check (a variable set but ignored). */
  note(text: string): void {
    line(this.out, `! ${text}`);
  }

  private say(mark: string, what: string, detail?: string): void {
    line(this.out, `${mark} ${what}${detail ? ` — ${detail}` : ''}`);
  }
}

/** 2. The partner API answers and accepts the key; returns the workspace's webhook info. */
export async function checkPartner(config: LiveConfig, list: Checklist): Promise<WebhookInfo | undefined> {
  const what = 'the partner API answers and accepts the partner key';
  const p = config.partner;
  if (!p) {
    list.skip(what, 'skipped: APICHAT_PARTNER_BASE_URL, APICHAT_PARTNER_API_KEY, APICHAT_WORKSPACE_ID are not set');
    return undefined;
  }
  try {
    const info = await new PartnerClient({ baseUrl: p.baseUrl, partnerKey: p.apiKey, workspaceId: p.workspaceId }).get();
    list.pass(`${what} (workspace ${p.workspaceId} at ${hostOf(p.baseUrl)})`);
    return info;
  } catch (e) {
    if (!isApiChatError(e)) throw e;
    list.fail(what, e.message);
    return undefined;
  }
}

/** 3. The registered webhook points at APICHAT_PUBLIC_URL, is verified and uses our secret. False when it does not. */
export function checkWebhook(config: LiveConfig, info: WebhookInfo | undefined, list: Checklist): boolean {
  const what = 'the workspace webhook is registered, verified and points at APICHAT_PUBLIC_URL';
  if (!config.partner) list.skip(what, 'skipped: no partner variables (the webhook cannot be read)');
  else if (!info) list.skip(what, 'skipped: the partner API did not answer');
  else {
    const problem = webhookProblem(info, config.partner.workspaceId, config.publicUrl, config.webhookSecret);
    if (problem) {
      list.fail(what, problem);
      return false;
    }
    list.pass(`${what} (${config.publicUrl})`);
  }
  return true;
}

function webhookProblem(info: WebhookInfo, ws: string, publicUrl: string | undefined, secret: string): string | undefined {
  const setIt = 'run `apichat-bdd webhook set` while `apichat-bdd listen` runs (a test run sets it for its own duration)';
  if (!info.webhook_url) return `no webhook is set on workspace ${ws}: ${setIt}`;
  const problems: string[] = [];
  if (!sameUrl(info.webhook_url, publicUrl)) problems.push(`it points at ${info.webhook_url}, not at APICHAT_PUBLIC_URL (${publicUrl})`);
  if (info.webhook_status !== 'verified') problems.push(`its webhook_status is ${JSON.stringify(info.webhook_status ?? null)}, not "verified"`);
  if (info.webhook_verification_key && !safeEqual(info.webhook_verification_key, secret)) {
    problems.push('its verification key differs from APICHAT_WEBHOOK_SECRET, so every reply would be rejected as "bad signature"');
  }
  return problems.length ? `${problems.join('; ')}: ${setIt}` : undefined;
}

export interface SentToBot {
  sender: string;
  sentAt: number;
}

/** 5. The bot URL accepts the flow key: one real text from a throwaway bot user. */
export async function checkBot(config: LiveConfig, info: WebhookInfo | undefined, store: MemoryStore, list: Checklist): Promise<SentToBot | undefined> {
  const what = 'the bot URL accepts the flow key';
  const botUrl = config.botUrl ?? info?.bot_url ?? undefined;
  if (!botUrl) {
    if (info) list.fail(what, 'the partner API returned no bot_url for the workspace: set APICHAT_BOT_URL');
    else list.skip(what, 'skipped: no bot URL (APICHAT_BOT_URL is not set and the partner API did not answer)');
    return undefined;
  }
  const sender = `doctor-${randomBytes(6).toString('hex')}`;
  store.register(sender);
  try {
    const bot = new BotClient({ botUrl, flowKey: config.flowKey });
    const sentAt = performance.now();
    const res = await bot.send(buildText({ id: sender, name: 'apichat-bdd doctor' }, randomInt(1, 2 ** 31), 'apichat-bdd doctor'));
    list.pass(`${what} (HTTP ${res.status} from ${hostOf(botUrl)} for a text "apichat-bdd doctor" from bot user ${sender})`);
    return { sender, sentAt };
  } catch (e) {
    if (!isApiChatError(e)) throw e;
    list.fail(what, e.message);
    return undefined;
  }
}

/** 6. The bot's reply comes back through the webhook (informational: a skip, never a failure). */
export async function checkReply(
  sent: SentToBot,
  before: { listening: boolean; deliveryOk: boolean; webhookOk: boolean },
  store: MemoryStore,
  list: Checklist,
): Promise<void> {
  const what = "the bot's reply comes back through the webhook";
  if (!before.listening) {
    list.skip(what, 'not checked: the already running listener receives it (look at its output)');
  } else if (!before.deliveryOk || !before.webhookOk) {
    list.skip(what, `not checked: ${before.deliveryOk ? 'the webhook does not point at APICHAT_PUBLIC_URL' : 'the test delivery did not reach the listener'} (see above)`);
  } else {
    try {
      await store.waitFor(sent.sender, () => true, { timeoutMs: DOCTOR_WAIT_MS });
      list.pass(`${what} (${Math.round(performance.now() - sent.sentAt)} ms)`);
    } catch {
      list.skip(what, `no reply within ${DOCTOR_WAIT_MS} ms; fine if the bot does not answer "apichat-bdd doctor", otherwise the platform delivers elsewhere (see the webhook check)`);
    }
  }
}

export function hostOf(url: string): string {
  try {
    return hostPort(new URL(url));
  } catch {
    return 'an invalid URL';
  }
}

function sameUrl(a: string, b: string | undefined): boolean {
  if (b === undefined) return false;
  try {
    return new URL(a).href === new URL(b).href;
  } catch {
    return a === b;
  }
}
