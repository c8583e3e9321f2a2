// The per-conversation message store. Replies are filed by sender_id (one conversation per
// bot user), in arrival order. Waiting is event-driven: a waiter is resolved by the arriving
// message itself, with one timer for its timeout. Kept behind `InboxStore` so the same
// listener can later publish to a broker (Redis Streams) instead of memory.
import { EventEmitter } from 'node:events';
import type { BotMessage } from '../protocol/index.ts';
import { ApiChatError } from '../base/errors.ts';
import type { TurnDone } from '../protocol/index.ts';

export interface Rejection {
  /** Epoch ms. */
  at: number;
  status: number;
  reason: string;
  /** A short excerpt of what was received, for diagnosis (never a header value). */
  excerpt?: string;
}

export interface RejectionSummary {
  count: number;
  byReason: Record<string, number>;
  /** The most recent rejections, newest last. */
  last: Rejection[];
}

export type { TurnDone };

export interface WaitOptions {
  timeoutMs: number;
  signal?: AbortSignal;
}

export interface InboxStore {
  /** From now on, replies for this sender are filed under it instead of the orphan log. */
  register(senderId: string): void;
  /** Forget the conversation; later replies for it become orphans ("late"). */
  unregister(senderId: string): void;
  isRegistered(senderId: string): boolean;
  add(message: BotMessage): void;
  reject(rejection: Rejection): void;
  messages(senderId: string): readonly BotMessage[];
  /** Called for every message filed under senderId, after the ones already there (replayed from `from`). */
  subscribe(senderId: string, fn: (m: BotMessage, index: number) => void, from?: number): () => void;
  /** Every delivery that was accepted (filed or orphaned), e.g. for `apichat-bdd listen`. */
  onAny(fn: (m: BotMessage) => void): () => void;
  /** Every rejected delivery, as it happens (e.g. for `apichat-bdd listen`). */
  onReject(fn: (r: Rejection) => void): () => void;
  /** Files a turn-done signal for a registered sender (its subscribers get it after the turn's replies). */
  turnDone?(done: TurnDone): void;
  /** Called with the sender's latest turn-done signal, if any, and each later one. */
  onTurnDone?(senderId: string, fn: (done: TurnDone) => void): () => void;
  waitFor(senderId: string, predicate: (m: BotMessage) => boolean, options: WaitOptions): Promise<BotMessage>;
  orphans(): readonly BotMessage[];
  rejections(): RejectionSummary;
}

const KEEP_LAST_REJECTIONS = 20;
const KEEP_ORPHANS = 1000;

export class MemoryStore implements InboxStore {
  private readonly conversations = new Map<string, BotMessage[]>();
  private readonly orphanLog: BotMessage[] = [];
  private readonly events = new EventEmitter();
  private rejectedCount = 0;
  private readonly byReason: Record<string, number> = {};
  private readonly lastRejections: Rejection[] = [];
  private readonly lastTurnDone = new Map<string, TurnDone>();

  constructor() {
    // Each open conversation holds one listener; hundreds at once are normal here.
    this.events.setMaxListeners(0);
  }

  register(senderId: string): void {
    if (!this.conversations.has(senderId)) this.conversations.set(senderId, []);
  }

  unregister(senderId: string): void {
    this.conversations.delete(senderId);
    this.lastTurnDone.delete(senderId);
  }

  isRegistered(senderId: string): boolean {
    return this.conversations.has(senderId);
  }

  add(message: BotMessage): void {
    const list = message.sender_id === null ? undefined : this.conversations.get(message.sender_id);
    if (list) {
      list.push(message);
      this.events.emit(`m:${message.sender_id}`, message, list.length - 1);
    } else {
      this.orphanLog.push(message);
      if (this.orphanLog.length > KEEP_ORPHANS) this.orphanLog.shift();
    }
    this.events.emit('any', message);
  }

  turnDone(done: TurnDone): void {
    if (!this.conversations.has(done.senderId)) return;
    this.lastTurnDone.set(done.senderId, done);
    this.events.emit(`d:${done.senderId}`, done);
  }

  onTurnDone(senderId: string, fn: (done: TurnDone) => void): () => void {
    const last = this.lastTurnDone.get(senderId);
    if (last) fn(last);
    const key = `d:${senderId}`;
    this.events.on(key, fn);
    return () => this.events.off(key, fn);
  }

