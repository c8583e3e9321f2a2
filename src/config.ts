// One validated Config from the environment and an optional .env file (the environment wins).
// A missing or malformed value is one ConfigError naming the variable and what is expected;
// secret values are never echoed back.
import { existsSync, readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { parseEnv } from 'node:util';
import { ApiChatError, redact } from './base/errors.ts';
import { parseHttpUrl } from './base/url.ts';

export interface PartnerConfig {
  baseUrl: string;
  apiKey: string;
  workspaceId: string;
}

/** What every mode reads. */
interface BaseConfig {
  listenHost: string;
  /** 0 = any free port (simulated mode). */
  listenPort: number;
  /** The address the platform must call; undefined = the listener's own local URL. */
  publicUrl: string | undefined;
  /** The path the listener serves: the path of APICHAT_PUBLIC_URL, else /webhook. */
  webhookPath: string;
  replyTimeoutMs: number;
  /** undefined = learned from the bot's timing during the run (see src/conversation/timing-model.ts). */
  quietMs: number | undefined;
  /** undefined = learned from the bot's timing during the run. */
  settleMs: number | undefined;
  /** One-line notes to print when a run (or `doctor`) starts: variables set but ignored. */
  warnings: string[];
  /** APICHAT_REDIS_URL: `listen` publishes there; a test run with live variables is a runner. */
  redisUrl: string | undefined;
}

/** Nothing live is set: the run starts the embedded simulator. */
export interface SimulatedConfig extends BaseConfig {
  mode: 'simulated';
  /** Optional here; `apichat-bdd listen` needs it. */
  webhookSecret: string | undefined;
  /** The bot file to play instead of the demo bot. */
  simulatorBot: string | undefined;
}

/** A real workspace: the bot URL (or the partner API to read it from), the flow key and the webhook secret. */
export interface LiveConfig extends BaseConfig {
  mode: 'live';
  /** undefined when it is to be read from the partner API (then `partner` is set). */
  botUrl: string | undefined;
  flowKey: string;
  webhookSecret: string;
  partner: PartnerConfig | undefined;
}

/**
 * A test run on one of several machines (APICHAT_REDIS_URL with the live variables): replies come
 * from Redis, published by one `apichat-bdd listen` elsewhere; no listener, no webhook, no secret.
 */
export interface RunnerConfig extends BaseConfig {
  mode: 'runner';
  botUrl: string | undefined;
  flowKey: string;
  /** Only read, to find the bot URL; the webhook belongs to the listener's host. */
  partner: PartnerConfig | undefined;
  redisUrl: string;
  webhookSecret: string | undefined;
}

// A new mode is one more member here and one more branch in loadConfig.
export type Config = SimulatedConfig | LiveConfig | RunnerConfig;
export type Mode = Config['mode'];
/** Every mode, for schemas (does not compile while a mode is missing here). */
export const MODES = { simulated: 'simulated', live: 'live', runner: 'runner' } as const satisfies { [M in Mode]: M };

/** The listener's port in live mode and for `apichat-bdd listen` when APICHAT_LISTEN_PORT is not set. */
export const DEFAULT_LISTEN_PORT = 8787;

export const SECRET_VARIABLES = ['APICHAT_FLOW_API_KEY', 'APICHAT_PARTNER_API_KEY', 'APICHAT_WEBHOOK_SECRET', 'APICHAT_AI_API_KEY'] as const;
/** Not ours to set, but a secret we read: the AI key falls back to it, so error messages mask it too. */
const BORROWED_SECRETS = ['OPENAI_API_KEY'] as const;

export const VARIABLES = {
  APICHAT_BOT_URL: 'the bot URL of the API Chat channel (https://…/api/apichat/<code>)',
  APICHAT_FLOW_API_KEY: 'the flow API key (Bearer key for the bot URL, with the manage flow permission)',
  APICHAT_WEBHOOK_SECRET: 'the webhook verification key: checks signatures and answers the handshake',
  APICHAT_LISTEN_HOST: 'where the listener binds (default 127.0.0.1)',
  APICHAT_LISTEN_PORT: `the listener port (default ${DEFAULT_LISTEN_PORT} live, a free port simulated)`,
  APICHAT_PUBLIC_URL: 'the address the platform calls (a tunnel or CI host); its path is what the listener serves',
  APICHAT_PARTNER_BASE_URL: 'the partner API base, e.g. https://www.uchat.com.au/api',
  APICHAT_PARTNER_API_KEY: 'the partner API key',
  APICHAT_WORKSPACE_ID: 'the workspace whose webhook is set',
  APICHAT_REPLY_TIMEOUT_MS: 'how long a Then step waits for a reply (default 10000)',
  APICHAT_QUIET_MS: 'how long "says nothing more" listens (default: learned during the run, starting at 1000; 300 simulated)',
  APICHAT_SETTLE_MS: 'how long the bot must be silent before the next user action is sent (default: learned during the run, starting at 200; the delivery spread simulated)',
  APICHAT_SIMULATOR_BOT: 'simulated mode: a bot file to play instead of the demo bot',
  APICHAT_FAIL_ON_FLAKY: 'set to 1: a run with a flaky scenario (failed, then passed under --retry) exits 1',
  APICHAT_REDIS_URL: 'Redis for runners on several machines (redis://[:password@]host:port[/db], rediss:// for TLS): `listen` publishes to it, a test run reads from it',
  APICHAT_AI_URL: 'an OpenAI-compatible server for the AI phrases, e.g. http://localhost:11434/v1 (default: OpenAI)',
  APICHAT_AI_API_KEY: 'the key of that server (default: OPENAI_API_KEY; a local server needs none)',
  APICHAT_JUDGE_MODEL: 'the chat model the judge phrases use ("to the effect that", "the judge agrees"), e.g. gpt-4o-mini',
  APICHAT_EMBEDDINGS_MODEL: 'the embeddings model of "replies something like", e.g. text-embedding-3-small',
  APICHAT_USER_MODEL: 'the chat model that plays a simulated user (default: APICHAT_JUDGE_MODEL)',
  APICHAT_USER_MAX_TURNS: 'how many turns a simulated user may take at most (default 8)',
  APICHAT_SIMILARITY: 'the least cosine similarity "replies something like" accepts, 0 to 1 (default 0.8)',
  APICHAT_AI_TIMEOUT_MS: 'the deadline of one model call, retries included (default 30000)',
  APICHAT_AI_CACHE: '`off` turns off the cache of verdicts and embeddings (default: on, in .apichat-bdd/ai-cache/; a path puts it there)',
} as const;
export type Variable = keyof typeof VARIABLES;

export class ConfigError extends ApiChatError {
  constructor(variable: Variable | string, message: string) {
    super('APICHAT_CONFIG', `${variable}: ${message}`, { variable });
    this.name = 'ConfigError';
  }
}

export type Env = Record<string, string | undefined>;

/** Reads .env (if present) under the real environment, which wins. */
export function readEnv(env: Env = process.env, envFile: string | false = resolve('.env')): Env {
  if (!envFile || !existsSync(envFile)) return env;
  let fromFile: Env;
  try {
    fromFile = parseEnv(readFileSync(envFile, 'utf8'));
  } catch (e) {
    throw new ConfigError('.env', `cannot be read (${(e as Error).message}); fix or remove ${envFile}`);
  }
  return { ...fromFile, ...env };
}

export const PARTNER_VARIABLES = ['APICHAT_PARTNER_BASE_URL', 'APICHAT_PARTNER_API_KEY', 'APICHAT_WORKSPACE_ID'] as const;

/** The value of a variable, trimmed; undefined when unset or blank. */
export function envValue(env: Env, name: string): string | undefined {
  const v = env[name]?.trim();
  return v === undefined || v === '' ? undefined : v;
}

/** A value quoted in an error message, with any secret's value masked (a key pasted into the wrong variable). */
export function shown(env: Env, v: string): string {
  return JSON.stringify(redact(v, [...SECRET_VARIABLES, ...BORROWED_SECRETS].map((n) => envValue(env, n))));
}

/** An optional http(s) URL variable; a malformed one is a ConfigError naming it. */
export function optionalUrl(env: Env, name: Variable, example: string): string | undefined {
  const v = envValue(env, name);
  if (v === undefined) return undefined;
  if (!parseHttpUrl(v)) throw new ConfigError(name, `expected an http(s) URL such as ${example}, got ${shown(env, v)}`);
  return v;
}

/** A required http(s) URL variable; `why` says what it is for when it is missing. */
export function requireUrl(env: Env, name: Variable, why: string, example: string): string {
  const v = optionalUrl(env, name, example);
  if (v === undefined) throw new ConfigError(name, `is not set; ${why}`);
  return v;
}

export function requireSecret(env: Env, name: Variable, why: string): string {
  const v = envValue(env, name);
  if (v === undefined) throw new ConfigError(name, `is not set; ${why}`);
  return v;
}

export function int(env: Env, name: Variable, min: number, max: number): number | undefined {
  const v = envValue(env, name);
  if (v === undefined) return undefined;
  const n = Number(v);
  if (!Number.isInteger(n) || n < min || n > max) throw new ConfigError(name, `expected a whole number from ${min} to ${max}, got ${shown(env, v)}`);
  return n;
}

/**
 * The three partner variables: all three, or none (undefined). A partial set is a ConfigError
 * naming the first one missing; `why` words it, given the ones that are set.
 */
export function partnerFrom(env: Env, why: (set: string[]) => string): PartnerConfig | undefined {
  const set = PARTNER_VARIABLES.filter((v) => envValue(env, v) !== undefined);
  const unset = PARTNER_VARIABLES.find((v) => envValue(env, v) === undefined);
  if (unset !== undefined) {
    if (set.length > 0) throw new ConfigError(unset, why(set));
    return undefined;
  }
  return {
    baseUrl: requireUrl(env, 'APICHAT_PARTNER_BASE_URL', '', 'https://www.uchat.com.au/api'),
    apiKey: requireSecret(env, 'APICHAT_PARTNER_API_KEY', ''),
    workspaceId: requireSecret(env, 'APICHAT_WORKSPACE_ID', ''),
  };
}

export function loadConfig(env: Env = readEnv()): Config {
  const botUrl = optionalUrl(env, 'APICHAT_BOT_URL', 'https://bot.dfktv2.com/api/apichat/<code>');
  const partner = partnerFrom(env, (set) => `is not set, but ${set.join(' and ')} ${set.length === 1 ? 'is' : 'are'}; set all three partner variables or none`);
  const live = botUrl !== undefined || partner !== undefined || envValue(env, 'APICHAT_FLOW_API_KEY') !== undefined;
  const publicUrl = optionalUrl(env, 'APICHAT_PUBLIC_URL', 'https://my-tunnel.example.com/webhook');
  const listenHost = envValue(env, 'APICHAT_LISTEN_HOST') ?? '127.0.0.1';
  if (!/^[A-Za-z0-9.:_-]+$/.test(listenHost)) throw new ConfigError('APICHAT_LISTEN_HOST', `expected a host name or IP address, got ${shown(env, listenHost)}`);
  const base = {
    listenHost,
    listenPort: int(env, 'APICHAT_LISTEN_PORT', 0, 65535) ?? (live ? DEFAULT_LISTEN_PORT : 0),
    publicUrl,
    webhookPath: publicUrl ? new URL(publicUrl).pathname : '/webhook',
    replyTimeoutMs: int(env, 'APICHAT_REPLY_TIMEOUT_MS', 1, 600_000) ?? 10_000,
    redisUrl: redisUrl(env),
  };
  if (live && base.redisUrl) return runnerConfig(env, { ...base, redisUrl: base.redisUrl }, botUrl, partner);
  if (live) return liveConfig(env, base, botUrl, partner);
  return {
    mode: 'simulated',
    ...base,
    quietMs: int(env, 'APICHAT_QUIET_MS', 0, 600_000),
    settleMs: int(env, 'APICHAT_SETTLE_MS', 0, 600_000),
    warnings: [],
    webhookSecret: envValue(env, 'APICHAT_WEBHOOK_SECRET'),
    simulatorBot: envValue(env, 'APICHAT_SIMULATOR_BOT'),
  };
}

type Base = Pick<BaseConfig, 'listenHost' | 'listenPort' | 'publicUrl' | 'webhookPath' | 'replyTimeoutMs' | 'redisUrl'>;

const redisUrlSchema = /^rediss?:\/\/[^\s]+$/;

/** APICHAT_REDIS_URL, checked; a bad value is echoed without its password. */
function redisUrl(env: Env): string | undefined {
  const v = envValue(env, 'APICHAT_REDIS_URL');
  if (v === undefined) return undefined;
  let ok = redisUrlSchema.test(v);
  try {
    ok &&= new URL(v).hostname !== '';
  } catch {
    ok = false;
  }
  if (!ok) {
    throw new ConfigError('APICHAT_REDIS_URL', `expected a redis:// or rediss:// URL such as redis://localhost:6379 or rediss://:password@redis.example.com:6380, got ${shown(env, v.replace(/\/\/[^@/]*@/, '//***@'))}`);
  }
  return v;
}

function runnerConfig(env: Env, base: Base & { redisUrl: string }, botUrl: string | undefined, partner: PartnerConfig | undefined): RunnerConfig {
  if (botUrl === undefined && !partner) {
    throw new ConfigError('APICHAT_BOT_URL', `is not set; a runner (APICHAT_REDIS_URL) talks to the bot itself: set the bot URL, or the partner variables (${PARTNER_VARIABLES.join(', ')}) to read it`);
  }
  return {
    mode: 'runner',
    ...base,
    quietMs: int(env, 'APICHAT_QUIET_MS', 0, 600_000),
    settleMs: int(env, 'APICHAT_SETTLE_MS', 0, 600_000),
    warnings: [],
    botUrl,
    flowKey: requireSecret(env, 'APICHAT_FLOW_API_KEY', 'set it to the flow API key of the workspace (a runner sends the user messages to the bot URL itself)'),
    partner,
    webhookSecret: envValue(env, 'APICHAT_WEBHOOK_SECRET'),
  };
}

function liveConfig(env: Env, base: Base, botUrl: string | undefined, partner: PartnerConfig | undefined): LiveConfig {
  if (botUrl === undefined && !partner) {
    throw new ConfigError('APICHAT_BOT_URL', `is not set; set it to the bot URL of the API Chat channel, or set the partner variables (${PARTNER_VARIABLES.join(', ')}) to read it from the workspace`);
  }
  const flowKey = requireSecret(env, 'APICHAT_FLOW_API_KEY', 'set it to the flow API key of the workspace (Bearer key for the bot URL, with the manage flow permission)');
  const webhookSecret = requireSecret(env, 'APICHAT_WEBHOOK_SECRET', 'set it to the webhook verification key (it checks every reply\'s signature)');
  if (partner && !base.publicUrl) {
    throw new ConfigError('APICHAT_PUBLIC_URL', 'is not set; with the partner variables the run registers the webhook, so set it to the address the platform can reach (a tunnel or the CI host), e.g. https://my-tunnel.example.com/webhook');
  }
  const warnings: string[] = [];
  if (envValue(env, 'APICHAT_SIMULATOR_BOT') !== undefined) {
    warnings.push('APICHAT_SIMULATOR_BOT is ignored in live mode (the run talks to the real bot); unset it, or unset the live variables to use the simulator');
  }
  return {
    mode: 'live',
    ...base,
    quietMs: int(env, 'APICHAT_QUIET_MS', 0, 600_000),
    settleMs: int(env, 'APICHAT_SETTLE_MS', 0, 600_000),
    warnings,
    botUrl,
    flowKey,
    webhookSecret,
    partner,
  };
}

/** Values of the secrets in a config, for redaction. */
export function secretsOf(c: Config): string[] {
  return (c.mode === 'simulated' ? [c.webhookSecret] : [c.flowKey, c.webhookSecret, c.partner?.apiKey]).filter((s): s is string => !!s);
}
