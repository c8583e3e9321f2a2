// A --parallel worker's side of the run's shared timing (the coordinator's /v1/timing on the
// worker channel, control.ts): it reports what it observes, batched (one request in flight, the
// rest queued), and receives the run's aggregate as server-sent events whenever it changes. So
// a pause one worker sees widens every worker's windows. Best effort by design: should the
// channel fail, the worker keeps learning on its own, as it did before sharing existed.
import { Agent, request } from 'undici';
import { CONTROL_PREFIX, CONTROL_RETRY_MS, jsonOrUndefined } from './wire.ts';
import { followEvents, HttpStatus } from './sse-follow.ts';

export class RemoteTimingLink {
  private readonly agent = new Agent({ bodyTimeout: 0, headersTimeout: 10_000, keepAliveTimeout: 10_000 });
  private readonly abort = new AbortController();
  private readonly headers: Record<string, string>;
  private queue: unknown[] = [];
  private sending: Promise<void> | undefined;

  constructor(
    private readonly baseUrl: string,
    token: string,
    /** Called with each aggregate the coordinator pushes (unchecked JSON). */
    private readonly onState: (state: unknown) => void,
  ) {
    this.headers = { authorization: `Bearer ${token}` };
    void this.listen();
  }

  /** Queues one observation; sent with whatever else is queued once the request in flight is done. */
  report(observation: unknown): void {
    this.queue.push(observation);
    this.sending ??= this.flush();
  }

  /** Resolves once everything reported so far has been sent (or failed). */
  async drain(): Promise<void> {
    while (this.sending) await this.sending;
  }

  private async flush(): Promise<void> {
    try {
      while (this.queue.length > 0 && !this.abort.signal.aborted) {
        const batch = this.queue;
        this.queue = [];
        await request(`${this.baseUrl}${CONTROL_PREFIX}/timing/observations`, {
          method: 'POST',
          dispatcher: this.agent,
          headers: { ...this.headers, 'content-type': 'application/json' },
          body: JSON.stringify(batch),
        }).then((r) => r.body.dump(), () => undefined);
      }
    } finally {
      this.sending = undefined;
    }
  }

  private listen(): Promise<void> {
    return followEvents({
      connect: async () => {
        const res = await request(`${this.baseUrl}${CONTROL_PREFIX}/timing/events`, { dispatcher: this.agent, signal: this.abort.signal, headers: this.headers });
        if (res.statusCode !== 200) {
          await res.body.dump().catch(() => undefined);
          throw new HttpStatus(res.statusCode);
        }
        return res.body;
      },
      onEvent: (event) => {
        const json = jsonOrUndefined(event.data);
        if (json !== undefined) this.onState(json);
      },
      signal: this.abort.signal,
      retryMs: CONTROL_RETRY_MS,
      // Another run's channel, or a run without sharing: the worker learns on its own, silently.
      hopeless: (e) => e instanceof HttpStatus && (e.status === 401 || e.status === 403 || e.status === 404),
    });
  }

  async close(): Promise<void> {
    await this.drain();
    this.abort.abort();
    await this.agent.close();
  }
}
