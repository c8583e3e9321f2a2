// PartnerClient: the workspace's one API Chat webhook through the partner API (get / set / remove),
// authenticated with the partner API key. Every failure becomes a PartnerClientError naming the
// variable to check; neither the partner key nor the webhook verification key ever appears in one.
import type { Dispatcher } from 'undici';
import { partnerPaths, PartnerResponseSchema, type PartnerResponse, type WebhookInfo } from '../protocol/index.ts';
import { PartnerClientError, PartnerErrorCode } from './errors.ts';
import { mayHaveArrived, sendHttp, sharedAgent, TransportError, type HttpResult, type TransportOptions } from './http.ts';
import { parseBody, platformMessage } from './response.ts';
import { parseHttpUrl } from '../base/url.ts';

/** `timeoutMs` is the deadline of get and remove. */
export interface PartnerClientOptions extends TransportOptions {
  /** e.g. https://www.uchat.com.au/api (with or without a trailing slash). */
  baseUrl: string;
  partnerKey: string;
  workspaceId: string;
  /** Deadline of set, which waits for the platform's handshake with the webhook. Default 30000 (or timeoutMs if larger). */
  setTimeoutMs?: number;
}

export interface SetWebhookInput {
  webhook_url: string;
  webhook_verification_key: string;
}

export const PARTNER_BASE_URL_VAR = 'APICHAT_PARTNER_BASE_URL';
export const PARTNER_KEY_VAR = 'APICHAT_PARTNER_API_KEY';
export const WORKSPACE_ID_VAR = 'APICHAT_WORKSPACE_ID';
export const PUBLIC_URL_VAR = 'APICHAT_PUBLIC_URL';

type Op = 'get' | 'set' | 'remove';
const METHOD = { get: 'GET', set: 'POST', remove: 'DELETE' } as const;

const HANDSHAKE_HINT = `the platform must reach ${PUBLIC_URL_VAR} and get the challenge back from a running listener`;

export class PartnerClient {
  readonly baseUrl: string;
  readonly workspaceId: string;
  readonly timeoutMs: number;
  readonly setTimeoutMs: number;
  readonly #partnerKey: string;
  readonly #dispatcher: Dispatcher;

  constructor(opts: PartnerClientOptions) {
    this.baseUrl = checkBaseUrl(opts.baseUrl);
    this.workspaceId = opts.workspaceId;
    this.#partnerKey = opts.partnerKey;
    this.timeoutMs = opts.timeoutMs ?? 10_000;
    this.setTimeoutMs = opts.setTimeoutMs ?? Math.max(this.timeoutMs, 30_000);
    this.#dispatcher = opts.dispatcher ?? sharedAgent();
  }

