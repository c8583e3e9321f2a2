// The durable record of a workspace's previous webhook, written before a run takes the webhook
// over, removed once it is put back. A run killed with SIGKILL cannot clean up: the workspace's
// webhook then points at its dead listener, and the next run would call that "previous". The
// record lets the next run (or `apichat-bdd webhook restore`) put the real previous one back.
// It holds the previous verification key, so the file is 0600 in a 0700 folder, written whole
// (temporary file, then rename), and .gitignored; its contents are never printed.
import { chmodSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { z } from 'zod';
import type { PartnerClient } from '../client/index.ts';
import { ApiChatError, isApiChatError } from '../base/errors.ts';
import type { WebhookInfo } from '../protocol/index.ts';
import { jsonOrUndefined } from '../inbox/wire.ts';

/** The folder (relative to the working directory) where apichat-bdd keeps state; gitignored. */
export const STATE_DIR = '.apichat-bdd';

export const WebhookRecordSchema = z.looseObject({
  workspace_id: z.string(),
  /** The webhook before the run took over (null: there was none). */
  previous: z.object({ webhook_url: z.string(), webhook_verification_key: z.string() }).nullable(),
  /** The URL the run registered in its place (to tell our own dead listener from a later change). */
  ours: z.string(),
  recorded_at: z.string(),
});
export type WebhookRecord = z.infer<typeof WebhookRecordSchema>;

/** .apichat-bdd/previous-webhook-<workspace>.json (one per workspace, so runs of different workspaces never meet). */
export function recordPath(workspaceId: string, dir: string = process.cwd()): string {
  return join(dir, STATE_DIR, `previous-webhook-${workspaceId.replace(/[^A-Za-z0-9_.-]/g, '_')}.json`);
}

export function readRecord(workspaceId: string, dir?: string): WebhookRecord | undefined {
  const path = recordPath(workspaceId, dir);
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw new ApiChatError('APICHAT_WEBHOOK_RECORD', `cannot read ${path}: ${(e as Error).message}; check its permissions`);
  }
  const json = jsonOrUndefined(text);
  const parsed = WebhookRecordSchema.safeParse(json);
  if (!parsed.success || parsed.data.workspace_id !== workspaceId) {
    throw new ApiChatError('APICHAT_WEBHOOK_RECORD', `${path} is not a webhook record of workspace ${workspaceId}; delete it, then check the workspace's webhook with \`apichat-bdd webhook get\``);
  }
  return parsed.data;
}

export function writeRecord(record: WebhookRecord, dir?: string): string {
  const path = recordPath(record.workspace_id, dir);
  const folder = join(dir ?? process.cwd(), STATE_DIR);
  mkdirSync(folder, { recursive: true, mode: 0o700 });
  const temp = `${path}.${process.pid}.tmp`;
  writeFileSync(temp, `${JSON.stringify(record, null, 2)}\n`, { mode: 0o600 });
  chmodSync(temp, 0o600); // the mode above is masked by the umask
  renameSync(temp, path);
  return path;
}

export function removeRecord(workspaceId: string, dir?: string): void {
  rmSync(recordPath(workspaceId, dir), { force: true });
}

function infoOf(previous: WebhookInfo): WebhookRecord['previous'] {
  return previous.webhook_url && previous.webhook_verification_key
    ? { webhook_url: previous.webhook_url, webhook_verification_key: previous.webhook_verification_key }
    : null;
}

/**
 * The webhook to put back after this run: the recorded one when an earlier run died holding the
 * webhook (the current one is then that run's dead listener), else the current one.
 */
export function previousFor(current: WebhookInfo, record: WebhookRecord | undefined): { previous: WebhookRecord['previous']; recovered: boolean } {
  if (record && current.webhook_url === record.ours) return { previous: record.previous, recovered: true };
  return { previous: infoOf(current), recovered: false };
}

/** Put the recorded webhook back (or remove ours when there was none); the record goes once that worked. */
export async function restoreRecorded(partner: PartnerClient, record: WebhookRecord, dir?: string): Promise<string> {
  const where = recordPath(record.workspace_id, dir);
  const previous = record.previous;
  try {
    if (previous) await partner.set(previous);
    else await partner.remove();
  } catch (e) {
    const cause = isApiChatError(e) && e.variable === 'APICHAT_PUBLIC_URL' && previous
      ? `the previous webhook's own listener at ${previous.webhook_url} did not answer the platform's handshake — start it (the workspace's webhook still points at this run)`
      : (e as Error).message;
    throw new ApiChatError('APICHAT_WEBHOOK_RESTORE', `could not restore the previous webhook${previous ? ` ${previous.webhook_url}` : ''}: ${cause}; the record is kept in ${where}: run \`apichat-bdd webhook restore\` once that is fixed`, { cause: e });
  }
  removeRecord(record.workspace_id, dir);
  return previous ? `apichat-bdd: webhook restored to ${previous.webhook_url}` : 'apichat-bdd: webhook removed (none was set before the run)';
}
