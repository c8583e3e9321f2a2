// The embedded platform: the bot URL a tester posts user messages to, the partner API that
// registers the workspace's one webhook (with the real handshake), and a scripted bot whose
// replies are signed and delivered to that webhook exactly as the platform does it.
// The routes are routes.ts; this file wires them to one state and binds the port.
import { randomBytes, randomInt } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import type { FastifyInstance } from 'fastify';
import { Agent } from 'undici';
import { ApiChatError } from '../base/errors.ts';
import { createApp, urlHost } from './app.ts';
import { DEMO_BOT_PATH, loadBotFile } from './bot-file.ts';
import { Deliverer, type DeliveryRecord, type UndeliveredRecord, type Webhook } from './delivery.ts';
import { BotEngine } from './engine.ts';
import { checkOptions, type SimulatorOptions } from './options.ts';
import { addBotUrl, addPartnerApi, type ReceivedRecord, type SimulatorState, type TurnDone } from './routes.ts';

export type { SimulatorOptions } from './options.ts';
export type { ReceivedRecord, TurnDone } from './routes.ts';

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
  /** Calls `fn` whenever every reply of a turn has been delivered; returns the unsubscribe. */
  onTurnDone(fn: (done: TurnDone) => void): () => void;
  close(): Promise<void>;
}

export async function startSimulator(opts: SimulatorOptions = {}): Promise<Simulator> {
  checkOptions(opts);
  const definition = typeof opts.bot === 'string' || opts.bot === undefined ? await loadBotFile(opts.bot ?? DEMO_BOT_PATH) : opts.bot;
  const host = opts.host ?? '127.0.0.1';
  const jitterMs = opts.jitterMs ?? 10;
  const agent = new Agent({ keepAliveTimeout: 4000, keepAliveMaxTimeout: 10_000 });
  const state: SimulatorState = {
    code: randomBytes(12).toString('hex'),
    flowKey: opts.flowKey ?? randomBytes(20).toString('hex'),
    partnerKey: opts.partnerKey ?? randomBytes(20).toString('hex'),
    workspaceId: opts.workspaceId ?? String(randomInt(100_000, 1_000_000)),
    engine: new BotEngine(definition),
    deliverer: new Deliverer({
      jitterMs,
      ordered: opts.ordered ?? false,
      prettyJson: opts.prettyJson ?? false,
      dispatcher: agent,
      webhook: () => state.webhook,
      timeoutMs: opts.deliveryTimeoutMs ?? 10_000,
      random: opts.random,
    }),
    received: [],
    convIds: new Map(),
    turns: new Map(),
    turnDoneListeners: new Set(),
    nextConvId: randomInt(10_000, 90_000),
    webhook: null,
    botUrl: '',
  };
  const { deliverer, engine } = state;

  const app = createApp();
  addBotUrl(app, state);
  addPartnerApi(app, state, {
    encoding: opts.handshakeEncoding ?? 'form',
    dispatcher: agent,
    handshakeTimeoutMs: opts.handshakeTimeoutMs ?? 5000,
    legacy: opts.legacyPartnerApi ?? false,
  });
  try {
    await app.listen({ host, port: opts.port ?? 0 });
  } catch (e) {
    await agent.close().catch(() => undefined);
    throw new ApiChatError('APICHAT_LISTEN', `the simulator cannot listen on ${host}:${opts.port ?? 0}: ${(e as Error).message}`, { cause: e });
  }
  const address = app.server.address() as AddressInfo;
  const origin = `http://${urlHost(host)}:${address.port}`;
  state.botUrl = `${origin}/api/apichat/${state.code}`;

  let closing: Promise<void> | null = null;
  return {
    botUrl: state.botUrl,
    partnerBaseUrl: `${origin}/api`,
    flowKey: state.flowKey,
    partnerKey: state.partnerKey,
    workspaceId: state.workspaceId,
    deliverySpreadMs: jitterMs,
    deliveries: deliverer.deliveries,
    undelivered: deliverer.undelivered,
    received: state.received,
    get webhook() {
      return state.webhook;
    },
    engine,
    app,
    conversationIdOf: (senderId) => state.convIds.get(senderId),
    idle: () => deliverer.idle(),
    onTurnDone(fn) {
      state.turnDoneListeners.add(fn);
      return () => void state.turnDoneListeners.delete(fn);
    },
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
