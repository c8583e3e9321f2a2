// Extra lines for a failing step: rejected deliveries since the conversation opened, a worker
// feed that gave up (replies may be missing), and unexpected replies that are byte-for-byte
// copies of earlier ones (a platform retry of a delivery, not the bot saying more); and, on a
// failure of a missing reply, why nothing may be arriving at all (runner mode: Redis).
import { renderCompact, type BotMessage } from '../protocol/index.ts';
import type { ConversationFeed, Inbox } from '../inbox/index.ts';
import { describeRejections } from '../inbox/store.ts';

export async function warningsFor(inbox: Inbox, feed: ConversationFeed | undefined, baseline: number): Promise<string | null> {
  const parts: string[] = [];
  const problem = feed?.problem?.();
  if (problem) parts.push(problem);
  try {
    const summary = await inbox.rejections();
    const since = summary.count - baseline;
    const rejected = since > 0 ? describeRejections({ ...summary, count: since }) : null;
    if (rejected) parts.push(rejected);
  } catch {
    // The summary is a hint; a failure to read it must not hide the step's own failure.
  }
  return parts.length > 0 ? parts.join('; ') : null;
}

/** For each extra reply identical (same JSON body) to an earlier one: a note that says so. */
export function duplicateNotes(extra: readonly { message: BotMessage; turn: number }[], all: readonly { message: BotMessage; turn: number }[]): string[] {
  const notes: string[] = [];
  for (const x of extra) {
    const body = JSON.stringify(x.message.raw);
    const before = all.slice(0, Math.max(0, all.findIndex((r) => r.message === x.message)));
    const twin = before.find((r) => JSON.stringify(r.message.raw) === body);
    if (twin) {
      const where = twin.turn === x.turn ? 'this turn' : `turn ${twin.turn}`;
      notes.push(`${renderCompact(x.message)} is identical to an earlier reply of ${where}: probably a duplicate delivery (a platform retry), not the bot saying more`);
    }
  }
  return notes;
}

/** The failures that mean "the reply never came", where the inbox may know why. */
const WAITING_FAILURES = new Set(['APICHAT_REPLY_TIMEOUT', 'APICHAT_BUTTON_NOT_FOUND', 'APICHAT_TOO_SLOW']);

/**
 * Adds the inbox's notice (e.g. "no delivery has reached Redis for this run: …") to a failure
 * caused by a missing reply, so the first failing step says why nothing arrives. Returns
 * whether it added one.
 */
export async function addInboxNotice(error: { code: string; message: string }, inbox: Inbox): Promise<boolean> {
  if (!WAITING_FAILURES.has(error.code) || !inbox.notice) return false;
  const notice = await inbox.notice().catch(() => null);
  if (!notice) return false;
  error.message += `\n  note:     ${notice}`;
  return true;
}
