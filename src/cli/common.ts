// Pieces shared by the subcommands: the partner variables on their own (the webhook commands
// need no flow key), binding the listener with one-line errors, and rendering what it sees.
import { z } from 'zod';
import { ConfigError, type PartnerConfig } from '../config.ts';
import { ApiChatError } from '../errors.ts';
import { REJECTION_FIXES, startListener, type InboxStore, type Rejection, type RunningListener } from '../inbox/index.ts';
import type { BotMessage, WebhookInfo } from '../protocol/index.ts';
import { envValue, type Env } from './context.ts';

/** `listen` binds here when APICHAT_LISTEN_PORT is not set (in either mode). */
export const DEFAULT_LISTEN_PORT = 8787;

export const LISTEN_ERROR = 'APICHAT_LISTEN';

const PARTNER_VARS = ['APICHAT_PARTNER_BASE_URL', 'APICHAT_PARTNER_API_KEY', 'APICHAT_WORKSPACE_ID'] as const;
const httpUrl = z.url({ protocol: /^https?$/ });

/** An http(s) URL variable, or a ConfigError naming it. */
export function requireUrl(env: Env, name: string, why: string, example: string): string {
  const v = envValue(env, name);
  if (v === undefined) throw new ConfigError(name, `is not set; ${why}`);
  if (!httpUrl.safeParse(v).success) throw new ConfigError(name, `expected an http(s) URL such as ${example}, got ${JSON.stringify(v)}`);
  return v;
}

export function requireSecret(env: Env, name: string, why: string): string {
  const v = envValue(env, name);
  if (v === undefined) throw new ConfigError(name, `is not set; ${why}`);
  return v;
}

/** The three partner variables, for `webhook get|set|remove` (which need nothing else of a live config). */
export function partnerConfigFrom(env: Env, command: string): PartnerConfig {
  const missing = PARTNER_VARS.find((v) => envValue(env, v) === undefined);
  if (missing) {
    throw new ConfigError(missing, `is not set; \`apichat-bdd ${command}\` calls the partner API, which needs ${PARTNER_VARS.join(', ')}`);
  }
  return {
    baseUrl: requireUrl(env, 'APICHAT_PARTNER_BASE_URL', '', 'https://www.uchat.com.au/api'),
    apiKey: envValue(env, 'APICHAT_PARTNER_API_KEY')!,
    workspaceId: envValue(env, 'APICHAT_WORKSPACE_ID')!,
  };
}

/** The webhook info as it may be shown: the verification key masked. */
export function maskWebhook(info: WebhookInfo): WebhookInfo {
  return info.webhook_verification_key ? { ...info, webhook_verification_key: '***' } : { ...info };
}

export interface BindOptions {
  secret: string;
  store: InboxStore;
  path: string;
  host: string;
  port: number;
}

/** Whether a bind failed because something already listens there. */
export function isAddressInUse(e: unknown): boolean {
  return e instanceof ApiChatError && e.code === LISTEN_ERROR && (e.cause as NodeJS.ErrnoException | undefined)?.code === 'EADDRINUSE';
}

/** startListener with the bind failures a user can cause turned into one-line errors. */
export async function bindListener(o: BindOptions): Promise<RunningListener> {
  try {
    return await startListener(o);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code === 'EADDRINUSE') {
      throw new ApiChatError(LISTEN_ERROR, `APICHAT_LISTEN_PORT: port ${o.port} on ${o.host} is in use (another \`apichat-bdd listen\` or test run?); stop it or choose another port`, { variable: 'APICHAT_LISTEN_PORT', cause: e });
    }
    if (code === 'EADDRNOTAVAIL' || code === 'ENOTFOUND' || code === 'EAI_AGAIN') {
      throw new ApiChatError(LISTEN_ERROR, `APICHAT_LISTEN_HOST: cannot bind to ${o.host} on this machine; use 127.0.0.1 or 0.0.0.0`, { variable: 'APICHAT_LISTEN_HOST', cause: e });
    }
    if (code === 'EACCES') {
      throw new ApiChatError(LISTEN_ERROR, `APICHAT_LISTEN_PORT: not allowed to bind port ${o.port} on ${o.host}; choose a port above 1023`, { variable: 'APICHAT_LISTEN_PORT', cause: e });
    }
    throw e;
  }
}

/** One JSON line per accepted delivery: kind first, then the address, the content, the raw body, the arrival time. */
export function messageLine(m: BotMessage): string {
  const { kind, raw, arrived_at, ...rest } = m;
  return JSON.stringify({ kind, ...rest, raw, arrived_at });
}

/** "apichat-bdd: rejected 401 bad signature — check APICHAT_WEBHOOK_SECRET (…)" */
export function rejectionLine(r: Rejection): string {
  const fix = REJECTION_FIXES[r.reason];
  const seen = r.excerpt && (r.reason === 'wrong path' || !fix) ? ` (${oneLine(r.excerpt, 120)})` : '';
  return `apichat-bdd: rejected ${r.status} ${r.reason}${seen}${fix ? ` — ${fix}` : ''}`;
}

export function oneLine(text: string, max = 200): string {
  const s = text.replace(/\s+/g, ' ').trim();
  return s.length > max ? `${s.slice(0, max - 1)}…` : s;
}
