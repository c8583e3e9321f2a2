// One test run's infrastructure, started once (by the Cucumber plugin, or `apichat-bdd listen`):
// the listener, the loopback control server that --parallel workers read from, and either
// the embedded simulator (simulated mode) or the registration of our webhook on a live
// workspace, with the previous webhook put back at the end.
import { randomBytes } from 'node:crypto';
import { PartnerClient } from './client/index.ts';
import { ApiChatError } from './errors.ts';
import type { Config } from './config.ts';
import { LocalInbox, MemoryStore, startControlServer, startListener, type RunningControl, type RunningListener } from './inbox/index.ts';
import type { WebhookInfo } from './protocol/index.ts';
import { DEMO_BOT_PATH, startSimulator, type BotDefinition, type Simulator } from './simulator/index.ts';
import { LIVE_SETTLE_FLOOR_MS, type Timing } from './conversation/index.ts';

/** Everything a worker needs, passed through the environment as APICHAT_RUN (JSON). */
export interface SharedRun {
  mode: Config['mode'];
  inboxUrl: string;
  botUrl: string;
  flowKey: string;
  timing: Timing;
}

export interface RunHandle {
  readonly shared: SharedRun;
  readonly store: MemoryStore;
  readonly inbox: LocalInbox;
  readonly listener: RunningListener;
  readonly control: RunningControl;
  readonly simulator: Simulator | undefined;
  /** The webhook URL registered with (or assumed by) the platform. */
  readonly webhookUrl: string;
  /** Stops everything and, in live mode with partner variables, puts the previous webhook back. */
  close(): Promise<string[]>;
}

/** How much later than its scheduled time a simulated delivery may land and still count as the same burst. */
const SIMULATED_SETTLE_MARGIN_MS = 10;
/** Where the learned windows start before the run has seen the bot (the former fixed defaults). */
const LIVE_START = { settleMs: 200, quietMs: 1000 };
const SIMULATED_QUIET_START_MS = 300;

/** The longest scripted pause between two replies of one turn (delay_ms of a reply after the first). */
export function longestScriptedPauseMs(bot: BotDefinition): number {
  const turns = [bot.fallback ?? [], ...bot.rules.map((r) => r.replies)];
  return Math.max(0, ...turns.flatMap((replies) => replies.slice(1).map((r) => r.delay_ms ?? 0)));
}

/**
 * The run's timing: explicit APICHAT_SETTLE_MS / APICHAT_QUIET_MS are fixed; otherwise the
 * windows are learned, starting conservative. In simulated mode the simulator's delivery spread
 * (plus the bot file's longest scripted pause) is known, so settling starts, and stays, there.
 */
export function runTiming(config: Pick<Config, 'replyTimeoutMs' | 'quietMs' | 'settleMs'>, simulatedSpreadMs?: number): Timing {
  const simulatedFloor = simulatedSpreadMs === undefined ? undefined : simulatedSpreadMs + SIMULATED_SETTLE_MARGIN_MS;
  return {
    replyTimeoutMs: config.replyTimeoutMs,
    quietMs: config.quietMs ?? (simulatedFloor === undefined ? LIVE_START.quietMs : SIMULATED_QUIET_START_MS),
    settleMs: config.settleMs ?? simulatedFloor ?? LIVE_START.settleMs,
    learnSettle: config.settleMs === undefined,
    learnQuiet: config.quietMs === undefined,
    settleFloorMs: simulatedFloor ?? LIVE_SETTLE_FLOOR_MS,
  };
}

