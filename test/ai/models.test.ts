// The model client, the cache and completeJson against the OpenAI-compatible test double:
// request shapes, the cache (a second run makes zero calls), and every fault as one line.
import { after, afterEach, before, beforeEach, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { z } from 'zod';
import { isApiChatError } from '../../src/base/errors.ts';
import { cacheKey, loadAiConfig, Models, PLACEHOLDER_KEY, requireModel, type AiConfig } from '../../src/ai/index.ts';
import { AiDouble, chatReply } from '../support/ai-double.ts';

const KEY = 'sk-test-0123456789abcdef';
const Verdict = z.object({ pass: z.boolean(), reason: z.string(), score: z.number() });
const messages = [
  { role: 'system' as const, content: 'judge' },
  { role: 'user' as const, content: '<criterion>check-in starts at 3 pm</criterion>\n<bot_answer>Check-in starts at 3 pm.</bot_answer>' },
];
const judgeOptions = { model: 'judge', variable: 'APICHAT_JUDGE_MODEL' as const, kind: 'judge', promptVersion: 1, cacheKeyParts: { criterion: 'check-in starts at 3 pm', answer: ['Check-in starts at 3 pm.'] } };

let ai: AiDouble;
let dir: string;

function config(over: Record<string, string> = {}): AiConfig {
  return loadAiConfig({ APICHAT_AI_URL: ai.url, APICHAT_AI_API_KEY: KEY, APICHAT_JUDGE_MODEL: 'judge', APICHAT_EMBEDDINGS_MODEL: 'embed', APICHAT_AI_TIMEOUT_MS: '2000', ...over }, dir);
}

async function fault(p: Promise<unknown>): Promise<{ code: string; message: string; variable: string | undefined }> {
  const e = await p.then(() => assert.fail('expected a failure'), (x: unknown) => x);
  assert.ok(isApiChatError(e), `an ApiChatError, got ${String(e)}`);
  assert.ok(!e.message.includes('\n'), `one line: ${e.message}`);
  assert.ok(!e.message.includes(KEY) && !e.message.includes('0123456789'), `no key in: ${e.message}`);
  return { code: e.code, message: e.message, variable: e.variable };
}

before(async () => {
  ai = await AiDouble.start({ key: KEY, models: ['judge', 'embed'] });
});
after(async () => {
  await ai.close();
});
beforeEach(async () => {
  ai.reset();
  dir = await mkdtemp(join(tmpdir(), 'apichat-ai-'));
});
afterEach(() => rm(dir, { recursive: true, force: true }));

describe('config', () => {
  it('falls back to OPENAI_API_KEY, then to a placeholder; the user model to the judge model', () => {
    assert.equal(loadAiConfig({ OPENAI_API_KEY: 'sk-x' }, dir).apiKey, 'sk-x');
    assert.equal(loadAiConfig({ OPENAI_API_KEY: 'sk-x', APICHAT_AI_API_KEY: 'sk-y' }, dir).apiKey, 'sk-y');
    const none = loadAiConfig({ APICHAT_JUDGE_MODEL: 'j' }, dir);
    assert.equal(none.apiKey, PLACEHOLDER_KEY);
    assert.equal(none.userModel, 'j');
    assert.equal(none.similarity, 0.8);
    assert.equal(none.userMaxTurns, 8);
    assert.equal(none.cacheDir, join(dir, '.apichat-bdd/ai-cache'));
    assert.equal(loadAiConfig({ APICHAT_AI_CACHE: 'off' }, dir).cacheDir, undefined);
  });

  it('a bad value is one line naming the variable; a missing model stops before any request', () => {
    assert.throws(() => loadAiConfig({ APICHAT_SIMILARITY: '1.5' }, dir), /^ConfigError: APICHAT_SIMILARITY: expected a number from 0 to 1/);
    assert.throws(() => loadAiConfig({ APICHAT_AI_URL: 'localhost:11434' }, dir), /APICHAT_AI_URL: expected an http\(s\) URL/);
    assert.throws(() => loadAiConfig({ APICHAT_AI_CACHE: 'maybe' }, dir), /APICHAT_AI_CACHE: expected on, off or a directory path/);
    assert.equal(loadAiConfig({ APICHAT_AI_CACHE: './ci-cache' }, dir).cacheDir, join(dir, 'ci-cache'));
    assert.throws(() => requireModel(loadAiConfig({}, dir), 'APICHAT_EMBEDDINGS_MODEL'), (e: Error) => isApiChatError(e, 'APICHAT_CONFIG') && /^APICHAT_EMBEDDINGS_MODEL: is not set/.test(e.message));
  });
});

describe('completeJson and embed: the wire contract', () => {
  it('sends a chat completion with temperature 0, a json_schema format and the key; parses the content', async () => {
    const m = new Models(config());
    const r = await m.completeJson(Verdict, messages, judgeOptions);
    assert.deepEqual(r.value, { pass: true, reason: 'the answer mentions check, start, 3', score: 1 });
    assert.equal(r.calls, 1);
    assert.equal(r.cached, false);
    const [req] = ai.chatRequests;
    assert.equal(req?.headers.authorization, `Bearer ${KEY}`);
    assert.equal(req?.body.model, 'judge');
    assert.equal(req?.body.temperature, 0);
    assert.equal(req?.body.response_format.type, 'json_schema');
    assert.deepEqual(req?.body.response_format.json_schema.schema.required, ['pass', 'reason', 'score']);
    assert.equal(req?.body.response_format.json_schema.strict, true);
    assert.deepEqual(req?.body.messages, messages);
  });

  it('sends embeddings as one list of the texts not cached, and returns them in order', async () => {
    const m = new Models(config());
    const r = await m.embed(['hello there', 'check-in at 3 pm', 'hello there'], { model: 'embed' });
    assert.equal(r.vectors.length, 3);
    assert.deepEqual(r.vectors[0], r.vectors[2]);
    assert.deepEqual(ai.embeddingRequests.map((q) => q.body.input), [['hello there', 'check-in at 3 pm']]);
    assert.equal(ai.embeddingRequests[0]?.body.model, 'embed');
    const again = await m.embed(['check-in at 3 pm', 'new text'], { model: 'embed' });
    assert.deepEqual(ai.embeddingRequests.map((q) => q.body.input)[1], ['new text']);
    assert.equal(again.hits, 1);
  });

  it('reads a JSON answer whose server forgot the application/json content type', async () => {
    ai.use((req) => (req.path === '/v1/chat/completions' ? { raw: JSON.stringify(chatReply('judge', '{"pass": false, "reason": "no", "score": 0.1}').body) } : undefined));
    ai.use((req) => (req.path === '/v1/embeddings' ? { raw: JSON.stringify({ data: [{ index: 0, embedding: [0.6, 0.8] }] }) } : undefined));
    const m = new Models(config({ APICHAT_AI_CACHE: 'off' }));
    assert.deepEqual((await m.completeJson(Verdict, messages, judgeOptions)).value, { pass: false, reason: 'no', score: 0.1 });
    assert.deepEqual((await m.embed(['x'], { model: 'embed' })).vectors, [[0.6, 0.8]]);
  });

  it('a placeholder key goes out when none is set (a local server ignores it)', async () => {
    const open = await AiDouble.start();
    try {
      const m = new Models(loadAiConfig({ APICHAT_AI_URL: open.url, APICHAT_JUDGE_MODEL: 'llama3.2' }, dir));
      await m.completeJson(Verdict, messages, { ...judgeOptions, model: 'llama3.2' });
      assert.equal(open.chatRequests[0]?.headers.authorization, `Bearer ${PLACEHOLDER_KEY}`);
    } finally {
      await open.close();
    }
  });
});

describe('the cache', () => {
  it('a second run with the same inputs makes zero model calls and gives the same answer', async () => {
    const first = await new Models(config()).completeJson(Verdict, messages, judgeOptions);
    const second = new Models(config()); // a new process, as a rerun would be
    const again = await second.completeJson(Verdict, messages, judgeOptions);
    assert.deepEqual(again.value, first.value);
    assert.equal(again.cached, true);
    assert.equal(ai.chatRequests.length, 1);
    assert.equal(second.client.calls, 0);
    assert.equal(second.cache.hits, 1);
  });

  it('is keyed by model, kind, prompt version and inputs; key order does not matter', () => {
    const base = { model: 'm', kind: 'judge', promptVersion: 1, inputs: { a: 1, b: ['x'] } };
    assert.equal(cacheKey(base), cacheKey({ ...base, inputs: { b: ['x'], a: 1 } }));
    for (const other of [{ model: 'n' }, { kind: 'user' }, { promptVersion: 2 }, { inputs: { a: 1, b: ['y'] } }]) assert.notEqual(cacheKey(base), cacheKey({ ...base, ...other }));
  });

  it('a verdict from another server or key is not reused: a wrong key still fails after a green run', async () => {
    await new Models(config()).completeJson(Verdict, messages, judgeOptions);
    const f = await fault(new Models(config({ APICHAT_AI_API_KEY: 'sk-wrong-0123456789' })).completeJson(Verdict, messages, judgeOptions));
    assert.equal(f.code, 'APICHAT_AI_AUTH');
    const files = await readdir(join(dir, '.apichat-bdd/ai-cache'), { recursive: true });
    const text = (await Promise.all(files.filter((f) => f.endsWith('.json')).map((f) => readFile(join(dir, '.apichat-bdd/ai-cache', f), 'utf8')))).join('\n');
    assert.ok(!text.includes(KEY) && !text.includes('0123456789'), 'the key is never written to the cache');
  });

  it('APICHAT_AI_CACHE=off asks every time and writes nothing', async () => {
    const m = new Models(config({ APICHAT_AI_CACHE: 'off' }));
    await m.completeJson(Verdict, messages, judgeOptions);
    await m.completeJson(Verdict, messages, judgeOptions);
    assert.equal(ai.chatRequests.length, 2);
    await assert.rejects(readdir(join(dir, '.apichat-bdd')), /ENOENT/);
  });

  it('never keeps an error or an unparseable answer', async () => {
    ai.use((req) => (req.path === '/v1/chat/completions' ? chatReply('judge', 'I think it passes.') : undefined));
    await fault(new Models(config()).completeJson(Verdict, messages, judgeOptions));
    ai.reset();
    ai.failNext(500, 3);
    await fault(new Models(config()).completeJson(Verdict, messages, judgeOptions));
    ai.reset();
    const r = await new Models(config()).completeJson(Verdict, messages, judgeOptions);
    assert.equal(r.cached, false);
    assert.equal(ai.chatRequests.length, 1);
  });
});

describe('faults are one line naming what to check, never the key', () => {
  it('a wrong key (401) names APICHAT_AI_API_KEY', async () => {
    const f = await fault(new Models(config({ APICHAT_AI_API_KEY: 'sk-wrong-0123456789' })).completeJson(Verdict, messages, judgeOptions));
    assert.equal(f.code, 'APICHAT_AI_AUTH');
    assert.match(f.message, /refused the key \(401\); check APICHAT_AI_API_KEY/);
    assert.ok(!f.message.includes('sk-wro'), f.message);
  });

  it('an unknown model (OpenAI\'s 404 body) names the model variable', async () => {
    const f = await fault(new Models(config({ APICHAT_JUDGE_MODEL: 'gpt-nope' })).completeJson(Verdict, messages, { ...judgeOptions, model: 'gpt-nope' }));
    assert.equal(f.code, 'APICHAT_AI_MODEL_NOT_FOUND');
    assert.match(f.message, /does not know the model "gpt-nope".*check APICHAT_JUDGE_MODEL$/);
    const e = await fault(new Models(config()).embed(['x'], { model: 'nomic' }));
    assert.match(e.message, /check APICHAT_EMBEDDINGS_MODEL$/);
  });

  it('a refused connection names APICHAT_AI_URL', async () => {
    const port = await freePort();
    const f = await fault(new Models(config({ APICHAT_AI_URL: `http://127.0.0.1:${port}/v1` })).completeJson(Verdict, messages, judgeOptions));
    assert.equal(f.code, 'APICHAT_AI_UNREACHABLE');
    assert.match(f.message, /refused the connection; check APICHAT_AI_URL/);
  });

  it('a host that does not resolve names APICHAT_AI_URL', async () => {
    // fetch fails as undici does when the name does not resolve. Not through the machine's
    // resolver: a slow one (EAI_AGAIN, retried by the SDK) made this a timeout under load.
    const unresolved: typeof fetch = async () => {
      throw new TypeError('fetch failed', { cause: Object.assign(new Error('getaddrinfo ENOTFOUND no-such-host.invalid'), { code: 'ENOTFOUND', hostname: 'no-such-host.invalid' }) });
    };
    const models = new Models(config({ APICHAT_AI_URL: 'http://no-such-host.invalid/v1', APICHAT_AI_TIMEOUT_MS: '30000' }), { fetch: unresolved });
    const f = await fault(models.completeJson(Verdict, messages, judgeOptions));
    assert.equal(f.code, 'APICHAT_AI_UNREACHABLE');
    assert.match(f.message, /has a host name that does not resolve; check APICHAT_AI_URL/);
  });

  it('a wrong path (404 without a model error) names APICHAT_AI_URL', async () => {
    const f = await fault(new Models(config({ APICHAT_AI_URL: ai.url.replace(/\/v1$/, '') })).completeJson(Verdict, messages, judgeOptions));
    assert.equal(f.code, 'APICHAT_AI_UNREACHABLE');
    assert.match(f.message, /answered 404.*check APICHAT_AI_URL/);
  });

  it('a slow model names APICHAT_AI_TIMEOUT_MS', async () => {
    ai.delayMs = 5_000;
    const f = await fault(new Models(config({ APICHAT_AI_TIMEOUT_MS: '300' })).completeJson(Verdict, messages, judgeOptions));
    assert.equal(f.code, 'APICHAT_AI_TIMEOUT');
    assert.match(f.message, /did not answer within 300 ms; raise APICHAT_AI_TIMEOUT_MS/);
  });

  it('429 and 5xx are retried by the SDK; still failing after the retries is one line', async () => {
    ai.failNext(429, 1).failNext(503, 1);
    const ok = await new Models(config()).completeJson(Verdict, messages, judgeOptions);
    assert.equal(ok.value.pass, true);
    assert.equal(ai.chatRequests.length, 3);
    ai.reset();
    ai.failNext(500, 3);
    const f = await fault(new Models(config({ APICHAT_AI_CACHE: 'off' })).completeJson(Verdict, messages, judgeOptions));
    assert.equal(f.code, 'APICHAT_AI_UNAVAILABLE');
    assert.equal(ai.chatRequests.length, 3);
  });

  it('content that is not the JSON asked for is quoted (first 200 characters)', async () => {
    const long = `Sure! The answer passes. ${'x'.repeat(300)}`;
    ai.use((req) => (req.path === '/v1/chat/completions' ? chatReply('judge', long) : undefined));
    const f = await fault(new Models(config()).completeJson(Verdict, messages, judgeOptions));
    assert.equal(f.code, 'APICHAT_AI_BAD_OUTPUT');
    assert.ok(f.message.includes(JSON.stringify(`${long.slice(0, 200)}…`)), f.message);
    ai.reset();
    ai.use((req) => (req.path === '/v1/chat/completions' ? chatReply('judge', '{"pass": "yes"}') : undefined));
    assert.equal((await fault(new Models(config()).completeJson(Verdict, messages, judgeOptions))).code, 'APICHAT_AI_BAD_OUTPUT');
  });

  it('a key-shaped string in a server message is masked', async () => {
    ai.use(() => ({ status: 400, body: { error: { message: `bad request for key ${KEY} and sk-other-abcdef123`, type: 'invalid_request_error', param: null, code: null } } }));
    const f = await fault(new Models(config()).completeJson(Verdict, messages, judgeOptions));
    assert.equal(f.code, 'APICHAT_AI_REJECTED');
    assert.ok(!f.message.includes('sk-other'), f.message);
  });
});

async function freePort(): Promise<number> {
  const s = createServer();
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
  const port = (s.address() as { port: number }).port;
  await new Promise<void>((r) => s.close(() => r()));
  return port;
}

after(async () => {
  await rm(dir, { recursive: true, force: true });
});
