// Which @ai scenarios are skipped: those whose phrases need a model variable that is not set.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { loadAiConfig } from '../../src/ai/index.ts';
import { missingModels, neededModels } from '../../steps/support/ai-skip.ts';

describe('@ai skip', () => {
  it('reads what each phrase needs', () => {
    assert.deepEqual(neededModels(['the user says "hi"', 'the bot replies something like "x"']), ['APICHAT_EMBEDDINGS_MODEL']);
    assert.deepEqual(neededModels(['the judge agrees that the bot\'s reply "x"', 'bot replies to the effect that "y"']), ['APICHAT_JUDGE_MODEL']);
    assert.deepEqual(neededModels(['the bot replies in Spanish', 'the bot replies one of "a", "b"']), []);
  });

  it('says one line per missing set, once, naming the variable', () => {
    const lines: string[] = [];
    const none = loadAiConfig({}, '/tmp');
    const steps = ['bot replies to the effect that "y"', 'the bot replies something like "x"'];
    assert.equal(missingModels(steps, none, (l) => lines.push(l)), true);
    assert.equal(missingModels(steps, none, (l) => lines.push(l)), true);
    assert.deepEqual(lines, ['apichat-bdd: @ai scenarios skipped: APICHAT_EMBEDDINGS_MODEL and APICHAT_JUDGE_MODEL are not set (a model for the AI phrases; see docs/ai.md)']);
    assert.equal(missingModels(steps, loadAiConfig({ APICHAT_JUDGE_MODEL: 'j', APICHAT_EMBEDDINGS_MODEL: 'e' }, '/tmp'), (l) => lines.push(l)), false);
  });
});
