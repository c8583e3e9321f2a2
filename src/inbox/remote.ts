// A --parallel worker's view of the run's one listener: a server-sent-events stream per
// conversation from the control server (control.ts), read with a maintained spec-following
// parser (eventsource-parser: `data:` with or without a space, multi-line data, `retry:`).
// Event-driven end to end. A dropped stream is reopened with Last-Event-ID, so no reply is lost
// or seen twice, after the server's `retry:` and then with doubling pauses; a feed that gives up
// says so (ConversationFeed.problem), and the failing step shows it. (undici's own EventSource
// would do, but it prints an "experimental" warning into every worker's output.)
import type { EventSourceMessage } from 'eventsource-parser';
import { Agent, request } from 'undici';
import type { BotMessage } from '../protocol/index.ts';
import { ApiChatError } from '../base/errors.ts';
import type { ConversationFeed, Inbox } from './inbox.ts';
import type { RejectionSummary, TurnDone } from './store.ts';
import { CONTROL_PREFIX, CONTROL_RETRY_MS, jsonOrUndefined, parseWireMessage, RejectionSummarySchema, TURN_DONE_EVENT, TurnDoneSchema } from './wire.ts';
import { followEvents, HttpStatus, MAX_RECONNECTS } from './sse-follow.ts';
import { offsetFrom } from './clock.ts';

/** Consecutive failed reconnects before a feed gives up (about 10 s with the doubling pauses of sse-follow.ts). */
export { MAX_RECONNECTS };

export interface RemoteInboxOptions {
  /** The run's worker-channel token (APICHAT_RUN). */
  token: string;
  /** Pause before the first reconnect until the server says otherwise (`retry:`). */
  retryMs?: number;
  maxReconnects?: number;
  /** Called once per feed when replies may be missing (it gave up, or skipped an unreadable event). */
  onProblem?: (senderId: string, problem: string) => void;
}

export class RemoteInbox implements Inbox {
  // Streams stay open for a whole scenario: no body timeout on this pool.
  private readonly agent = new Agent({ bodyTimeout: 0, headersTimeout: 10_000, keepAliveTimeout: 10_000 });
  private readonly aborts = new Set<AbortController>();
  private readonly headers: Record<string, string>;

  constructor(
    private readonly baseUrl: string,
    private readonly options: RemoteInboxOptions,
  ) {
    this.headers = { authorization: `Bearer ${options.token}` };
  }

  /** The coordinator's clock minus this process's, measured once (a failed measure is tried again at the next open). */
  private offset: Promise<number> | undefined;
  private clockOffset(): Promise<number> {
    this.offset ??= offsetFrom(async () => {
      const res = await request(`${this.baseUrl}${CONTROL_PREFIX}/clock`, { dispatcher: this.agent, headers: this.headers, signal: AbortSignal.timeout(10_000) });
      if (res.statusCode !== 200) {
        await res.body.dump().catch(() => undefined);
        throw new HttpStatus(res.statusCode);
      }
      const now = ((await res.body.json()) as { now?: unknown }).now;
      if (typeof now !== 'number' || !Number.isFinite(now)) throw new Error('the run\'s clock answered without a time');
      return now;
    }).catch((e: unknown) => {
      this.offset = undefined;
      throw e;
    });
    return this.offset;
  }

