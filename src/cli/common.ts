// Pieces shared by the subcommands: the partner variables on their own (the webhook commands
// need no flow key) and rendering what the listener sees.
import { ConfigError, PARTNER_VARIABLES, partnerFrom, type PartnerConfig } from '../config.ts';
import { REJECTION_FIXES, type Rejection } from '../inbox/index.ts';
import type { BotMessage, WebhookInfo } from '../protocol/index.ts';
import type { Env } from './context.ts';
import { oneLine } from '../base/text.ts';

/** The three partner variables, for `webhook get|set|remove` (which need nothing else of a live config). */
export function partnerConfigFrom(env: Env, command: string): PartnerConfig {
  const why = (): string => `is not set; \`apichat-bdd ${command}\` calls the partner API, which needs ${PARTNER_VARIABLES.join(', ')}`;
  const partner = partnerFrom(env, why);
  if (!partner) throw new ConfigError(PARTNER_VARIABLES[0], why());
  return partner;
}

/** The webhook info as it may be shown: the verification key masked. */
export function maskWebhook(info: WebhookInfo): WebhookInfo {
  return info.webhook_verification_key ? { ...info, webhook_verification_key: '***' } : { ...info };
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
