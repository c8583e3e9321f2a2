// One test run's infrastructure, started once (by the Cucumber plugin, or `apichat-bdd listen`):
// the listener, the loopback control server that --parallel workers read from, and either
// the embedded simulator (simulated mode) or the registration of our webhook on a live
// workspace, with the previous webhook put back at the end.
import { randomBytes } from 'node:crypto';
import { PartnerClient } from '../client/index.ts';
import { ApiChatError } from '../base/errors.ts';
import type { Config, LiveConfig } from '../config.ts';
import { bindListener, LocalInbox, MemoryStore, startControlServer, startListener, type RunningListener } from '../inbox/index.ts';
import { notARunner, startRedisRun } from './redis.ts';
import { previousFor, readRecord, recordPath, removeRecord, restoreRecorded, writeRecord } from './webhook-record.ts';
import { DEMO_BOT_PATH, startSimulator, type BotDefinition, type Simulator } from '../simulator/index.ts';
import { LIVE_SETTLE_FLOOR_MS, type Timing } from '../conversation/index.ts';
import { keepTiming, RunTiming } from './timing-hub.ts';
import { readTimingState } from './timing-file.ts';

export { parseSharedRun, SharedRunSchema, type RunHandle, type SharedRun } from './shared.ts';
import type { RunHandle, SharedRun } from './shared.ts';

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
    // Live mode only: simulated mode knows a turn's end (the simulator says so), and has no file to keep counts in.
    learnReplies: config.settleMs === undefined && simulatedFloor === undefined,
    settleFloorMs: simulatedFloor ?? LIVE_SETTLE_FLOOR_MS,
    ...(simulatedFloor === undefined ? {} : { turnEnds: true }),
  };
}

export async function startRun(config: Config, log: (line: string) => void = () => {}): Promise<RunHandle> {
  for (const w of config.warnings) log(`apichat-bdd: ${w}`);
  if (config.mode === 'runner') return startRedisRun(config, log, runTiming(config));
  const missing = notARunner(config);
  if (missing) throw missing;
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
      // The simulator knows when a turn's last reply is filed: waiting conversations hear it.
      sim.onTurnDone((done) => store.turnDone(done)); // store is a MemoryStore here
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
      secret = config.webhookSecret;
      flowKey = config.flowKey;
      timing = runTiming(config);
      listener = await bindListener({ secret, store, path: config.webhookPath, host: config.listenHost, port: config.listenPort });
      const l = listener;
      cleanups.push(() => l.close());
      webhookUrl = config.publicUrl ?? listener.localUrl;
      let fromPartner: string | null | undefined;
      if (config.partner) {
        fromPartner = await takeOverWebhook(config.partner, webhookUrl, secret, log, cleanups);
      }
      const url = config.botUrl ?? fromPartner;
      if (!url) {
        throw new ApiChatError('APICHAT_CONFIG', 'APICHAT_BOT_URL: is not set and the partner API returned no bot_url for the workspace; set APICHAT_BOT_URL', { variable: 'APICHAT_BOT_URL' });
      }
      botUrl = url;
      // Start where earlier runs against this bot ended (.apichat-bdd/timing-<hash>.json).
      const state = readTimingState(botUrl, log);
      if (state) timing = { ...timing, state };
    }

    const learned = new RunTiming(timing);
    const control = await startControlServer(store, { timing: learned });
    cleanups.push(() => control.close());
    if (config.mode === 'live') cleanups.push(keepTiming(botUrl, learned));
    const shared: SharedRun = {
      mode: config.mode,
      inboxUrl: control.url,
      inboxToken: control.token,
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
      timing: learned.model,
      simulator,
      webhookUrl,
      close: closeAll,
    };
  } catch (e) {
    await closeAll();
    throw e;
  }
}

/**
 * Registers our webhook, having first recorded the one to put back (durably: a SIGKILLed run
 * cannot clean up, and the next run then restores the recorded one, not our dead listener).
 */
async function takeOverWebhook(
  p: NonNullable<LiveConfig['partner']>,
  webhookUrl: string,
  secret: string,
  log: (line: string) => void,
  cleanups: Array<() => Promise<string | void>>,
): Promise<string | null | undefined> {
  const partner = new PartnerClient({ baseUrl: p.baseUrl, partnerKey: p.apiKey, workspaceId: p.workspaceId });
  const current = await partner.get();
  const { previous, recovered } = previousFor(current, readRecord(p.workspaceId));
  if (recovered) {
    log(`apichat-bdd: an earlier run was killed before it put the webhook of workspace ${p.workspaceId} back; this run restores ${previous?.webhook_url ?? 'none'} (from ${recordPath(p.workspaceId)}) when it ends`);
  }
  const record = { workspace_id: p.workspaceId, previous, ours: webhookUrl, recorded_at: new Date().toISOString() };
  writeRecord(record);
  let info;
  try {
    info = await partner.set({ webhook_url: webhookUrl, webhook_verification_key: secret });
  } catch (e) {
    // Nothing was taken over; a recovered record stays until a run or `webhook restore` uses it.
    if (!recovered) removeRecord(p.workspaceId);
    throw e;
  }
  log(`apichat-bdd: webhook of workspace ${p.workspaceId} set to ${webhookUrl} (was ${recovered ? `a killed run's listener; restoring ${previous?.webhook_url ?? 'none'}` : (current.webhook_url ?? 'none')})`);
  cleanups.push(() => restoreRecorded(partner, record));
  return info.bot_url;
}
