// `apichat-bdd simulate [bot-file]`: the embedded platform on its own. stdout: ONE JSON object
// with its bot URL, partner base URL, workspace id and keys. Those keys are the simulator's own,
// generated for this session, so printing them is the point. Runs until the signal is aborted.
import { randomBytes } from 'node:crypto';
import { DEFAULT_LISTEN_PORT, envValue } from '../config.ts';
import { DEMO_BOT_PATH, startSimulator } from '../simulator/index.ts';
import { EXIT, line, untilAborted, UsageError, type CliContext } from './context.ts';

export interface SimulateOptions {
  bot: string | undefined;
  port: string | undefined;
  host: string | undefined;
  /** Each reply is sent at its delay plus a random 0..jitterMs (the simulator's delivery spread). */
  jitterMs?: string | undefined;
}

export async function simulateCommand(ctx: CliContext, o: SimulateOptions): Promise<number> {
  const bot = o.bot ?? envValue(ctx.env, 'APICHAT_SIMULATOR_BOT') ?? DEMO_BOT_PATH;
  let port = 0;
  if (o.port !== undefined) {
    port = Number(o.port);
    if (!/^\d+$/.test(o.port) || port > 65535) throw new UsageError(`--port: expected a whole number from 0 to 65535, got ${JSON.stringify(o.port)}`);
  }
  let jitterMs: number | undefined;
  if (o.jitterMs !== undefined) {
    jitterMs = Number(o.jitterMs);
    if (!/^\d+$/.test(o.jitterMs) || jitterMs > 60_000) throw new UsageError(`--jitter-ms: expected a whole number of milliseconds from 0 to 60000, got ${JSON.stringify(o.jitterMs)}`);
  }
  const sim = await startSimulator({ bot, port, host: o.host ?? '127.0.0.1', ...(jitterMs === undefined ? {} : { jitterMs }) });
  try {
    line(
      ctx.stdout,
      JSON.stringify({
        bot_url: sim.botUrl,
        partner_base_url: sim.partnerBaseUrl,
        workspace_id: sim.workspaceId,
        flow_api_key: sim.flowKey,
        partner_api_key: sim.partnerKey,
      }),
    );
    const exports = [
      `APICHAT_BOT_URL=${sim.botUrl}`,
      `APICHAT_FLOW_API_KEY=${sim.flowKey}`,
      `APICHAT_PARTNER_BASE_URL=${sim.partnerBaseUrl}`,
      `APICHAT_PARTNER_API_KEY=${sim.partnerKey}`,
      `APICHAT_WORKSPACE_ID=${sim.workspaceId}`,
      `APICHAT_WEBHOOK_SECRET=${randomBytes(16).toString('hex')}`,
      `APICHAT_PUBLIC_URL=http://127.0.0.1:${DEFAULT_LISTEN_PORT}/webhook`,
    ];
    line(ctx.stderr, `apichat-bdd: simulator running (bot ${bot === DEMO_BOT_PATH ? 'demo' : bot}; each reply up to ${sim.deliverySpreadMs} ms late, at random); Ctrl-C to stop`);
    line(ctx.stderr, `apichat-bdd: to run the suite against it in live mode, in another terminal: export ${exports.map((e) => `'${e}'`).join(' ')}`);
    await untilAborted(ctx.signal);
  } finally {
    await sim.close();
  }
  line(ctx.stderr, 'apichat-bdd: simulator stopped');
  return EXIT.OK;
}
