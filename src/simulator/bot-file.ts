// Loading a bot file (YAML or JSON: JSON is YAML) with positions kept, so a mistake is ONE
// error naming the file, the line and what is wrong:
//   bots/x.yaml:12: rules[3].replies[0]: unknown reply kind "txt" (expected text, buttons, …)
import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { LineCounter, isMap, isScalar, isSeq, parseDocument, type Document, type Node as YamlNode } from 'yaml';
import type { z } from 'zod';
import { ApiChatError } from '../base/errors.ts';
import { BotSchema, type BotDefinition } from './bot-schema.ts';
import { describeIssue, firstIssue, formatPath } from './issues.ts';

export const BOT_FILE_ERROR = 'APICHAT_BOT_FILE';

/** The hotel-booking demo bot that ships with the package. */
export const DEMO_BOT_PATH: string = fileURLToPath(new URL('../../bots/demo.yaml', import.meta.url));

function fail(where: string, what: string, cause?: unknown): never {
  throw new ApiChatError(BOT_FILE_ERROR, `${where}: ${what}`, cause === undefined ? {} : { cause });
}

export async function loadBotFile(path: string): Promise<BotDefinition> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    const why = code === 'ENOENT' ? 'file not found' : code === 'EISDIR' ? 'is a directory, not a bot file' : (e as Error).message;
    fail(path, why, e);
  }
  return parseBot(text, path);
}

/** Parses and validates a bot file's text; `fileName` only labels errors. */
export function parseBot(text: string, fileName: string): BotDefinition {
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, { lineCounter, prettyErrors: false, uniqueKeys: true });
  const syntax = doc.errors[0];
  if (syntax) {
    const { line } = lineCounter.linePos(syntax.pos[0]);
    fail(`${fileName}:${line}`, `syntax error: ${firstLine(syntax.message)}`, syntax);
  }
  if (doc.contents === null) fail(fileName, 'the file is empty (expected a mapping with name, fallback and rules)');
  let value: unknown;
  try {
    value = doc.toJS({ maxAliasCount: 100 });
  } catch (e) {
    fail(fileName, (e as Error).message, e);
  }
  const result = BotSchema.safeParse(value);
  if (result.success) return result.data;
  // Report the issue that comes first in the file, as a reader scanning down would find it.
  const located = result.error.issues.map((issue) => ({ issue, offset: offsetOf(doc, issue) }));
  const { issue, offset } = located.reduce((first, l) => (l.offset < first.offset ? l : first));
  const line = lineCounter.linePos(offset).line;
  fail(`${fileName}:${line}`, `${formatPath(issue.path)}: ${describeIssue(issue)}`);
}

/** Validates a definition given as an object (no positions to report). */
export function validateBot(value: unknown, label = 'bot definition'): BotDefinition {
  const result = BotSchema.safeParse(value);
  if (result.success) return result.data;
  fail(label, firstIssue(result.error));
}

function firstLine(s: string): string {
  return (s.split('\n')[0] ?? '').trim();
}

/** Start offset of the deepest node on the issue's path (a named key's own position when known). */
function offsetOf(doc: Document, issue: z.core.$ZodIssue): number {
  const key = issue.code === 'unrecognized_keys' ? issue.keys[0] : (issue as { params?: { key?: unknown } }).params?.key;
  let node: unknown = doc.contents;
  let best = rangeStart(node) ?? 0;
  let complete = true;
  for (const seg of issue.path) {
    let next: unknown;
    if (isMap(node)) {
      const pair = node.items.find((p) => keyOf(p.key) === seg);
      if (pair) {
        best = rangeStart(pair.value) ?? rangeStart(pair.key) ?? best;
        next = pair.value;
      }
    } else if (isSeq(node) && typeof seg === 'number') {
      next = node.items[seg];
      best = rangeStart(next) ?? best;
    }
    if (next === undefined || next === null) {
      complete = false;
      break;
    }
    node = next;
  }
  if (complete && typeof key === 'string' && isMap(node)) {
    const pair = node.items.find((p) => keyOf(p.key) === key);
    best = rangeStart(pair?.key) ?? best;
  }
  return best;
}

function keyOf(k: unknown): unknown {
  return isScalar(k) ? k.value : k;
}

function rangeStart(node: unknown): number | undefined {
  const range = (node as YamlNode | null | undefined)?.range;
  return range ? range[0] : undefined;
}
