// Botium 1.15 (botium-core, its generic HTTP/JSON "simplerest" connector) against the same
// platform process as bench:live, in the same run: the baseline the live-mode targets are ratios
// against. Botium posts to the bot URL with the flow key and receives the platform's webhooks on
// its own inbound endpoint (SIMPLEREST_INBOUND_PORT: an express server inside the connector),
// selected by sender_id; it does not check signatures and does not settle: it takes replies in
// the order they arrive. The platform's verification handshake is answered by a stand-in on the
// same port just before Botium starts there (Botium's endpoint cannot echo a challenge).
// botium-core is not a dependency of the project (it brings express, ioredis, … for a benchmark
// only): it is installed once with npm into BOTIUM_DIR (default: <tmp>/apichat-bench-botium).
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync } from 'node:fs';
import { createServer } from 'node:http';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PartnerClient } from '../src/client/index.ts';

export const BOTIUM_VERSION = '1.15.10';

interface BotiumContainer {
  Start(): Promise<unknown>;
  UserSays(msg: { messageText: string; buttons?: Array<{ text: string; payload: string }> }): Promise<unknown>;
  WaitBotSays(): Promise<{ messageText?: string; buttons?: unknown[]; cards?: unknown[] }>;
  Stop(): Promise<unknown>;
  Clean(): Promise<unknown>;
}
interface BotiumCore {
  BotDriver: new (caps: Record<string, unknown>) => { Build(): Promise<BotiumContainer> };
}

export interface PlatformInfo {
  bot_url: string;
  partner_base_url: string;
  workspace_id: string;
  flow_api_key: string;
  partner_api_key: string;
}

/** botium-core, installed on first use (npm, the ordinary client) into BOTIUM_DIR. */
export function loadBotium(): { core: BotiumCore; version: string } {
  const dir = process.env.BOTIUM_DIR ?? join(tmpdir(), `apichat-bench-botium-${BOTIUM_VERSION}`);
  const pkg = join(dir, 'node_modules', 'botium-core', 'package.json');
  if (!existsSync(pkg)) {
    mkdirSync(dir, { recursive: true });
    console.log(`installing botium-core@${BOTIUM_VERSION} into ${dir} (once)…`);
    execFileSync('npm', ['install', '--no-audit', '--no-fund', '--no-save', '--prefix', dir, `botium-core@${BOTIUM_VERSION}`], { stdio: 'ignore' });
  }
  const require = createRequire(join(dir, 'node_modules', 'index.js'));
  return { core: require('botium-core') as BotiumCore, version: (require('botium-core/package.json') as { version: string }).version };
}

/** Registers http://127.0.0.1:port/path as the workspace's webhook, answering the handshake with a stand-in. */
async function registerWebhook(info: PlatformInfo, port: number, path: string): Promise<PartnerClient> {
  const server = createServer((req, res) => {
    let body = '';
    req.on('data', (c: Buffer) => (body += c.toString()));
    req.on('end', () => {
      const url = new URL(req.url ?? '/', 'http://x');
      let challenge = url.searchParams.get('hub_challenge') ?? new URLSearchParams(body).get('hub_challenge') ?? '';
      if (!challenge) {
        try {
          challenge = (JSON.parse(body) as { hub_challenge?: string }).hub_challenge ?? '';
        } catch {
          /* not JSON */
        }
      }
      res.writeHead(200, { 'content-type': 'text/plain' }).end(challenge);
    });
  });
  await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
  const partner = new PartnerClient({ baseUrl: info.partner_base_url, partnerKey: info.partner_api_key, workspaceId: info.workspace_id });
  try {
    await partner.set({ webhook_url: `http://127.0.0.1:${port}${path}`, webhook_verification_key: randomBytes(16).toString('hex') });
  } finally {
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }
  return partner;
}

const BODY = `{
  "content": "{{msg.messageText}}", "message_type": "incoming", "conversation_id": 1,
  "sender": { "id": "{{botium.conversationId}}", "name": "Botium", "email": "", "phone_number": "", "type": "contact" },
  "event": "{{#msg.buttons.0.payload}}message_postback{{/msg.buttons.0.payload}}{{^msg.buttons.0.payload}}message_created{{/msg.buttons.0.payload}}"
  {{#msg.buttons.0.payload}}, "submitted_values": [ { "title": "{{msg.buttons.0.text}}", "payload": "{{msg.buttons.0.payload}}" } ]{{/msg.buttons.0.payload}}
}`;

export interface BotiumSession {
  /** One two-turn conversation (say "hi" → text + buttons, tap "Rooms" → carousel), Start to Stop; its time in ms. */
  conversation(): Promise<number>;
  /** Cleans the container (its inbound endpoint) and removes the webhook. */
  close(): Promise<void>;
}

/**
 * Botium against the platform whose details `info` holds: its webhook registered to Botium's
 * inbound endpoint on `port`. One Botium container, Start/Stop per conversation as
 * botium-bindings do.
 */
export async function startBotium(info: PlatformInfo, port: number): Promise<BotiumSession> {
  const { core } = loadBotium();
  const partner = await registerWebhook(info, port, '/botium');
  const log = console.log;
  console.log = () => {}; // the inbound proxy announces itself on stdout
  let container: BotiumContainer;
  try {
    const driver = new core.BotDriver({
      CONTAINERMODE: 'simplerest',
      SIMPLEREST_URL: info.bot_url,
      SIMPLEREST_METHOD: 'POST',
      SIMPLEREST_HEADERS_TEMPLATE: { Authorization: `Bearer ${info.flow_api_key}` },
      SIMPLEREST_BODY_TEMPLATE: BODY,
      SIMPLEREST_RESPONSE_JSONPATH: '$.text',
      SIMPLEREST_BUTTONS_JSONPATH: '$.content_attributes.buttons[*].title',
      SIMPLEREST_CARDS_JSONPATH: '$.content_attributes.items[*]',
      SIMPLEREST_CARD_TEXT_JSONPATH: '$.title',
      SIMPLEREST_IGNORE_EMPTY: true,
      SIMPLEREST_INBOUND_PORT: port,
      SIMPLEREST_INBOUND_ENDPOINT: '/botium',
      SIMPLEREST_INBOUND_SELECTOR_JSONPATH: '$.body.sender_id',
      SIMPLEREST_INBOUND_SELECTOR_VALUE: '{{botium.conversationId}}',
    });
    container = await driver.Build();
  } finally {
    console.log = log;
  }
  return {
    async conversation() {
      const t = performance.now();
      await container.Start();
      await container.UserSays({ messageText: 'hi' });
      const greeting = await container.WaitBotSays();
      const menu = await container.WaitBotSays();
      // The platform sends a turn's replies concurrently: they may come in either order.
      const texts = [greeting.messageText, menu.messageText].sort();
      if (texts[0] !== 'Hello! I am a bench bot.' || texts[1] !== 'What would you like to do?') {
        throw new Error(`Botium got ${JSON.stringify([greeting.messageText, menu.messageText])}`);
      }
      await container.UserSays({ messageText: 'Rooms', buttons: [{ text: 'Rooms', payload: 'ROOMS' }] });
      const carousel = await container.WaitBotSays();
      if (carousel.messageText !== 'Our rooms') throw new Error(`Botium got ${JSON.stringify(carousel.messageText)} for the carousel`);
      await container.Stop();
      return performance.now() - t;
    },
    async close() {
      await container.Clean();
      await partner.remove().catch(() => undefined);
    },
  };
}
