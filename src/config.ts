// One validated Config from the environment and an optional .env file (the environment wins).
// A missing or malformed value is one ConfigError naming the variable and what is expected;
// secret values are never echoed back.
import { existsSync, readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { parseEnv } from 'node:util';
import { z } from 'zod';
import { ApiChatError, redact } from './errors.ts';

export type Mode = 'simulated' | 'live';

export interface PartnerConfig {
  baseUrl: string;
  apiKey: string;
  workspaceId: string;
}

export interface Config {
  mode: Mode;
  /** Live: the bot URL; undefined when it is to be read from the partner API. */
  botUrl: string | undefined;
  flowKey: string | undefined;
  webhookSecret: string | undefined;
  listenHost: string;
  /** 0 = any free port (simulated mode). */
  listenPort: number;
  /** The address the platform must call; undefined = the listener's own local URL. */
  publicUrl: string | undefined;
  /** The path the listener serves: the path of APICHAT_PUBLIC_URL, else /webhook. */
  webhookPath: string;
  partner: PartnerConfig | undefined;
  replyTimeoutMs: number;
  /** undefined = learned from the bot's timing during the run (see src/conversation/timing-model.ts). */
  quietMs: number | undefined;
  /** undefined = learned from the bot's timing during the run. */
  settleMs: number | undefined;
  /** Simulated mode: the bot file to play instead of the demo bot. */
  simulatorBot: string | undefined;
}

export const SECRET_VARIABLES = ['APICHAT_FLOW_API_KEY', 'APICHAT_PARTNER_API_KEY', 'APICHAT_WEBHOOK_SECRET'] as const;

export const VARIABLES = {
  APICHAT_BOT_URL: 'the bot URL of the API Chat channel (https://…/api/apichat/<code>)',
  APICHAT_FLOW_API_KEY: 'the flow API key (Bearer key for the bot URL, with the manage flow permission)',
  APICHAT_WEBHOOK_SECRET: 'the webhook verification key: checks signatures and answers the handshake',
  APICHAT_LISTEN_HOST: 'where the listener binds (default 127.0.0.1)',
  APICHAT_LISTEN_PORT: 'the listener port (default 8787 live, a free port simulated)',
  APICHAT_PUBLIC_URL: 'the address the platform calls (a tunnel or CI host); its path is what the listener serves',
  APICHAT_PARTNER_BASE_URL: 'the partner API base, e.g. https://www.uchat.com.au/api',
  APICHAT_PARTNER_API_KEY: 'the partner API key',
  APICHAT_WORKSPACE_ID: 'the workspace whose webhook is set',
  APICHAT_REPLY_TIMEOUT_MS: 'how long a Then step waits for a reply (default 10000)',
  APICHAT_QUIET_MS: 'how long "says nothing more" listens (default: learned during the run, starting at 1000; 300 simulated)',
  APICHAT_SETTLE_MS: 'how long the bot must be silent before the next user action is sent (default: learned during the run, starting at 200; the delivery spread simulated)',
  APICHAT_SIMULATOR_BOT: 'simulated mode: a bot file to play instead of the demo bot',
} as const;
export type Variable = keyof typeof VARIABLES;

export class ConfigError extends ApiChatError {
  constructor(variable: Variable | string, message: string) {
    super('APICHAT_CONFIG', `${variable}: ${message}`, { variable });
    this.name = 'ConfigError';
  }
}

type Env = Record<string, string | undefined>;

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

const httpUrl = z.url({ protocol: /^https?$/ });

function get(env: Env, name: Variable): string | undefined {
  const v = env[name]?.trim();
  return v === undefined || v === '' ? undefined : v;
}

/** A value quoted in an error message, with any secret's value masked (a key pasted into the wrong variable). */
function shown(env: Env, v: string): string {
  return JSON.stringify(redact(v, SECRET_VARIABLES.map((n) => get(env, n))));
}

function url(env: Env, name: Variable, example: string): string | undefined {
  const v = get(env, name);
  if (v === undefined) return undefined;
  if (!httpUrl.safeParse(v).success) throw new ConfigError(name, `expected an http(s) URL such as ${example}, got ${shown(env, v)}`);
  return v;
}

function int(env: Env, name: Variable, min: number, max: number): number | undefined {
  const v = get(env, name);
  if (v === undefined) return undefined;
  const n = Number(v);
  if (!Number.isInteger(n) || n < min || n > max) throw new ConfigError(name, `expected a whole number from ${min} to ${max}, got ${shown(env, v)}`);
  return n;
}

function secret(env: Env, name: Variable, why: string): string {
  const v = get(env, name);
  if (v === undefined) throw new ConfigError(name, `is not set; ${why}`);
  return v;
}

export function loadConfig(env: Env = readEnv()): Config {
  const partnerVars = ['APICHAT_PARTNER_BASE_URL', 'APICHAT_PARTNER_API_KEY', 'APICHAT_WORKSPACE_ID'] as const;
  const partnerSet = partnerVars.filter((v) => get(env, v) !== undefined);
  const botUrl = url(env, 'APICHAT_BOT_URL', 'https://bot.dfktv2.com/api/apichat/<code>');
  const live = botUrl !== undefined || partnerSet.length > 0 || get(env, 'APICHAT_FLOW_API_KEY') !== undefined;

  if (partnerSet.length > 0 && partnerSet.length < partnerVars.length) {
    const missing = partnerVars.find((v) => get(env, v) === undefined)!;
    throw new ConfigError(missing, `is not set, but ${partnerSet.join(' and ')} ${partnerSet.length === 1 ? 'is' : 'are'}; set all three partner variables or none`);
  }
  const partner: PartnerConfig | undefined =
    partnerSet.length === 3
      ? {
          baseUrl: url(env, 'APICHAT_PARTNER_BASE_URL', 'https://www.uchat.com.au/api')!,
          apiKey: get(env, 'APICHAT_PARTNER_API_KEY')!,
          workspaceId: get(env, 'APICHAT_WORKSPACE_ID')!,
        }
      : undefined;

  const publicUrl = url(env, 'APICHAT_PUBLIC_URL', 'https://my-tunnel.example.com/webhook');
  const listenHost = get(env, 'APICHAT_LISTEN_HOST') ?? '127.0.0.1';
  if (!/^[A-Za-z0-9.:_-]+$/.test(listenHost)) throw new ConfigError('APICHAT_LISTEN_HOST', `expected a host name or IP address, got ${shown(env, listenHost)}`);
  const listenPort = int(env, 'APICHAT_LISTEN_PORT', 0, 65535) ?? (live ? 8787 : 0);
  const webhookPath = publicUrl ? new URL(publicUrl).pathname : '/webhook';

  let flowKey: string | undefined;
  let webhookSecret: string | undefined = get(env, 'APICHAT_WEBHOOK_SECRET');
  if (live) {
    if (botUrl === undefined && !partner) {
      throw new ConfigError('APICHAT_BOT_URL', 'is not set; set it to the bot URL of the API Chat channel, or set the partner variables (APICHAT_PARTNER_BASE_URL, APICHAT_PARTNER_API_KEY, APICHAT_WORKSPACE_ID) to read it from the workspace');
    }
    flowKey = secret(env, 'APICHAT_FLOW_API_KEY', 'set it to the flow API key of the workspace (Bearer key for the bot URL, with the manage flow permission)');
    webhookSecret = secret(env, 'APICHAT_WEBHOOK_SECRET', 'set it to the webhook verification key (it checks every reply\'s signature)');
    if (partner && !publicUrl) {
      throw new ConfigError('APICHAT_PUBLIC_URL', 'is not set; with the partner variables the run registers the webhook, so set it to the address the platform can reach (a tunnel or the CI host), e.g. https://my-tunnel.example.com/webhook');
    }
  }

  return {
    mode: live ? 'live' : 'simulated',
    botUrl,
    flowKey,
    webhookSecret,
    listenHost,
    listenPort,
    publicUrl,
    webhookPath,
    partner,
    replyTimeoutMs: int(env, 'APICHAT_REPLY_TIMEOUT_MS', 1, 600_000) ?? 10_000,
    quietMs: int(env, 'APICHAT_QUIET_MS', 0, 600_000),
    settleMs: int(env, 'APICHAT_SETTLE_MS', 0, 600_000),
    simulatorBot: get(env, 'APICHAT_SIMULATOR_BOT'),
  };
}

/** Values of the secrets in a config, for redaction. */
export function secretsOf(c: Pick<Config, 'flowKey' | 'webhookSecret' | 'partner'>): string[] {
  return [c.flowKey, c.webhookSecret, c.partner?.apiKey].filter((s): s is string => !!s);
}
