// A bound on how fast crawl and record talk to a bot: messages leave at least 1/rate seconds
// apart across every conversation of the session (a live workspace has rate limits, and a
// crawler must not look like an attack). Sends queue in order; each waits on one timer until
// the previous one left `interval` ago, measured when it actually left (a late timer on a busy
// event loop never lets two messages out together).
import type { BotSender } from '../conversation/index.ts';
import type { Incoming } from '../protocol/index.ts';
import { ApiChatError } from '../base/errors.ts';

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

export class RateLimitedSender implements BotSender {
  private readonly intervalMs: number;
  private lastSent = Number.NEGATIVE_INFINITY;
  private queue: Promise<void> = Promise.resolve();
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
    if (this.intervalMs > 0) {
      const turn = this.queue.then(async () => {
        for (let wait = this.lastSent + this.intervalMs - this.now(); wait > 0; wait = this.lastSent + this.intervalMs - this.now()) await sleep(wait);
        this.lastSent = this.now();
      });
      this.queue = turn;
      await turn;
    }
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
