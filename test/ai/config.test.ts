// The AI variables' one-line errors never show a key, also one that came from OPENAI_API_KEY
// (the fallback of APICHAT_AI_API_KEY) and was pasted into the wrong variable.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { loadAiConfig } from '../../src/ai/index.ts';
import { isApiChatError } from '../../src/base/errors.ts';

test('a malformed APICHAT_AI_URL holding the OPENAI_API_KEY value is named, the key masked', () => {
  const key = 'sk-secret-abcdef123';
  assert.throws(
    () => loadAiConfig({ OPENAI_API_KEY: key, APICHAT_AI_URL: key }, '/tmp'),
    (e: unknown) => isApiChatError(e) && e.message.includes('APICHAT_AI_URL') && !e.message.includes(key),
  );
});
