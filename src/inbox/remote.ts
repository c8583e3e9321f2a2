// A --parallel worker's view of the run's one listener: a server-sent-events stream per
// conversation from the control server (control.ts). Event-driven end to end. A dropped
// stream is reopened with Last-Event-ID, so no reply is lost or seen twice. (undici's own
// EventSource would do, but it prints an "experimental" warning into every worker's output.)
import { Agent, request } from 'undici';
import type { BotMessage } from '../protocol/index.ts';
import { ApiChatError } from '../errors.ts';
import { CONTROL_PREFIX } from './control.ts';
import type { ConversationFeed, Inbox } from './inbox.ts';
import type { RejectionSummary } from './store.ts';

const MAX_RECONNECTS = 5;

export class RemoteInbox implements Inbox {
  // Streams stay open for a whole scenario: no body timeout on this pool.
  private readonly agent = new Agent({ bodyTimeout: 0, headersTimeout: 10_000, keepAliveTimeout: 10_000 });
  private readonly aborts = new Set<AbortController>();

  constructor(private readonly baseUrl: string) {}

  async open(senderId: string, onMessage: (m: BotMessage) => void): Promise<ConversationFeed> {
    const url = `${this.baseUrl}${CONTROL_PREFIX}/conversations/${encodeURIComponent(senderId)}`;
    const abort = new AbortController();
    this.aborts.add(abort);
    let lastId = -1;
    let reconnects = 0;

    const connect = async (): Promise<AsyncIterable<Buffer>> => {
      const res = await request(`${url}/events`, {
        dispatcher: this.agent,
        signal: abort.signal,
        headers: lastId >= 0 ? { 'last-event-id': String(lastId) } : {},
      });
      if (res.statusCode !== 200) throw new Error(`HTTP ${res.statusCode}`);
      return res.body;
    };
    const pump = async (body: AsyncIterable<Buffer>): Promise<void> => {
      let buffer = '';
      // Streaming decode: a chunk may end inside a multi-byte character.
      const decoder = new TextDecoder();
      for await (const chunk of body) {
        buffer += decoder.decode(chunk, { stream: true });
        let end: number;
        while ((end = buffer.indexOf('\n\n')) >= 0) {
          const event = buffer.slice(0, end);
          buffer = buffer.slice(end + 2);
          let id: number | undefined;
          let data = '';
          for (const line of event.split('\n')) {
            if (line.startsWith('id: ')) id = Number(line.slice(4));
            else if (line.startsWith('data: ')) data += line.slice(6);
          }
          if (!data) continue;
          if (id !== undefined) lastId = id;
          onMessage(JSON.parse(data) as BotMessage);
        }
      }
    };
    const run = async (body: AsyncIterable<Buffer>): Promise<void> => {
      for (;;) {
        try {
          await pump(body);
        } catch {
          /* dropped stream: reopen below */
        }
        if (abort.signal.aborted || ++reconnects > MAX_RECONNECTS) return;
        try {
          body = await connect();
          reconnects = 0; // the budget is for consecutive failures, not for the feed's lifetime
        } catch {
          if (abort.signal.aborted) return;
        }
      }
    };

    let first: AsyncIterable<Buffer>;
    try {
      first = await connect();
    } catch (cause) {
      this.aborts.delete(abort);
      throw new ApiChatError(
        'APICHAT_INBOX_UNREACHABLE',
        `cannot reach the run's listener at ${this.baseUrl} (APICHAT_INBOX_URL): it is started by the apichat-bdd Cucumber plugin — is the plugin listed in cucumber.js?`,
        { variable: 'APICHAT_INBOX_URL', cause },
      );
    }
    // The server registers the conversation before it answers, so replies are filed from here on.
    void run(first);
    return {
      senderId,
      close: async () => {
        abort.abort();
        this.aborts.delete(abort);
        await request(url, { method: 'DELETE', dispatcher: this.agent }).then((r) => r.body.dump(), () => undefined);
      },
    };
  }

  async rejections(): Promise<RejectionSummary> {
    const res = await request(`${this.baseUrl}${CONTROL_PREFIX}/rejections`, { dispatcher: this.agent });
    return (await res.body.json()) as RejectionSummary;
  }

  async close(): Promise<void> {
    for (const a of this.aborts) a.abort();
    this.aborts.clear();
    await this.agent.close();
  }
}
