// What a model said, kept on disk (.apichat-bdd/ai-cache/) so that an identical rerun makes no
// model call and gets the same verdict. The key is a hash of {model, kind, promptVersion,
// inputs}: the inputs are what the model saw that matters (the criterion, the bot's exact
// words), never ids of a conversation or sender, which are random per run. Only answers that
// were understood are stored (callers put a value after it parsed); an error is never cached.
// Writes are atomic (a temporary file, then rename), so parallel workers and a Ctrl-C never
// leave half a file; an unreadable entry counts as a miss.
import { createHash, randomBytes } from 'node:crypto';
import { mkdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';

export interface CacheKeyParts {
  model: string;
  /** What the answer is: 'judge', 'embedding', 'user-turn', … */
  kind: string;
  /** Bumped whenever a prompt's wording changes, so old verdicts are not reused for it. */
  promptVersion: string | number;
  /** Everything else the answer depends on; JSON-serialisable. */
  inputs: unknown;
}

/** JSON with object keys sorted, so that equal inputs give one key whatever their key order. */
export function canonicalJson(v: unknown): string {
  if (Array.isArray(v)) return `[${v.map(canonicalJson).join(',')}]`;
  if (v !== null && typeof v === 'object') {
    const entries = Object.entries(v as Record<string, unknown>).filter(([, x]) => x !== undefined).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, x]) => `${JSON.stringify(k)}:${canonicalJson(x)}`).join(',')}}`;
  }
  return JSON.stringify(v) ?? 'null';
}

export function cacheKey(parts: CacheKeyParts): string {
  return createHash('sha256').update(canonicalJson({ model: parts.model, kind: parts.kind, promptVersion: String(parts.promptVersion), inputs: parts.inputs })).digest('hex');
}

interface Entry<T> {
  kind: string;
  model: string;
  promptVersion: string;
  savedAt: string;
  value: T;
}

export class AiCache {
  hits = 0;
  misses = 0;

  /** dir undefined = off (APICHAT_AI_CACHE=off): every get misses, nothing is written. */
  constructor(readonly dir: string | undefined) {}

  get enabled(): boolean {
    return this.dir !== undefined;
  }

  private file(key: string): string {
    return join(this.dir ?? '', key.slice(0, 2), `${key}.json`);
  }

  async get<T>(parts: CacheKeyParts, valid: (v: unknown) => v is T): Promise<T | undefined> {
    if (!this.dir) return undefined;
    try {
      const entry = JSON.parse(await readFile(this.file(cacheKey(parts)), 'utf8')) as Entry<unknown>;
      if (valid(entry.value)) {
        this.hits++;
        return entry.value;
      }
    } catch {
      // missing or unreadable: a miss
    }
    this.misses++;
    return undefined;
  }

  async put<T>(parts: CacheKeyParts, value: T): Promise<void> {
    if (!this.dir) return;
    const file = this.file(cacheKey(parts));
    const entry: Entry<T> = { kind: parts.kind, model: parts.model, promptVersion: String(parts.promptVersion), savedAt: new Date().toISOString(), value };
    const tmp = `${file}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`;
    try {
      await mkdir(dirname(file), { recursive: true });
      await writeFile(tmp, JSON.stringify(entry));
      await rename(tmp, file);
    } catch {
      // A cache that cannot be written costs a model call next time, never a failed step.
      await rm(tmp, { force: true }).catch(() => undefined);
    }
  }
}
