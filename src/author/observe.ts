// Drives one bot user through Conversation (settling, turn attribution, button lookup) and
// records what the bot said in each turn, once the turn has gone quiet. Crawl and record see
// the bot through this, so a turn ends the same way `says nothing more` decides it: no reply
// within the quiet window (against the embedded simulator: its word that the turn's replies are
// all delivered). A bot that never answers is a silent turn after the reply timeout.
import { randomBytes, randomInt } from 'node:crypto';
import { Conversation, type BotSender, type Timing } from '../conversation/index.ts';
import type { Inbox } from '../inbox/index.ts';
import { nowMs, type AttachmentKind, type BotMessage } from '../protocol/index.ts';

/** A user action as a feature step says it (a tap by title, on a card when the button sits on one). */
export type Action =
  | { kind: 'say'; text: string }
  | { kind: 'tap'; title: string; card?: string }
  | { kind: 'send'; media: AttachmentKind; url: string };

export interface ObservedTurn {
  action: Action;
  /** Replies (not private notes), in arrival order; empty when the bot stayed silent. */
  replies: BotMessage[];
  /** Private agent notes of the turn: kept, never asserted as replies. */
  notes: BotMessage[];
}

export interface ObserverOptions {
  inbox: Inbox;
  bot: BotSender;
  timing: Timing;
  /** The bot user's display name (the World's default, so replayed features send the same). */
  name?: string;
  /** The profile sent as sender.email / sender.phone_number (a simulated user's replay sends its scenario's). */
  email?: string;
  phone?: string;
}

export const DEFAULT_USER_NAME = 'Test User';

export class Observer {
  private conversation!: Conversation;
  private readonly waiters = new Set<() => void>();
  private lastArrival = 0;
  readonly turns: ObservedTurn[] = [];

  private constructor(private readonly o: ObserverOptions) {}

  static async open(o: ObserverOptions): Promise<Observer> {
    const observer = new Observer(o);
    // Conversation files each reply; this wrapper only tells the observer that one arrived.
    // Everything else goes to the run's inbox as it is (a Proxy, so members an inbox gains
    // later pass through too); closing the run's inbox is the session's business, not ours.
    const open = (...[senderId, onMessage, ...rest]: Parameters<Inbox['open']>): ReturnType<Inbox['open']> =>
      o.inbox.open(
        senderId,
        (m) => {
          onMessage(m);
          observer.lastArrival = nowMs();
          for (const fn of [...observer.waiters]) fn();
        },
        ...rest,
      );
    const inbox = new Proxy(o.inbox, {
      get(target, prop) {
        if (prop === 'open') return open;
        if (prop === 'close') return async () => {};
        const v: unknown = Reflect.get(target, prop, target);
        return typeof v === 'function' ? v.bind(target) : v;
      },
    });
    observer.conversation = await Conversation.open({
      inbox,
      bot: o.bot,
      senderId: `author-${randomBytes(6).toString('hex')}`,
      name: o.name ?? DEFAULT_USER_NAME,
      ...(o.email !== undefined ? { email: o.email } : {}),
      ...(o.phone !== undefined ? { phone: o.phone } : {}),
      conversationId: randomInt(1, 2 ** 31 - 1),
      timing: o.timing,
    });
    return observer;
  }

  /** Every message the bot sent so far (replies and notes), oldest first. */
  received(): BotMessage[] {
    return this.conversation.transcript.events.flatMap((e) => (e.type === 'bot' ? [e.message] : []));
  }

  async perform(action: Action): Promise<ObservedTurn> {
    const c = this.conversation;
    if (action.kind === 'say') await c.say(action.text);
    else if (action.kind === 'tap') await c.tap(action.title, action.card);
    else await c.sendAttachment(action.media, action.url);
    const turn = { action, ...(await this.collect(c.currentTurn)) };
    this.turns.push(turn);
    return turn;
  }

  async close(): Promise<void> {
    await this.conversation.close();
  }

  private inTurn(turn: number): BotMessage[] {
    return this.conversation.transcript.events.flatMap((e) => (e.type === 'bot' && e.turn === turn ? [e.message] : []));
  }

  /**
   * Waits for the first message of the turn (up to the reply timeout), then for the quiet window;
   * against the embedded simulator, for its word that the turn's replies are all delivered
   * (a silent turn too, without waiting the reply timeout).
   */
  private async collect(turn: number): Promise<Pick<ObservedTurn, 'replies' | 'notes'>> {
    const { replyTimeoutMs, quietMs } = this.o.timing;
    const started = nowMs();
    if (await this.conversation.awaitTurnEnd()) return this.split(turn);
    while (this.inTurn(turn).length === 0) {
      const left = started + replyTimeoutMs - nowMs();
      if (left <= 0) break;
      await this.nextArrival(left);
    }
    if (this.inTurn(turn).length > 0) {
      for (;;) {
        const silent = nowMs() - this.lastArrival;
        if (silent >= quietMs) break;
        await this.nextArrival(quietMs - silent);
      }
    }
    return this.split(turn);
  }

  private split(turn: number): Pick<ObservedTurn, 'replies' | 'notes'> {
    const all = this.inTurn(turn);
    return { replies: all.filter((m) => !m.private), notes: all.filter((m) => m.private) };
  }

  /** Resolves on the next arrival or after `ms`: one timer, no polling. */
  private nextArrival(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const done = (): void => {
        clearTimeout(timer);
        this.waiters.delete(done);
        resolve();
      };
      const timer = setTimeout(done, Math.max(0, ms));
      this.waiters.add(done);
    });
  }
}

/** Runs the actions in a fresh conversation; `adapt` may rewrite each action just before it is sent. */
export async function observePath(
  o: ObserverOptions,
  actions: readonly Action[],
  afterTurn?: (turn: ObservedTurn, index: number) => void,
  adapt: (a: Action, index: number) => Action = (a) => a,
): Promise<ObservedTurn[]> {
  const observer = await Observer.open(o);
  try {
    for (const [i, action] of actions.entries()) {
      const turn = await observer.perform(adapt(action, i));
      afterTurn?.(turn, i);
    }
    return observer.turns;
  } finally {
    await observer.close();
  }
}
