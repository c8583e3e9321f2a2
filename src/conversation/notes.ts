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
