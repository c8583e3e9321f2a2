// The AI layer's front door: a model client and a cache behind two calls that every AI feature
// shares (the judge, "something like", the simulated user of issue 17):
//   completeJson(schema, messages, options)  a chat completion whose content must parse as the
//                                            zod schema; cached under {model, kind, promptVersion, cacheKeyParts}
//   embed(texts, options)                    one vector per text, each text cached on its own
// Each answers with its usage (model calls made, cache hits, milliseconds), which the steps
// put in the transcript, so the report and the run's last line can count them across workers.
import { createHash } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import { z } from 'zod';
import { AiCache, type CacheKeyParts } from './cache.ts';
import { ModelClient, type ChatMessage, type ModelCall } from './client.ts';
import { loadAiConfig, type AiConfig, type ModelVariable } from './config.ts';
import { modelFault } from './faults.ts';

export interface Usage {
  /** Model requests made for this answer (0 when it all came from the cache). */
  calls: number;
  /** Answers taken from the cache. */
  hits: number;
  /** True when nothing had to be asked of the model. */
  cached: boolean;
  ms: number;
}

export interface CompleteOptions {
  model: string;
  /** The variable that named the model (named by an "unknown model" error). */
  variable: ModelVariable;
  kind: string;
  promptVersion: string | number;
  /** What the answer depends on besides model, kind and prompt version (never random ids). */
  cacheKeyParts: unknown;
  /** response_format's json_schema name (default: kind). */
  schemaName?: string;
  /** OpenAI strict mode (default true: every property required; use .nullable() for optional ones). */
  strict?: boolean;
  /** A cached answer is taken only when this says yes (else the model is asked, and the answer replaces it). */
  acceptCached?: (value: unknown) => boolean;
}

export interface EmbedOptions {
  model: string;
  variable?: ModelVariable;
}

/** The zod schema as the JSON schema response_format wants (no $schema key). */
export function jsonSchemaOf(schema: z.ZodType): Record<string, unknown> {
  const { $schema: _ignored, ...rest } = z.toJSONSchema(schema) as Record<string, unknown>;
  return rest;
}

/** A model's content as JSON: tolerates a ```json fence around it, nothing else. */
export function parseModelJson(content: string): unknown {
  const fenced = /^\s*```(?:json)?\s*\n?([\s\S]*?)\n?```\s*$/.exec(content);
  return JSON.parse(fenced ? (fenced[1] ?? '') : content);
}

/**
 * Which server and credentials an answer came from, as one opaque hash for the cache key: a
 * cache never vouches for a server or key it did not come from (a wrong key still fails with
 * its 401 after a green run), while a rerun with the same settings makes zero calls. The key
 * itself is never written anywhere, only this digest folded into the entry's file name.
 */
export function originOf(config: Pick<AiConfig, 'baseUrl' | 'apiKey'>): string {
  return createHash('sha256').update(`${config.baseUrl ?? 'openai'}\n${config.apiKey}`).digest('hex').slice(0, 16);
}

export class Models {
  readonly client: ModelClient;
  readonly cache: AiCache;
  private readonly origin: string;

  constructor(
    readonly config: AiConfig,
    options: { fetch?: typeof fetch } = {},
  ) {
    this.client = new ModelClient(config, options);
    this.cache = new AiCache(config.cacheDir);
    this.origin = originOf(config);
  }

  async completeJson<T>(schema: z.ZodType<T>, messages: ChatMessage[], o: CompleteOptions): Promise<{ value: T } & Usage> {
    const started = performance.now();
    const parts: CacheKeyParts = { model: o.model, kind: o.kind, promptVersion: o.promptVersion, inputs: { origin: this.origin, ...asObject(o.cacheKeyParts) } };
    const hit = await this.cache.get(parts, (v): v is T => schema.safeParse(v).success && (o.acceptCached?.(v) ?? true));
    if (hit !== undefined) return { value: hit, calls: 0, hits: 1, cached: true, ms: performance.now() - started };
    const call: ModelCall = { model: o.model, variable: o.variable };
    const content = await this.client.chatJson(call, messages, { name: o.schemaName ?? o.kind.replace(/[^A-Za-z0-9_-]/g, '_'), schema: jsonSchemaOf(schema), strict: o.strict ?? true });
    let parsed: unknown;
    try {
      parsed = parseModelJson(content);
    } catch {
      throw modelFault.badOutput({ ...call, config: this.config }, 'chat/completions', content);
    }
    const checked = schema.safeParse(parsed);
    if (!checked.success) throw modelFault.badOutput({ ...call, config: this.config }, 'chat/completions', content);
    await this.cache.put(parts, checked.data);
    return { value: checked.data, calls: 1, hits: 0, cached: false, ms: performance.now() - started };
  }

  /** One vector per text; texts already cached are not sent, the rest go in one request. */
  async embed(texts: string[], o: EmbedOptions): Promise<{ vectors: number[][] } & Usage> {
    const started = performance.now();
    const parts = (text: string): CacheKeyParts => ({ model: o.model, kind: 'embedding', promptVersion: 1, inputs: { origin: this.origin, text } });
    const isVector = (v: unknown): v is number[] => Array.isArray(v) && v.length > 0 && v.every((x) => typeof x === 'number');
    const vectors: Array<number[] | undefined> = await Promise.all(texts.map((t) => this.cache.get(parts(t), isVector)));
    const hits = vectors.filter((v) => v !== undefined).length;
    const missing = [...new Set(texts.filter((_, i) => vectors[i] === undefined))];
    let calls = 0;
    if (missing.length > 0) {
      const fresh = await this.client.embed({ model: o.model, variable: o.variable ?? 'APICHAT_EMBEDDINGS_MODEL' }, missing);
      calls = 1;
      const byText = new Map(missing.map((t, i) => [t, fresh[i] as number[]]));
      await Promise.all(missing.map((t) => this.cache.put(parts(t), byText.get(t))));
      texts.forEach((t, i) => (vectors[i] ??= byText.get(t)));
    }
    return { vectors: vectors as number[][], calls, hits, cached: calls === 0, ms: performance.now() - started };
  }
}

function asObject(v: unknown): Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v) ? (v as Record<string, unknown>) : { value: v };
}

let shared: Models | undefined;

/** This process's Models, from the environment (and .env), made on first use. */
export function sharedModels(): Models {
  shared ??= new Models(loadAiConfig());
  return shared;
}
