// Notes a failing step adds about the inbox: deliveries the listener rejected since the
// conversation started ("3 deliveries were rejected: bad signature — check …").
import { describeRejections, type Inbox } from '../inbox/index.ts';

/** The rejections since `baseline` (the count when the conversation opened), or null. */
export async function rejectionNote(inbox: Inbox, baseline: number): Promise<string | null> {
  try {
    const summary = await inbox.rejections();
    const since = summary.count - baseline;
    if (since <= 0) return null;
    return describeRejections({ ...summary, count: since });
  } catch {
    return null; // a note must never replace the failure it annotates
  }
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
