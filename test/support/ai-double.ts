// An OpenAI-compatible test double on a real loopback port: what the AI tests talk to instead of
// a model (src/ never fakes a verdict). It answers by fixed rules, records every request, and
// can be told to fail the ways real servers fail.
//
//   const ai = await AiDouble.start({ key: 'sk-test-key', models: ['judge', 'embed'] });
//   env: APICHAT_AI_URL=ai.url  APICHAT_AI_API_KEY=sk-test-key  APICHAT_JUDGE_MODEL=judge …
//
// Routes: POST /v1/chat/completions, POST /v1/embeddings, GET /v1/models.
// Checks, in order: the Bearer key (401 with OpenAI's body), the model (404 with OpenAI's
// model_not_found body), the wire contract (400 unless temperature 0 and a json_schema
// response_format), queued faults (failNext), then the rules: those added with use() first
// (issue 17 adds a user-playing policy this way), then the built-in judge and embeddings rules.
//
// Built-in judge rule (deterministic, not clever): the criterion's content words (3+ letters,
// minus stop words, compared on their first 5 letters) are looked up in the bot's answer between
// the delimiters; pass when at least half appear. Built-in embeddings: a bag of the same word
// stems hashed into 64 dimensions, so texts sharing words are close and unrelated ones are not.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface AiRequest {
  method: string;
  path: string;
  headers: IncomingMessage['headers'];
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  body: any;
}

export interface AiReply {
  status?: number;
  /** JSON body. */
  body?: unknown;
  /** Raw body instead of JSON (e.g. an HTML error page). */
  raw?: string;
  headers?: Record<string, string>;
  /** Answer this much later (a slow model). */
  delayMs?: number;
}

/** A rule answers a request it recognises, or returns undefined to let the next rule try. */
export type AiRule = (req: AiRequest, double: AiDouble) => AiReply | undefined;

export interface AiDoubleOptions {
  /** The key the double accepts; undefined = any (a local server). */
  key?: string;
  /** The models it serves; default: any model. */
  models?: string[];
  /** Every answer this much later. */
  delayMs?: number;
}

/** OpenAI's chat completion body around one content string. */
export function chatReply(model: string, content: string): AiReply {
  return {
    body: {
      id: `chatcmpl-double-${Math.random().toString(36).slice(2, 10)}`,
      object: 'chat.completion',
      created: Math.floor(Date.now() / 1000),
      model,
      choices: [{ index: 0, message: { role: 'assistant', content, refusal: null }, finish_reason: 'stop', logprobs: null }],
      usage: { prompt_tokens: 10, completion_tokens: 10, total_tokens: 20 },
    },
  };
}

/** OpenAI's error body. */
export function errorReply(status: number, message: string, type: string, code: string | null, headers?: Record<string, string>): AiReply {
  return { status, body: { error: { message, type, param: null, code } }, ...(headers ? { headers } : {}) };
}

const STOP = new Set('the and for with that this from are was were you your its it his her our their them they has have had not but any all can will would should could into onto than then there here what when which who whom how why about also just only very more most some such bot reply replies answer answers says said user does did doing done being been'.split(' '));

/** Content words of a text, as 5-letter stems (a crude but fixed rule). */
export function stems(text: string): string[] {
  return (text.toLowerCase().match(/[\p{L}\p{N}]+/gu) ?? []).filter((w) => (w.length >= 3 || /\d/.test(w)) && !STOP.has(w)).map((w) => w.slice(0, 5));
}

/** The text between the first `open` and the next `close`, if both are there. */
export function between(text: string, open: string, close: string): string | undefined {
  const i = text.indexOf(open);
  if (i < 0) return undefined;
  const j = text.indexOf(close, i + open.length);
  return j < 0 ? undefined : text.slice(i + open.length, j);
}

function userText(body: { messages?: Array<{ role: string; content: unknown }> }): string {
  return (body.messages ?? []).filter((m) => m.role === 'user').map((m) => (typeof m.content === 'string' ? m.content : JSON.stringify(m.content))).join('\n');
}

/** The built-in judge: criterion words found in the answer between the delimiters. */
export const judgeRule: AiRule = (req) => {
  if (req.path !== '/v1/chat/completions') return undefined;
  const text = userText(req.body);
  const criterion = between(text, '<criterion>', '</criterion>');
  const answer = between(text, '<bot_answer>', '</bot_answer>');
  if (criterion === undefined || answer === undefined) return undefined;
  const wanted = [...new Set(stems(criterion))];
  const have = new Set(stems(answer));
  const found = wanted.filter((w) => have.has(w));
  const score = wanted.length === 0 ? 0 : found.length / wanted.length;
  const pass = score >= 0.5;
  const missing = wanted.filter((w) => !have.has(w));
  const reason = pass ? `the answer mentions ${found.join(', ')}` : `the answer does not mention ${missing.join(', ') || 'anything asked'}`;
  return chatReply(req.body.model, JSON.stringify({ pass, reason, score: Math.round(score * 100) / 100 }));
};

export const DIMENSIONS = 64;

/** A bag-of-stems vector, hashed into DIMENSIONS, unit length. */
export function embedText(text: string): number[] {
  const v = new Array<number>(DIMENSIONS).fill(0);
  for (const s of stems(text)) {
    let h = 2166136261;
    for (const ch of s) h = Math.imul(h ^ ch.codePointAt(0)!, 16777619) >>> 0;
    v[h % DIMENSIONS]! += 1;
  }
  const norm = Math.hypot(...v) || 1;
  return v.map((x) => x / norm);
}

