// The embedded platform: the bot URL a tester posts user messages to, the partner API that
// registers the workspace's one webhook (with the real handshake), and a scripted bot whose
// replies are signed and delivered to that webhook exactly as the platform does it.
import { randomBytes, randomInt, timingSafeEqual } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import Fastify, { type FastifyInstance, type FastifyReply, type FastifyRequest } from 'fastify';
import { Agent } from 'undici';
import {
  IncomingSchema,
  SetWebhookRequestSchema,
  describeIncoming,
  nowMs,
  type Incoming,
  type UserAction,
} from '../protocol/index.ts';
import { ApiChatError } from '../errors.ts';
import { DEMO_BOT_PATH, loadBotFile } from './bot-file.ts';
import type { BotDefinition } from './bot-schema.ts';
import { Deliverer, type DeliveryRecord, type UndeliveredRecord, type Webhook } from './delivery.ts';
import { BotEngine, type Turn } from './engine.ts';
import { HANDSHAKE_ENCODINGS, performHandshake, type HandshakeEncoding } from './handshake.ts';
import { formatIssue } from './issues.ts';
import { renderReply } from './render.ts';

export interface SimulatorOptions {
  /** A bot definition, or the path of a bot file (YAML or JSON). Default: the demo bot. */
  bot?: BotDefinition | string;
  /** Default 127.0.0.1. */
  host?: string;
  /** Default 0: a free port. */
  port?: number;
  /** Keys and workspace id default to random values. */
  flowKey?: string;
  partnerKey?: string;
  workspaceId?: string;
  /** Each reply is sent at its cumulative delay plus a random 0..jitterMs. Default 10. */
  jitterMs?: number;
  /** Send the replies of a turn one after another, in order. Default false. */
  ordered?: boolean;
  /** Pretty-print the JSON bodies (the signature covers the exact bytes either way). */
  prettyJson?: boolean;
  /** How the handshake parameters are sent. Default 'form'. */
  handshakeEncoding?: HandshakeEncoding;
  /** Behave like the older revision: set is POST .../apichat-webhook; set-apichat-webhook is 404. */
  legacyPartnerApi?: boolean;
  /** Timeout for the handshake request. Default 5000. */
  handshakeTimeoutMs?: number;
  /** Timeout for each delivery. Default 10000. */
  deliveryTimeoutMs?: number;
}

/** A user message the bot URL accepted, and what the bot made of it. */
export interface ReceivedRecord {
  body: Incoming;
  action: UserAction;
  convId: number;
  /** Index of the rule that answered, or 'fallback'. */
  matched: Turn['matched'];
  replies: number;
  at: number;
}

export interface Simulator {
  readonly botUrl: string;
  /** Ends in /api, as the partner base URL of the real platform. */
  readonly partnerBaseUrl: string;
  readonly flowKey: string;
  readonly partnerKey: string;
  readonly workspaceId: string;
  /** The random spread added to each reply's send time (jitterMs). */
  readonly deliverySpreadMs: number;
  readonly deliveries: readonly DeliveryRecord[];
  readonly undelivered: readonly UndeliveredRecord[];
  readonly received: readonly ReceivedRecord[];
  /** The webhook currently registered, if any. */
  readonly webhook: Webhook | null;
  readonly engine: BotEngine;
  /** The fastify instance (for `inject()` in tests). */
  readonly app: FastifyInstance;
  /** The numeric conversation id the platform assigned to a sender, if it has written. */
  conversationIdOf(senderId: string): number | undefined;
  /** Resolves when every scheduled delivery has completed. */
  idle(): Promise<void>;
  close(): Promise<void>;
}

const UNAUTHENTICATED = { status: 'error', message: 'Unauthenticated.' } as const;
const OPTIONS_ERROR = 'APICHAT_SIMULATOR_OPTIONS';

function bearerMatches(header: string | undefined, key: string): boolean {
  const m = /^Bearer\s+(.+)$/i.exec(header ?? '');
  if (!m) return false;
  const a = Buffer.from(m[1]!.trim());
  const b = Buffer.from(key);
  return a.length === b.length && timingSafeEqual(a, b);
}

function urlHost(host: string): string {
  if (host === '0.0.0.0' || host === '') return '127.0.0.1';
  if (host === '::') return '[::1]';
  return host.includes(':') ? `[${host}]` : host;
}

