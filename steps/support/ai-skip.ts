// Which model variables an @ai scenario needs, from its steps' phrases, and the one line said
// when they are missing (once per variable set and process).
import { modelOf, sharedModels, type AiConfig, type ModelVariable } from '../../src/ai/index.ts';

const NEEDS: Array<[RegExp, ModelVariable]> = [
  [/\breplies? something like\b/, 'APICHAT_EMBEDDINGS_MODEL'],
  [/\breplies? to the effect that\b|\bthe judge agrees that\b|\bgoal is met\b/, 'APICHAT_JUDGE_MODEL'],
  [/\ba user who wants to\b/, 'APICHAT_USER_MODEL'],
];

export function neededModels(stepTexts: readonly string[]): ModelVariable[] {
  return NEEDS.filter(([re]) => stepTexts.some((t) => re.test(t))).map(([, v]) => v);
}

const said = new Set<string>();

/**
 * The unset variables among those the steps need; says so once on stderr. Returns true when any is missing.
 * The config is the one the AI steps use (read once per process), not .env read again per @ai scenario.
 */
export function missingModels(stepTexts: readonly string[], config: AiConfig = sharedModels().config, say: (line: string) => void = (l) => void process.stderr.write(`\n${l}\n`)): boolean {
  const missing = neededModels(stepTexts).filter((v) => modelOf(config, v) === undefined);
  if (missing.length === 0) return false;
  const line = `apichat-bdd: @ai scenarios skipped: ${missing.join(' and ')} ${missing.length === 1 ? 'is' : 'are'} not set (a model for the AI phrases; see docs/ai.md)`;
  if (!said.has(line)) {
    said.add(line);
    say(line);
  }
  return true;
}
