// followEvents (src/inbox/sse-follow.ts), the one reconnect loop of the worker channel's
// streams, without sockets: connect() hands out scripted streams or failures.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { followEvents, HttpStatus } from '../../src/inbox/sse-follow.ts';

async function* stream(...chunks: string[]): AsyncIterable<Buffer> {
  for (const c of chunks) yield Buffer.from(c);
}

/** connect() that plays `script` in order: a stream's chunks, or an error to throw. */
function scripted(script: Array<string[] | Error>): { connect: () => Promise<AsyncIterable<Buffer>>; calls: () => number } {
  let n = 0;
  return {
    connect: async () => {
      const step = script[n++] ?? new Error('connection refused');
      if (step instanceof Error) throw step;
      return stream(...step);
    },
    calls: () => n,
  };
}

describe('followEvents', () => {
  it('reads events across chunks (a character split between two), reopens a stream that ended, and gives up after maxReconnects failures in a row', async () => {
    const euro = Buffer.from('€');
    const events: string[] = [];
    const gaveUp: Array<[number, string]> = [];
    // The first stream is raw bytes with a character split between chunks; then a second stream,
    // a refusal, a third stream, and refusals from then on.
    const s = scripted([[], ['data: two\n\n'], new Error('ECONNREFUSED'), ['data: three\n\n']]);
    const connect = async (): Promise<AsyncIterable<Buffer>> => {
      if (s.calls() === 0) {
        await s.connect();
        return (async function* () {
          yield Buffer.from('data: one\n\ndata: ');
          yield euro.subarray(0, 2);
          yield Buffer.concat([euro.subarray(2), Buffer.from('\n\n')]);
        })();
      }
      return s.connect();
    };
    await followEvents({ connect, onEvent: (e) => events.push(e.data), signal: new AbortController().signal, retryMs: 1, maxReconnects: 3, onGiveUp: (f, cause) => gaveUp.push([f, cause]) });
    assert.deepEqual(events, ['one', '€', 'two', 'three']);
    assert.deepEqual(gaveUp, [[3, 'connection refused']], 'three refusals in a row after the last stream ended: given up once, with the cause');
  });

  it('a hopeless refusal (401) ends it at once; an aborted signal ends it without giving up', async () => {
    const gaveUp: number[] = [];
    const refused = scripted([new HttpStatus(401)]);
    await followEvents({ connect: refused.connect, onEvent: () => {}, signal: new AbortController().signal, retryMs: 1, maxReconnects: 5, hopeless: (e) => e instanceof HttpStatus && e.status === 401, onGiveUp: (f) => gaveUp.push(f) });
    assert.equal(refused.calls(), 1, 'no second attempt');
    assert.deepEqual(gaveUp, [5]);

    const abort = new AbortController();
    const endless = scripted([]);
    const following = followEvents({ connect: async () => (abort.abort(), endless.connect()), onEvent: () => {}, signal: abort.signal, retryMs: 1, onGiveUp: () => gaveUp.push(-1) });
    await following;
    assert.deepEqual(gaveUp, [5], 'aborted: not a give-up');
  });
});
