// The small helpers every layer shares: one truncation, one URL check, one reading of network
// errors, one constant-time compare, one listener bind with one-line errors.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import net from 'node:net';
import { isApiChatError } from '../src/base/errors.ts';
import { bindListener, isAddressInUse, MemoryStore } from '../src/inbox/index.ts';
import { errorCode, failureKind } from '../src/base/net-errors.ts';
import { safeEqual } from '../src/protocol/index.ts';
import { describeRequestError } from '../src/simulator/index.ts';
import { oneLine, PLACEHOLDER, truncate } from '../src/base/text.ts';
import { parseHttpUrl } from '../src/base/url.ts';
import Fastify from 'fastify';
import { NO_SCHEMA_COMPILERS } from '../src/base/http-server.ts';

describe('text', () => {
  it('truncate keeps short text and marks a cut with …, never longer than max', () => {
    assert.equal(truncate('abc', 3), 'abc');
    assert.equal(truncate('abcdef', 4), 'abc…');
    assert.equal(truncate('abcdef', 4).length, 4);
    assert.equal(truncate('abc', 0), '…');
  });

  it('oneLine folds whitespace and newlines, then truncates', () => {
    assert.equal(oneLine('  a\n\n b\t c  '), 'a b c');
    assert.equal(oneLine('x'.repeat(300)).length, 200);
  });

  it('PLACEHOLDER takes names as regex groups spell them, and dotted built-ins', () => {
    const names = (s: string): string[] => [...s.matchAll(PLACEHOLDER)].map((m) => m[1] ?? '');
    assert.deepEqual(names('{{ref}} {{ user.name }} {{$x}} {{a$1}} {{1bad}} {{}}'), ['ref', 'user.name', '$x', 'a$1']);
  });
});

describe('parseHttpUrl', () => {
  it('accepts absolute http and https URLs only', () => {
    assert.equal(parseHttpUrl('https://bot.example.com/api/apichat/x')?.host, 'bot.example.com');
    assert.equal(parseHttpUrl('http://127.0.0.1:8787/webhook')?.port, '8787');
    for (const bad of ['ftp://x.example.com', 'not a url', '/relative', 'javascript:alert(1)', 'https://', '']) assert.equal(parseHttpUrl(bad), undefined, bad);
  });
});

describe('network errors', () => {
  it('errorCode finds the code on the error, in an AggregateError, or in the cause', () => {
    assert.equal(errorCode(Object.assign(new Error('x'), { code: 'ECONNREFUSED' })), 'ECONNREFUSED');
    assert.equal(errorCode(new AggregateError([new Error('a'), Object.assign(new Error('b'), { code: 'EHOSTUNREACH' })])), 'EHOSTUNREACH');
    assert.equal(errorCode(new Error('x', { cause: { code: 'ENOTFOUND' } })), 'ENOTFOUND');
    assert.equal(errorCode('string'), undefined);
  });

  it('failureKind groups the codes; the simulator words them', () => {
    const cases: Array<[string | undefined, string, string]> = [
      ['ECONNREFUSED', 'refused', 'connection refused'],
      ['ENOTFOUND', 'dns', 'host not found'],
      ['EAI_AGAIN', 'dns-temporary', 'host not found'],
      ['ECONNRESET', 'reset', 'connection reset'],
      ['UND_ERR_SOCKET', 'reset', 'connection reset'],
      ['UND_ERR_CONNECT_TIMEOUT', 'connect-timeout', 'connect timed out'],
      ['UND_ERR_HEADERS_TIMEOUT', 'timeout', 'timed out after 500 ms'],
      ['CERT_HAS_EXPIRED', 'tls', 'boom'],
      [undefined, 'other', 'boom'],
    ];
    for (const [code, kind, words] of cases) {
      assert.equal(failureKind(code), kind, String(code));
      assert.equal(describeRequestError(Object.assign(new Error('boom'), { code }), 500), words, String(code));
    }
  });
});

describe('safeEqual', () => {
  it('is true only for the same string, whatever the lengths', () => {
    assert.equal(safeEqual('secret', 'secret'), true);
    assert.equal(safeEqual('secret', 'secreT'), false);
    assert.equal(safeEqual('secret', 'secret2'), false);
    assert.equal(safeEqual('', ''), true);
    assert.equal(safeEqual('é', 'e'), false);
  });
});

describe('bindListener', () => {
  it('a port in use is APICHAT_LISTEN naming APICHAT_LISTEN_PORT, recognised by isAddressInUse', async () => {
    const holder = net.createServer();
    await new Promise<void>((resolve) => holder.listen(0, '127.0.0.1', resolve));
    const port = (holder.address() as net.AddressInfo).port;
    try {
      await assert.rejects(bindListener({ secret: 's', store: new MemoryStore(), path: '/webhook', host: '127.0.0.1', port }), (e: unknown) => {
        assert.ok(isApiChatError(e, 'APICHAT_LISTEN'));
        assert.equal(e.variable, 'APICHAT_LISTEN_PORT');
        assert.match(e.message, new RegExp(`^APICHAT_LISTEN_PORT: port ${port} on 127\\.0\\.0\\.1 is in use`));
        assert.ok(isAddressInUse(e));
        return true;
      });
    } finally {
      await new Promise((resolve) => holder.close(resolve));
    }
  });

  it('a host this machine does not have is APICHAT_LISTEN naming APICHAT_LISTEN_HOST', async () => {
    await assert.rejects(bindListener({ secret: 's', store: new MemoryStore(), path: '/webhook', host: '192.0.2.1', port: 0 }), (e: unknown) => {
      assert.ok(isApiChatError(e, 'APICHAT_LISTEN'));
      assert.equal(e.variable, 'APICHAT_LISTEN_HOST');
      assert.ok(!isAddressInUse(e));
      return true;
    });
  });
});

describe('fastify servers without schema compilers', () => {
  it('a route with a JSON schema fails at start naming the file, instead of going unchecked; routes without one serve', async () => {
    const app = Fastify({ logger: false, ...NO_SCHEMA_COMPILERS });
    app.get('/plain', async () => 'ok');
    app.post('/typed', { schema: { body: { type: 'object', required: ['a'] } } }, async () => 'typed');
    await assert.rejects(async () => void (await app.ready()), /a route declares a JSON schema, but our fastify servers have no validator \(src\/base\/http-server\.ts\)/);
    const plain = Fastify({ logger: false, ...NO_SCHEMA_COMPILERS });
    plain.get('/plain', async () => 'ok');
    assert.equal((await plain.inject({ url: '/plain' })).body, 'ok');
    await plain.close();
  });
});