  /** The workspace's current webhook (`{}` when the platform returns no data). */
  async get(): Promise<WebhookInfo> {
    const secrets = [this.#partnerKey];
    const path = partnerPaths.get(this.workspaceId);
    const res = await this.#call('get', path, undefined, secrets);
    return this.#interpret('get', path, res, secrets)?.data ?? {};
  }

  /**
   * Register a webhook (replacing the workspace's current one). The platform performs the
   * verification handshake against `webhook_url` before it answers, so the listener must be up.
   * Falls back once to the older `POST .../apichat-webhook` when the current path answers 404.
   */
  async set(req: SetWebhookInput): Promise<WebhookInfo> {
    const secrets = [this.#partnerKey, req.webhook_verification_key];
    const body = JSON.stringify({ webhook_url: req.webhook_url, webhook_verification_key: req.webhook_verification_key });
    let path = partnerPaths.set(this.workspaceId);
    let res = await this.#call('set', path, body, secrets);
    if (res.status === 404) {
      path = partnerPaths.setLegacy(this.workspaceId);
      res = await this.#call('set', path, body, secrets);
    }
    return this.#interpret('set', path, res, secrets)?.data ?? {};
  }

  /** Remove the workspace's webhook. */
  async remove(): Promise<void> {
    const secrets = [this.#partnerKey];
    const path = partnerPaths.remove(this.workspaceId);
    const res = await this.#call('remove', path, undefined, secrets);
    this.#interpret('remove', path, res, secrets);
  }

  #url(path: string): URL {
    return new URL(this.baseUrl.replace(/\/+$/, '') + path);
  }

  async #call(op: Op, path: string, body: string | undefined, secrets: string[]): Promise<HttpResult> {
    const headers: Record<string, string> = {
      authorization: `Bearer ${this.#partnerKey}`,
      accept: 'application/json',
    };
    if (body !== undefined) headers['content-type'] = 'application/json';
    try {
      return await sendHttp({
        url: this.#url(path),
        method: METHOD[op],
        headers,
        body,
        timeoutMs: op === 'set' ? this.setTimeoutMs : this.timeoutMs,
        dispatcher: this.#dispatcher,
        secrets,
      });
    } catch (err) {
      if (!(err instanceof TransportError)) throw err;
      const notResent = mayHaveArrived(err.kind) ? '; not re-sent (the platform may have received it)' : '';
      let fix = `is ${PARTNER_BASE_URL_VAR} right and the platform up?`;
      if (err.kind === 'dns') fix = `check the host in ${PARTNER_BASE_URL_VAR}`;
      if (op === 'set' && err.kind === 'timeout') {
        fix = `set waits for the webhook handshake: ${HANDSHAKE_HINT}`;
      }
      throw new PartnerClientError(PartnerErrorCode.UNAVAILABLE, `partner API ${op}: ${err.message}${notResent} — ${fix}`, {
        variable: op === 'set' && err.kind === 'timeout' ? PUBLIC_URL_VAR : PARTNER_BASE_URL_VAR,
        cause: err,
        attempts: err.attempts,
      });
    }
  }

  /** Turn an HTTP answer into the parsed body (null: an empty 2xx body, accepted for remove), or throw. */
  #interpret(op: Op, path: string, res: HttpResult, secrets: string[]): PartnerResponse | null {
    const { status } = res;
    const details = { status, attempts: res.attempts };
    const request = `${METHOD[op]} ${this.#url(path).pathname}`;

    if (status === 401 || status === 403) {
      throw new PartnerClientError(
        PartnerErrorCode.AUTH,
        `the partner API refused the partner key (HTTP ${status} on ${op}): check ${PARTNER_KEY_VAR}`,
        { ...details, variable: PARTNER_KEY_VAR },
      );
    }
    if (status === 404) {
      const tried =
        op === 'set'
          ? `POST ${this.#url(partnerPaths.set(this.workspaceId)).pathname} and on the older ${request}`
          : request;
      throw new PartnerClientError(
        PartnerErrorCode.NOT_FOUND,
        `the partner API found no such workspace or path (HTTP 404 on ${tried}): check ${WORKSPACE_ID_VAR} and ${PARTNER_BASE_URL_VAR} (it ends in /api, e.g. https://www.uchat.com.au/api)`,
        { ...details, variable: WORKSPACE_ID_VAR },
      );
    }
    if (status >= 500) {
      const hint = op === 'set' ? ` (set also fails when ${HANDSHAKE_HINT.replace(/^the platform must/, 'the platform cannot')})` : '';
      throw new PartnerClientError(
        PartnerErrorCode.UNAVAILABLE,
        `the partner API failed on ${op} (HTTP ${status}: ${platformMessage(res.text, res.contentType, secrets)}); not re-sent — is the platform up and ${PARTNER_BASE_URL_VAR} right?${hint}`,
        { ...details, variable: PARTNER_BASE_URL_VAR },
      );
    }
    if (status < 200 || status >= 300) throw this.#rejected(op, res, secrets);

    if (op === 'remove' && res.text.trim() === '') return null;
    const body = parseBody(res.text, res.contentType);
    const parsed = PartnerResponseSchema.safeParse(body);
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      const what =
        typeof body === 'string'
          ? `${res.contentType || 'no content type'}: ${platformMessage(res.text, '', secrets, 80)}`
          : `JSON of another shape: ${issue ? `${issue.path.join('.') || 'body'}: ${issue.message}` : 'unexpected'}`;
      throw new PartnerClientError(
        PartnerErrorCode.BAD_RESPONSE,
        `the partner API answered ${op} with something that is not its JSON (HTTP ${status}, ${what}): check ${PARTNER_BASE_URL_VAR} (it ends in /api, e.g. https://www.uchat.com.au/api)`,
        { ...details, variable: PARTNER_BASE_URL_VAR, cause: parsed.error },
      );
    }
    if (parsed.data.status.toLowerCase() !== 'ok') throw this.#rejected(op, res, secrets);
    return parsed.data;
  }

  #rejected(op: Op, res: HttpResult, secrets: string[]): PartnerClientError {
    const said = platformMessage(res.text, res.contentType, secrets);
    const fix =
      op === 'set'
        ? `${HANDSHAKE_HINT} that uses the same APICHAT_WEBHOOK_SECRET`
        : `check ${WORKSPACE_ID_VAR} and ${PARTNER_KEY_VAR}`;
    return new PartnerClientError(
      PartnerErrorCode.REJECTED,
      `the partner API rejected ${op} (HTTP ${res.status}: ${said}): ${fix}`,
      { status: res.status, attempts: res.attempts, variable: op === 'set' ? PUBLIC_URL_VAR : WORKSPACE_ID_VAR },
    );
  }
}

function checkBaseUrl(value: string): string {
  if (!parseHttpUrl(value)) {
    throw new PartnerClientError(
      PartnerErrorCode.URL_INVALID,
      `the partner base URL is not an http(s) URL: set ${PARTNER_BASE_URL_VAR} like https://www.uchat.com.au/api`,
      { variable: PARTNER_BASE_URL_VAR },
    );
  }
  return value;
}
