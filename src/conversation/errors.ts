// Failures of a conversation step, in one shape (after Playwright's matcher hints): what was
// expected, how long it waited, the unclaimed replies of this turn, rejected deliveries,
// and where the full transcript is.
import { renderCompact, type BotMessage } from '../protocol/index.ts';
import { ApiChatError, type ErrorCode } from '../base/errors.ts';
import type { NearestDiff } from './diff.ts';

export interface FailureContext {
  expected: string;
  waitedMs?: number;
  turn: number;
  /** e.g. 'after the user said "hi"' */
  turnLabel: string;
  unclaimed: ReadonlyArray<{ message: BotMessage; at: number }>;
  turnStartedAt: number;
  /** Extra lines: stale replies of earlier turns, the message the previous step claimed, … */
  notes?: string[];
  rejections?: string | null;
  /** The nearest reply of the expected kind, field by field (src/conversation/diff.ts). */
  diff?: NearestDiff | null;
}

/** The line that opens the diff block; the report finds the block by it. */
export const DIFF_LABEL = '  diff:     nearest reply, ';

export class ConversationError extends ApiChatError {
  constructor(code: ErrorCode, message: string) {
    super(code, message);
    this.name = 'ConversationError';
    // A user's expectation failed: the stack says nothing the message does not.
    this.stack = message;
  }
}

export function formatFailure(headline: string, c: FailureContext): string {
  const lines = [headline, `  expected: ${c.expected}`];
  if (c.waitedMs !== undefined) lines.push(`  waited:   ${Math.round(c.waitedMs)} ms in turn ${c.turn} (${c.turnLabel})`);
  else lines.push(`  turn:     ${c.turn} (${c.turnLabel})`);
  if (c.diff) {
    lines.push(`${DIFF_LABEL}${c.diff.headline}`);
    for (const l of c.diff.lines) lines.push(l === '' ? '' : `    ${l}`);
  }
  if (c.unclaimed.length === 0) lines.push('  received: no unclaimed reply in this turn');
  else {
    lines.push(`  received: ${c.unclaimed.length} unclaimed repl${c.unclaimed.length === 1 ? 'y' : 'ies'} in this turn:`);
    for (const u of c.unclaimed) lines.push(`    - ${renderCompact(u.message)}  (+${Math.max(0, u.at - c.turnStartedAt).toFixed(0)} ms)`);
  }
  for (const n of c.notes ?? []) lines.push(`  note:     ${n}`);
  if (c.rejections) lines.push(`  warning:  ${c.rejections}`);
  lines.push("  transcript: the chat picture is attached to this step (Cucumber's HTML report); every conversation is in reports/conversations.html");
  return lines.join('\n');
}
