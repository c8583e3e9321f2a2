// BotClient: POSTs the bot user's messages (built with src/protocol/incoming.ts) to the bot URL,
// authenticated with the flow API key. Every failure becomes a BotClientError naming the variable
// to check; the flow key never appears in a message.
import type { Dispatcher } from 'undici';
import type { Incoming } from '../protocol/index.ts';
import { BotClientError, BotErrorCode } from './errors.ts';
import { setTimeout as sleep } from 'node:timers/promises';
import { hostPort, mayHaveArrived, retryAfterMs, sendHttp, sharedAgent, TransportError, type HttpResult, type TransportOptions } from './http.ts';
import { parseBody, platformMessage } from './response.ts';
import { parseHttpUrl } from '../base/url.ts';

export interface BotClientOptions extends TransportOptions {
  botUrl: string;
  flowKey: string;
}

export interface BotResponse {
  status: number;
  /** The parsed JSON body, or the text when it is not JSON. */
  body: unknown;
}

export const BOT_URL_VAR = 'APICHAT_BOT_URL';
export const FLOW_KEY_VAR = 'APICHAT_FLOW_API_KEY';
/** The pause after a 429 that gives no Retry-After. */
const DEFAULT_429_WAIT_MS = 1_000;


export class BotClient {
  readonly url: URL;
  readonly timeoutMs: number;
  readonly #flowKey: string;
  readonly #dispatcher: Dispatcher;

  constructor(opts: BotClientOptions) {
    this.url = botUrlOf(opts.botUrl);
    this.#flowKey = opts.flowKey;
    this.timeoutMs = opts.timeoutMs ?? 10_000;
    this.#dispatcher = opts.dispatcher ?? sharedAgent();
  }

  /**
   * POST one incoming message. Resolves on 2xx; never sends the same message twice, except after
   * a 429 (the bot did not take it), after the wait Retry-After asks for, within `timeoutMs`.
   */
  async send(message: Incoming): Promise<BotResponse> {
    const started = Date.now();
    const where = hostPort(this.url);
    for (let tries = 1; ; tries++) {
      const res = await this.#post(message, this.timeoutMs - (Date.now() - started));
      if (res.status !== 429) return this.#interpret(res);
      const wait = retryAfterMs(res.retryAfter) ?? DEFAULT_429_WAIT_MS;
      const left = this.timeoutMs - (Date.now() - started);
      if (wait >= left) {
        const asked = res.retryAfter === undefined ? 'no Retry-After' : `Retry-After ${res.retryAfter}`;
        throw new BotClientError(
          BotErrorCode.RATE_LIMITED,
          `the bot URL is rate limiting the tests (HTTP 429 from ${where}, ${asked}, after ${tries} tr${tries === 1 ? 'y' : 'ies'}): waiting longer would pass the ${this.timeoutMs} ms deadline — run fewer scenarios at once (--parallel) or raise APICHAT_REPLY_TIMEOUT_MS`,
          { status: 429, attempts: tries, variable: 'APICHAT_REPLY_TIMEOUT_MS' },
        );
      }
      await sleep(wait);
    }
  }

  async #post(message: Incoming, timeoutMs: number): Promise<HttpResult> {
    const secrets = [this.#flowKey];
    try {
      return await sendHttp({
        url: this.url,
        method: 'POST',
        headers: {
          authorization: `Bearer ${this.#flowKey}`,
          'content-type': 'application/json',
          accept: 'application/json',
        },
        body: JSON.stringify(message),
        timeoutMs: Math.max(1, timeoutMs),
        // What is left of the send's deadline (after a 429's wait, or a ms of load): the message names the deadline itself.
        deadlineMs: this.timeoutMs,
        dispatcher: this.#dispatcher,
        secrets,
      });
    } catch (err) {
      if (!(err instanceof TransportError)) throw err;
      const notResent = mayHaveArrived(err.kind) ? '; the message was not re-sent (the bot may have received it)' : '';
      const fix =
        err.kind === 'dns'
          ? `check the host in ${BOT_URL_VAR}`
          : `is the bot URL right (${BOT_URL_VAR}) and the platform up?`;
      throw new BotClientError(BotErrorCode.UNAVAILABLE, `${err.message}${notResent} — ${fix}`, {
        variable: BOT_URL_VAR,
        cause: err,
        attempts: err.attempts,
      });
    }
  }

  #interpret(res: HttpResult): BotResponse {
    const secrets = [this.#flowKey];
    const where = hostPort(this.url);
    const { status } = res;
    if (status >= 200 && status < 300) return { status, body: parseBody(res.text, res.contentType) };

    const details = { status, attempts: res.attempts };
    if (status === 401 || status === 403) {
      throw new BotClientError(
        BotErrorCode.AUTH,
        `the bot URL refused the flow key (HTTP ${status}): check ${FLOW_KEY_VAR} (it needs the manage flow permission)`,
        { ...details, variable: FLOW_KEY_VAR },
      );
    }
    if (status === 404) {
      throw new BotClientError(
        BotErrorCode.NOT_FOUND,
        `no bot at the bot URL (HTTP 404 from ${where}): check ${BOT_URL_VAR} (it is the bot_url the partner API returns)`,
        { ...details, variable: BOT_URL_VAR },
      );
    }
    const said = platformMessage(res.text, res.contentType, secrets);
    if (status >= 500) {
      throw new BotClientError(
        BotErrorCode.UNAVAILABLE,
        `the platform failed at ${where} (HTTP ${status}: ${said}); the message was not re-sent — is the platform up and ${BOT_URL_VAR} right?`,
        { ...details, variable: BOT_URL_VAR },
      );
    }
    if (status >= 300 && status < 400) {
      throw new BotClientError(
        BotErrorCode.REJECTED,
        `the bot URL answered with a redirect (HTTP ${status}): set ${BOT_URL_VAR} to the final URL (https?)`,
        { ...details, variable: BOT_URL_VAR },
      );
    }
    throw new BotClientError(
      BotErrorCode.REJECTED,
      `the bot URL rejected the message (HTTP ${status}: ${said}): check the message and ${BOT_URL_VAR}`,
      { ...details, variable: BOT_URL_VAR },
    );
  }
}

function botUrlOf(value: string): URL {
  const url = parseHttpUrl(value);
  if (!url) {
    throw new BotClientError(
      BotErrorCode.URL_INVALID,
      `the bot URL is not an http(s) URL: set ${BOT_URL_VAR} to the bot_url, e.g. https://bot.dfktv2.com/api/apichat/<code>`,
      { variable: BOT_URL_VAR },
    );
  }
  return url;
}
