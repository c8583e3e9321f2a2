// `apichat-bdd listen`: the signed-webhook listener on its own, from the APICHAT_* config.
// stdout: one JSON line per accepted delivery; stderr: the startup line and one line per
// rejected delivery. Runs until the context's signal (SIGINT/SIGTERM) is aborted.
import { ConfigError, DEFAULT_LISTEN_PORT, envValue, loadConfig } from '../config.ts';
import { bindListener, MemoryStore } from '../inbox/index.ts';
import { messageLine, rejectionLine } from './common.ts';
import { EXIT, line, untilAborted, type CliContext } from './context.ts';

export async function listenCommand(ctx: CliContext): Promise<number> {
  const config = loadConfig(ctx.env);
  const secret = config.webhookSecret;
  if (!secret) {
    throw new ConfigError('APICHAT_WEBHOOK_SECRET', 'is not set; `apichat-bdd listen` checks every delivery\'s signature and answers the handshake with it: set it to the webhook verification key (the one `apichat-bdd webhook set` registers)');
  }
  const port = envValue(ctx.env, 'APICHAT_LISTEN_PORT') === undefined ? DEFAULT_LISTEN_PORT : config.listenPort;
  const store = new MemoryStore();
  const offAny = store.onAny((m) => line(ctx.stdout, messageLine(m)));
  const offReject = store.onReject((r) => line(ctx.stderr, rejectionLine(r)));
  try {
    const listener = await bindListener({ secret, store, path: config.webhookPath, host: config.listenHost, port });
    try {
      const pub = config.publicUrl && config.publicUrl !== listener.localUrl ? ` (public URL ${config.publicUrl})` : '';
      line(ctx.stderr, `apichat-bdd: listening on ${listener.localUrl}${pub}; Ctrl-C to stop`);
      await untilAborted(ctx.signal);
    } finally {
      await listener.close();
    }
  } finally {
    offAny();
    offReject();
  }
  line(ctx.stderr, 'apichat-bdd: listener stopped');
  return EXIT.OK;
}
