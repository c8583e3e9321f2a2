// The AI variables (listed in src/config.ts VARIABLES, documented in docs/ai.md): one validated
// AiConfig. Read apart from the run's Config because every mode (simulated, live, runner) uses
// the same model, and because a missing model is only a mistake for the step that needs it: a
// judge phrase with no APICHAT_JUDGE_MODEL stops that step (requireModel), not the whole run.
import { resolve } from 'node:path';
import { ConfigError, envValue, int, optionalUrl, readEnv, shown, type Env, type Variable } from '../config.ts';

export type ModelVariable = 'APICHAT_JUDGE_MODEL' | 'APICHAT_EMBEDDINGS_MODEL' | 'APICHAT_USER_MODEL';

export interface AiConfig {
  /** APICHAT_AI_URL; undefined = the SDK's default (OpenAI). */
  baseUrl: string | undefined;
  /** The key sent as Bearer; a placeholder when none is set (a local server needs none). */
  apiKey: string;
  /** Which variable the key came from, for the message of a 401 (undefined = the placeholder). */
  keySource: 'APICHAT_AI_API_KEY' | 'OPENAI_API_KEY' | undefined;
  judgeModel: string | undefined;
  embeddingsModel: string | undefined;
  /** APICHAT_USER_MODEL, else the judge model. */
  userModel: string | undefined;
  /** Where userModel came from, to name the right variable in an "unknown model" error. */
  userModelVariable: ModelVariable;
  userMaxTurns: number;
  /** 0 to 1. */
  similarity: number;
  /** Deadline of one model call, retries included. */
  timeoutMs: number;
  /** The cache directory, or undefined when APICHAT_AI_CACHE=off. */
  cacheDir: string | undefined;
}

/** Sent when no key is set: the SDK refuses an empty key, and Ollama, vLLM and LM Studio ignore it. */
export const PLACEHOLDER_KEY = 'apichat-bdd-no-key';
export const DEFAULT_AI_TIMEOUT_MS = 30_000;
export const DEFAULT_SIMILARITY = 0.8;
export const DEFAULT_USER_MAX_TURNS = 8;
export const AI_CACHE_DIR = '.apichat-bdd/ai-cache';

const ON = new Set(['on', 'true', '1', 'yes']);
const OFF = new Set(['off', 'false', '0', 'no']);

export function loadAiConfig(env: Env = readEnv(), cwd = process.cwd()): AiConfig {
  const fromApichat = envValue(env, 'APICHAT_AI_API_KEY');
  const fromOpenai = envValue(env, 'OPENAI_API_KEY');
  const judgeModel = envValue(env, 'APICHAT_JUDGE_MODEL');
  const userModel = envValue(env, 'APICHAT_USER_MODEL');
  return {
    baseUrl: optionalUrl(env, 'APICHAT_AI_URL', 'http://localhost:11434/v1 or https://api.openai.com/v1')?.replace(/\/+$/, ''),
    apiKey: fromApichat ?? fromOpenai ?? PLACEHOLDER_KEY,
    keySource: fromApichat !== undefined ? 'APICHAT_AI_API_KEY' : fromOpenai !== undefined ? 'OPENAI_API_KEY' : undefined,
    judgeModel,
    embeddingsModel: envValue(env, 'APICHAT_EMBEDDINGS_MODEL'),
    userModel: userModel ?? judgeModel,
    userModelVariable: userModel !== undefined ? 'APICHAT_USER_MODEL' : 'APICHAT_JUDGE_MODEL',
    userMaxTurns: int(env, 'APICHAT_USER_MAX_TURNS', 1, 100) ?? DEFAULT_USER_MAX_TURNS,
    similarity: fraction(env, 'APICHAT_SIMILARITY') ?? DEFAULT_SIMILARITY,
    timeoutMs: int(env, 'APICHAT_AI_TIMEOUT_MS', 1, 600_000) ?? DEFAULT_AI_TIMEOUT_MS,
    cacheDir: cacheDir(env, cwd),
  };
}

function fraction(env: Env, name: Variable): number | undefined {
  const v = envValue(env, name);
  if (v === undefined) return undefined;
  const n = Number(v);
  if (!Number.isFinite(n) || n < 0 || n > 1) throw new ConfigError(name, `expected a number from 0 to 1 such as 0.8, got ${shown(env, v)}`);
  return n;
}

/** on (default) = .apichat-bdd/ai-cache; off = none; a path = that directory (e.g. one CI keeps between runs). */
function cacheDir(env: Env, cwd: string): string | undefined {
  const v = envValue(env, 'APICHAT_AI_CACHE');
  if (v === undefined || ON.has(v.toLowerCase())) return resolve(cwd, AI_CACHE_DIR);
  if (OFF.has(v.toLowerCase())) return undefined;
  if (!/[/\\]/.test(v)) throw new ConfigError('APICHAT_AI_CACHE', `expected on, off or a directory path such as ./ai-cache, got ${shown(env, v)}`);
  return resolve(cwd, v);
}

/** Is any model configured (for doctor and for the @ai examples)? */
export function anyModel(c: AiConfig): boolean {
  return c.judgeModel !== undefined || c.embeddingsModel !== undefined || c.userModel !== undefined;
}

const PURPOSE: Record<ModelVariable, string> = {
  APICHAT_JUDGE_MODEL: 'a judge phrase ("replies to the effect that", "the judge agrees that") needs a chat model',
  APICHAT_EMBEDDINGS_MODEL: '"replies something like" compares embeddings, so it needs an embeddings model',
  APICHAT_USER_MODEL: 'a simulated user needs a chat model (APICHAT_USER_MODEL, or APICHAT_JUDGE_MODEL for both)',
};
const EXAMPLE: Record<ModelVariable, string> = {
  APICHAT_JUDGE_MODEL: 'gpt-4o-mini, or llama3.2 on a local Ollama with APICHAT_AI_URL=http://localhost:11434/v1',
  APICHAT_EMBEDDINGS_MODEL: 'text-embedding-3-small, or nomic-embed-text on a local Ollama with APICHAT_AI_URL=http://localhost:11434/v1',
  APICHAT_USER_MODEL: 'gpt-4o-mini',
};

/** The model a variable names (the user model falls back to the judge model); undefined when unset. */
export function modelOf(c: AiConfig, variable: ModelVariable): string | undefined {
  return variable === 'APICHAT_JUDGE_MODEL' ? c.judgeModel : variable === 'APICHAT_EMBEDDINGS_MODEL' ? c.embeddingsModel : c.userModel;
}

/** The model a phrase needs; unset is one ConfigError naming the variable, before any request. */
export function requireModel(c: AiConfig, variable: ModelVariable): string {
  const model = modelOf(c, variable);
  if (model === undefined) throw new ConfigError(variable, `is not set; ${PURPOSE[variable]}: set it, e.g. ${EXAMPLE[variable]} (see docs/ai.md)`);
  return model;
}