function parseJson(body: unknown): { ok: true; value: unknown } | { ok: false; message: string } {
  if (body === undefined || body === null) return { ok: true, value: undefined };
  const text = Buffer.isBuffer(body) ? body.toString('utf8') : String(body);
  if (text.trim() === '') return { ok: true, value: undefined };
  try {
    return { ok: true, value: JSON.parse(text) };
  } catch (e) {
    return { ok: false, message: `Malformed JSON body: ${(e as Error).message}` };
  }
}

function checkOptions(opts: SimulatorOptions): void {
  const bad = (what: string) => {
    throw new ApiChatError(OPTIONS_ERROR, `simulator option ${what}`);
  };
  if (opts.jitterMs !== undefined && !(Number.isFinite(opts.jitterMs) && opts.jitterMs >= 0)) bad(`jitterMs must be a number >= 0, got ${opts.jitterMs}`);
  if (opts.handshakeEncoding !== undefined && !HANDSHAKE_ENCODINGS.includes(opts.handshakeEncoding)) {
    bad(`handshakeEncoding must be one of ${HANDSHAKE_ENCODINGS.join(', ')}, got ${JSON.stringify(opts.handshakeEncoding)}`);
  }
  for (const k of ['flowKey', 'partnerKey', 'workspaceId'] as const) {
    if (opts[k] !== undefined && (typeof opts[k] !== 'string' || opts[k] === '')) bad(`${k} must be a non-empty string`);
  }
}

