// `apichat-bdd doctor`'s model check against the test double: one call per configured model,
// a fault as the step would show it, skipped when no model is set.
import assert from 'node:assert/strict';
import { after, before, beforeEach, describe, it } from 'node:test';
import { checkModels } from '../../src/cli/doctor-ai.ts';
import { Checklist } from '../../src/cli/doctor-checks.ts';
import { AiDouble, chatReply } from '../support/ai-double.ts';

let ai: AiDouble;
before(async () => {
  ai = await AiDouble.start({ key: 'sk-doctor-123456', models: ['judge', 'embed'] });
});
after(() => ai.close());
beforeEach(() => ai.reset());

async function doctor(env: Record<string, string>): Promise<{ out: string; failed: boolean }> {
  let out = '';
  const list = new Checklist({ write: (s: string) => (out += s) });
  await checkModels({ APICHAT_AI_URL: ai.url, APICHAT_AI_API_KEY: 'sk-doctor-123456', ...env }, list);
  return { out, failed: list.failed };
}

describe('doctor: the model check', () => {
  it('makes one call per configured model and passes', async () => {
    const r = await doctor({ APICHAT_JUDGE_MODEL: 'judge', APICHAT_EMBEDDINGS_MODEL: 'embed' });
    assert.equal(r.failed, false, r.out);
    assert.match(r.out, /^✓ the judge model "judge" at http:\/\/127\.0\.0\.1:\d+\/v1 answers with a verdict \(\d+ ms\)\n✓ the embeddings model "embed" at .* answers \(\d+ ms\)\n$/);
    assert.deepEqual(ai.requests.map((q) => q.path), ['/v1/chat/completions', '/v1/embeddings']);
    assert.equal(ai.chatRequests[0]?.body.response_format.type, 'json_schema');
  });

  it('a wrong key or an unknown model is the step\'s one line', async () => {
    const r = await doctor({ APICHAT_JUDGE_MODEL: 'llama9', APICHAT_AI_API_KEY: 'sk-bad-999999' });
    assert.equal(r.failed, true);
    assert.match(r.out, /^✗ the judge model "llama9" .* — the model server .* refused the key \(401\); check APICHAT_AI_API_KEY\n$/);
    assert.ok(!r.out.includes('sk-bad'));
    const m = await doctor({ APICHAT_JUDGE_MODEL: 'llama9' });
    assert.match(m.out, /does not know the model "llama9".*check APICHAT_JUDGE_MODEL/);
  });

  it('a model without structured output fails, quoting what it said', async () => {
    ai.use((req) => (req.path === '/v1/chat/completions' ? chatReply('judge', 'Sure, here is my verdict: pass') : undefined));
    const r = await doctor({ APICHAT_JUDGE_MODEL: 'judge' });
    assert.match(r.out, /✗ .* not the JSON asked for: "Sure, here is my verdict: pass"/);
  });

  it('says nothing and makes no call without a model', async () => {
    const r = await doctor({});
    assert.equal(r.failed, false);
    assert.equal(r.out, '');
    assert.equal(ai.requests.length, 0);
  });
});