export const embeddingsRule: AiRule = (req) => {
  if (req.path !== '/v1/embeddings') return undefined;
  const input: string[] = Array.isArray(req.body.input) ? req.body.input : [req.body.input];
  return {
    body: {
      object: 'list',
      model: req.body.model,
      data: input.map((t, index) => ({ object: 'embedding', index, embedding: embedText(String(t)) })),
      usage: { prompt_tokens: input.length, total_tokens: input.length },
    },
  };
};

interface Fault {
  reply: AiReply;
  times: number;
}

export class AiDouble {
  readonly requests: AiRequest[] = [];
  private readonly rules: AiRule[] = [];
  private readonly faults: Fault[] = [];
  private readonly pending = new Set<NodeJS.Timeout>();
  url = '';
  key: string | undefined;
  models: Set<string> | undefined;
  delayMs: number;

  private constructor(
    private readonly server: Server,
    o: AiDoubleOptions,
  ) {
    this.key = o.key;
    this.models = o.models ? new Set(o.models) : undefined;
    this.delayMs = o.delayMs ?? 0;
  }

  static async start(o: AiDoubleOptions = {}): Promise<AiDouble> {
    let double: AiDouble | undefined;
    const server = createServer((req, res) => void double!.handle(req, res));
    double = new AiDouble(server, o);
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    double.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/v1`;
    return double;
  }

  /** Adds a rule tried before the others (the latest added first). */
  use(rule: AiRule): this {
    this.rules.unshift(rule);
    return this;
  }

  /** The next `times` requests get this status (429 and 5xx tell the SDK to retry in 10 ms). */
  failNext(status: number, times = 1, message = `simulated ${status}`): this {
    const retry = { 'retry-after-ms': '10' };
    this.faults.push({ reply: errorReply(status, message, status === 429 ? 'rate_limit_error' : 'server_error', null, status === 429 || status >= 500 ? retry : undefined), times });
    return this;
  }

  /** Forget recorded requests, rules added with use(), queued faults and the delay. */
  reset(): void {
    this.requests.length = 0;
    this.rules.length = 0;
    this.faults.length = 0;
    this.delayMs = 0;
  }

  get chatRequests(): AiRequest[] {
    return this.requests.filter((r) => r.path === '/v1/chat/completions');
  }

  get embeddingRequests(): AiRequest[] {
    return this.requests.filter((r) => r.path === '/v1/embeddings');
  }

  async close(): Promise<void> {
    for (const t of this.pending) clearTimeout(t);
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    const text = Buffer.concat(chunks).toString('utf8');
    let body: unknown = undefined;
    try {
      body = text === '' ? undefined : JSON.parse(text);
    } catch {
      return this.send(res, { status: 400, body: { error: { message: 'body is not JSON', type: 'invalid_request_error', param: null, code: null } } });
    }
    const request: AiRequest = { method: req.method ?? '', path: (req.url ?? '').split('?')[0] ?? '', headers: req.headers, body };
    this.requests.push(request);
    this.send(res, this.answer(request));
  }

  private answer(req: AiRequest): AiReply {
    if (this.key !== undefined && req.headers.authorization !== `Bearer ${this.key}`) {
      const given = String(req.headers.authorization ?? '').replace(/^Bearer\s+/, '');
      // OpenAI's own body quotes part of the key: the client must not pass it on.
      return errorReply(401, `Incorrect API key provided: ${given.slice(0, 6)}***${given.slice(-4)}. You can find your API key at https://platform.openai.com/account/api-keys.`, 'invalid_request_error', 'invalid_api_key');
    }
    if (req.method === 'GET' && req.path === '/v1/models') {
      return { body: { object: 'list', data: [...(this.models ?? ['any-model'])].map((id) => ({ id, object: 'model', created: 0, owned_by: 'double' })) } };
    }
    if (req.method !== 'POST' || (req.path !== '/v1/chat/completions' && req.path !== '/v1/embeddings')) {
      return errorReply(404, `Invalid URL (${req.method} ${req.path})`, 'invalid_request_error', null);
    }
    const model = req.body?.model;
    if (typeof model !== 'string' || (this.models && !this.models.has(model))) {
      return errorReply(404, `The model \`${String(model)}\` does not exist or you do not have access to it.`, 'invalid_request_error', 'model_not_found');
    }
    if (req.path === '/v1/chat/completions') {
      const rf = req.body.response_format;
      if (req.body.temperature !== 0 || rf?.type !== 'json_schema' || typeof rf.json_schema?.schema !== 'object' || !Array.isArray(req.body.messages)) {
        return errorReply(400, 'the double wants temperature 0, messages and response_format {type: json_schema, json_schema: {name, schema}}', 'invalid_request_error', null);
      }
    }
    const fault = this.faults[0];
    if (fault) {
      if (--fault.times <= 0) this.faults.shift();
      return fault.reply;
    }
    for (const rule of [...this.rules, judgeRule, embeddingsRule]) {
      const reply = rule(req, this);
      if (reply) return reply;
    }
    return chatReply(model, JSON.stringify({ error: 'the double has no rule for this request' }));
  }

  private send(res: ServerResponse, reply: AiReply): void {
    const write = (): void => {
      if (res.destroyed) return;
      const raw = reply.raw ?? JSON.stringify(reply.body ?? {});
      res.writeHead(reply.status ?? 200, { 'content-type': reply.raw !== undefined ? 'text/plain' : 'application/json', ...reply.headers });
      res.end(raw);
    };
    const delay = reply.delayMs ?? this.delayMs;
    if (delay <= 0) return write();
    const t = setTimeout(() => {
      this.pending.delete(t);
      write();
    }, delay);
    this.pending.add(t);
  }
}
