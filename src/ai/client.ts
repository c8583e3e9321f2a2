// The one model client: the official `openai` SDK against any OpenAI-compatible server (OpenAI,
// Azure's /openai/v1, Ollama, vLLM, LM Studio). Two calls, the wire contract of docs/ai.md:
//   chat completions with temperature 0 and a json_schema response format;
//   embeddings with a list of inputs.
// Every fault becomes one ApiChatError line naming the variable to check (src/ai/faults.ts);
// the key never appears in any output. 429 and 5xx are retried by the SDK (maxRetries 2, with
// its backoff and Retry-After), all inside one deadline, APICHAT_AI_TIMEOUT_MS, so a step fails
// with our message before Cucumber's step timeout.
// The SDK (about 150 modules) is loaded on the first call, not with this file: every Cucumber
// process imports the AI layer, and most runs never ask a model anything.
import type OpenAI from 'openai';
import type { AiConfig, ModelVariable } from './config.ts';
import { modelFault, type SdkErrors } from './faults.ts';

export interface ChatMessage {
  role: 'system' | 'user' | 'assistant';
  content: string;
}

/** A JSON schema for `response_format: { type: 'json_schema' }`. */
export interface JsonSchemaFormat {
  name: string;
  schema: Record<string, unknown>;
  /** OpenAI's strict mode: every property required, no others (default true). */
  strict?: boolean;
}

export interface ModelCall {
  model: string;
  /** The variable that named the model, for an "unknown model" error. */
  variable: ModelVariable;
}

export const MAX_RETRIES = 2;
/** The URL the SDK uses when APICHAT_AI_URL is unset, given explicitly so that OPENAI_BASE_URL cannot redirect it unseen. */
export const OPENAI_URL = 'https://api.openai.com/v1';

/**
 * The SDK hands back a body as text when the server did not say `Content-Type: application/json`
 * (small hand-written servers often do not): read it as JSON then, if it is.
 */
function lenient(res: unknown): unknown {
  if (typeof res !== 'string') return res;
  try {
    return JSON.parse(res);
  } catch {
    return res;
  }
}

export class ModelClient {
  private loaded: Promise<{ sdk: OpenAI; errors: SdkErrors }> | undefined;
  /** Requests sent (one per call; the SDK's retries of a call are not counted again). */
  calls = 0;

  constructor(
    readonly config: AiConfig,
    private readonly options: { fetch?: typeof fetch } = {},
  ) {}

  /** The SDK's client, made on first use. */
  private load(): Promise<{ sdk: OpenAI; errors: SdkErrors }> {
    return (this.loaded ??= import('openai').then((m) => ({
      errors: m,
      sdk: new m.default({
        apiKey: this.config.apiKey,
        baseURL: this.config.baseUrl ?? OPENAI_URL,
        timeout: this.config.timeoutMs,
        maxRetries: MAX_RETRIES,
        organization: null,
        project: null,
        logLevel: 'off',
        ...(this.options.fetch ? { fetch: this.options.fetch } : {}),
      }),
    })));
  }

  /** The model's content (a string meant to be JSON); parsing is the caller's. */
  async chatJson(call: ModelCall, messages: ChatMessage[], format: JsonSchemaFormat): Promise<string> {
    const res = await this.run(call, 'chat/completions', (sdk, signal) =>
      sdk.chat.completions.create(
        {
          model: call.model,
          temperature: 0,
          messages,
          response_format: { type: 'json_schema', json_schema: { name: format.name, schema: format.schema, strict: format.strict ?? true } },
        },
        { signal },
      ),
    );
    const body = lenient(res) as { choices?: Array<{ message?: { content?: unknown } }> };
    const content = body?.choices?.[0]?.message?.content;
    if (typeof content === 'string') return content;
    // Some servers put the parsed JSON object there; anything else is quoted by the caller.
    return content !== null && typeof content === 'object' ? JSON.stringify(content) : JSON.stringify(body ?? null).slice(0, 400);
  }

  /** One vector per input, in input order. */
  async embed(call: ModelCall, inputs: string[]): Promise<number[][]> {
    const res = await this.run(call, 'embeddings', (sdk, signal) => sdk.embeddings.create({ model: call.model, input: inputs, encoding_format: 'float' }, { signal }));
    const body = lenient(res) as { data?: Array<{ index: number; embedding: number[] }> };
    const data = [...(body?.data ?? [])].sort((a, b) => (a.index ?? 0) - (b.index ?? 0));
    const vectors = data.map((d) => d.embedding);
    if (vectors.length !== inputs.length || vectors.some((v) => !Array.isArray(v) || v.length === 0 || v.some((x) => typeof x !== 'number'))) {
      throw modelFault.badOutput({ ...call, config: this.config }, 'embeddings', `expected ${inputs.length} embedding${inputs.length === 1 ? '' : 's'} of numbers, got ${JSON.stringify(body ?? null).slice(0, 200)}`);
    }
    return vectors;
  }

  private async run<T>(call: ModelCall, endpoint: string, send: (sdk: OpenAI, signal: AbortSignal) => Promise<T>): Promise<T> {
    const { sdk, errors } = await this.load();
    this.calls++;
    const signal = AbortSignal.timeout(this.config.timeoutMs);
    try {
      return await send(sdk, signal);
    } catch (e) {
      throw modelFault.fromSdk(e, { ...call, endpoint, config: this.config }, errors);
    }
  }
}
