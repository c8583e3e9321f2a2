// Runner mode: a test run with APICHAT_REDIS_URL. Somewhere else one `apichat-bdd listen`
// receives the workspace's webhook and publishes to Redis; this run starts no listener, never
// touches the webhook, and reads its own conversations' replies from Redis. It needs the bot
// URL (or the partner variables, only to read it) and the flow key. Cucumber's --shard splits
// the scenarios across machines; --parallel workers each read through their own connection.
import { PartnerClient } from '../client/index.ts';
import { ConfigError, type Config, type RunnerConfig } from '../config.ts';
import { connectRedis, KEYS, listenerPresence, MemoryStore, RedisInbox, safeRedisUrl, startControlServer } from '../inbox/index.ts';
import type { Timing } from '../conversation/index.ts';
import type { RunHandle, SharedRun } from './shared.ts';
import { readTimingState } from './timing-file.ts';
import { keepTiming, RunTiming } from './timing-hub.ts';

/** A test run with APICHAT_REDIS_URL but no live variables cannot be a runner: say what is missing. */
export function notARunner(config: Config): ConfigError | undefined {
  if (config.mode !== 'simulated' || !config.redisUrl) return undefined;
  return new ConfigError('APICHAT_FLOW_API_KEY', 'is not set; with APICHAT_REDIS_URL the run reads replies from Redis and talks to the bot itself: set APICHAT_FLOW_API_KEY and APICHAT_BOT_URL (or the partner variables to read the bot URL)');
}

/** `timing`: the run's windows (runTiming in run.ts: learned as in any live run, unless fixed). */
export async function startRedisRun(config: RunnerConfig, log: (line: string) => void, timing: Timing): Promise<RunHandle> {
  const url = config.redisUrl;
  // Checks Redis before any scenario: an unreachable URL is one line naming the variable.
  const probe = await connectRedis(url, { role: 'runner' });
  let deliveriesAtStart: number;
  let listening: boolean;
  try {
    const [deliveries, listener] = await Promise.all([probe.hGet(KEYS.stats, 'deliveries'), listenerPresence(probe)]);
    deliveriesAtStart = Number(deliveries ?? 0);
    listening = listener !== null;
  } finally {
    probe.destroy();
  }
  let botUrl = config.botUrl;
  if (!botUrl && config.partner) {
    // Read only: the webhook belongs to the listener's host.
    const partner = new PartnerClient({ baseUrl: config.partner.baseUrl, partnerKey: config.partner.apiKey, workspaceId: config.partner.workspaceId });
    botUrl = (await partner.get()).bot_url ?? undefined;
  }
  if (!botUrl) {
    throw new ConfigError('APICHAT_BOT_URL', 'is not set and the partner API returned no bot_url for the workspace; set APICHAT_BOT_URL');
  }
  log(`apichat-bdd: runner mode: replies come from Redis at ${safeRedisUrl(url)}; no listener here, the webhook is not touched`);
  if (!listening) log(`apichat-bdd: warning: no \`apichat-bdd listen\` is publishing to ${safeRedisUrl(url)} right now; replies arrive only once one does`);

  // The learned windows, as in any live run: from the timing file, shared by this machine's
  // --parallel workers through a worker channel that serves only that (replies come from Redis).
  // Each shard machine keeps its own file.
  const state = readTimingState(botUrl, log);
  const runTiming = new RunTiming(state ? { ...timing, state } : timing);
  const control = await startControlServer(new MemoryStore(), { timing: runTiming });
  const redis = { url, deliveriesAtStart };
  const shared: SharedRun = {
    mode: config.mode,
    inboxUrl: control.url,
    inboxToken: control.token,
    redis,
    botUrl,
    flowKey: config.flowKey,
    timing: runTiming.model.timing,
  };
  const inbox = new RedisInbox(redis);
  return {
    shared,
    inbox,
    timing: runTiming.model,
    simulator: undefined,
    close: async () => {
      const note = await keepTiming(botUrl, runTiming)();
      const notes = note ? [note] : [];
      await control.close();
      await inbox.close();
      return notes;
    },
  };
}
