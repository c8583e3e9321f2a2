// The AI phrases end to end: Cucumber runs fixture features against the OpenAI-compatible test
// double, as the acceptance test does against a server the project has never seen. A second
// identical run makes zero model calls; a judge that disagrees fails with its reason; a wrong
// key fails in one line naming APICHAT_AI_API_KEY.
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { AiDouble } from '../../support/ai-double.ts';
import { FIXTURE_CONFIG, runCucumber, stackLines } from './helpers.ts';

const KEY = 'sk-double-key-4f2a9c';
let ai: AiDouble;
let cache: string;

before(async () => {
  ai = await AiDouble.start({ key: KEY, models: ['judge-model', 'embed-model'] });
  cache = await mkdtemp(join(tmpdir(), 'apichat-ai-cache-'));
});
after(async () => {
  await ai.close();
  await rm(cache, { recursive: true, force: true });
});

function run(feature: string, env: Record<string, string> = {}, server = ai) {
  return runCucumber(['--config', FIXTURE_CONFIG, `test/fixtures/features/ai/${feature}`], {
    APICHAT_AI_URL: server.url,
    APICHAT_AI_API_KEY: KEY,
    APICHAT_JUDGE_MODEL: 'judge-model',
    APICHAT_EMBEDDINGS_MODEL: 'embed-model',
    APICHAT_AI_CACHE: cache,
    APICHAT_REPLY_TIMEOUT_MS: '5000',
    ...env,
  });
}

describe('AI phrases against an OpenAI-compatible server', { concurrency: 2 }, () => {
  test('passes, then passes again from the cache with zero model calls', async (t) => {
    // A server of its own: the other tests' requests must not count here.
    const own = await AiDouble.start({ key: KEY, models: ['judge-model', 'embed-model'] });
    t.after(() => own.close());
    const first = await run('judged.feature', {}, own);
    assert.equal(first.code, 0, first.output);
    assert.match(first.stdout, /3 scenarios \(3 passed\)/);
    assert.match(first.stderr, /model calls: 3, cache hits: 0/);
    assert.equal(own.requests.length, 3);
    const second = await run('judged.feature', {}, own);
    assert.equal(second.code, 0, second.output);
    assert.match(second.stderr, /model calls: 0, cache hits: 4/);
    assert.equal(own.requests.length, 3, 'no request reached the server on the second run');
  });

  test('a judge that disagrees fails the step with the judge\'s reason, no stack', async () => {
    const r = await run('judge-disagrees.feature', { APICHAT_AI_CACHE: 'off' });
    assert.equal(r.code, 1, r.output);
    assert.ok(r.output.includes('The judge disagrees: the answer does not mention gives, check, time'), r.output);
    assert.ok(r.output.includes('criterion: the bot\'s reply "gives the check-in time"'), r.output);
    assert.deepEqual(stackLines(r.output), []);
  });

  test('a wrong key fails in one line naming APICHAT_AI_API_KEY, never showing the key', async () => {
    const wrong = 'sk-wrong-key-77e1d0b3';
    const r = await run('judge-disagrees.feature', { APICHAT_AI_API_KEY: wrong, APICHAT_AI_CACHE: 'off' });
    assert.equal(r.code, 1, r.output);
    const lines = r.output.split('\n').filter((l) => l.includes('APICHAT_AI_API_KEY'));
    assert.equal(lines.length, 1, r.output);
    assert.match(lines[0]!, /refused the key \(401\); check APICHAT_AI_API_KEY$/);
    assert.ok(!r.output.includes(wrong) && !r.output.includes('77e1d0b3') && !r.output.includes(KEY), r.output);
    assert.deepEqual(stackLines(r.output), []);
  });
});
