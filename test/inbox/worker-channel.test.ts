// The worker channel's hardening (issue 9): the per-run token on every route, the Host check
// against DNS rebinding, registrations freed when streams close, and a feed client that follows
// the SSE spec (eventsource-parser), validates what it reads, and says when it gives up.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, request as httpRequest, type IncomingMessage, type ServerResponse } from 'node:http';
import { request } from 'undici';
import { CONTROL_PREFIX, MemoryStore, RemoteInbox, secretsEqual, startControlServer, type RunningControl } from '../../src/inbox/index.ts';
import { isApiChatError } from '../../src/base/errors.ts';
import { buildTextReply, normalise, nowMs, type BotMessage } from '../../src/protocol/index.ts';
import { deferred, textMsg, remoteHarness } from './helpers.ts';
import { closeAfter } from '../support/close-after.ts';
import { offsetFrom } from '../../src/inbox/clock.ts';

const routes = (c: RunningControl) => [
  ['GET', `${c.url}${CONTROL_PREFIX}/conversations/ann/events`],
  ['DELETE', `${c.url}${CONTROL_PREFIX}/conversations/ann`],
  ['GET', `${c.url}${CONTROL_PREFIX}/orphans`],
  ['GET', `${c.url}${CONTROL_PREFIX}/rejections`],
  ['GET', `${c.url}${CONTROL_PREFIX}/health`],
] as const;

/** A raw request with a chosen Host header (undici would not let us lie about it). */
function rawGet(url: string, headers: Record<string, string>): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = httpRequest(url, { headers }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (c: string) => (body += c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
    });
    req.on('error', reject);
    req.end();
  });
}

describe('worker channel: the run token and the Host check', () => {
  it('nothing answers without the token, or with a wrong one; nothing is registered, deleted or listed', async (t) => {
    const store = new MemoryStore();
    const control = await startControlServer(store);
    closeAfter(t, control);
    store.register('ann');
    store.add(textMsg('ann', 'secret history'));
    store.add(textMsg('nobody', 'orphan text'));
    for (const headers of [{}, { authorization: 'Bearer wrong' }, { authorization: control.token }, { authorization: `Bearer ${control.token}x` }]) {
      for (const [method, url] of routes(control)) {
        const res = await request(url, { method, headers });
        const body = await res.body.text();
        assert.equal(res.statusCode, 401, `${method} ${url} with ${JSON.stringify(Object.keys(headers))}`);
        assert.doesNotMatch(body, /secret history|orphan text|ann/);
      }
    }
    assert.equal(store.isRegistered('ann'), true, 'DELETE without the token did nothing');
    assert.equal(store.isRegistered('bob'), false);
  });

  it('a foreign Host header is refused even with the token (DNS rebinding); 127.0.0.1 and localhost pass', async (t) => {
    const store = new MemoryStore();
    const control = await startControlServer(store);
    const port = new URL(control.url).port;
    const auth = { authorization: `Bearer ${control.token}` };
    closeAfter(t, control);
    for (const host of ['evil.example', `evil.example:${port}`, '127.0.0.1', `127.0.0.1:1`, `localhost.evil.example:${port}`]) {
      const res = await rawGet(`${control.url}${CONTROL_PREFIX}/health`, { ...auth, host });
      assert.equal(res.status, 403, host);
      assert.equal(res.body, 'wrong host');
    }
    for (const host of [`127.0.0.1:${port}`, `localhost:${port}`]) {
      const res = await rawGet(`${control.url}${CONTROL_PREFIX}/health`, { ...auth, host });
      assert.equal(res.status, 200, host);
    }
  });

  it('secretsEqual compares any lengths without throwing', () => {
    assert.equal(secretsEqual('abc', 'abc'), true);
    assert.equal(secretsEqual('abc', 'abcd'), false);
    assert.equal(secretsEqual('', 'x'), false);
  });

  it('a worker with another run\'s token is told so in one line (APICHAT_INBOX_REFUSED, APICHAT_RUN)', async (t) => {
    const store = new MemoryStore();
    const control = await startControlServer(store);
    const inbox = new RemoteInbox(control.url, { token: 'another run' });
    closeAfter(t, inbox, control);
    await assert.rejects(inbox.open('ann', () => {}), (e: unknown) => {
      assert.ok(isApiChatError(e, 'APICHAT_INBOX_REFUSED'), String(e));
      assert.equal((e as { variable?: string }).variable, 'APICHAT_RUN');
      assert.doesNotMatch((e as Error).message, /\n/);
      return true;
    });
    assert.equal(store.isRegistered('ann'), false);
  });
});

