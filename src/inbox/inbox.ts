// What a Conversation needs from the run's listener, wherever it runs: open a feed of one
// bot user's replies (registered before the first message is sent) and read the rejected-
// delivery summary. LocalInbox serves a serial run in-process; RemoteInbox (remote.ts)
// serves --parallel workers over loopback from the one listener of the run; RedisInbox
// (redis-inbox.ts) serves runners on other machines through Redis Streams.
import type { BotMessage } from '../protocol/index.ts';
import type { InboxStore, RejectionSummary, TurnDone } from './store.ts';

export interface ConversationFeed {
  readonly senderId: string;
  /** Why replies may be missing (a remote feed that gave up), said in a failing step. */
  problem?(): string | undefined;
  /** Stop receiving and forget the conversation; later replies for it become orphans. */
  close(): Promise<void>;
}

export interface Inbox {
  /**
   * Resolves once replies for senderId are being filed; `onMessage` gets each, in arrival order.
   * `onError` is told when the feed breaks for good (e.g. Redis went away), so a waiting step fails at once.
   * `onTurnDone` is told, after the turn's replies, when the simulator has delivered all of them
   * (simulated mode; a live platform never says so, and a Redis inbox is always live).
   */
  open(senderId: string, onMessage: (m: BotMessage) => void, onError?: (e: Error) => void, onTurnDone?: (done: TurnDone) => void): Promise<ConversationFeed>;
  rejections(): Promise<RejectionSummary>;
  /** Optional: why replies may not be arriving at all (added to a failing step's message), or null. */
  notice?(): Promise<string | null>;
  close(): Promise<void>;
}

export class LocalInbox implements Inbox {
  constructor(readonly store: InboxStore) {}

  async open(senderId: string, onMessage: (m: BotMessage) => void, _onError?: (e: Error) => void, onTurnDone?: (done: TurnDone) => void): Promise<ConversationFeed> {
    this.store.register(senderId);
    const unsubscribe = this.store.subscribe(senderId, (m) => onMessage(m));
    const unsubscribeDone = onTurnDone && this.store.onTurnDone ? this.store.onTurnDone(senderId, onTurnDone) : () => {};
    const store = this.store;
    return {
      senderId,
      async close() {
        unsubscribe();
        unsubscribeDone();
        store.unregister(senderId);
      },
    };
  }

  async rejections(): Promise<RejectionSummary> {
    return this.store.rejections();
  }

  async close(): Promise<void> {}
}
