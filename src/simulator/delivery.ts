// Delivering replies as the platform does: each reply its own signed POST to the webhook.
// Replies of one turn go out concurrently, each at its cumulative configured delay plus a
// random 0..jitterMs, so out-of-order arrival is the normal case; `ordered` sends them one
// after another instead. Nothing here ever throws: failures land in `undelivered`.
import { request, type Dispatcher } from 'undici';
import { nowMs, sign, SIGNATURE_HEADER } from '../protocol/index.ts';
import { errorCode, failureKind } from '../base/net-errors.ts';

export interface Webhook {
  url: string;
  key: string;
}

/** One attempt to POST a reply to the webhook. */
export interface DeliveryRecord {
  /** The reply as an object (what was serialised). */
  body: unknown;
  /** The exact text that was sent and signed. */
  raw: string;
  url: string;
  /** Epoch ms (sub-ms precision) when the attempt completed. */
  at: number;
  /** The webhook's HTTP status, when it answered. */
  status?: number;
  /** What went wrong, when it did not answer. */
  error?: string;
}

/** A reply that did not reach a webhook that accepted it. */
export interface UndeliveredRecord {
  body: unknown;
  reason: string;
  at: number;
  url?: string;
}

export interface OutgoingReply {
  body: unknown;
  delayMs: number;
}

export interface DelivererOptions {
  jitterMs: number;
  ordered: boolean;
  prettyJson: boolean;
  dispatcher: Dispatcher;
  webhook: () => Webhook | null;
  /** Per-request timeout for the webhook's answer. */
  timeoutMs?: number;
  random?: () => number;
}

/** One line for a failed request: "connection refused", "timed out after 5000 ms", … */
export function describeRequestError(e: unknown, timeoutMs?: number): string {
  switch (failureKind(errorCode(e))) {
    case 'refused':
      return 'connection refused';
    case 'dns':
    case 'dns-temporary':
      return 'host not found';
    case 'reset':
      return 'connection reset';
    case 'connect-timeout':
      return 'connect timed out';
    case 'timeout':
      return timeoutMs === undefined ? 'timed out' : `timed out after ${timeoutMs} ms`;
    default: {
      const message = (e as { message?: unknown } | undefined)?.message;
      return typeof message === 'string' && message !== '' ? message : String(e);
    }
  }
}

export class Deliverer {
  readonly deliveries: DeliveryRecord[] = [];
  readonly undelivered: UndeliveredRecord[] = [];
  private pending = 0;
  private waiters: Array<() => void> = [];
  /** Scheduled timers and what to do if they are cancelled. */
  private readonly timers = new Map<NodeJS.Timeout, () => void>();
  private closed = false;
  private readonly random: () => number;
  private readonly timeoutMs: number;

  constructor(private readonly opts: DelivererOptions) {
    this.random = opts.random ?? Math.random;
    this.timeoutMs = opts.timeoutMs ?? 10_000;
  }

  /**
   * Schedules the replies of one turn. Returns at once. `onTurnDone` is called once every reply
   * of the turn has been answered by the webhook (or has failed, or was cancelled): at once
   * for a turn without replies.
   */
  send(replies: OutgoingReply[], onTurnDone?: () => void): void {
    if (replies.length === 0) return onTurnDone?.();
    if (this.closed) {
      for (const r of replies) this.undelivered.push({ body: r.body, reason: 'simulator closed', at: nowMs() });
      return onTurnDone?.();
    }
    if (this.opts.ordered) {
      this.pending++;
      void this.sendInOrder(replies).finally(() => {
        this.done();
        onTurnDone?.();
      });
      return;
    }
    let left = replies.length;
    const oneDone = (): void => {
      this.done();
      if (--left === 0) onTurnDone?.();
    };
    let cumulative = 0;
    for (const r of replies) {
      cumulative += r.delayMs;
      const at = cumulative + this.random() * this.opts.jitterMs;
      this.pending++;
      const timer = setTimeout(() => {
        this.timers.delete(timer);
        void this.deliverOne(r.body).finally(oneDone);
      }, at);
      this.timers.set(timer, () => {
        this.undelivered.push({ body: r.body, reason: 'simulator closed', at: nowMs() });
        oneDone();
      });
    }
  }

  private async sendInOrder(replies: OutgoingReply[]): Promise<void> {
    for (const [i, r] of replies.entries()) {
      const wait = r.delayMs + this.random() * this.opts.jitterMs;
      if (!this.closed && wait > 0) await this.sleep(wait);
      if (this.closed) {
        for (const rest of replies.slice(i)) this.undelivered.push({ body: rest.body, reason: 'simulator closed', at: nowMs() });
        return;
      }
      await this.deliverOne(r.body);
    }
  }

  private sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        this.timers.delete(timer);
        resolve();
      }, ms);
      this.timers.set(timer, resolve);
    });
  }

  /** Never throws. */
  async deliverOne(body: unknown): Promise<void> {
    const hook = this.opts.webhook();
    if (!hook) {
      this.undelivered.push({ body, reason: 'no webhook set', at: nowMs() });
      return;
    }
    let raw: string;
    try {
      raw = this.opts.prettyJson ? JSON.stringify(body, null, 2) : JSON.stringify(body);
    } catch (e) {
      this.undelivered.push({ body, reason: `cannot serialise: ${(e as Error).message}`, at: nowMs(), url: hook.url });
      return;
    }
    const bytes = Buffer.from(raw, 'utf8');
    try {
      const res = await request(hook.url, {
        method: 'POST',
        body: bytes,
        headers: {
          'content-type': 'application/json',
          [SIGNATURE_HEADER]: sign(bytes, hook.key),
          'user-agent': 'apichat-bdd-simulator',
        },
        dispatcher: this.opts.dispatcher,
        headersTimeout: this.timeoutMs,
        bodyTimeout: this.timeoutMs,
      });
      await res.body.dump().catch(() => undefined);
      const at = nowMs();
      this.deliveries.push({ body, raw, url: hook.url, at, status: res.statusCode });
      if (res.statusCode < 200 || res.statusCode > 299) {
        this.undelivered.push({ body, reason: `status ${res.statusCode}`, at, url: hook.url });
      }
    } catch (e) {
      const at = nowMs();
      const error = describeRequestError(e, this.timeoutMs);
      this.deliveries.push({ body, raw, url: hook.url, at, error });
      this.undelivered.push({ body, reason: error, at, url: hook.url });
    }
  }

  /** Resolves once every scheduled delivery has completed (at once when none is pending). */
  idle(): Promise<void> {
    if (this.pending === 0) return Promise.resolve();
    return new Promise((resolve) => this.waiters.push(resolve));
  }

  private done(): void {
    this.pending--;
    if (this.pending === 0) {
      const waiters = this.waiters;
      this.waiters = [];
      for (const w of waiters) w();
    }
  }

  /** Cancels whatever has not been sent yet (recorded as undelivered); in-flight requests finish. */
  close(): void {
    this.closed = true;
    const cancels = [...this.timers.values()];
    for (const t of this.timers.keys()) clearTimeout(t);
    this.timers.clear();
    for (const c of cancels) c();
  }
}