describe('worker channel: one clock for turns', () => {
  it("a worker files a reply's arrived_at on its own clock: the coordinator's runs 5 s ahead here", async (t) => {
    const AHEAD = 5_000;
    const store = new MemoryStore();
    const control = await startControlServer(store, { now: () => nowMs() + AHEAD });
    const inbox = new RemoteInbox(control.url, { token: control.token });
    closeAfter(t, inbox, control);
    const got = deferred<BotMessage>();
    const feed = await inbox.open('ann', (m) => got.resolve(m));
    // Stamped as the coordinator's listener stamps it: on the coordinator's clock.
    const stamped = nowMs() + AHEAD;
    store.add(normalise(buildTextReply({ sender_id: 'ann', conv_id: 1 }, 'hello'), stamped));
    const m = await got.promise;
    // Within the loopback round trip of the clock reading, not 5 s off.
    assert.ok(Math.abs(m.arrived_at - (stamped - AHEAD)) < 50, `arrived_at ${m.arrived_at - (stamped - AHEAD)} ms from this process's clock`);
    await feed.close();
  });
});

describe('worker channel: registrations are freed when streams close', () => {
  it('100 streams opened and dropped without DELETE leave no registration and no listener', async (t) => {
    const store = new MemoryStore();
    const control = await startControlServer(store, { closeGraceMs: 0 });
    const headers = { authorization: `Bearer ${control.token}` };
    closeAfter(t, control);
    const n = 100;
    const batch = 50;
    for (let start = 0; start < n; start += batch) {
      const opened = await Promise.all(
        Array.from({ length: batch }, async (_, i) => {
          const ac = new AbortController();
          const res = await request(`${control.url}${CONTROL_PREFIX}/conversations/leak-${start + i}/events`, { headers, signal: ac.signal });
          assert.equal(res.statusCode, 200);
          return { ac, res };
        }),
      );
      for (const { ac, res } of opened) {
        ac.abort();
        res.body.on('error', () => {});
      }
    }
    // Resolved by the server's own close handling: wait for the last registration to go.
    const gone = deferred<void>();
    const check = (): void => {
      if (registered(store) === 0) gone.resolve();
      else setImmediate(check);
    };
    check();
    await gone.promise;
    assert.equal(registered(store), 0);
  });

  it('a stream reopened within the grace keeps its conversation (nothing becomes an orphan)', async (t) => {
    const { store, control, inbox } = await remoteHarness(t);
    const got: string[] = [];
    const two = deferred<void>();
    const feed = await inbox.open('fay', (m) => {
      got.push(m.kind === 'text' ? m.text : m.kind);
      if (got.length === 2) two.resolve();
    });
    store.add(textMsg('fay', 'before'));
    control.app.server.closeAllConnections();
    store.add(textMsg('fay', 'during'));
    await two.promise;
    assert.deepEqual(got, ['before', 'during']);
    assert.equal(store.orphans().length, 0);
    await feed.close();
  });
});

function registered(store: MemoryStore): number {
  return (store as unknown as { conversations: Map<string, unknown> }).conversations.size;
}

/** A hand-made SSE server: each request gets the next scripted answer. */
async function scriptedServer(script: Step[]) {
  const seen: IncomingMessage[] = [];
  const server = createServer((req, res) => {
    if (req.method === 'DELETE') return void res.writeHead(204).end();
    // The clock a worker reads once before its first stream, as the control server answers it.
    if (req.url?.endsWith('/clock')) return void res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ now: nowMs() }));
    seen.push(req);
    const step = script[Math.min(seen.length - 1, script.length - 1)]!;
    step(req, res);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const url = `http://127.0.0.1:${(server.address() as { port: number }).port}`;
  return {
    url,
    seen,
    close: () => {
      server.closeAllConnections();
      return new Promise<void>((r) => server.close(() => r()));
    },
  };
}

type Step = (req: IncomingMessage, res: ServerResponse) => void;
const sse = (res: ServerResponse) => res.writeHead(200, { 'content-type': 'text/event-stream' });
/** A step answering with an event stream of `chunks`; `end` closes it afterwards (the client reconnects). */
const streams = (chunks: string[], { end = false } = {}): Step => (_req, res) => {
  sse(res);
  for (const chunk of chunks) res.write(chunk);
  if (end) res.end();
};
/** A step refusing the connection with an HTTP status. */
const refuses = (status: number, body?: string): Step => (_req, res) => {
  res.writeHead(status);
  res.end(body);
};
const wire = (text: string, sender = 'ann') => JSON.stringify(textMsg(sender, text));

