// A small real webhook for the simulator tests: node:http on 127.0.0.1, raw bytes kept,
// handshake answered with the protocol helpers, every delivery's signature checked.
import { createServer, type IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';
import { answerHandshake, parseHandshake, verify, SIGNATURE_HEADER } from '../../src/protocol/index.ts';

export interface ReceivedDelivery {
  raw: Buffer;
  signature: string | undefined;
  contentType: string | undefined;
  json: unknown;
  verified: boolean;
}

export interface ReceivedHandshake {
  contentType: string | undefined;
  query: Record<string, string>;
  body: string;
}

export interface Receiver {
  url: string;
  key: string;
  deliveries: ReceivedDelivery[];
  handshakes: ReceivedHandshake[];
  /** How the next handshakes / deliveries are answered. */
  behaviour: { handshake: 'answer' | 'wrong-challenge' | 'status-403'; deliveryStatus: number };
  /** Called for every delivery, after it was recorded. */
  onDelivery?: (d: ReceivedDelivery) => void;
  close(): Promise<void>;
}

function readBody(req: IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => resolve(Buffer.concat(chunks)));
    req.on('error', reject);
  });
}

export async function startReceiver(key: string, path = '/webhook'): Promise<Receiver> {
  const receiver: Receiver = {
    url: '',
    key,
    deliveries: [],
    handshakes: [],
    behaviour: { handshake: 'answer', deliveryStatus: 200 },
    close: async () => undefined,
  };
  const server = createServer(async (req, res) => {
    const raw = await readBody(req);
    const u = new URL(req.url ?? '/', 'http://x');
    const query = Object.fromEntries(u.searchParams);
    const contentType = req.headers['content-type'];
    const hs = parseHandshake(raw, contentType, query);
    if (hs) {
      receiver.handshakes.push({ contentType, query, body: raw.toString('utf8') });
      if (receiver.behaviour.handshake === 'status-403') {
        res.writeHead(403).end('forbidden');
        return;
      }
      const answer = answerHandshake(hs, receiver.key);
      if (!answer.ok) {
        res.writeHead(403).end(answer.reason);
        return;
      }
      res.writeHead(200, { 'content-type': 'text/plain' });
      res.end(receiver.behaviour.handshake === 'wrong-challenge' ? `"${answer.challenge}"` : answer.challenge);
      return;
    }
    const signature = req.headers[SIGNATURE_HEADER] as string | undefined;
    let json: unknown;
    try {
      json = JSON.parse(raw.toString('utf8'));
    } catch {
      json = undefined;
    }
    const d: ReceivedDelivery = { raw, signature, contentType, json, verified: verify(raw, signature, receiver.key).ok };
    receiver.deliveries.push(d);
    receiver.onDelivery?.(d);
    res.writeHead(receiver.behaviour.deliveryStatus).end();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  receiver.url = `http://127.0.0.1:${port}${path}`;
  receiver.close = () =>
    new Promise<void>((resolve) => {
      server.closeAllConnections();
      server.close(() => resolve());
    });
  return receiver;
}

export { closedPort } from '../support/net.ts';

export const ann = { id: 'user-ann', name: 'Ann', email: '', phone_number: '', type: 'contact' as const };