export async function startRun(config: Config, log: (line: string) => void = () => {}): Promise<RunHandle> {
  const store = new MemoryStore();
  const cleanups: Array<() => Promise<string | void>> = [];
  const closeAll = async (): Promise<string[]> => {
    const notes: string[] = [];
    for (const fn of cleanups.reverse()) {
      try {
        const note = await fn();
        if (note) notes.push(note);
      } catch (e) {
        notes.push((e as Error).message);
      }
    }
    cleanups.length = 0;
    return notes;
  };

  try {
    let simulator: Simulator | undefined;
    let secret: string;
    let botUrl: string;
    let flowKey: string;
    let timing: Timing;
    let webhookUrl: string;
    let listener: RunningListener;

    if (config.mode === 'simulated') {
      simulator = await startSimulator({ bot: config.simulatorBot ?? DEMO_BOT_PATH });
      const sim = simulator;
      cleanups.push(() => sim.close());
      secret = randomBytes(16).toString('hex');
      listener = await startListener({ secret, store, path: config.webhookPath, host: '127.0.0.1', port: config.listenPort });
      const l = listener;
      cleanups.push(() => l.close());
      webhookUrl = listener.localUrl;
      // Register through the partner API, so the handshake path runs on every run.
      const partner = new PartnerClient({ baseUrl: sim.partnerBaseUrl, partnerKey: sim.partnerKey, workspaceId: sim.workspaceId });
      const info = await partner.set({ webhook_url: webhookUrl, webhook_verification_key: secret });
      botUrl = info.bot_url ?? sim.botUrl;
      flowKey = sim.flowKey;
      timing = runTiming(config, sim.deliverySpreadMs + longestScriptedPauseMs(sim.engine.bot));
    } else {
      secret = config.webhookSecret!;
      flowKey = config.flowKey!;
      timing = runTiming(config);
      listener = await listen(config, secret, store);
      const l = listener;
      cleanups.push(() => l.close());
      webhookUrl = config.publicUrl ?? listener.localUrl;
      let fromPartner: string | null | undefined;
      if (config.partner) {
        const partner = new PartnerClient({ baseUrl: config.partner.baseUrl, partnerKey: config.partner.apiKey, workspaceId: config.partner.workspaceId });
        const previous = await partner.get();
        const info = await partner.set({ webhook_url: webhookUrl, webhook_verification_key: secret });
        log(`apichat-bdd: webhook of workspace ${config.partner.workspaceId} set to ${webhookUrl} (was ${previous.webhook_url ?? 'none'})`);
        cleanups.push(() => restoreWebhook(partner, previous));
        fromPartner = info.bot_url;
      }
      const url = config.botUrl ?? fromPartner;
      if (!url) {
        throw new ApiChatError('APICHAT_CONFIG', 'APICHAT_BOT_URL: is not set and the partner API returned no bot_url for the workspace; set APICHAT_BOT_URL', { variable: 'APICHAT_BOT_URL' });
      }
      botUrl = url;
    }

    const control = await startControlServer(store);
    cleanups.push(() => control.close());
    const shared: SharedRun = {
      mode: config.mode,
      inboxUrl: control.url,
      botUrl,
      flowKey,
      timing,
    };
    return {
      shared,
      store,
      inbox: new LocalInbox(store),
      listener,
      control,
      simulator,
      webhookUrl,
      close: closeAll,
    };
  } catch (e) {
    await closeAll();
    throw e;
  }
}

async function listen(config: Config, secret: string, store: MemoryStore): Promise<RunningListener> {
  try {
    return await startListener({ secret, store, path: config.webhookPath, host: config.listenHost, port: config.listenPort });
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code === 'EADDRINUSE') {
      throw new ApiChatError('APICHAT_LISTEN', `APICHAT_LISTEN_PORT: port ${config.listenPort} on ${config.listenHost} is in use; stop the other listener or choose another port`, { variable: 'APICHAT_LISTEN_PORT' });
    }
    if (code === 'EADDRNOTAVAIL' || code === 'ENOTFOUND') {
      throw new ApiChatError('APICHAT_LISTEN', `APICHAT_LISTEN_HOST: cannot bind to ${config.listenHost} on this machine; use 127.0.0.1 or 0.0.0.0`, { variable: 'APICHAT_LISTEN_HOST' });
    }
    throw e;
  }
}

async function restoreWebhook(partner: PartnerClient, previous: WebhookInfo): Promise<string> {
  if (previous.webhook_url && previous.webhook_verification_key) {
    try {
      await partner.set({ webhook_url: previous.webhook_url, webhook_verification_key: previous.webhook_verification_key });
      return `apichat-bdd: webhook restored to ${previous.webhook_url}`;
    } catch (e) {
      return `apichat-bdd: could not restore the previous webhook ${previous.webhook_url} (${(e as Error).message}); set it again with the partner API`;
    }
  }
  await partner.remove();
  return 'apichat-bdd: webhook removed (none was set before the run)';
}