describe('RemoteInbox reads the stream as the SSE spec says', () => {
  it('`data:` without a space, data split over lines, CRLF line ends, retry: and comments', async (t) => {
    const msg = JSON.parse(wire('spec')) as BotMessage;
    const pretty = JSON.stringify(msg, null, 1).split('\n'); // several data: lines, joined with \n
    const server = await scriptedServer([
      streams(
        [
          ': hello\r\nretry: 10\r\n\r\n', // a comment and a retry: field
          `id: 0\r\ndata:${wire('no space')}\r\n\r\n`, // CRLF, no space after data:
          `id: 1\n${pretty.map((l) => `data: ${l}`).join('\n')}\n\n`, // one event over several data: lines
        ],
        { end: true },
      ),
      (req, res) => {
        sse(res);
        assert.equal(req.headers['last-event-id'], '1');
        res.write(`id: 2\ndata: ${wire('after reconnect')}\n\n`);
      },
    ]);
    const inbox = new RemoteInbox(server.url, { token: 't' });
    closeAfter(t, inbox, server);
    const got: string[] = [];
    const three = deferred<void>();
    const feed = await inbox.open('ann', (m) => {
      got.push(m.kind === 'text' ? m.text : m.kind);
      if (got.length === 3) three.resolve();
    });
    await three.promise;
    assert.deepEqual(got, ['no space', 'spec', 'after reconnect']);
    assert.equal(feed.problem?.(), undefined);
    assert.equal(server.seen[0]!.headers.authorization, 'Bearer t');
    await feed.close();
  });

  it('an event that is not a message is skipped and reported, later ones still arrive', async (t) => {
    const server = await scriptedServer([
      streams(['id: 0\ndata: {"kind":"text","text":5}\n\n', 'id: 1\ndata: not json\n\n', `id: 2\ndata: ${wire('fine')}\n\n`]),
    ]);
    const problems: string[] = [];
    const inbox = new RemoteInbox(server.url, { token: 't', onProblem: (_s, p) => problems.push(p) });
    closeAfter(t, inbox, server);
    const one = deferred<BotMessage>();
    const feed = await inbox.open('ann', (m) => one.resolve(m));
    const m = await one.promise;
    assert.equal(m.kind === 'text' && m.text, 'fine');
    assert.equal(problems.length, 1);
    assert.match(feed.problem?.() ?? '', /skipped an event that is not a message \(sender_id: /);
    await feed.close();
  });

  it('a feed that cannot be reopened gives up after the budget and says so (feed.problem)', async (t) => {
    const server = await scriptedServer([streams(['retry: 1\n\n'], { end: true }), refuses(503, 'down')]);
    const gaveUp = deferred<string>();
    const inbox = new RemoteInbox(server.url, { token: 't', maxReconnects: 3, onProblem: (_s, p) => gaveUp.resolve(p) });
    closeAfter(t, inbox, server);
    const feed = await inbox.open('ann', () => {});
    const problem = await gaveUp.promise;
    assert.equal(server.seen.length, 4, 'the first connect and 3 reconnects');
    assert.match(problem, /could not be reopened after 3 attempts \(HTTP 503\)/);
    assert.equal(feed.problem?.(), problem);
    await feed.close();
  });

  it('a refused token on reconnect gives up at once (retrying cannot help)', async (t) => {
    const server = await scriptedServer([streams(['retry: 1\n\n'], { end: true }), refuses(401)]);
    const gaveUp = deferred<string>();
    const inbox = new RemoteInbox(server.url, { token: 't', onProblem: (_s, p) => gaveUp.resolve(p) });
    closeAfter(t, inbox, server);
    const feed = await inbox.open('ann', () => {});
    assert.match(await gaveUp.promise, /HTTP 401/);
    assert.equal(server.seen.length, 2);
    await feed.close();
  });
});

describe('offsetFrom: only what the readings can tell from 0', () => {
  it('a skew within half the round trip is 0; a larger one is corrected by no more than the readings show', async () => {
    // A reader that takes its reading at once and then answers 20 ms later, 3 ms ahead: the
    // readings cannot tell 3 ms from 0 (the bound is ±10 ms), so nothing is corrected.
    const slow = await offsetFrom(async () => {
      const v = nowMs() + 3;
      await new Promise((r) => setTimeout(r, 20));
      return v;
    }, 2);
    assert.equal(slow, 0);
    const ahead = await offsetFrom(async () => nowMs() + 100);
    assert.ok(ahead > 99 && ahead <= 100, `${ahead}`);
  });
});
