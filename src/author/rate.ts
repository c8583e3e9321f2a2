// A bound on how fast crawl and record talk to a bot: messages are spaced at least 1/rate
// seconds apart across every conversation of the session (a live workspace has rate limits,
// and a crawler must not look like an attack). Each send waits for its slot on one timer.
import type { BotSender } from '../conversation/index.ts';
import type { Incoming } from '../protocol/index.ts';
import { ApiChatError } from '../errors.ts';

export class RateLimitedSender implements BotSender {
  private nextSlot = 0;
  private readonly intervalMs: number;
  sent = 0;

  /** `perSecond` Infinity: no spacing (still counts). */
  constructor(
    private readonly inner: BotSender,
    perSecond: number,
    private readonly now: () => number = () => performance.now(),
  ) {
    this.intervalMs = Number.isFinite(perSecond) ? 1000 / perSecond : 0;
  }

  async send(message: Incoming): Promise<unknown> {
    const now = this.now();
    const slot = Math.max(now, this.nextSlot);
    this.nextSlot = slot + this.intervalMs;
    if (slot > now) await new Promise((resolve) => setTimeout(resolve, slot - now));
    this.sent++;
    return this.inner.send(message);
  }
}

/** "5", "5/s" or "0.5/s" → messages per second; a mistake is an APICHAT_USAGE error naming the flag. */
export function parseRate(value: string): number {
  const m = /^\s*(\d+(?:\.\d+)?)\s*(?:\/\s*s)?\s*$/.exec(value);
  const n = m ? Number(m[1]) : Number.NaN;
  if (!(n > 0) || n > 1000) throw new ApiChatError('APICHAT_USAGE', `--rate: expected messages per second such as 5 or 5/s (more than 0, at most 1000), got ${JSON.stringify(value)}`);
  return n;
}
