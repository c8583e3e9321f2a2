// The doctor's model check: each configured model answers one real call, as the AI phrases
// will call it (no cache): the judge model a chat completion with the json_schema verdict
// format, the embeddings model one embedding. A fault is the same one line a step would show.
import { performance } from 'node:perf_hooks';
import { anyModel, judgeMessages, loadAiConfig, Models, VerdictSchema, type AiConfig } from '../ai/index.ts';
import type { Env } from '../config.ts';
import { isApiChatError } from '../base/errors.ts';
import type { Checklist } from './doctor-checks.ts';

function where(c: AiConfig): string {
  return c.baseUrl ?? 'OpenAI (APICHAT_AI_URL unset)';
}

export async function checkModels(env: Env, list: Checklist, options: { fetch?: typeof fetch } = {}): Promise<void> {
  let config: AiConfig;
  try {
    config = loadAiConfig(env);
  } catch (e) {
    if (!isApiChatError(e)) throw e;
    list.fail('AI configuration', e.message);
    return;
  }
  // No model configured: nothing to check, and nothing said (most suites use no AI phrase).
  if (!anyModel(config)) return;
  // The phrases' own calls, with the cache off so that every check asks the model.
  const models = new Models({ ...config, cacheDir: undefined }, options);
  if (config.judgeModel !== undefined) {
    const model = config.judgeModel;
    const what = `the judge model "${model}" at ${where(config)} answers with a verdict`;
    await check(list, what, async () => {
      const messages = judgeMessages('effect', 'the bot greets the user', ['Hello! How can I help you?']);
      await models.completeJson(VerdictSchema, messages, { model, variable: 'APICHAT_JUDGE_MODEL', kind: 'doctor', promptVersion: 0, cacheKeyParts: {}, schemaName: 'verdict' });
    });
  }
  if (config.embeddingsModel !== undefined) {
    const model = config.embeddingsModel;
    await check(list, `the embeddings model "${model}" at ${where(config)} answers`, async () => {
      await models.embed(['Hello! How can I help you?'], { model });
    });
  }
}

async function check(list: Checklist, what: string, run: () => Promise<void>): Promise<void> {
  const started = performance.now();
  try {
    await run();
    list.pass(`${what} (${Math.round(performance.now() - started)} ms)`);
  } catch (e) {
    if (!isApiChatError(e)) throw e;
    list.fail(what, e.message);
  }
}
