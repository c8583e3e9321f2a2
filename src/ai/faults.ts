// Everything that can go wrong talking to a model, as one ApiChatError line that names the
// variable to check. The server's own words are kept (they often say what is wrong) but cut to
// one line, and any key is masked: OpenAI's 401 body even quotes part of the key, so a 401 shows
// none of the body.
import type { APIError } from 'openai';
import { ApiChatError, redact } from '../base/errors.ts';
import { errorCode, failureKind } from '../base/net-errors.ts';
import { oneLine } from '../base/text.ts';
import type { AiConfig, ModelVariable } from './config.ts';

/** The SDK's error classes, from the module the client loaded (src/ai/client.ts loads it on first use). */
export type SdkErrors = Pick<typeof import('openai'), 'APIConnectionError' | 'APIConnectionTimeoutError' | 'APIError' | 'APIUserAbortError'>;

interface Where {
  model: string;
  variable: ModelVariable;
  endpoint: string;
  config: AiConfig;
}

/** Anything shaped like a key (OpenAI's sk-…, a Bearer value) and the configured key itself. */
export function maskKeys(text: string, config: Pick<AiConfig, 'apiKey'>): string {
  return redact(text, [config.apiKey])
    .replace(/\b(sk|rk|pk)-[A-Za-z0-9_*.-]{4,}/g, '***')
    .replace(/Bearer\s+\S+/gi, 'Bearer ***');
}

function server(c: AiConfig): string {
  return c.baseUrl ?? 'https://api.openai.com/v1 (APICHAT_AI_URL unset)';
}

function keyVariable(c: AiConfig): string {
  if (c.keySource === 'OPENAI_API_KEY') return 'APICHAT_AI_API_KEY (the key now comes from OPENAI_API_KEY)';
  if (c.keySource === undefined) return 'APICHAT_AI_API_KEY (none is set, so a placeholder was sent)';
  return 'APICHAT_AI_API_KEY';
}

/** The server's message of an error body, whatever its shape ({error:{message}}, {error:"…"}, {message}, {detail}). */
function serverMessage(body: unknown, fallback: string): string {
  const b = body as { error?: unknown; message?: unknown; detail?: unknown } | undefined;
  const inner = typeof b?.error === 'object' && b.error !== null ? (b.error as { message?: unknown }).message : b?.error;
  const m = inner ?? b?.message ?? b?.detail ?? (b && Object.keys(b).length > 0 ? JSON.stringify(b) : undefined);
  return typeof m === 'string' && m.trim() !== '' ? m : fallback;
}

/** A 404 for a model (OpenAI's code model_not_found; Ollama and vLLM say "model … not found / does not exist") vs. a wrong path. */
function isUnknownModel(e: APIError, text: string): boolean {
  return e.code === 'model_not_found' || /model/i.test(text);
}

export const modelFault = {
  fromSdk(e: unknown, w: Where, sdk: SdkErrors): ApiChatError {
    if (e instanceof ApiChatError) return e;
    const { APIConnectionError, APIConnectionTimeoutError, APIError, APIUserAbortError } = sdk;
    const at = `${server(w.config)} (${w.endpoint})`;
    const quote = (s: string): string => JSON.stringify(oneLine(maskKeys(s, w.config), 200));
    if (e instanceof APIUserAbortError || e instanceof APIConnectionTimeoutError) {
      return new ApiChatError('APICHAT_AI_TIMEOUT', `the model ${JSON.stringify(w.model)} at ${at} did not answer within ${w.config.timeoutMs} ms; raise APICHAT_AI_TIMEOUT_MS or use a faster model`, { variable: 'APICHAT_AI_TIMEOUT_MS' });
    }
    if (e instanceof APIConnectionError) {
      const code = errorCode(e.cause ?? e);
      const kind = failureKind(code);
      const what = kind === 'refused' ? 'refused the connection' : kind === 'dns' || kind === 'dns-temporary' ? 'has a host name that does not resolve' : kind === 'timeout' || kind === 'connect-timeout' ? 'did not accept a connection in time' : `cannot be reached (${code ?? oneLine(maskKeys(String((e.cause as Error | undefined)?.message ?? e.message), w.config), 120)})`;
      return new ApiChatError('APICHAT_AI_UNREACHABLE', `the model server ${server(w.config)} ${what}; check APICHAT_AI_URL and that the server runs`, { variable: 'APICHAT_AI_URL' });
    }
    if (e instanceof APIError && typeof e.status === 'number') {
      const status = e.status;
      const text = serverMessage(e.error, e.message);
      if (status === 401 || status === 403) {
        return new ApiChatError('APICHAT_AI_AUTH', `the model server ${server(w.config)} refused the key (${status}); check ${keyVariable(w.config)}`, { variable: 'APICHAT_AI_API_KEY' });
      }
      if (status === 404 && w.model !== '' && isUnknownModel(e, text)) {
        return new ApiChatError('APICHAT_AI_MODEL_NOT_FOUND', `the model server ${server(w.config)} does not know the model ${JSON.stringify(w.model)} (404: ${quote(text)}); check ${w.variable}`, { variable: w.variable });
      }
      if (status === 404) {
        return new ApiChatError('APICHAT_AI_UNREACHABLE', `${at} answered 404 (${quote(text)}); check APICHAT_AI_URL: an OpenAI-compatible base URL, usually ending in /v1`, { variable: 'APICHAT_AI_URL' });
      }
      if (status === 429 || status >= 500) {
        return new ApiChatError('APICHAT_AI_UNAVAILABLE', `the model server ${server(w.config)} answered ${status} (${quote(text)}) after 3 attempts; retry later, or run fewer scenarios at once`);
      }
      return new ApiChatError('APICHAT_AI_REJECTED', `the model server ${server(w.config)} rejected the request to ${w.endpoint} with ${status}: ${quote(text)}; check ${w.variable} (the model must support json_schema output)`, { variable: w.variable });
    }
    // Not an HTTP answer the SDK could read (e.g. a 200 whose body is not JSON).
    const message = e instanceof Error ? e.message : String(e);
    return modelFault.badOutput(w, w.endpoint, message);
  },

  /** The model answered, but not the JSON asked for: quote its first 200 characters. */
  badOutput(w: Pick<Where, 'model' | 'variable' | 'config'>, endpoint: string, content: string): ApiChatError {
    // The config is required: the quoted content is the one place a model could echo the key.
    const shown = maskKeys(content, w.config);
    const first = shown.slice(0, 200).replace(/\s+/g, ' ') + (shown.length > 200 ? '…' : '');
    return new ApiChatError(
      'APICHAT_AI_BAD_OUTPUT',
      `the model ${JSON.stringify(w.model)} (${w.variable}) answered ${endpoint} with something that is not the JSON asked for: ${JSON.stringify(first)}; use a model that supports structured output (json_schema)`,
      { variable: w.variable },
    );
  },
};
