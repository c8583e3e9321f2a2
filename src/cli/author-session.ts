// What `crawl` and `record` share: the run's infrastructure (simulator or live listener and
// webhook, as a test run has it), a rate-limited sender to the bot URL, and a clean close
// that puts a live workspace's previous webhook back.
import { BotClient } from '../client/index.ts';
import { loadConfig, type Config } from '../config.ts';
import { RateLimitedSender, type ObserverOptions } from '../author/index.ts';
import { startRun } from '../run/run.ts';
import { line, UsageError, type CliContext } from './context.ts';

/** Messages per second to a live bot when --rate is not given (a simulated bot is not limited). */
export const LIVE_DEFAULT_RATE = 5;

export interface AuthorSession {
  mode: Config['mode'];
  observer: ObserverOptions;
  sender: RateLimitedSender;
  close(): Promise<void>;
}

export async function startAuthorSession(ctx: CliContext, rate: number | undefined): Promise<AuthorSession> {
  const config = loadConfig(ctx.env);
  const run = await startRun(config, (l) => line(ctx.stderr, l));
  const bot = new BotClient({ botUrl: run.shared.botUrl, flowKey: run.shared.flowKey });
  const sender = new RateLimitedSender(bot, rate ?? (config.mode === 'simulated' ? Number.POSITIVE_INFINITY : LIVE_DEFAULT_RATE));
  return {
    mode: config.mode,
    observer: { inbox: run.inbox, bot: sender, timing: run.shared.timing },
    sender,
    close: async () => {
      for (const note of await run.close()) line(ctx.stderr, note);
    },
  };
}

/** A whole number flag within bounds, or a UsageError naming it. */
export function intFlag(name: string, value: string | undefined, fallback: number, min: number, max: number): number {
  if (value === undefined) return fallback;
  const n = Number(value);
  if (!/^\d+$/.test(value.trim()) || n < min || n > max) {
    throw new UsageError(`--${name}: expected a whole number from ${min} to ${max}, got ${JSON.stringify(value)}`);
  }
  return n;
}
