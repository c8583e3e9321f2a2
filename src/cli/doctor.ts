// `apichat-bdd doctor`: checks a LIVE setup end to end, in the order a reply travels, one line
// per check: "✓ <what>", "✗ <what> — <fix>" or "– <what> — <why it was skipped>".
//   1. the configuration parses (and is a live one)
//   2. the partner API answers and accepts the partner key          (needs the partner variables)
//   3. the workspace webhook is registered, verified, points at APICHAT_PUBLIC_URL and uses
//      APICHAT_WEBHOOK_SECRET                                         (needs the partner variables)
//   4. APICHAT_PUBLIC_URL reaches the listener: a signed test delivery is posted to it and must
//      arrive in a temporary local listener (or, when a listener already holds the port, be
//      answered 200 by it)
//   5. the bot URL accepts the flow key: a real text message "apichat-bdd doctor" is sent from a
//      throwaway bot user (the bot sees it)
//   6. the bot's reply comes back through the webhook (informational: a bot may not answer)
//   7. each configured model (APICHAT_JUDGE_MODEL, APICHAT_EMBEDDINGS_MODEL) answers one call
//      (also in simulated mode: the AI phrases work against the simulator too)
// Exit code 0 when every check passed, 1 when one failed, 2 when the configuration is missing or wrong.
// Each check is one function (doctor-checks.ts, doctor-delivery.ts); this file runs them in order.
import { loadConfig, type LiveConfig } from '../config.ts';
import { isApiChatError } from '../base/errors.ts';
import { MemoryStore } from '../inbox/index.ts';
import { Checklist, checkBot, checkPartner, checkReply, checkWebhook, hostOf } from './doctor-checks.ts';
import { bindDoctorListener, checkDelivery } from './doctor-delivery.ts';
import { checkModels } from './doctor-ai.ts';
import { EXIT, type CliContext } from './context.ts';

export { DOCTOR_WAIT_MS } from './doctor-checks.ts';

export async function doctorCommand(ctx: CliContext): Promise<number> {
  const list = new Checklist(ctx.stdout);
  const config = checkConfig(ctx, list);
  if (!config) {
    await checkModels(ctx.env, list);
    return EXIT.USAGE;
  }
  const info = await checkPartner(config, list);
  const webhookOk = checkWebhook(config, info, list);
  const store = new MemoryStore();
  const bound = await bindDoctorListener(config, store);
  try {
    const deliveryOk = await checkDelivery(config, store, bound, list);
    const sent = await checkBot(config, info, store, list);
    if (sent) await checkReply(sent, { listening: bound.listener !== undefined, deliveryOk, webhookOk }, store, list);
  } finally {
    await bound.listener?.close();
  }
  await checkModels(ctx.env, list);
  return list.failed ? EXIT.FAILURE : EXIT.OK;
}

/** 1. The configuration parses and is a live one; its ignored variables are said once. */
function checkConfig(ctx: CliContext, list: Checklist): LiveConfig | undefined {
  let config;
  try {
    config = loadConfig(ctx.env);
  } catch (e) {
    if (!isApiChatError(e)) throw e;
    list.fail('configuration', e.message);
    return undefined;
  }
  if (config.mode === 'runner') {
    // A runner (APICHAT_REDIS_URL) has no listener or webhook of its own to check.
    list.fail('live configuration', 'APICHAT_REDIS_URL makes this a runner, which has no listener or webhook to check: run the doctor where `apichat-bdd listen` runs, with its variables (without APICHAT_REDIS_URL)');
    return undefined;
  }
  if (config.mode !== 'live') {
    list.fail('live configuration', 'no live configuration: set APICHAT_* (see README): APICHAT_BOT_URL (or the partner variables), APICHAT_FLOW_API_KEY, APICHAT_WEBHOOK_SECRET, APICHAT_PUBLIC_URL');
    return undefined;
  }
  list.pass(`configuration parses (live mode; bot URL ${config.botUrl ? `${hostOf(config.botUrl)} from APICHAT_BOT_URL` : 'from the partner API'}; listener ${config.listenHost}:${config.listenPort}${config.webhookPath})`);
  for (const w of config.warnings) list.note(w);
  return config;
}
