// `apichat-bdd webhook get|set|remove|restore`: the workspace's one API Chat webhook via the partner API.
// The verification key is never printed (it is shown as "***").
import { PartnerClient, PartnerErrorCode, type SetWebhookInput } from '../client/index.ts';
import { ApiChatError, isApiChatError } from '../base/errors.ts';
import { requireSecret, requireUrl } from '../config.ts';
import { maskWebhook, partnerConfigFrom } from './common.ts';
import { EXIT, line, UsageError, type CliContext, type Env } from './context.ts';
import { readRecord, recordPath, restoreRecorded } from '../run/webhook-record.ts';

const LISTEN_FIRST = 'start `apichat-bdd listen` first (in another terminal) so the handshake is answered';

export async function webhookCommand(ctx: CliContext, args: string[]): Promise<number> {
  const [action, ...extra] = args;
  if (action === undefined) throw new UsageError('`webhook` needs an action: get, set, remove or restore (e.g. `apichat-bdd webhook get`)');
  if (extra.length > 0) throw new UsageError(`\`webhook ${action}\` takes no arguments, got ${JSON.stringify(extra.join(' '))}`);
  if (action !== 'get' && action !== 'set' && action !== 'remove' && action !== 'restore') {
    throw new UsageError(`unknown webhook action ${JSON.stringify(action)}; use get, set, remove or restore`);
  }
  const p = partnerConfigFrom(ctx.env, `webhook ${action}`);
  // Validate everything `set` needs before any call to the platform.
  const setInput = action === 'set' ? readSetInput(ctx.env) : undefined;
  const partner = new PartnerClient({ baseUrl: p.baseUrl, partnerKey: p.apiKey, workspaceId: p.workspaceId });
  if (setInput) return setWebhook(ctx, partner, p.workspaceId, setInput);

  if (action === 'get') {
    const info = await partner.get();
    line(ctx.stdout, JSON.stringify(maskWebhook(info)));
    return EXIT.OK;
  }
  if (action === 'restore') return restoreCommand(ctx, partner, p.workspaceId);
  const before = await partner.get();
  await partner.remove();
  line(ctx.stderr, `apichat-bdd: webhook of workspace ${p.workspaceId} removed (was ${before.webhook_url ?? 'none'})`);
  return EXIT.OK;
}

function readSetInput(env: Env): SetWebhookInput {
  return {
    webhook_url: requireUrl(env, 'APICHAT_PUBLIC_URL', 'set it to the address the platform can reach (a tunnel or the CI host) that forwards to `apichat-bdd listen`', 'https://my-tunnel.example.com/webhook'),
    webhook_verification_key: requireSecret(env, 'APICHAT_WEBHOOK_SECRET', 'set it to the verification key to register (the listener checks signatures with it)'),
  };
}

async function setWebhook(ctx: CliContext, partner: PartnerClient, workspaceId: string, input: SetWebhookInput): Promise<number> {
  const before = await partner.get();
  let info;
  try {
    info = await partner.set(input);
  } catch (e) {
    // Rejected, or timed out waiting for the handshake: most often no listener answers it.
    if (isApiChatError(e) && (e.code === PartnerErrorCode.REJECTED || (e.code === PartnerErrorCode.UNAVAILABLE && e.variable === 'APICHAT_PUBLIC_URL'))) {
      throw new ApiChatError(e.code, `${e.message} — ${LISTEN_FIRST}`, { variable: e.variable, cause: e });
    }
    throw e;
  }
  line(ctx.stdout, JSON.stringify(maskWebhook(info)));
  line(ctx.stderr, `apichat-bdd: webhook of workspace ${workspaceId} set to ${input.webhook_url} (was ${before.webhook_url ?? 'none'})`);
  return EXIT.OK;
}

/** Puts back the webhook recorded by a run that was killed before it could (see src/webhook-record.ts). */
async function restoreCommand(ctx: CliContext, partner: PartnerClient, workspaceId: string): Promise<number> {
  const record = readRecord(workspaceId);
  const path = recordPath(workspaceId);
  if (!record) {
    line(ctx.stderr, `apichat-bdd: no webhook record for workspace ${workspaceId} (${path}): nothing to restore — a run that ends, even by Ctrl-C, puts the webhook back itself`);
    return EXIT.OK;
  }
  const current = await partner.get();
  if (current.webhook_url !== record.ours) {
    throw new ApiChatError(
      'APICHAT_WEBHOOK_RECORD',
      `the workspace's webhook is now ${current.webhook_url ?? 'none'}, not the run's listener ${record.ours} that ${path} was written for: it was changed since; if it is right, delete ${path}, else register the one you want with \`apichat-bdd webhook set\``,
    );
  }
  line(ctx.stderr, await restoreRecorded(partner, record));
  return EXIT.OK;
}