export async function startSimulator(opts: SimulatorOptions = {}): Promise<Simulator> {
  checkOptions(opts);
  const definition = typeof opts.bot === 'string' || opts.bot === undefined ? await loadBotFile(opts.bot ?? DEMO_BOT_PATH) : opts.bot;
  const engine = new BotEngine(definition);

  const host = opts.host ?? '127.0.0.1';
  const flowKey = opts.flowKey ?? randomBytes(20).toString('hex');
  const partnerKey = opts.partnerKey ?? randomBytes(20).toString('hex');
  const workspaceId = opts.workspaceId ?? String(randomInt(100_000, 1_000_000));
  const code = randomBytes(12).toString('hex');
  const botPath = `/api/apichat/${code}`;
  const jitterMs = opts.jitterMs ?? 10;
  const encoding = opts.handshakeEncoding ?? 'form';
  const handshakeTimeoutMs = opts.handshakeTimeoutMs ?? 5000;

  const agent = new Agent({ keepAliveTimeout: 4000, keepAliveMaxTimeout: 10_000 });
  let webhook: Webhook | null = null;
  const deliverer = new Deliverer({
    jitterMs,
    ordered: opts.ordered ?? false,
    prettyJson: opts.prettyJson ?? false,
    dispatcher: agent,
    webhook: () => webhook,
    timeoutMs: opts.deliveryTimeoutMs ?? 10_000,
  });
  const received: ReceivedRecord[] = [];
  const convIds = new Map<string, number>();
  let nextConvId = randomInt(10_000, 90_000);
  let botUrl = '';

  const app = Fastify({ logger: false, bodyLimit: 1024 * 1024 });
  // Read every body as bytes and parse it here: one place decides what malformed means.
  app.removeAllContentTypeParsers();
  app.addContentTypeParser('*', { parseAs: 'buffer' }, (_req, body, done) => done(null, body));
  app.setNotFoundHandler((_req, reply) => reply.code(404).send({ status: 'error', message: 'Not found.' }));
  app.setErrorHandler((err: { statusCode?: number; message?: string }, _req, reply) => {
    const status = err.statusCode && err.statusCode >= 400 ? err.statusCode : 500;
    const message = status === 413 ? 'Payload too large.' : status >= 500 ? 'Server error.' : (err.message ?? 'Bad request.');
    return reply.code(status).send({ status: 'error', message });
  });

  // ---- the bot URL ----
  app.post<{ Params: { code: string } }>('/api/apichat/:code', async (req, reply) => {
    if (!bearerMatches(req.headers.authorization, flowKey)) return reply.code(401).send(UNAUTHENTICATED);
    if (req.params.code !== code) return reply.code(404).send({ status: 'error', message: 'Bot not found.' });
    const json = parseJson(req.body);
    if (!json.ok) return reply.code(400).send({ status: 'error', message: json.message });
    const parsed = IncomingSchema.safeParse(json.value);
    if (!parsed.success) return reply.code(422).send({ status: 'error', message: formatIssue(parsed.error.issues[0]!) });
    const msg = parsed.data;
    const action = describeIncoming(msg);
    let convId = convIds.get(msg.sender.id);
    if (convId === undefined) {
      convId = nextConvId++;
      convIds.set(msg.sender.id, convId);
    }
    // The turn is computed now (so state moves in the order messages arrive); the replies
    // are delivered afterwards, each as its own signed POST.
    const turn = engine.respond({ id: msg.sender.id, name: msg.sender.name, email: msg.sender.email, phone: msg.sender.phone_number }, action);
    const to = { sender_id: msg.sender.id, conv_id: convId };
    received.push({ body: msg, action, convId, matched: turn.matched, replies: turn.replies.length, at: nowMs() });
    deliverer.send(turn.replies.map((r) => ({ body: renderReply(r, to), delayMs: r.delayMs })));
    return reply.code(200).send({ status: 'ok' });
  });

  // ---- the partner API ----
  type WsRequest = FastifyRequest<{ Params: { ws: string } }>;
  const partner =
    (handler: (req: WsRequest, reply: FastifyReply) => Promise<unknown>) =>
    async (req: WsRequest, reply: FastifyReply): Promise<unknown> => {
      if (!bearerMatches(req.headers.authorization, partnerKey)) return reply.code(401).send(UNAUTHENTICATED);
      if (req.params.ws !== workspaceId) return reply.code(404).send({ status: 'error', message: 'Workspace not found.' });
      return handler(req, reply);
    };
  const info = () => ({
    status: 'ok',
    data: {
      webhook_url: webhook?.url ?? null,
      webhook_verification_key: webhook?.key ?? null,
      webhook_status: webhook ? 'verified' : null,
      bot_url: botUrl,
    },
  });
  const setWebhook = partner(async (req, reply) => {
    const json = parseJson(req.body);
    if (!json.ok) return reply.code(400).send({ status: 'error', message: json.message });
    const parsed = SetWebhookRequestSchema.safeParse(json.value ?? {});
    if (!parsed.success) return reply.code(422).send({ status: 'error', message: formatIssue(parsed.error.issues[0]!) });
    const { webhook_url: url, webhook_verification_key: key } = parsed.data;
    const protocol = new URL(url).protocol;
    if (protocol !== 'http:' && protocol !== 'https:') {
      return reply.code(422).send({ status: 'error', message: 'webhook_url: expected an http or https URL' });
    }
    const outcome = await performHandshake(url, key, { encoding, dispatcher: agent, timeoutMs: handshakeTimeoutMs });
    if (!outcome.ok) return reply.code(422).send({ status: 'error', message: `Webhook verification failed: ${outcome.reason}` });
    webhook = { url, key };
    return reply.send(info());
  });

  const base = '/api/partner/workspace/:ws';
  app.get(`${base}/apichat-webhook`, partner(async (_req, reply) => reply.send(info())));
  app.delete(
    `${base}/remove-apichat-webhook`,
    partner(async (_req, reply) => {
      webhook = null;
      return reply.send(info());
    }),
  );
  if (opts.legacyPartnerApi) {
    app.post(`${base}/apichat-webhook`, setWebhook);
  } else {
    app.post(`${base}/set-apichat-webhook`, setWebhook);
    // As the platform's router does for a known path with the wrong method.
    app.post(`${base}/apichat-webhook`, async (_req, reply) =>
      reply.code(405).send({ status: 'error', message: 'The POST method is not supported for this route. Supported methods: GET, HEAD.' }),
    );
  }

  try {
    await app.listen({ host, port: opts.port ?? 0 });
  } catch (e) {
    await agent.close().catch(() => undefined);
    throw new ApiChatError(OPTIONS_ERROR, `the simulator cannot listen on ${host}:${opts.port ?? 0}: ${(e as Error).message}`, { cause: e });
  }
  const address = app.server.address() as AddressInfo;
  const origin = `http://${urlHost(host)}:${address.port}`;
  botUrl = `${origin}${botPath}`;

  let closing: Promise<void> | null = null;
  return {
    botUrl,
    partnerBaseUrl: `${origin}/api`,
    flowKey,
    partnerKey,
    workspaceId,
    deliverySpreadMs: jitterMs,
    deliveries: deliverer.deliveries,
    undelivered: deliverer.undelivered,
    received,
    get webhook() {
      return webhook;
    },
    engine,
    app,
    conversationIdOf: (senderId) => convIds.get(senderId),
    idle: () => deliverer.idle(),
    close() {
      closing ??= (async () => {
        deliverer.close();
        await app.close();
        await deliverer.idle();
        await agent.close();
      })();
      return closing;
    },
  };
}
