// Extra lines for a failing step: rejected deliveries since the conversation opened, a worker
// feed that gave up (replies may be missing), and unexpected replies that are byte-for-byte
// copies of earlier ones (a platform retry of a delivery, not the bot saying more).
import { renderCompact, type BotMessage } from '../protocol/index.ts';
import { describeRejections, type ConversationFeed, type Inbox } from '../inbox/index.ts';

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
