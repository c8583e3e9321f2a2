// The simulator's two APIs: the bot URL a tester posts user messages to, and the partner API
// that registers the workspace's one webhook (with the real handshake).
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { Dispatcher } from 'undici';
import { IncomingSchema, SetWebhookRequestSchema, describeIncoming, nowMs, type Incoming, type UserAction } from '../protocol/index.ts';
import { bearerMatches, parseJson, UNAUTHENTICATED } from './app.ts';
import { firstIssue } from './issues.ts';
import type { Deliverer, Webhook } from './delivery.ts';
import type { BotEngine, Turn } from './engine.ts';
import { performHandshake, type HandshakeEncoding } from './handshake.ts';
import { renderReply } from './render.ts';
import { parseHttpUrl } from '../base/url.ts';
import type { TurnDone } from '../protocol/index.ts';

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

export type { TurnDone };

/** What the routes share with the Simulator object: the keys, the bot, and the mutable webhook. */
export interface SimulatorState {
  readonly code: string;
  readonly flowKey: string;
  readonly partnerKey: string;
  readonly workspaceId: string;
  readonly engine: BotEngine;
  readonly deliverer: Deliverer;
  readonly received: ReceivedRecord[];
  readonly convIds: Map<string, number>;
  /** Accepted messages per sender: the turn number a TurnDone carries. */
  readonly turns: Map<string, number>;
  readonly turnDoneListeners: Set<(done: TurnDone) => void>;
  nextConvId: number;
  webhook: Webhook | null;
  botUrl: string;
}

export function addBotUrl(app: FastifyInstance, s: SimulatorState): void {
  app.post<{ Params: { code: string } }>('/api/apichat/:code', async (req, reply) => {
    if (!bearerMatches(req.headers.authorization, s.flowKey)) return reply.code(401).send(UNAUTHENTICATED);
    if (req.params.code !== s.code) return reply.code(404).send({ status: 'error', message: 'Bot not found.' });
    const json = parseJson(req.body);
    if (!json.ok) return reply.code(400).send({ status: 'error', message: json.message });
    const parsed = IncomingSchema.safeParse(json.value);
    if (!parsed.success) return reply.code(422).send({ status: 'error', message: firstIssue(parsed.error) });
    const msg = parsed.data;
    const action = describeIncoming(msg);
    let convId = s.convIds.get(msg.sender.id);
    if (convId === undefined) {
      convId = s.nextConvId++;
      s.convIds.set(msg.sender.id, convId);
    }
    // The turn is computed now (so state moves in the order messages arrive); the replies
    // are delivered afterwards, each as its own signed POST.
    const turn = s.engine.respond({ id: msg.sender.id, name: msg.sender.name, email: msg.sender.email, phone: msg.sender.phone_number }, action);
    const to = { sender_id: msg.sender.id, conv_id: convId };
    s.received.push({ body: msg, action, convId, matched: turn.matched, replies: turn.replies.length, at: nowMs() });
    const turnNo = (s.turns.get(msg.sender.id) ?? 0) + 1;
    s.turns.set(msg.sender.id, turnNo);
    // The platform never says a turn is over; the simulator knows, and tells the run (in
    // simulated mode a Then without a match then fails without waiting the reply timeout).
    const onTurnDone = (): void => {
      const done: TurnDone = { senderId: msg.sender.id, turn: turnNo, replies: turn.replies.length, at: nowMs() };
      for (const fn of s.turnDoneListeners) fn(done);
    };
    s.deliverer.send(turn.replies.map((r) => ({ body: renderReply(r, to), delayMs: r.delayMs })), onTurnDone);
    return reply.code(200).send({ status: 'ok' });
  });
}

export interface PartnerApiOptions {
  encoding: HandshakeEncoding;
  dispatcher: Dispatcher;
  handshakeTimeoutMs: number;
  legacy: boolean;
}

export function addPartnerApi(app: FastifyInstance, s: SimulatorState, o: PartnerApiOptions): void {
  type WsRequest = FastifyRequest<{ Params: { ws: string } }>;
  const partner =
    (handler: (req: WsRequest, reply: FastifyReply) => Promise<unknown>) =>
    async (req: WsRequest, reply: FastifyReply): Promise<unknown> => {
      if (!bearerMatches(req.headers.authorization, s.partnerKey)) return reply.code(401).send(UNAUTHENTICATED);
      if (req.params.ws !== s.workspaceId) return reply.code(404).send({ status: 'error', message: 'Workspace not found.' });
      return handler(req, reply);
    };
  const info = () => ({
    status: 'ok',
    data: {
      webhook_url: s.webhook?.url ?? null,
      webhook_verification_key: s.webhook?.key ?? null,
      webhook_status: s.webhook ? 'verified' : null,
      bot_url: s.botUrl,
    },
  });
  const setWebhook = partner(async (req, reply) => {
    const json = parseJson(req.body);
    if (!json.ok) return reply.code(400).send({ status: 'error', message: json.message });
    const parsed = SetWebhookRequestSchema.safeParse(json.value ?? {});
    if (!parsed.success) return reply.code(422).send({ status: 'error', message: firstIssue(parsed.error) });
    const { webhook_url: url, webhook_verification_key: key } = parsed.data;
    if (!parseHttpUrl(url)) {
      return reply.code(422).send({ status: 'error', message: 'webhook_url: expected an http or https URL' });
    }
    const outcome = await performHandshake(url, key, { encoding: o.encoding, dispatcher: o.dispatcher, timeoutMs: o.handshakeTimeoutMs });
    if (!outcome.ok) return reply.code(422).send({ status: 'error', message: `Webhook verification failed: ${outcome.reason}` });
    s.webhook = { url, key };
    return reply.send(info());
  });

  const base = '/api/partner/workspace/:ws';
  app.get(`${base}/apichat-webhook`, partner(async (_req, reply) => reply.send(info())));
  app.delete(
    `${base}/remove-apichat-webhook`,
    partner(async (_req, reply) => {
      s.webhook = null;
      return reply.send(info());
    }),
  );
  if (o.legacy) {
    app.post(`${base}/apichat-webhook`, setWebhook);
  } else {
    app.post(`${base}/set-apichat-webhook`, setWebhook);
    // As the platform's router does for a known path with the wrong method.
    app.post(`${base}/apichat-webhook`, async (_req, reply) =>
      reply.code(405).send({ status: 'error', message: 'The POST method is not supported for this route. Supported methods: GET, HEAD.' }),
    );
  }
}
