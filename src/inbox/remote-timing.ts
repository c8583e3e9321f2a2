// A --parallel worker's side of the run's shared timing (the coordinator's /v1/timing on the
// worker channel, control.ts): it reports what it observes, batched (one request in flight, the
// rest queued), and receives the run's aggregate as server-sent events whenever it changes. So
// a pause one worker sees widens every worker's windows. Best effort by design: should the
// channel fail, the worker keeps learning on its own, as it did before sharing existed.
import { setTimeout as sleep } from 'node:timers/promises';
import { createParser } from 'eventsource-parser';
import { Agent, request } from 'undici';
import { CONTROL_PREFIX, CONTROL_RETRY_MS, jsonOrUndefined } from './wire.ts';

/** Consecutive failed connections before the worker stops listening for the aggregate. */
const MAX_RECONNECTS = 8;

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

  private async listen(): Promise<void> {
    let retryMs = CONTROL_RETRY_MS;
    const parser = createParser({
      onEvent: (event) => {
        const json = jsonOrUndefined(event.data);
        if (json !== undefined) this.onState(json);
      },
      onRetry: (ms) => {
        retryMs = ms;
      },
    });
    for (let failures = 0; failures < MAX_RECONNECTS && !this.abort.signal.aborted; ) {
      try {
        const res = await request(`${this.baseUrl}${CONTROL_PREFIX}/timing/events`, { dispatcher: this.agent, signal: this.abort.signal, headers: this.headers });
        if (res.statusCode !== 200) {
          await res.body.dump().catch(() => undefined);
          if (res.statusCode === 401 || res.statusCode === 403 || res.statusCode === 404) return; // another run, or no sharing
          throw new Error(`HTTP ${res.statusCode}`);
        }
        failures = 0;
        parser.reset({ consume: false });
        const decoder = new TextDecoder();
        for await (const chunk of res.body) parser.feed(decoder.decode(chunk as Buffer, { stream: true }));
      } catch {
        if (this.abort.signal.aborted) return;
      }
      failures++;
      await sleep(Math.min(retryMs * 2 ** failures, 2_000), undefined, { signal: this.abort.signal }).catch(() => undefined);
    }
  }

  async close(): Promise<void> {
    await this.drain();
    this.abort.abort();
    await this.agent.close();
  }
}
