// What a Conversation needs from the run's listener, wherever it runs: open a feed of one
// bot user's replies (registered before the first message is sent) and read the rejected-
// delivery summary. LocalInbox serves a serial run in-process; RemoteInbox (remote.ts)
// serves --parallel workers over loopback from the one listener of the run.
import type { BotMessage } from '../protocol/index.ts';
import type { InboxStore, RejectionSummary } from './store.ts';

export interface ConversationFeed {
  readonly senderId: string;
  /** Why replies may be missing (a remote feed that gave up), said in a failing step. */
  problem?(): string | undefined;
  /** Stop receiving and forget the conversation; later replies for it become orphans. */
  close(): Promise<void>;
}

export interface Inbox {
  /** Resolves once replies for senderId are being filed; `onMessage` gets each, in arrival order. */
  open(senderId: string, onMessage: (m: BotMessage) => void): Promise<ConversationFeed>;
  rejections(): Promise<RejectionSummary>;
  close(): Promise<void>;
}

export class LocalInbox implements Inbox {
  constructor(readonly store: InboxStore) {}

  async open(senderId: string, onMessage: (m: BotMessage) => void): Promise<ConversationFeed> {
    this.store.register(senderId);
    const unsubscribe = this.store.subscribe(senderId, (m) => onMessage(m));
    const store = this.store;
    return {
      senderId,
      async close() {
        unsubscribe();
        store.unregister(senderId);
      },
    };
  }

  async rejections(): Promise<RejectionSummary> {
    return this.store.rejections();
  }

  async close(): Promise<void> {}
}
