// The platform's side of the verification handshake: before a webhook is accepted, POST
// hub_mode=subscribe, hub_verify_token=<key>, hub_challenge=<random hex> to it and expect a
// 2xx whose body is the bare challenge. The page does not say how the three are encoded, so
// the simulator can send them as a form body, a JSON body or query parameters.
import { randomBytes } from 'node:crypto';
import { request, type Dispatcher } from 'undici';
import { redact } from '../base/errors.ts';
import { truncate } from '../base/text.ts';
import { describeRequestError } from './delivery.ts';

export const HANDSHAKE_ENCODINGS = ['form', 'json', 'query'] as const;
export type HandshakeEncoding = (typeof HANDSHAKE_ENCODINGS)[number];

export type HandshakeOutcome = { ok: true; challenge: string } | { ok: false; reason: string };

export async function performHandshake(
  webhookUrl: string,
  key: string,
  opts: { encoding: HandshakeEncoding; dispatcher: Dispatcher; timeoutMs: number },
): Promise<HandshakeOutcome> {
  const challenge = randomBytes(16).toString('hex');
  const params = { hub_mode: 'subscribe', hub_verify_token: key, hub_challenge: challenge };
  let target = webhookUrl;
  let body: string | undefined;
  const headers: Record<string, string> = { 'user-agent': 'apichat-bdd-simulator' };
  if (opts.encoding === 'form') {
    body = new URLSearchParams(params).toString();
    headers['content-type'] = 'application/x-www-form-urlencoded';
  } else if (opts.encoding === 'json') {
    body = JSON.stringify(params);
    headers['content-type'] = 'application/json';
  } else {
    const u = new URL(webhookUrl);
    for (const [k, v] of Object.entries(params)) u.searchParams.set(k, v);
    target = u.toString();
  }
  try {
    const res = await request(target, {
      method: 'POST',
      headers,
      ...(body !== undefined ? { body } : {}),
      dispatcher: opts.dispatcher,
      headersTimeout: opts.timeoutMs,
      bodyTimeout: opts.timeoutMs,
    });
    const text = await res.body.text();
    if (res.statusCode < 200 || res.statusCode > 299) return { ok: false, reason: `status ${res.statusCode}` };
    if (text.trim() !== challenge) {
      const got = truncate(redact(text, [key]), 80);
      return { ok: false, reason: `wrong challenge (expected the bare challenge string as the body, got ${JSON.stringify(got)})` };
    }
    return { ok: true, challenge };
  } catch (e) {
    return { ok: false, reason: redact(describeRequestError(e, opts.timeoutMs), [key]) };
  }
}