  async open(senderId: string, onMessage: (m: BotMessage) => void, _onError?: (e: Error) => void, onTurnDone?: (done: TurnDone) => void): Promise<ConversationFeed> {
    const url = `${this.baseUrl}${CONTROL_PREFIX}/conversations/${encodeURIComponent(senderId)}`;
    const abort = new AbortController();
    this.aborts.add(abort);
    let lastId: string | undefined;
    let problem: string | undefined;
    const report = (text: string): void => {
      if (problem !== undefined) return;
      problem = text;
      this.options.onProblem?.(senderId, text);
    };
    const onEvent = (event: EventSourceMessage): void => {
      if (event.event === TURN_DONE_EVENT) {
        // Only a shortcut (a Then without a match fails sooner): an unreadable one is ignored.
        const done = TurnDoneSchema.safeParse(jsonOrUndefined(event.data));
        if (done.success) onTurnDone?.(done.data);
        return;
      }
      if (event.id !== undefined) lastId = event.id;
      const read = parseWireMessage(event.data);
      // arrived_at was stamped on the coordinator's clock: onto this process's, where turns start.
      if (read.ok) onMessage(offsetMs === 0 ? read.message : { ...read.message, arrived_at: read.message.arrived_at - offsetMs });
      else report(`the worker feed of ${senderId} skipped ${read.reason}`);
    };
    const connect = async (): Promise<AsyncIterable<Buffer>> => {
      const res = await request(`${url}/events`, {
        dispatcher: this.agent,
        signal: abort.signal,
        headers: lastId === undefined ? this.headers : { ...this.headers, 'last-event-id': lastId },
      });
      if (res.statusCode !== 200) {
        await res.body.dump().catch(() => undefined);
        throw new HttpStatus(res.statusCode);
      }
      return res.body;
    };
    const follow = (first: AsyncIterable<Buffer>): Promise<void> =>
      followEvents(
        {
          connect,
          onEvent,
          signal: abort.signal,
          retryMs: this.options.retryMs ?? CONTROL_RETRY_MS,
          maxReconnects: this.options.maxReconnects ?? MAX_RECONNECTS,
          // The token was refused: retrying cannot help.
          hopeless: (e) => e instanceof HttpStatus && (e.status === 401 || e.status === 403),
          onGiveUp: (failures, lastCause) =>
            report(`the worker feed of ${senderId} from the run's listener (${this.baseUrl}) dropped and could not be reopened after ${failures} attempts (${lastCause}); replies after that are missing — did the coordinating cucumber-js process exit?`),
        },
        first,
      );

    let first: AsyncIterable<Buffer>;
    let offsetMs = 0;
    try {
      offsetMs = await this.clockOffset();
      first = await connect();
    } catch (cause) {
      this.aborts.delete(abort);
      if (cause instanceof HttpStatus && (cause.status === 401 || cause.status === 403)) {
        throw new ApiChatError(
          'APICHAT_INBOX_REFUSED',
          `the run's listener at ${this.baseUrl} refused this worker (HTTP ${cause.status}): APICHAT_RUN belongs to another run — let the apichat-bdd plugin set it, do not copy it between runs`,
          { variable: 'APICHAT_RUN', cause },
        );
      }
      throw new ApiChatError(
        'APICHAT_INBOX_UNREACHABLE',
        `cannot reach the run's listener at ${this.baseUrl}: it is started by the apichat-bdd Cucumber plugin — is the plugin listed in cucumber.js?`,
        { variable: 'APICHAT_RUN', cause },
      );
    }
    // The server registers the conversation before it answers, so replies are filed from here on.
    void follow(first);
    return {
      senderId,
      problem: () => problem,
      close: async () => {
        abort.abort();
        this.aborts.delete(abort);
        await request(url, { method: 'DELETE', headers: this.headers, dispatcher: this.agent }).then((r) => r.body.dump(), () => undefined);
      },
    };
  }

  async rejections(): Promise<RejectionSummary> {
    const res = await request(`${this.baseUrl}${CONTROL_PREFIX}/rejections`, { dispatcher: this.agent, headers: this.headers });
    const body: unknown = await res.body.json().catch(() => undefined);
    const parsed = RejectionSummarySchema.safeParse(body);
    if (res.statusCode !== 200 || !parsed.success) {
      throw new ApiChatError('APICHAT_INBOX_UNREACHABLE', `the run's listener at ${this.baseUrl} answered the rejection summary with HTTP ${res.statusCode} and no summary`, { variable: 'APICHAT_RUN' });
    }
    return parsed.data;
  }

  async close(): Promise<void> {
    for (const a of this.aborts) a.abort();
    this.aborts.clear();
    await this.agent.close();
  }
}
