// Test harness for the conversation layer without Gherkin (not a test file): a MemoryStore
// behind a LocalInbox, and a fake bot that records what the tester sends and, on each send,
// lets the test deliver replies into the store synchronously, in a microtask, on the next
// macrotask, or late (a timer). No sleeps: every wait in a test is resolved by a delivery
// or by the conversation's own short timers.
import type { TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { LocalInbox, MemoryStore } from '../../src/inbox/index.ts';
import {
  buildButtonReply,
  buildCarouselReply,
  buildMediaReply,
  buildTextReply,
  describeIncoming,
  normalise,
  nowMs,
  type AttachmentKind,
  type ButtonInput,
  type CardInput,
  type Incoming,
  type ReplyAddress,
  type UserAction,
} from '../../src/protocol/index.ts';
import { Conversation, type BotSender, type ConversationOptions, type Timing, type TimingModel } from '../../src/conversation/index.ts';
import { ApiChatError } from '../../src/base/errors.ts';

export const SENDER = 'bdd-test-user-1';
export const NAME = 'Ann Tester';
export const CONV_ID = 4242;

/** Raw outgoing JSON bodies, exactly as the platform would POST them. */
export class Replies {
  constructor(private readonly to: ReplyAddress) {}
  text(text: string) {
    return buildTextReply(this.to, text);
  }
  buttons(text: string, buttons: Array<ButtonInput | string>) {
    return buildButtonReply(this.to, text, buttons.map((b) => (typeof b === 'string' ? { title: b } : b)));
  }
  carousel(text: string, cards: CardInput[]) {
    return buildCarouselReply(this.to, text, cards);
  }
  media(kind: AttachmentKind, url: string) {
    return buildMediaReply(this.to, kind, url);
  }
  /** A private note: kept in the transcript, never a reply. */
  note(text: string) {
    return buildTextReply({ ...this.to, private: true }, text);
  }
  /** Addressed to this conversation, but of a shape nobody knows: normalised as `unknown`. */
  unknown(extra: Record<string, unknown> = {}) {
    return { sender_id: this.to.sender_id, conv_id: this.to.conv_id, message_type: 'outgoing', type: 'sticker', sticker_id: 'thumbs-up', private: false, ...extra };
  }
}

export interface Sent {
  message: Incoming;
  action: UserAction;
  /** nowMs() when send() was called. */
  at: number;
}

export interface Delivery {
  raw: unknown;
  /** nowMs() just before it was filed (also its arrived_at): the conversation saw it no earlier. */
  at: number;
  /** nowMs() once filed: the conversation saw it no later. */
  filedAt: number;
}

/** A bot's script for one send: delivers replies through `bot`. */
export type OnSend = (action: UserAction, bot: FakeBot, message: Incoming) => void;

/** A BotSender that records each message and runs the test's script for it. */
export class FakeBot implements BotSender {
  readonly sent: Sent[] = [];
  readonly deliveries: Delivery[] = [];
  private readonly queue: OnSend[] = [];
  private readonly timers = new Set<NodeJS.Timeout>();
  private readonly immediates = new Set<NodeJS.Immediate>();
  /** Runs for a send when no one-shot handler is queued. */
  script: OnSend | undefined;

  constructor(private readonly store: MemoryStore) {}

  /** The handler for the next send (queued: one per send, in order). */
  onNextSend(fn: OnSend): this {
    this.queue.push(fn);
    return this;
  }

  async send(message: Incoming): Promise<unknown> {
    const at = nowMs();
    const action = describeIncoming(message);
    this.sent.push({ message, action, at });
    const fn = this.queue.shift() ?? this.script;
    fn?.(action, this, message);
    return { status: 200 };
  }

  /** Files a reply right now (synchronously), as the listener would. */
  deliver(...raws: unknown[]): void {
    for (const raw of raws) {
      const at = nowMs();
      const d: Delivery = { raw, at, filedAt: at };
      this.deliveries.push(d);
      this.store.add(normalise(raw, at));
      d.filedAt = nowMs();
    }
  }

  /** Files the replies in a microtask (after the current synchronous code). */
  deliverInMicrotask(...raws: unknown[]): void {
    queueMicrotask(() => this.deliver(...raws));
  }

  /** Files the replies on the next macrotask (setImmediate): after every pending microtask. */
  deliverSoon(...raws: unknown[]): void {
    const h = setImmediate(() => {
      this.immediates.delete(h);
      this.deliver(...raws);
    });
    this.immediates.add(h);
  }

  /** Files the replies after `ms` (a late reply). */
  deliverAfter(ms: number, ...raws: unknown[]): void {
    const t = setTimeout(() => {
      this.timers.delete(t);
      this.deliver(...raws);
    }, ms);
    this.timers.add(t);
  }

  /** Last delivery time (nowMs) of the deliveries so far. */
  lastDeliveryAt(): number {
    const d = this.deliveries.at(-1);
    assert.ok(d, 'no delivery yet');
    return d.at;
  }

  cancelPending(): void {
    for (const t of this.timers) clearTimeout(t);
    for (const h of this.immediates) clearImmediate(h);
    this.timers.clear();
    this.immediates.clear();
  }
}

/** A script for one send: `first` at once, then `late` after `ms` (a reply that trails the turn's first). */
export function replyThenLate(first: unknown, ms: number, late: unknown): OnSend {
  return (_a, bot) => {
    bot.deliver(first);
    bot.deliverAfter(ms, late);
  };
}

/** One finished turn: the user says `said`, the bot answers the text `answer` at once, and the test claims it. */
export async function claimedTurn({ c, bot, r }: Harness, said: string, answer: string): Promise<void> {
  bot.onNextSend((_a, b) => b.deliver(r.text(answer)));
  await c.say(said);
  await c.expect({ kind: 'text', mode: 'exact', value: answer }, `the bot replies "${answer}"`);
}

export const FAST: Timing = { replyTimeoutMs: 200, quietMs: 50, settleMs: 0 };

export interface Harness {
  store: MemoryStore;
  inbox: LocalInbox;
  bot: FakeBot;
  c: Conversation;
  r: Replies;
}

/** A fresh conversation on a fresh store (with the run's timing model, when given); closed (and pending deliveries cancelled) after the test. */
export async function harness(t: TestContext | undefined, timing: Partial<Timing> = {}, model?: TimingModel, models?: ConversationOptions['models']): Promise<Harness> {
  const store = new MemoryStore();
  const inbox = new LocalInbox(store);
  const bot = new FakeBot(store);
  const c = await Conversation.open({ inbox, bot, senderId: SENDER, name: NAME, conversationId: CONV_ID, timing: { ...FAST, ...timing }, model, ...(models ? { models } : {}) });
  t?.after(async () => {
    bot.cancelPending();
    await c.close();
  });
  return { store, inbox, bot, c, r: new Replies({ sender_id: SENDER, conv_id: CONV_ID }) };
}

/** Awaits `p` expecting an ApiChatError with `code`; returns it for further checks. */
export async function rejectsWith(p: Promise<unknown>, code: string): Promise<ApiChatError> {
  let caught: unknown;
  try {
    await p;
  } catch (e) {
    caught = e;
  }
  assert.ok(caught !== undefined, `expected a rejection with ${code}, but it resolved`);
  assert.ok(caught instanceof ApiChatError, `expected an ApiChatError ${code}, got ${String(caught)}`);
  assert.equal(caught.code, code, `wrong code; message was:\n${caught.message}`);
  return caught;
}

/** Resolves after every pending microtask and one macrotask turn, without a timer. */
export function nextMacrotask(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}

/** Fisher–Yates with mulberry32, so a failing order reproduces from its seed. */
export function shuffled<T>(items: readonly T[], seed: number): T[] {
  let s = seed >>> 0;
  const rand = (): number => {
    s = (s + 0x6d2b79f5) >>> 0;
    let x = s;
    x = Math.imul(x ^ (x >>> 15), x | 1);
    x ^= x + Math.imul(x ^ (x >>> 7), x | 61);
    return ((x ^ (x >>> 14)) >>> 0) / 4294967296;
  };
  const a = [...items];
  for (let i = a.length - 1; i > 0; i--) {
    const j = Math.floor(rand() * (i + 1));
    [a[i], a[j]] = [a[j]!, a[i]!];
  }
  return a;
}

/** Every ordering of a small list. */
export function permutations<T>(items: readonly T[]): T[][] {
  if (items.length <= 1) return [[...items]];
  return items.flatMap((x, i) => permutations([...items.slice(0, i), ...items.slice(i + 1)]).map((rest) => [x, ...rest]));
}
