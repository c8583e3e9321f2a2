// Shared test helpers for the client tests: a MockAgent that records calls, error capture,
// and tiny loopback servers for the cases a mock cannot show (a real refused port, a real reset).
import assert from 'node:assert/strict';
import http from 'node:http';
import net from 'node:net';
import { MockAgent } from 'undici';
import { ApiChatError } from '../../src/base/errors.ts';

export function mockAgent(): MockAgent {
  const agent = new MockAgent({ enableCallHistory: true });
  agent.disableNetConnect();
  return agent;
}

export interface RecordedCall {
  method: string;
  path: string;
  headers: Record<string, string>;
  body: string | undefined;
}

/** Every request the client dispatched through the agent (intercepted or not), in order. */
export function calls(agent: MockAgent): RecordedCall[] {
  const history = agent.getCallHistory();
  assert.ok(history, 'call history is enabled');
  return history.calls().map((c) => ({
    method: c.method,
    path: c.path,
    headers: c.headers as Record<string, string>,
    body: typeof c.body === 'string' ? c.body : undefined,
  }));
}

/** Asserts the agent saw exactly one request, and that it was this one (field by field, so a failure names the field). */
export function assertOnlyCall(agent: MockAgent, want: { method: string; path: string; authorization: string; contentType?: string; body: string | undefined }): void {
  const sent = calls(agent);
  assert.equal(sent.length, 1, `one request, got: ${sent.map((c) => `${c.method} ${c.path}`).join(', ')}`);
  const call = sent[0]!;
  assert.equal(call.method, want.method);
  assert.equal(call.path, want.path);
  assert.equal(call.headers.authorization, want.authorization);
  if (want.contentType !== undefined) assert.equal(call.headers['content-type'], want.contentType);
  assert.equal(call.body, want.body);
}

/** The error a promise rejects with; fails the test when it resolves or rejects with something else. */
export async function failure<E extends ApiChatError>(p: Promise<unknown>, type: new (...args: never[]) => E): Promise<E> {
  let value: unknown;
  try {
    value = await p;
  } catch (e) {
    assert.ok(e instanceof type, `expected a ${type.name}, got ${String(e)}`);
    return e;
  }
  assert.fail(`expected a rejection, got ${JSON.stringify(value)}`);
}

/** One line, names the variable, leaks none of the secrets. */
export function assertSafeMessage(err: ApiChatError, variable: string, secrets: string[]): void {
  assert.equal(err.variable, variable);
  assert.ok(err.message.includes(variable), `message should name ${variable}: ${err.message}`);
  assert.ok(!err.message.includes('\n'), `message should be one line: ${err.message}`);
  for (const s of secrets) assert.ok(!err.message.includes(s), `message leaks a secret: ${err.message}`);
}

export { closedPort } from '../support/net.ts';

/** A real HTTP server on loopback that counts the requests it received. */
export async function countingServer(
  onRequest: (req: http.IncomingMessage, res: http.ServerResponse) => void,
): Promise<{ url: string; received: () => number; close: () => Promise<void> }> {
  let n = 0;
  const srv = http.createServer((req, res) => {
    n++;
    req.resume();
    req.on('end', () => onRequest(req, res));
  });
  await new Promise<void>((resolve) => srv.listen(0, '127.0.0.1', resolve));
  const { port } = srv.address() as net.AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/api/apichat/abc`,
    received: () => n,
    close: async () => {
      srv.closeAllConnections();
      await new Promise<void>((resolve) => srv.close(() => resolve()));
    },
  };
}