  reject(rejection: Rejection): void {
    this.rejectedCount++;
    this.byReason[rejection.reason] = (this.byReason[rejection.reason] ?? 0) + 1;
    this.lastRejections.push(rejection);
    if (this.lastRejections.length > KEEP_LAST_REJECTIONS) this.lastRejections.shift();
    this.events.emit('reject', rejection);
  }

  messages(senderId: string): readonly BotMessage[] {
    return this.conversations.get(senderId) ?? [];
  }

  subscribe(senderId: string, fn: (m: BotMessage, index: number) => void, from = 0): () => void {
    const existing = this.conversations.get(senderId) ?? [];
    existing.slice(from).forEach((m, k) => fn(m, from + k));
    const key = `m:${senderId}`;
    this.events.on(key, fn);
    return () => this.events.off(key, fn);
  }

  onAny(fn: (m: BotMessage) => void): () => void {
    this.events.on('any', fn);
    return () => this.events.off('any', fn);
  }

  onReject(fn: (r: Rejection) => void): () => void {
    this.events.on('reject', fn);
    return () => this.events.off('reject', fn);
  }

  waitFor(senderId: string, predicate: (m: BotMessage) => boolean, { timeoutMs, signal }: WaitOptions): Promise<BotMessage> {
    const found = this.messages(senderId).find(predicate);
    if (found) return Promise.resolve(found);
    // An already-aborted signal never fires 'abort': without this the wait would run to its timeout.
    if (signal?.aborted) return Promise.reject(signal.reason ?? new Error('aborted'));
    return new Promise<BotMessage>((resolve, reject) => {
      const key = `m:${senderId}`;
      const finish = (): void => {
        clearTimeout(timer);
        this.events.off(key, onMessage);
        signal?.removeEventListener('abort', onAbort);
      };
      const onMessage = (m: BotMessage): void => {
        if (!predicate(m)) return;
        finish();
        resolve(m);
      };
      const onAbort = (): void => {
        finish();
        reject(signal?.reason ?? new Error('aborted'));
      };
      const timer = setTimeout(() => {
        finish();
        reject(new ApiChatError('APICHAT_WAIT_TIMEOUT', `no matching reply for ${senderId} within ${timeoutMs} ms`));
      }, timeoutMs);
      this.events.on(key, onMessage);
      signal?.addEventListener('abort', onAbort, { once: true });
    });
  }

  orphans(): readonly BotMessage[] {
    return this.orphanLog;
  }

  rejections(): RejectionSummary {
    return { count: this.rejectedCount, byReason: { ...this.byReason }, last: [...this.lastRejections] };
  }
}

/** What to tell the user for each kind of rejected delivery. */
export const REJECTION_FIXES: Record<string, string> = {
  'bad signature': 'check APICHAT_WEBHOOK_SECRET (it must equal the webhook verification key set on the workspace)',
  'missing signature': 'the sender did not sign the delivery (X-Hub-Signature-256); check that APICHAT_PUBLIC_URL reaches only this listener',
  'unprefixed signature': 'the signature lacks the "sha256=" prefix the platform uses; check what is calling APICHAT_PUBLIC_URL',
  'malformed signature': 'the X-Hub-Signature-256 header is not "sha256=<64 hex digits>"; check what is calling APICHAT_PUBLIC_URL',
  'wrong handshake token': 'check APICHAT_WEBHOOK_SECRET (the handshake token must equal it)',
  'unexpected hub_mode': 'the handshake asked for something other than hub_mode=subscribe',
  'malformed JSON': 'the delivery was signed but is not JSON; it is kept in the rejection log',
  'body too large': 'a delivery exceeded the 1 MiB body limit',
  'wrong path': 'the listener serves only the path of APICHAT_PUBLIC_URL; check that variable',
  'method not allowed': 'deliveries are POSTs (a GET is only the handshake); check what is calling APICHAT_PUBLIC_URL',
  'bad content type': 'the Content-Type header is not a valid media type (the platform sends application/json); check what is calling APICHAT_PUBLIC_URL',
};

/** "3 deliveries were rejected: bad signature — check APICHAT_WEBHOOK_SECRET …" or null when none were. */
export function describeRejections(summary: RejectionSummary): string | null {
  if (summary.count === 0) return null;
  const parts = Object.entries(summary.byReason)
    .sort((a, b) => b[1] - a[1])
    .map(([reason, n]) => `${n}× ${reason} — ${REJECTION_FIXES[reason] ?? 'see the listener log'}`);
  const noun = summary.count === 1 ? 'delivery was' : 'deliveries were';
  return `${summary.count} ${noun} rejected: ${parts.join('; ')}`;
}
