// One server-sent-events stream of the worker channel, followed for as long as it is wanted: read
// it, and when it ends or breaks, open it again after a pause that doubles with each failure in a
// row (from the server's `retry:` hint, at most MAX_PAUSE_MS), until MAX_RECONNECTS failures in a
// row, or a refusal after which retrying cannot help. A worker's reply feeds (remote.ts) and its
// timing link (remote-timing.ts) both follow their streams this way. eventsource-parser reads
// the stream: `data:` with or without a space, multi-line data, `retry:`.
import { setTimeout as sleep } from 'node:timers/promises';
import { createParser, type EventSourceMessage } from 'eventsource-parser';

/** Failed openings in a row before a stream is given up. */
export const MAX_RECONNECTS = 8;
const MAX_PAUSE_MS = 2_000;

/** The server answered with a status other than 200. */
export class HttpStatus extends Error {
  constructor(readonly status: number) {
    super(`HTTP ${status}`);
  }
}

export interface FollowOptions {
  /** Opens the stream (with Last-Event-ID where the caller keeps one); throws HttpStatus for another answer than 200. */
  connect: () => Promise<AsyncIterable<Buffer>>;
  onEvent: (event: EventSourceMessage) => void;
  signal: AbortSignal;
  /** The pause before the first reopening, until the server says otherwise (`retry:`). */
  retryMs: number;
  maxReconnects?: number;
  /** A failure after which retrying cannot help (a refused token): no more attempts. */
  hopeless?: (e: unknown) => boolean;
  /** Called once when the stream is given up (not when the signal aborts it), with the last cause. */
  onGiveUp?: (failures: number, lastCause: string) => void;
}

/**
 * Follows the stream until the signal aborts it or it is given up. `first`: a stream the caller
 * has already opened (so that its own errors reached the caller); without it, the first opening
 * is made at once.
 */
export async function followEvents(o: FollowOptions, first?: AsyncIterable<Buffer>): Promise<void> {
  let retryMs = o.retryMs;
  const max = o.maxReconnects ?? MAX_RECONNECTS;
  const parser = createParser({
    onEvent: o.onEvent,
    onRetry: (ms) => {
      retryMs = ms;
    },
  });
  let body = first;
  let pause = first !== undefined; // a stream that ended waits before it is opened again; the first opening does not
  let failures = 0;
  let lastCause = 'the stream ended';
  for (;;) {
    if (body) {
      try {
        // Streaming decode: a chunk may end inside a multi-byte character.
        const decoder = new TextDecoder();
        parser.reset({ consume: false });
        for await (const chunk of body) parser.feed(decoder.decode(chunk, { stream: true }));
        lastCause = 'the stream ended';
      } catch (e) {
        lastCause = (e as Error).message;
      }
      body = undefined;
    }
    for (;;) {
      if (o.signal.aborted) return;
      if (failures >= max) {
        o.onGiveUp?.(failures, lastCause);
        return;
      }
      try {
        if (pause) {
          failures++;
          await sleep(Math.min(retryMs * 2 ** (failures - 1), MAX_PAUSE_MS), undefined, { signal: o.signal });
        }
        pause = true;
        body = await o.connect();
        failures = 0; // the budget is for failures in a row, not for the stream's lifetime
        break;
      } catch (e) {
        if (o.signal.aborted) return;
        lastCause = (e as Error).message;
        if (o.hopeless?.(e)) failures = max;
      }
    }
  }
}
